import { DEVELOPMENT_CONNECTION_STRING } from '../../../local/signalr/constants';
import { startEmulator, type SignalREmulator } from '../../../local/emulator';
import { parseConnectionString } from '../../../lib/signalr/ConnectionString';
import { createConnectionInfo } from '../../../lib/signalr/tokens';
import {
  loadTarget,
  openLoadClient,
  payloadSequenceReader,
  type LoadClient,
  type LoadProtocol,
  type LoadTransport,
} from '../../../local/clients/transportClients';
import { callRest } from '../emulator/support';
import { eventually } from '../../support/eventually';

/**
 * The benchmark's load clients for the transport and protocol rows: over each transport and
 * protocol, a REST send arrives, its sequence is read, and its payload bytes are counted.
 */
jest.setTimeout(30_000);

describe('load clients over every transport and protocol', () => {
  let emulator: SignalREmulator;
  const clients: LoadClient[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({
      connectionString: DEVELOPMENT_CONNECTION_STRING,
      port: 0,
      logLevel: 'silent',
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await emulator.close();
  });

  it.each([
    ['WebSockets', 'json'],
    ['WebSockets', 'messagepack'],
    ['ServerSentEvents', 'json'],
    ['LongPolling', 'json'],
    ['LongPolling', 'messagepack'],
  ] as const)(
    'over %s in %s, reads each sequence once and counts its bytes',
    async (transport, protocol) => {
      const cs = parseConnectionString(emulator.connectionString);
      const user = `${transport}-${protocol}`;
      const info = createConnectionInfo(cs, { hub: 'chat', userId: user });
      const seen: number[] = [];
      const client = await openLoadClient(
        await loadTarget(info, transport as LoadTransport, protocol as LoadProtocol),
        payloadSequenceReader({ onDelivery: (sequence) => seen.push(sequence) }),
      );
      clients.push(client);
      for (const sequence of [7, 12345])
        await callRest(cs, 'POST', `/api/v1/hubs/chat/users/${user}`, {
          target: 'newMessage',
          arguments: [{ text: `seq ${sequence} 王芳 🦊` }],
        });
      await eventually(() => seen.length >= 2, 'both messages');
      expect(seen).toEqual([7, 12345]);
      expect(client.bytes()).toBeGreaterThan(2 * 'seq 7 王芳 🦊'.length);
    },
  );
});
