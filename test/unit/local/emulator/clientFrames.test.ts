import { readFrames, readHandshake } from '../../../../local/emulator/clientFrames';
import { frameBinary } from '../../../../local/emulator/messagePack';
import { TransportKind } from '../../../../local/emulator/transports';
import { encode } from '@msgpack/msgpack';

/** What a client sends, read without a socket: the handshake, then frames in its protocol. */
describe('readHandshake', () => {
  it.each([
    [
      '{"protocol":"json","version":1}\u001e',
      TransportKind.WebSockets,
      { protocol: 'json', version: 1 },
    ],
    [
      '{"protocol":"json","version":2}\u001e',
      TransportKind.WebSockets,
      { protocol: 'json', version: 2 },
    ],
    [
      '{"protocol":"messagepack","version":2}\u001e',
      TransportKind.LongPolling,
      { protocol: 'messagepack', version: 2 },
    ],
    [
      '{"protocol":"json","version":3}\u001e',
      TransportKind.WebSockets,
      { error: expect.stringContaining('version 3') },
    ],
    [
      '{"protocol":"bson","version":1}\u001e',
      TransportKind.WebSockets,
      { error: expect.stringContaining("'bson'") },
    ],
    [
      '{"protocol":"messagepack","version":1}\u001e',
      TransportKind.ServerSentEvents,
      { error: expect.stringContaining('Server-Sent Events') },
    ],
    ['[1]\u001e', TransportKind.WebSockets, { error: expect.stringContaining('JSON object') }],
    [
      '{"protocol":"json"',
      TransportKind.WebSockets,
      { error: expect.stringContaining('record separator') },
    ],
  ])('%j over %s', (frame, transport, expected) => {
    expect(readHandshake(frame, transport)).toEqual(expected);
  });
});

describe('readFrames', () => {
  it('reads JSON records in order, Ack and Sequence with their ids, unknown types as undefined', () => {
    const frame = Buffer.from(
      '{"type":1,"target":"t","arguments":["王芳"]}\u001e{"type":8,"sequenceId":3}\u001e{"type":99}\u001e',
    );
    expect(readFrames(frame, false, 'json', TransportKind.WebSockets)).toEqual({
      messages: [
        { type: 1, target: 't', arguments: ['王芳'] },
        { type: 8, sequenceId: 3 },
        undefined,
      ],
    });
  });

  it('keeps what came before a bad record, and names the error', () => {
    const frame = Buffer.from('{"type":6}\u001e{"type":9,"sequenceId":-1}\u001e');
    const read = readFrames(frame, false, 'json', TransportKind.LongPolling);
    expect(read.messages).toEqual([{ type: 6 }]);
    expect(read.error).toMatch(/sequenceId/);
  });

  it('reads MessagePack frames, and refuses text to MessagePack and binary to JSON', () => {
    const binary = Buffer.concat([frameBinary(encode([9, 2])), frameBinary(encode([6]))]);
    expect(readFrames(binary, true, 'messagepack', TransportKind.WebSockets)).toEqual({
      messages: [{ type: 9, sequenceId: 2 }, { type: 6 }],
    });
    expect(readFrames(binary, false, 'messagepack', TransportKind.WebSockets).error).toMatch(
      /Text frames/,
    );
    expect(readFrames(binary, true, 'json', TransportKind.WebSockets).error).toMatch(
      /Binary frames/,
    );
  });
});
