import WebSocket from 'ws';
import { sharedStack, type SharedStack } from '../../support/sharedStack';
import { createClientToken, createServerToken } from '../../../lib/signalr/tokens';
import { parseConnectionString } from '../../../lib/signalr/ConnectionString';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { Listener, postMessage, signIn } from '../../support/chatClients';
import { rawRequest, statusOf, tokenUser } from '../../support/rawHttp';

/**
 * Attacks through the whole offline stack (front door, host, emulator, page server), each of
 * which worked before docs/security.md's defences. Each test fails if its defence is removed.
 */
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156';

describe('attacks on the offline stack', () => {
  let stack: SharedStack;
  let alice: string;
  const port = (url: string) => Number(new URL(url).port);

  beforeAll(async () => {
    stack = sharedStack();
    alice = await signIn(stack.urls.api, 'amal');
  });

  afterAll(async () => {});

  describe('a token for another user (binding data shadows the headers)', () => {
    async function negotiate(body?: string, query = '') {
      const response = await fetch(`${stack.urls.api}/api/negotiate${query}`, {
        method: 'POST',
        headers: { Cookie: alice, 'Content-Type': 'application/json' },
        body,
      });
      return { status: response.status, text: await response.text() };
    }

    it('gives alice her own token (control)', async () => {
      const { status, text } = await negotiate();
      expect(status).toBe(200);
      expect(tokenUser((JSON.parse(text) as { accessToken: string }).accessToken)).toBe('amal');
    });

    it.each([
      '{"headers":{"x-ms-client-principal-name":"bob"}}',
      '{"hEaDeRs":{"X-MS-Client-Principal-Name":"bob"},"other":1}',
    ])('refuses the body %s with 400 and hands out no token', async (body) => {
      const { status, text } = await negotiate(body);
      expect(status).toBe(400);
      expect(text).not.toContain('accessToken');
      expect(JSON.parse(text)).toEqual({
        error: expect.stringContaining('"headers" field'),
        code: 'ShadowedHeaders',
      });
    });

    it('hands out no token when the query shadows the headers (the binding fails, as on Azure)', async () => {
      const { status, text } = await negotiate(undefined, '?headers=bob');
      expect(status).toBe(500);
      expect(text).not.toContain('accessToken');
    });
  });

  describe('cross-site request forgery', () => {
    let bob: Listener;
    beforeAll(async () => {
      bob = await Listener.connect(stack.urls.api, await signIn(stack.urls.api, 'boris'), 'boris');
    });
    afterAll(async () => {
      await bob?.stop();
    });

    const post = (text: string, headers: Record<string, string>) =>
      postMessage(stack.urls.api, alice, JSON.stringify({ text }), headers);

    it.each([
      ['another site', { 'User-Agent': BROWSER, Origin: 'http://evil.example' }],
      ['another port of this host', { 'User-Agent': BROWSER, Origin: 'http://127.0.0.1:1' }],
      ['a sandboxed frame (Origin: null)', { 'User-Agent': BROWSER, Origin: 'null' }],
      ['no Origin and no Referer', { 'User-Agent': BROWSER }],
      ['a foreign Referer', { 'User-Agent': BROWSER, Referer: 'http://evil.example/page' }],
    ])('refuses a browser POST from %s with 403 and sends nothing', async (_label, headers) => {
      const result = await post('forged', headers);
      expect(result.status).toBe(403);
      expect(result.json).toEqual({
        error:
          'Cross-site request forgery detected: this request came from a site that is not allowed to post as the signed-in user.',
        code: 'CrossSiteRequest',
      });
      await post('control after forgery', { 'User-Agent': BROWSER, Origin: stack.urls.page });
      await bob.waitForText('control after forgery');
      expect(bob.messages.map((m) => m.text)).not.toContain('forged');
    });

    it.each([
      ['the page (a CORS origin)', () => ({ 'User-Agent': BROWSER, Origin: stack.urls.page })],
      ['a non-browser client with no Origin', () => ({ 'User-Agent': 'curl/8' })],
    ])('accepts a POST from %s', async (_label, headers) => {
      const result = await post('allowed', headers());
      expect(result.status).toBe(202);
    });

    it('refuses a text/plain body (no CORS preflight) with 415 and sends nothing', async () => {
      const result = await postMessage(stack.urls.api, alice, '{"text":"plain"}', {
        'Content-Type': 'text/plain',
      });
      expect(result.status).toBe(415);
      expect(result.json).toEqual({
        error: 'Send the message as JSON with Content-Type: application/json, not "text/plain".',
        code: 'UnsupportedMediaType',
      });
      await post('after plain', {});
      await bob.waitForText('after plain');
      expect(bob.messages.map((m) => m.text)).not.toContain('plain');
    });

    it('refuses a cross-site sign-in form (login CSRF) with 403 and sets no cookie', async () => {
      const response = await fetch(`${stack.urls.api}/.auth/login/aad`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Origin: 'http://evil.example',
          'User-Agent': BROWSER,
        },
        body: new URLSearchParams({ name: 'mallory', post_login_redirect_uri: '/' }),
        redirect: 'manual',
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('set-cookie')).toBeNull();
    });
  });

  describe('names', () => {
    const names = ['Zoe\u0308', 'Ольга', '王芳', '🦊 Fox', 'محمد'];

    it('lets any name a person could have sign in, connect, send and receive, publicly and privately', async () => {
      const listeners: Listener[] = [];
      try {
        for (const name of names)
          listeners.push(
            await Listener.connect(stack.urls.api, await signIn(stack.urls.api, name), name),
          );
        const cookies = await Promise.all(names.map((name) => signIn(stack.urls.api, name)));
        const sent = await postMessage(stack.urls.api, cookies[1], '{"text":"Привет всем"}');
        expect(sent.status).toBe(202);
        expect((sent.json as ChatMessage).sender).toBe('Ольга');
        for (const listener of listeners) await listener.waitForText('Привет всем');
        // Sign-in stores names in NFC: the combining diaeresis becomes one character.
        const zoe = await postMessage(stack.urls.api, cookies[0], '{"text":"hi"}');
        expect((zoe.json as ChatMessage).sender).toBe('Zoë');
        const secret = await postMessage(
          stack.urls.api,
          cookies[2],
          JSON.stringify({ text: '只给你', recipient: 'Ольга' }),
        );
        expect(secret.status).toBe(202);
        await listeners[1].waitForText('只给你');
        await listeners[2].waitForText('只给你');
        await postMessage(stack.urls.api, cookies[3], '{"text":"after the secret"}');
        for (const listener of listeners) await listener.waitForText('after the secret');
        for (const listener of [listeners[0], listeners[3], listeners[4]])
          expect(listener.messages.map((m) => m.text)).not.toContain('只给你');
      } finally {
        for (const listener of listeners) await listener.stop();
      }
    });

    it.each([
      ['..', 'is a path segment a server would resolve'],
      ['.', 'is a path segment a server would resolve'],
      ['a/b', 'choose one without them'],
      ['\u200b\u200b', 'is blank or invisible'],
      ['\u202egnp.exe', 'contains a bidirectional control'],
      ['v\uFFFD\uFFFD', 'contains U+FFFD, the replacement character'],
    ])('refuses to sign in %j: the name %s', async (name, reason) => {
      const response = await fetch(`${stack.urls.api}/.auth/login/aad`, {
        method: 'POST',
        body: new URLSearchParams({ name, post_login_redirect_uri: '/' }),
        redirect: 'manual',
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(await response.text()).toContain(reason);
    });

    it('lets a 64-character name in a 4-byte script send, receive privately and read history (keys stay inside every limit)', async () => {
      // 64 code points of 4 UTF-8 bytes: the longest key a name can make (lib/storage/partitionKey.ts).
      const longest = '𠀀'.repeat(64);
      const chinese = '王'.repeat(60);
      const [longCookie, chineseCookie] = await Promise.all(
        [longest, chinese].map((name) => signIn(stack.urls.api, name)),
      );
      const listener = await Listener.connect(stack.urls.api, chineseCookie, chinese);
      try {
        for (const body of [{ text: 'public' }, { text: 'private', recipient: chinese }]) {
          const sent = await postMessage(stack.urls.api, longCookie, JSON.stringify(body));
          expect(sent.status).toBe(202);
        }
        const fromChinese = await postMessage(
          stack.urls.api,
          chineseCookie,
          JSON.stringify({ text: 'back to you', recipient: longest, clientId: 'long-1' }),
        );
        expect(fromChinese.status).toBe(202);
        await listener.waitForText('back to you');
        // The stack is shared: other suites' public messages may arrive between these; only
        // the two people's own are this test's.
        const theirs = listener.messages.filter(
          (m) => m.sender === longest || m.sender === chinese,
        );
        expect(theirs.map((m) => m.text)).toEqual(['public', 'private', 'back to you']);
        const history = (await (
          await fetch(`${stack.urls.api}/api/messages`, { headers: { Cookie: longCookie } })
        ).json()) as { messages: ChatMessage[] };
        expect(history.messages.map((m) => m.text)).toEqual(
          expect.arrayContaining(['public', 'private', 'back to you']),
        );
      } finally {
        await listener.stop();
      }
    });

    it('refuses a principal header that is not UTF-8 (400), never reading it as Latin-1', async () => {
      // The Latin-1 reading of `vï¿½` is a name of its own; invalid bytes must not become one.
      const response = await rawRequest(
        Number(new URL(stack.urls.api).port),
        Buffer.from(
          [
            'POST /api/messages HTTP/1.1',
            'Host: 127.0.0.1',
            'Connection: close',
            `Cookie: ${alice}`,
            'Content-Type: application/json',
            'X-Custom: v\xff\xfe',
            'Content-Length: 13',
            '',
            '{"text":"hi"}',
          ].join('\r\n'),
          'latin1',
        ),
      );
      expect(statusOf(response)).toBe(400);
      expect(response).toContain('"code":"InvalidHeaderEncoding"');
    });

    it('keeps the Latin-1 spelling of a name apart from the name it garbles', async () => {
      // "José" written as UTF-8 and read as Latin-1 (U+FFFD's garbling, "ï¿½", holds ½, which NFKC
      // changes: that name is refused outright).
      const garbled = 'JosÃ©';
      const cookie = await signIn(stack.urls.api, garbled);
      const sent = await postMessage(stack.urls.api, cookie, '{"text":"mojibake"}');
      expect((sent.json as ChatMessage).sender).toBe(garbled);
    });

    it.each(['..', '.', '../users/bob', ' \u200b '])(
      'refuses the recipient %j with 400',
      async (recipient) => {
        const result = await postMessage(
          stack.urls.api,
          alice,
          JSON.stringify({ text: 'to dots', recipient }),
        );
        expect(result.status).toBe(400);
        expect(result.json).toEqual({
          error: expect.stringMatching(/^"recipient" is/),
          code: 'InvalidRecipient',
        });
      },
    );

    it('never turns a send to the user ".." into a broadcast at the emulator', async () => {
      const cs = parseConnectionString(stack.signalRConnectionString);
      const bob = await Listener.connect(
        stack.urls.api,
        await signIn(stack.urls.api, 'boris'),
        'boris',
      );
      try {
        const body = '{"target":"newMessage","arguments":[{"text":"dots"}]}';
        for (const path of ['/api/v1/hubs/chat/users/%2E%2E', '/api/v1/hubs/chat/users/..']) {
          // The raw socket keeps `..` as sent; fetch would resolve it first.
          const token = createServerToken(
            cs,
            `http://localhost${new URL(`http://x${path}`).pathname}`,
          );
          const answer = await rawRequest(
            port(stack.urls.signalr),
            `POST ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
          );
          expect(statusOf(answer)).toBe(202);
        }
        await postMessage(stack.urls.api, alice, '{"text":"after dots"}');
        await bob.waitForText('after dots');
        expect(bob.messages.map((m) => m.text)).not.toContain('dots');
      } finally {
        await bob.stop();
      }
    });
  });

  describe('redirects', () => {
    it.each([
      '/%09/evil.example/x',
      '/%0a/evil.example/x',
      '/%5Cevil.example',
      'http://127.0.0.1:5500@evil.example/',
    ])('never sends sign-out to another site for %s', async (target) => {
      const response = await fetch(
        `${stack.urls.api}/.auth/logout?post_logout_redirect_uri=${target}`,
        { redirect: 'manual' },
      );
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    });
  });

  it.each([
    ['%0D%0ASet-Cookie:%20x=1', '/Set-Cookie:%20x=1'],
    ['/%C3%BC/%E7%8E%8B', '/%C3%BC/%E7%8E%8B'],
    ['/%C3%BC/王', '/%C3%BC/%E7%8E%8B'],
  ])(
    'sends a CR/LF or non-Latin-1 target %s as a safe path, never a 500',
    async (target, location) => {
      const response = await fetch(
        `${stack.urls.api}/.auth/logout?post_logout_redirect_uri=/${target.replace(/^\//, '')}`,
        { redirect: 'manual' },
      );
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(location);
      expect(response.headers.getSetCookie()).toEqual([
        'AppServiceAuthSession=; Path=/; HttpOnly; Secure; SameSite=None; Max-Age=0',
      ]);
    },
  );

  describe('no request stops a server', () => {
    /** Request lines no browser sends as such, with the status each server must give. */
    const requests: [string, (status: number) => boolean][] = [
      ['GET // HTTP/1.1', (status) => status >= 200 && status < 500],
      ['GET //evil.example/x HTTP/1.1', (status) => status >= 200 && status < 500],
      ['GET /%E0%A4%A HTTP/1.1', (status) => status >= 400 && status < 500],
      ['GET /api/echo/%ZZ HTTP/1.1', (status) => status >= 400 && status < 500],
      ['GET http://evil.example/ HTTP/1.1', (status) => status === 400],
      ['OPTIONS * HTTP/1.1', (status) => status >= 400 && status < 500],
    ];

    it.each(['page', 'api', 'signalr'] as const)(
      'answers malformed targets to the %s server without a 5xx and keeps serving',
      async (server) => {
        for (const [line, expected] of requests) {
          const answer = await rawRequest(
            port(stack.urls[server]),
            `${line}\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
          );
          const status = statusOf(answer);
          expect({ line, status, ok: expected(status) }).toEqual({ line, status, ok: true });
        }
        const alive = await fetch(`${stack.urls[server]}/`);
        expect(alive.status).toBeLessThan(500);
      },
    );

    it('survives a WebSocket upgrade to // and a handshake of null', async () => {
      const answer = await rawRequest(
        port(stack.urls.signalr),
        'GET // HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      expect(statusOf(answer)).toBe(404);
      const cs = parseConnectionString(stack.signalRConnectionString);
      const token = createClientToken(cs, { hub: 'chat', userId: 'amal' });
      const negotiated = (await (
        await fetch(`${stack.urls.signalr}/client/negotiate?hub=chat&negotiateVersion=1`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
        })
      ).json()) as { connectionToken: string };
      const ws = new WebSocket(
        `${stack.urls.signalr.replace('http', 'ws')}/client/?hub=chat&id=${negotiated.connectionToken}`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      const answerOf = new Promise<string>((resolve) =>
        ws.once('message', (data) => resolve(String(data))),
      );
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send('null\u001e');
      expect(await answerOf).toBe(
        '{"error":"The handshake must be a JSON object like {\\"protocol\\":\\"json\\",\\"version\\":1}."}\u001e',
      );
      await new Promise((resolve) => ws.once('close', resolve));
      expect((await fetch(`${stack.urls.signalr}/api/v1/health`, { method: 'HEAD' })).status).toBe(
        200,
      );
    });
  });
});
