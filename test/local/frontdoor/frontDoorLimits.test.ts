import { createServer, type IncomingMessage, type Server } from 'node:http';
import { eventually } from '../../support/eventually';
import { connect, type Socket } from 'node:net';
import { FrontDoor } from '../../../local/frontdoor/FrontDoor';
import { newSessionKey } from '../../../local/frontdoor/SessionSeal';
import { listen, closeServer } from '../../../local/httpServer';
import { createLogger } from '../../../local/log';
import { signIn } from '../../support/chatClients';
import { statusOf } from '../../support/rawHttp';

/**
 * The front door under floods: huge bodies, slow bodies, clients that leave, sign-in floods.
 * The upstream is a plain server that records what reaches it.
 */
const log = createLogger('test', 'silent');

describe('front door limits', () => {
  let upstream: Server;
  let door: FrontDoor;
  let api: string;
  let port: number;
  const arrived: { url: string; bytes: number }[] = [];
  const aborted: string[] = [];

  beforeAll(async () => {
    upstream = createServer((req: IncomingMessage, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        arrived.push({ url: req.url!, bytes });
        if (req.url === '/api/hang') {
          res.on('close', () => aborted.push(req.url!));
          return; // never answers
        }
        res.writeHead(202, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    const upstreamPort = await listen(upstream, 0);
    door = new FrontDoor({
      target: `http://127.0.0.1:${upstreamPort}`,
      port: 0,
      corsOrigins: [],
      corsCredentials: true,
      allowedExternalRedirectUrls: [],
      log,
      bodyTimeoutMs: 1500,
      sessionKey: newSessionKey(),
    });
    port = await door.listen();
    api = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await door.close();
    await closeServer(upstream);
  });

  beforeEach(() => {
    arrived.length = 0;
    aborted.length = 0;
  });

  function open(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
      socket.on('error', reject);
    });
  }

  function answerOf(socket: Socket): Promise<string> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    });
  }

  it('answers 413 to a declared 200 MB body before reading it, and passes nothing on', async () => {
    const cookie = await signIn(api, 'alice');
    const socket = await open();
    const answer = answerOf(socket);
    socket.write(
      `POST /api/messages HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\nContent-Length: ${200 * 1024 * 1024}\r\n\r\n`,
    );
    expect(statusOf(await answer)).toBe(413);
    expect(arrived).toEqual([]);
  });

  it('answers 413 to a streamed body as soon as it passes 4 MB, without reading the rest', async () => {
    const cookie = await signIn(api, 'alice');
    const socket = await open();
    const answer = answerOf(socket);
    socket.write(
      `POST /api/messages HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let sent = 0;
    let closed = false;
    socket.on('close', () => (closed = true));
    // Up to 200 MB, but the server must cut it short.
    while (!closed && sent < 200 * 1024 * 1024) {
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      const ok = socket.write('\r\n');
      sent += chunk.length;
      if (!ok) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(statusOf(await answer)).toBe(413);
    expect(sent).toBeLessThan(32 * 1024 * 1024);
    expect(arrived).toEqual([]);
  });

  it('keeps answering others while 260 clients send bodies slowly, then refuses those with 408', async () => {
    const cookie = await signIn(api, 'mallory');
    const slow = await Promise.all(Array.from({ length: 260 }, () => open()));
    let slowAnswered = 0;
    const answers = slow.map((socket) => answerOf(socket).finally(() => slowAnswered++));
    for (const socket of slow)
      socket.write(
        `POST /api/messages HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te`,
      );
    const other = await signIn(api, 'bob');
    const response = await fetch(`${api}/api/messages`, {
      method: 'POST',
      headers: { Cookie: other, 'Content-Type': 'application/json' },
      body: '{"text":"hi"}',
    });
    expect(response.status).toBe(202);
    // Answered while every slow body was still being waited for: none of them held it up.
    expect(slowAnswered).toBe(0);
    const statuses = (await Promise.all(answers)).map(statusOf);
    expect(new Set(statuses)).toEqual(new Set([408]));
    expect(arrived.map((request) => request.url)).toEqual(['/api/messages']);
  });

  it('aborts the upstream call when the client goes away', async () => {
    const cookie = await signIn(api, 'alice');
    const controller = new AbortController();
    const request = fetch(`${api}/api/hang`, {
      headers: { Cookie: cookie },
      signal: controller.signal,
    }).catch(() => undefined);
    await eventually(() => arrived.length > 0, 'the hanging request to reach the upstream');
    controller.abort();
    await request;
    await eventually(() => aborted.length > 0, 'the upstream to see the abort', 1_000);
    expect(aborted).toEqual(['/api/hang']);
  });

  it('evicts no session under a sign-in flood: they live in the cookies, not in the front door', async () => {
    const cookies: string[] = [];
    for (let i = 0; i < 300; i++) cookies.push(await signIn(api, `user${i}`));
    const me = (cookie: string) => fetch(`${api}/.auth/me`, { headers: { Cookie: cookie } });
    expect((await me(cookies[0])).status).toBe(200);
    expect((await me(cookies[299])).status).toBe(200);
  });

  it('keeps a session across a restart with the same key, and opens none with another', async () => {
    const key = newSessionKey();
    const start = async (sessionKey: string) => {
      const front = new FrontDoor({
        target: 'http://127.0.0.1:9',
        port: 0,
        corsOrigins: [],
        corsCredentials: true,
        allowedExternalRedirectUrls: [],
        log,
        sessionKey,
      });
      return { front, api: `http://127.0.0.1:${await front.listen()}` };
    };
    const first = await start(key);
    const cookie = await signIn(first.api, 'Ngọc Ánh');
    await first.front.close();
    const again = await start(key);
    const other = await start(newSessionKey());
    try {
      const me = await fetch(`${again.api}/.auth/me`, { headers: { Cookie: cookie } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { user_id: string }[])[0].user_id).toBe('Ngọc Ánh');
      expect((await fetch(`${other.api}/.auth/me`, { headers: { Cookie: cookie } })).status).toBe(
        401,
      );
    } finally {
      await again.front.close();
      await other.front.close();
    }
  });
});
