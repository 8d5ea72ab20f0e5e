import { decode, encode } from '@msgpack/msgpack';
import { formatRecord } from '../../../../local/signalr/hubProtocol';
import {
  frameBinary,
  parseBinaryMessage,
  splitBinary,
  toMessagePack,
} from '../../../../local/emulator/messagePack';

/** The MessagePack hub protocol's framing and messages (HubProtocol.md), one row each. */
describe('MessagePack framing', () => {
  it.each([
    [0, [0x00]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [16_383, [0xff, 0x7f]],
    [16_384, [0x80, 0x80, 0x01]],
  ])('prefixes a payload of %d bytes with the VarInt %j', (length, prefix) => {
    const framed = frameBinary(new Uint8Array(length));
    expect([...framed.subarray(0, prefix.length)]).toEqual(prefix);
    expect(splitBinary(framed, 1 << 20).map((p) => p.length)).toEqual([length]);
  });

  it('splits several messages of one frame, and refuses a cut one, a 6-byte prefix, one over the limit', () => {
    const two = Buffer.concat([frameBinary(encode([6])), frameBinary(encode([6]))]);
    expect(splitBinary(two, 100)).toHaveLength(2);
    expect(() => splitBinary(two.subarray(0, two.length - 1), 100)).toThrow('incomplete');
    expect(() => splitBinary(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 100)).toThrow(
      'prefix is too long',
    );
    expect(() => splitBinary(frameBinary(new Uint8Array(101)), 100)).toThrow('over the limit');
  });
});

describe('MessagePack messages', () => {
  it.each([
    [[1, {}, null, 'typing', ['general']], { type: 1, target: 'typing', arguments: ['general'] }],
    [
      [1, {}, '7', 'echo', [{ a: 1 }], []],
      { type: 1, invocationId: '7', target: 'echo', arguments: [{ a: 1 }] },
    ],
    [
      [4, {}, '8', 'counter', [3]],
      { type: 4, invocationId: '8', target: 'counter', arguments: [3] },
    ],
    [[6], { type: 6 }],
    [[7, 'bye'], { type: 7, error: 'bye' }],
    [[99, 'future'], undefined],
  ])('reads %j', (message, read) => {
    expect(parseBinaryMessage(Buffer.from(encode(message)))).toEqual(read);
  });

  it.each([
    [Buffer.from([0xc1]), 'Not MessagePack'],
    [Buffer.from(encode({ type: 1 })), 'must be an array'],
    [Buffer.from(encode([1, {}, null, 5, []])), 'string target'],
    [Buffer.from(encode([1, {}, 9, 'x', []])), 'invocation id must be a string'],
  ])('refuses %j', (payload, words) => {
    expect(() => parseBinaryMessage(payload)).toThrow(words);
  });

  it('writes what the service sends a JSON client as the same MessagePack messages, converted once', () => {
    const frame = Buffer.from(
      formatRecord({ type: 1, target: 'newMessage', arguments: [{ text: '王芳 🦊' }] }) +
        formatRecord({ type: 3, invocationId: '1', result: 42 }) +
        formatRecord({ type: 3, invocationId: '2', error: 'no' }) +
        formatRecord({ type: 3, invocationId: '3' }) +
        formatRecord({ type: 6 }) +
        formatRecord({ type: 7, error: 'shutting down', allowReconnect: true }),
    );
    const binary = toMessagePack(frame);
    expect(splitBinary(binary, 1 << 20).map((payload) => decode(payload))).toEqual([
      [1, {}, null, 'newMessage', [{ text: '王芳 🦊' }]],
      [3, {}, '1', 3, 42],
      [3, {}, '2', 1, 'no'],
      [3, {}, '3', 2],
      [6],
      [7, 'shutting down', true],
    ]);
    expect(toMessagePack(frame)).toBe(binary);
  });
});
