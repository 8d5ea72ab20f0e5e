import { newSessionKey } from '../../../local/frontdoor/SessionSeal';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { FrontDoor } from '../../../local/frontdoor/FrontDoor';
import { eventually } from '../../support/eventually';
import type { Logger } from '../../../local/log';

/**
 * When the proxied call to the functions host ends badly, the front door says whose fault it
 * was: a host it cannot reach is an error (502); a client that left before the answer is not.
 */
class RecordingLog implements Logger {
  readonly lines: string[] = [];
  debug = (message: string) => this.lines.push(`debug ${message}`);
  info = (message: string) => this.lines.push(`info ${message}`);
  warn = (message: string) => this.lines.push(`warn ${message}`);
  error = (message: string) => this.lines.push(`error ${message}`);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const OPEN_PATH = '/api/open';

describe('FrontDoor upstream failures', () => {
  let door: FrontDoor | undefined;
  let host: Server | undefined;
  afterEach(async () => {
    await door?.close();
    host?.closeAllConnections();
    await new Promise((resolve) => (host ? host.close(resolve) : resolve(undefined)));
    door = host = undefined;
  });

  async function startDoor(target: string, log: Logger): Promise<string> {
    door = new FrontDoor({
      sessionKey: newSessionKey(),
      target,
      port: 0,
      corsOrigins: [],
      corsCredentials: false,
      allowedExternalRedirectUrls: [],
      // Excluded from sign-in (as the SignalR upstream path is), to reach the host without one.
      excludedPaths: [OPEN_PATH],
      log,
    });
    return `http://127.0.0.1:${await door.listen()}`;
  }

  it('answers 502 with a JSON error, and logs an error, when the host is not reachable', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const log = new RecordingLog();
    const api = await startDoor(`http://127.0.0.1:${port}`, log);
    const response = await fetch(`${api}${OPEN_PATH}`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: 'The functions host is not reachable.',
      code: 'BadGateway',
    });
    expect(log.lines.filter((line) => line.startsWith('error'))).toHaveLength(1);
  });

  it('stops the host call and logs no error when the client leaves before the answer', async () => {
    let arrived!: (req: IncomingMessage) => void;
    const atHost = new Promise<IncomingMessage>((resolve) => (arrived = resolve));
    host = createServer((req) => arrived(req)); // never answers
    const log = new RecordingLog();
    const api = await startDoor(`http://127.0.0.1:${await listen(host)}`, log);
    const client = request(`${api}${OPEN_PATH}`);
    client.on('error', () => undefined);
    client.end();
    const proxied = await atHost;
    const hostSawClose = new Promise((resolve) => proxied.socket.once('close', resolve));
    client.destroy();
    await hostSawClose;
    // The front door hears of its own destroy() a moment after the host does.
    for (let wait = 0; log.lines.length === 0 && wait < 100; wait++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
    expect(log.lines).toContain(
      'debug front door: the client left before the functions host answered.',
    );
  });
  it('closes the connection when the host answers before a streamed body ends, so no next request waits behind it', async () => {
    // As the host does for a webhook call without its key: 401 at once, body unread.
    host = createServer((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end('{"error":"no key","code":"Unauthorized"}');
    });
    const api = new URL(
      await startDoor(`http://127.0.0.1:${await listen(host)}`, new RecordingLog()),
    );
    const socket = connect(Number(api.port), '127.0.0.1');
    let answer = '';
    socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined);
    const chunk = Buffer.alloc(64 * 1024, 120);
    socket.write(
      `POST ${OPEN_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    socket.write(
      Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
    );
    await eventually(() => answer.includes('no key'), 'the 401 answer to a keyless upload');
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    // Kept alive, the connection would hold the unread rest of the body in front of the next
    // request a client sent on it (which then waited for the 30 s request timeout: 408).
    expect(answer.toLowerCase()).toContain('\r\nconnection: close\r\n');
    expect(answer.toLowerCase()).not.toContain('keep-alive:');
    socket.write(
      Buffer.concat([
        Buffer.from(`${chunk.length.toString(16)}\r\n`),
        chunk,
        Buffer.from('\r\n0\r\n\r\n'),
      ]),
    );
    socket.write(`GET ${OPEN_PATH} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await closed;
  });
});
