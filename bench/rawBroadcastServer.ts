import { HubMethod } from '../lib/hub';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/**
 * The baseline: the least a server must do for the same job. POST /send takes the same JSON body
 * as /api/messages, builds the same message, serialises it once and writes it to every WebSocket.
 * No auth, no hub protocol, no functions host, no REST hop.
 */
export interface RawBroadcastServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startRawBroadcastServer(): Promise<RawBroadcastServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/send') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { text } = JSON.parse(Buffer.concat(chunks).toString()) as { text: string };
      const message = {
        id: randomUUID(),
        sender: 'bench',
        text,
        timestamp: new Date().toISOString(),
        isPrivate: false,
      };
      const frame = Buffer.from(
        JSON.stringify({ type: 1, target: HubMethod.NewMessage, arguments: [message] }),
      );
      for (const client of wss.clients)
        if (client.readyState === WebSocket.OPEN) client.send(frame);
      res.writeHead(202, { 'Content-Type': 'application/json' }).end(JSON.stringify(message));
    });
  });
  server.keepAliveTimeout = 60_000;
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
