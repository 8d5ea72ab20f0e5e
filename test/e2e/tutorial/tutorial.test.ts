import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import type { Browser } from 'playwright-core';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { parseConnectionString } from '../../../lib/signalr/ConnectionString';
import { splitRecords } from '../../../local/signalr/hubProtocol';
import { USER_ID_CLAIM } from '../../../lib/signalr/tokens';
import { upstreamSignature } from '../../../local/signalr/upstream';
import { DEVELOPMENT_CONNECTION_STRING } from '../../../local/signalr/constants';
import { startStack, type Stack, type StackOptions } from '../../../local/stack';
import { openChromium } from '../../support/browser';
import { Listener, signIn } from '../../support/chatClients';

/**
 * A developer following the tutorial drops its functions into a classic-model app: plain
 * JavaScript without scriptFile, callback style, `$return`, TypeScript with scriptFile and
 * entryPoint, a hub method. They run unchanged through the whole offline stack, because the
 * host runs Microsoft's own v3 programming model; the tutorial's page, served from an origin
 * of its own that local.settings.json lists in Host.CORS, signs in and chats.
 */
const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'tutorial');

/** The tutorial's page and the browser client, from an origin that is not the front door's. */
function servePage(apiBase: () => string): Server {
  const page = readFileSync(join(FIXTURE, 'page', 'index.html'), 'utf8');
  const client = readFileSync(
    require.resolve('@microsoft/signalr/dist/browser/signalr.min.js'),
    'utf8',
  );
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (path === '/')
      res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        .end(page.replace('%API_BASE_URL%', apiBase()));
    else if (path === '/signalr.js')
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(client);
    else res.writeHead(404).end();
  });
}

describe('the tutorial app, unchanged, on the offline stack', () => {
  let app: string;
  let pages: Server;
  let pageOrigin: string;
  let stack: Stack;
  let options: StackOptions;

  beforeAll(async () => {
    app = mkdtempSync(join(tmpdir(), 'tutorial-'));
    cpSync(FIXTURE, app, { recursive: true, filter: (from) => !from.includes('/page') });
    // The TypeScript function is compiled as the developer's `tsc` would: to ../dist/whisper.
    buildSync({
      entryPoints: [join(app, 'whisper', 'index.ts')],
      outfile: join(app, 'dist', 'whisper', 'index.js'),
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
    });
    pages = servePage(() => stack.urls.api);
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    // The tutorial's local.settings.json: the emulator's connection string, the page's origin
    // in Host.CORS with credentials. No storage: nothing here keeps data.
    writeFileSync(
      join(app, 'local.settings.json'),
      JSON.stringify({
        IsEncrypted: false,
        Values: {
          FUNCTIONS_WORKER_RUNTIME: 'node',
          AzureSignalRConnectionString: DEVELOPMENT_CONNECTION_STRING,
        },
        Host: { LocalHttpPort: 7071, CORS: pageOrigin, CORSCredentials: true },
      }),
    );
    // The session key is the one a first start makes and keeps in the app's `.local/`.
    options = {
      projectRoot: app,
      ports: { signalr: 0, frontDoor: 0, content: 0 },
      logLevel: 'silent',
    };
    stack = await startStack(options);
  });

  afterAll(async () => {
    await stack?.close();
    await new Promise<void>((resolve) => pages?.close(() => resolve()));
    rmSync(app, { recursive: true, force: true });
  });

  async function connect(name: string): Promise<Listener> {
    return Listener.connect(stack.urls.api, await signIn(stack.urls.api, name), name);
  }

  async function post(cookie: string, path: string, body: unknown): Promise<Response> {
    return fetch(`${stack.urls.api}/api/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
      body: JSON.stringify(body),
    });
  }

  it('negotiates for the signed-in name (plain JavaScript, positional inputs, context.res.body)', async () => {
    const cookie = await signIn(stack.urls.api, '王芳');
    const response = await fetch(`${stack.urls.api}/api/negotiate`, {
      method: 'POST',
      headers: { Cookie: cookie },
    });
    expect(response.status).toBe(200);
    // An object body with no content type is written as Azure writes it: the JSON object's
    // ToString(), indented, as text/plain (docs/functions-host.md); the client parses it anyway.
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await response.text();
    expect(text).toMatch(/^\{\n {2}"url": /);
    const info = JSON.parse(text) as { url: string; accessToken: string };
    expect(info.url).toBe(`${stack.urls.signalr}/client/?hub=chat`);
    const claims = JSON.parse(
      Buffer.from(info.accessToken.split('.')[1], 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    expect(claims[USER_ID_CLAIM]).toBe('王芳');
  });

  it('broadcasts through $return and sends privately through context.bindings in the callback style, the sender always from the header', async () => {
    const [fang, anh, percent] = await Promise.all(
      ['王芳', 'Ngọc Ánh', "100% O'Brien 🎉"].map(connect),
    );
    try {
      const anhCookie = await signIn(stack.urls.api, 'Ngọc Ánh');
      // $return: everyone gets it.
      expect((await post(anhCookie, 'broadcast', { text: 'xin chào 👋' })).status).toBe(202);
      for (const listener of [fang, anh, percent]) await listener.waitForText('xin chào 👋');
      expect(fang.messages.at(-1)!.sender).toBe('Ngọc Ánh');

      // Callback style, private: the recipient and the sender's own tabs only; a sender named
      // in the body is overwritten by the signed-in one.
      const sent = await post(anhCookie, 'messages', {
        recipient: '王芳',
        sender: "100% O'Brien 🎉",
        text: '只给你',
      });
      expect(sent.status).toBe(202);
      expect(await sent.json()).toEqual({
        recipient: '王芳',
        sender: 'Ngọc Ánh',
        text: '只给你',
        isPrivate: true,
      });
      await fang.waitForText('只给你');
      await anh.waitForText('只给你');
      // A public message after it: once the third user has it, the private one has been passed by.
      expect((await post(anhCookie, 'messages', { text: 'for all' })).status).toBe(202);
      await percent.waitForText('for all');
      expect(percent.messages.map((m: ChatMessage) => m.text)).not.toContain('只给你');
      expect(fang.messages.find((m) => m.text === '只给你')!.sender).toBe('Ngọc Ánh');
    } finally {
      await Promise.all([fang, anh, percent].map((listener) => listener.stop()));
    }
  });

  it('runs the TypeScript function by its scriptFile and entryPoint, route values as req.params', async () => {
    const [fang, anh] = await Promise.all(['王芳', 'Ngọc Ánh'].map(connect));
    try {
      const cookie = await signIn(stack.urls.api, 'Ngọc Ánh');
      const response = await post(cookie, `whisper/${encodeURIComponent('王芳')}`, {
        text: 'psst',
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ to: '王芳' });
      await fang.waitForText('Ngọc Ánh → 王芳: psst');
      expect(anh.messages).toEqual([]);
    } finally {
      await Promise.all([fang, anh].map((listener) => listener.stop()));
    }
  });

  it("brings a hub method's return value back to invoke(), as the extension's completion", async () => {
    const anh = await connect('Ngọc Ánh');
    try {
      const result: unknown = await anh.connection.invoke('echo', "100% 🎉 'quoted'");
      expect(result).toEqual({
        echo: "100% 🎉 'quoted'",
        // Binding data: the arguments by parameterNames, and the invocation id the library adds.
        bindingData: ['invocationId', 'text'],
        from: 'Ngọc Ánh',
        arguments: ["100% 🎉 'quoted'"],
        // The official client's connection has no query of its own (the service's parameters
        // are not the client's), so the extension's Query is null.
        query: null,
      });
    } finally {
      await anh.stop();
    }
  });

  it("runs a connected function's outputs, and keeps a connection whose connected function threw", async () => {
    const fang = await connect('王芳');
    const joined: string[] = [];
    fang.connection.on('joined', (name: string) => joined.push(name));
    try {
      // The connected function sends `joined` to everyone through its output binding.
      const anh = await connect('Ngọc Ánh');
      // It throws for `refused`: the extension answers 403, the service keeps the connection.
      const refused = await connect('refused');
      try {
        await expect(refused.connection.invoke('echo', 'still here')).resolves.toMatchObject({
          from: 'refused',
        });
        await fang.waitFor(() => joined.includes('Ngọc Ánh'));
        // The refused user's connected ran before its invoke was answered (one connection's
        // calls are in order), so it would have been announced by now.
        expect(joined).not.toContain('refused');
      } finally {
        await Promise.all([anh.stop(), refused.stop()]);
      }
    } finally {
      await fang.stop();
    }
  });

  describe('the webhook, answered as the SignalR extension answers', () => {
    const call = (
      event: string,
      body: string | undefined,
      headers: Record<string, string | undefined> = {},
    ) => {
      const connectionId = headers['X-ASRS-Connection-Id'] ?? 'conn-1';
      const accessKey = parseConnectionString(stack.signalRConnectionString).accessKey;
      const all: Record<string, string | undefined> = {
        'Content-Type': 'application/json',
        'X-ASRS-Hub': 'chat',
        'X-ASRS-Category': event === 'echo' ? 'messages' : 'connections',
        'X-ASRS-Event': event,
        'X-ASRS-Connection-Id': connectionId,
        'X-ASRS-User-Id': 'refused',
        'X-ASRS-Signature': upstreamSignature([accessKey], connectionId),
        ...headers,
      };
      return fetch(
        `${stack.urls.api}/runtime/webhooks/signalr?code=${encodeURIComponent(stack.signalRExtensionKey!)}`,
        {
          method: 'POST',
          headers: Object.fromEntries(
            Object.entries(all).filter(
              (entry): entry is [string, string] => entry[1] !== undefined,
            ),
          ),
          body,
        },
      );
    };

    it.each([
      ['a connected function that throws: 403', 'connected', '{"type":10}', {}, 403],
      [
        'connected with an empty body (not read): 200',
        'connected',
        '',
        { 'X-ASRS-User-Id': 'welcome' },
        200,
      ],
      [
        'a disconnected function that fails: 200 all the same',
        'disconnected',
        '{"type":11}',
        {},
        200,
      ],
      [
        'disconnected with an empty body: 500 (the message does not parse)',
        'disconnected',
        '',
        {},
        500,
      ],
      [
        'an invocation without an invocationId: 200',
        'echo',
        '{"type":1,"target":"echo","arguments":["x"]}',
        {},
        200,
      ],
      [
        'an invocation whose target is not the event: 500',
        'echo',
        '{"type":1,"target":"other","arguments":["x"]}',
        {},
        500,
      ],

      [
        'no connection id header: 500',
        'connected',
        '{"type":10}',
        { 'X-ASRS-Connection-Id': undefined },
        500,
      ],
      ['no event header: 500', 'connected', '{"type":10}', { 'X-ASRS-Event': undefined }, 500],
      ['an empty category: 400', 'connected', '{"type":10}', { 'X-ASRS-Category': '' }, 400],
    ])('%s', async (_label, event, body, headers, status) => {
      const response = await call(event, body, headers);
      expect(response.status).toBe(status);
    });

    it("answers a failed hub method with the completion's error, which invoke() rejects with", async () => {
      const response = await call(
        'echo',
        '{"type":1,"invocationId":"7","target":"echo","arguments":["x","y"]}',
      );
      expect(response.status).toBe(200);
      const records = splitRecords(await response.text());
      expect(records).toHaveLength(1);
      const completion = JSON.parse(records[0]) as Record<string, unknown>;
      expect(completion).toMatchObject({ type: 3, invocationId: '7' });
      expect(completion.error).toMatch(/parameterNames/);
      expect(completion).not.toHaveProperty('result');
      const client = new HubConnectionBuilder()
        .withUrl(`${stack.urls.api}/api`, {
          headers: { Cookie: await signIn(stack.urls.api, 'Ngọc Ánh') },
        })
        .configureLogging(LogLevel.None)
        .build();
      await client.start();
      try {
        await expect(client.invoke('echo', 'x', 'y')).rejects.toThrow(/parameterNames/);
      } finally {
        await client.stop();
      }
    });
  });

  describe('the tutorial page, from another origin', () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await openChromium();
    });

    afterAll(async () => {
      await browser?.close();
    });

    it('signs in, returns to the page, chats, and is still signed in after a restart', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(`${pageOrigin}/`);
        await page.getByRole('link', { name: 'Login' }).click();
        await page.getByLabel('Your name').fill('Ngọc Ánh');
        await page.getByRole('button', { name: 'Sign in' }).click();
        // Back on the tutorial's page, at its own origin (allowed because Host.CORS lists it).
        await page.getByText('You are logged in').waitFor();
        expect(new URL(page.url()).origin).toBe(pageOrigin);
        await page.locator('body[data-ready="true"]').waitFor();

        const other = await connect('王芳');
        try {
          await page.getByPlaceholder('Type message here...').fill('<b>hello</b> from the page');
          await page.getByPlaceholder('Type message here...').press('Enter');
          await other.waitForText('<b>hello</b> from the page');
          expect(other.messages.at(-1)!.sender).toBe('Ngọc Ánh');
          await page.locator('.message', { hasText: '<b>hello</b> from the page' }).waitFor();
        } finally {
          await other.stop();
        }

        // A restart of the stack (same ports, the key kept in .local/): the sealed session
        // cookie still opens, so the reloaded page is signed in without a sign-in.
        const ports = {
          signalr: Number(new URL(stack.urls.signalr).port),
          frontDoor: Number(new URL(stack.urls.api).port),
          content: Number(new URL(stack.urls.page).port),
        };
        await stack.close();
        stack = await startStack({ ...options, ports });
        await page.reload();
        await page.getByText('You are logged in').waitFor();
        await page.locator('body[data-ready="true"]').waitFor();
        const after = await connect('王芳');
        try {
          await page.getByPlaceholder('Type message here...').fill('still me');
          await page.getByPlaceholder('Type message here...').press('Enter');
          await after.waitForText('still me');
          expect(after.messages.at(-1)!.sender).toBe('Ngọc Ánh');
        } finally {
          await after.stop();
        }
      } finally {
        await context.close();
      }
    }, 60_000);
  });
});
