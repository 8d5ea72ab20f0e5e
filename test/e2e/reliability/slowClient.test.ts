import { HubMethod } from '../../../lib/hub';
import type { Socket } from 'node:net';
import { hubTarget, openClient } from '../../../local/clients/hubClients';
import { EmulatorFixture, Inbox } from '../../local/emulator/support';
import { createConnectionInfo } from '../../../lib/signalr/tokens';

/**
 * a client that stops reading must not delay the others. The emulator closes it once
 * its unsent bytes pass the bound, and everyone else keeps receiving.
 */
jest.setTimeout(60_000);

describe('a slow client', () => {
  let fixture: EmulatorFixture;
  afterAll(() => fixture?.close());

  it('is closed when it falls too far behind, while the others receive every message', async () => {
    fixture = await EmulatorFixture.start({ maxBufferedBytes: 256 * 1024 });
    const fast = new Inbox();
    await fixture.connect('fast', fast.receive);
    const slowTarget = await hubTarget(
      createConnectionInfo(fixture.cs, { hub: 'chat', userId: 'slow' }),
    );
    const slow = await openClient(slowTarget, () => undefined);
    // Stop reading: the kernel buffers fill, then the emulator's send buffer grows.
    (slow as unknown as { _socket: Socket })._socket.pause();
    expect(fixture.emulator.stats().connections).toBe(2);

    const messages = 400;
    const payload = 'x'.repeat(16 * 1024);
    for (let i = 0; i < messages; i++) {
      const response = await fixture.call('POST', '/api/v1/hubs/chat', {
        target: HubMethod.NewMessage,
        arguments: [{ i, payload }],
      });
      expect(response.status).toBe(202);
    }
    await fast.waitFor(messages, 20_000);
    expect(fast.messages.map((m) => (m as { i: number }).i)).toEqual(
      Array.from({ length: messages }, (_, i) => i),
    );
    // The slow client was dropped instead of holding ~6 MB for it.
    expect(fixture.emulator.stats()).toEqual(expect.objectContaining({ connections: 1, users: 1 }));
    slow.terminate();
  });
});
