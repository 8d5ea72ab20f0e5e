import { GENERAL_ROOM, HubMethod } from '../lib/hub';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/**
 * The baseline: the least a server must do for the same job. POST /send takes the same JSON body
 * as /api/messages, builds the same message, serialises it once and writes it to every WebSocket,
 * or, when the body names a `room`, to the WebSockets that opened `/?room=<that room>` (the
 * groups a room is). No auth, no hub protocol, no functions host, no REST hop, no storage.
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
      const { text, room } = JSON.parse(Buffer.concat(chunks).toString()) as {
        text: string;
        room?: string;
      };
      const message = {
        id: randomUUID(),
        sender: 'bench',
        text,
        timestamp: new Date().toISOString(),
        isPrivate: false,
        room: room ?? GENERAL_ROOM,
      };
      const frame = Buffer.from(
        JSON.stringify({ type: 1, target: HubMethod.NewMessage, arguments: [message] }),
      );
      const recipients = room === undefined ? wss.clients : (rooms.get(room) ?? []);
      for (const client of recipients) if (client.readyState === WebSocket.OPEN) client.send(frame);
      res.writeHead(202, { 'Content-Type': 'application/json' }).end(JSON.stringify(message));
    });
  });
  server.keepAliveTimeout = 60_000;
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const rooms = new Map<string, Set<WebSocket>>();
  wss.on('connection', (socket, req) => {
    const room = new URL(req.url ?? '/', 'http://raw').searchParams.get('room');
    if (room === null) return;
    const members = rooms.get(room) ?? new Set<WebSocket>();
    rooms.set(room, members.add(socket));
    socket.once('close', () => members.delete(socket));
  });
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
