import { createServer, type IncomingMessage, type Server } from 'node:http';
import { eventually } from '../../support/eventually';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { workerProcess } from '../../../local/host/functionJson';
import { FunctionHost } from '../../../local/host/FunctionHost';
import { appSettings } from '../../../local/host/localSettings';
import { createLogger } from '../../../local/log';

/** Classic v3 host semantics (docs/functions-host.md) on a fixture app. */
interface Captured {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  readonly authorization: string;
}

describe('FunctionHost', () => {
  let host: FunctionHost;
  let base: string;
  let signalr: Server;
  let signalrUp = true;
  const captured: Captured[] = [];

  beforeAll(async () => {
    signalr = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        captured.push({
          method: req.method!,
          path: req.url!,
          body,
          authorization: req.headers.authorization ?? '',
        });
        res.writeHead(signalrUp ? 202 : 503).end();
      });
    });
    await new Promise<void>((resolve) => signalr.listen(0, '127.0.0.1', resolve));
    const port = (signalr.address() as AddressInfo).port;
    host = new FunctionHost({
      settings: {
        AzureSignalRConnectionString: `Endpoint=http://localhost;Port=${port};AccessKey=test-key-0123456789;Version=1.0;`,
      },
      root: join(__dirname, '..', '..', 'fixtures', 'app'),
      log: createLogger('test', 'silent'),
    });
    base = `http://127.0.0.1:${await host.listen()}`;
  });

  afterAll(async () => {
    await host.close();
    await new Promise<void>((resolve) => signalr.close(() => resolve()));
  });

  beforeEach(() => {
    captured.length = 0;
    signalrUp = true;
  });

  it('routes by template under the route prefix and shapes the request as the host does', async () => {
    const response = await fetch(`${base}/api/echo/42/more?Q=1`, {
      method: 'POST',
      headers: { 'X-Custom-Header': 'v', 'Content-Type': 'text/plain' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(200);
    const echo = (await response.json()) as Record<string, Record<string, unknown>>;
    expect(echo.method).toBe('POST');
    expect(echo.headers['x-custom-header']).toBe('v');
    expect(echo.query).toEqual({ Q: '1' });
    expect(echo.params).toEqual({ id: '42', rest: 'more' });
    expect(echo.body).toEqual({ a: 1 }); // JSON.parse is tried whatever the content type
    expect(echo.rawBody).toBe('{"a":1}');
  });

  it('leaves a body that is not JSON as a string, no body undefined, and decodes req.user', async () => {
    const principal = Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [] })).toString(
      'base64',
    );
    const text = (await (
      await fetch(`${base}/api/echo/1`, {
        method: 'POST',
        body: 'plain',
        headers: { 'x-ms-client-principal': principal },
      })
    ).json()) as Record<string, unknown>;
    expect(text.body).toBe('plain');
    // @azure/functions 3.x's shape (src/http/extractHttpUserFromHeaders.ts).
    expect(text.user).toEqual({
      type: 'AppService',
      claimsPrincipalData: { auth_typ: 'aad', claims: [] },
    });
    const none = (await (await fetch(`${base}/api/echo/1`)).json()) as Record<string, unknown>;
    expect(none).not.toHaveProperty('body');
    expect(none).not.toHaveProperty('rawBody');
  });

  it.each([
    [
      'a UTF-8 byte-order mark',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":"é"}')]),
    ],
    [
      'UTF-16 LE with its mark',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":"é"}', 'utf16le')]),
    ],
  ])(
    'decodes a body with %s as the host does: the mark removed, JSON parsed',
    async (_label, bytes) => {
      const echoed = (await (
        await fetch(`${base}/api/echo/1`, {
          method: 'POST',
          body: bytes,
          headers: { 'Content-Type': 'application/json' },
        })
      ).json()) as Record<string, unknown>;
      expect(echoed.rawBody).toBe('{"a":"é"}');
      expect(echoed.body).toEqual({ a: 'é' });
    },
  );

  it('answers 404 for a method outside the list and for unknown routes', async () => {
    expect((await fetch(`${base}/api/echo/1`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${base}/api/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/echo/1`)).status).toBe(404);
  });

  it('answers 200 with an empty body when the handler sets nothing', async () => {
    const response = await fetch(`${base}/api/Nothing`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('answers 500 with an empty body when the handler throws, and keeps serving', async () => {
    const response = await fetch(`${base}/api/Throws`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('');
    expect((await fetch(`${base}/api/Nothing`)).status).toBe(200);
  });

  it('uses entryPoint and an http $return', async () => {
    const response = await fetch(`${base}/api/Named`);
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('named entry point');
  });

  it('resolves {query.x} into the signalRConnectionInfo binding, and a missing key fails with 500', async () => {
    const info = (await (await fetch(`${base}/api/Expression?user=alice`)).json()) as {
      url: string;
      accessToken: string;
    };
    expect(info.url).toMatch(/^http:\/\/localhost:\d+\/client\/\?hub=chat$/);
    expect(decodeJwt(info.accessToken)).toEqual(
      expect.objectContaining({ 'asrs.s.uid': 'alice', aud: 'http://localhost/client/?hub=chat' }),
    );
    const missing = await fetch(`${base}/api/Expression`);
    expect(missing.status).toBe(500);
    expect(await missing.text()).toBe('');
  });

  it('copies the listed claims of the idToken into the client token, as the extension does', async () => {
    const idToken = `e30.${Buffer.from(
      JSON.stringify({ name: 'Ngọc Ánh', roles: ['a', 'b'], iss: 'https://idp.example', oid: 'x' }),
    ).toString('base64url')}.sig`;
    const info = (await (
      await fetch(`${base}/api/Claims`, {
        headers: { 'x-ms-client-principal-name': 'anh', 'x-ms-token-aad-id-token': idToken },
      })
    ).json()) as { accessToken: string };
    const claims = decodeJwt(info.accessToken);
    expect(claims).toEqual(
      expect.objectContaining({
        name: 'Ngọc Ánh',
        roles: ['a', 'b'],
        'asrs.u.iss': 'https://idp.example',
        'asrs.s.uid': 'anh',
      }),
    );
    expect(claims).not.toHaveProperty('oid');
    const broken = await fetch(`${base}/api/Claims`, {
      headers: { 'x-ms-client-principal-name': 'anh', 'x-ms-token-aad-id-token': 'nonsense' },
    });
    expect(broken.status).toBe(500);
  });

  // The Functions extension's paths (RestApiProvider.cs: 2022-06-01) and its reading of items
  // (SignalROutputConverter.cs, SignalRAsyncCollector.cs, Newtonsoft.Json).
  const V = '?api-version=2022-06-01';
  it.each([
    ['broadcast', { target: 't', arguments: [1] }, `POST /api/hubs/chat/:send${V}`],
    [
      'userId',
      { target: 't', arguments: [1], userId: 'bob', groupName: 'g' },
      `POST /api/hubs/chat/users/bob/:send${V}`,
    ],
    [
      'UserId in another case, as Newtonsoft reads it',
      { Target: 't', ARGUMENTS: [1], UserId: 'bob' },
      `POST /api/hubs/chat/users/bob/:send${V}`,
    ],
    [
      'connectionId over userId',
      { target: 't', arguments: [1], userId: 'bob', connectionId: 'c1' },
      `POST /api/hubs/chat/connections/c1/:send${V}`,
    ],
    [
      'groupName',
      { target: 't', arguments: [1], groupName: 'g 1' },
      `POST /api/hubs/chat/groups/g%201/:send${V}`,
    ],
    [
      'empty userId as absent',
      { target: 't', arguments: [1], userId: '' },
      `POST /api/hubs/chat/:send${V}`,
    ],
    [
      'a message tried before a group action',
      { target: 't', arguments: [], userId: 'bob', groupName: 'g', action: 'add' },
      `POST /api/hubs/chat/users/bob/:send${V}`,
    ],
    [
      'add user to group',
      { userId: 'bob', groupName: 'g', action: 'add' },
      `PUT /api/hubs/chat/users/bob/groups/g${V}`,
    ],
    [
      'add connection to group, action in another case',
      { connectionId: 'c1', groupName: 'g', action: 'Add' },
      `PUT /api/hubs/chat/groups/g/connections/c1${V}`,
    ],
    [
      'remove connection from group',
      { connectionId: 'c1', groupName: 'g', action: 'remove' },
      `DELETE /api/hubs/chat/groups/g/connections/c1${V}`,
    ],
    [
      'remove user from all groups',
      { userId: 'bob', action: 'removeAll' },
      `DELETE /api/hubs/chat/users/bob/groups${V}`,
    ],
    [
      'to a user whose name has "/" and non-ASCII letters (Uri.EscapeDataString keeps the dot)',
      { target: 't', arguments: [], userId: 'a/ü.' },
      `POST /api/hubs/chat/users/a%2F%C3%BC./:send${V}`,
    ],
  ])(
    'sends a signalR output item (%s) to the right REST path with a server token',
    async (_label, item, call) => {
      expect(
        (await fetch(`${base}/api/Send`, { method: 'POST', body: JSON.stringify(item) })).status,
      ).toBe(202);
      expect(captured.map((c) => `${c.method} ${c.path}`)).toEqual([call]);
      const claims = decodeJwt(captured[0].authorization.replace('Bearer ', ''));
      // The Management SDK signs the URL with its query as the audience.
      expect(claims.aud).toBe(`http://localhost${call.split(' ')[1]}`);
    },
  );

  it('sends to the user ".." where the extension does: the URL resolves to the broadcast path, its token names the other', async () => {
    // The Management SDK escapes with Uri.EscapeDataString, which keeps dots, and .NET's Uri
    // removes the dot segment: on Azure this item is a broadcast whose token's audience is the
    // user path, so the app must never name such a user (lib/userName.ts refuses "." and "..").
    const item = { target: 't', arguments: [], userId: '..' };
    expect(
      (await fetch(`${base}/api/Send`, { method: 'POST', body: JSON.stringify(item) })).status,
    ).toBe(202);
    expect(captured.map((c) => `${c.method} ${c.path}`)).toEqual([`POST /api/hubs/chat/:send${V}`]);
    const claims = decodeJwt(captured[0].authorization.replace('Bearer ', ''));
    expect(claims.aud).toBe(`http://localhost/api/hubs/chat/users/../:send${V}`);
  });

  it('sends an array item by item, in order, and context.bindings outputs too', async () => {
    await fetch(`${base}/api/Send`, {
      method: 'POST',
      body: JSON.stringify([
        { target: 'a', arguments: [1], userId: 'x' },
        { target: 'b', arguments: [2] },
      ]),
    });
    expect(captured.map((c) => `${c.method} ${c.path} ${c.body}`)).toEqual([
      `POST /api/hubs/chat/users/x/:send${V} {"Target":"a","Arguments":[1]}`,
      `POST /api/hubs/chat/:send${V} {"Target":"b","Arguments":[2]}`,
    ]);
    captured.length = 0;
    expect((await fetch(`${base}/api/Bindings`, { method: 'POST' })).status).toBe(204);
    expect(captured.map((c) => c.path)).toEqual([`/api/hubs/chat/:send${V}`]);
  });

  it('ignores removeAll with a connectionId, sending nothing, as SignalRAsyncCollector does', async () => {
    const item = { connectionId: 'c1', groupName: 'g', action: 'removeAll' };
    expect(
      (await fetch(`${base}/api/Send`, { method: 'POST', body: JSON.stringify(item) })).status,
    ).toBe(202);
    expect(captured).toEqual([]);
  });

  it.each([
    ['an item without target', { arguments: [] }],
    ['an item with a string for arguments', { target: 't', arguments: 'x' }],
    ['a group action without an id', { groupName: 'g', action: 'add' }],
    ['a group action naming no action', { userId: 'bob', groupName: 'g', action: 'join' }],
    ['a null item in an array', [null, { target: 't', arguments: [] }]],
    ['a number', 7],
  ])('fails the invocation with 500 for %s, sending nothing', async (_label, item) => {
    expect(
      (await fetch(`${base}/api/Send`, { method: 'POST', body: JSON.stringify(item) })).status,
    ).toBe(500);
    expect(captured).toEqual([]);
  });

  it('fails with 500 when the SignalR Service answers an error', async () => {
    signalrUp = false;
    expect(
      (
        await fetch(`${base}/api/Send`, {
          method: 'POST',
          body: JSON.stringify({ target: 't', arguments: [] }),
        })
      ).status,
    ).toBe(500);
  });
});

describe('local settings', () => {
  it('takes Values as app settings, an environment variable of the same name winning, and writes no environment', () => {
    const env: NodeJS.ProcessEnv = { KEEP: 'from the environment', OTHER: 'x' };
    expect(appSettings({ KEEP: 'from the file', NEW: 'from the file' }, env)).toEqual({
      KEEP: 'from the environment',
      NEW: 'from the file',
    });
    expect(env).toEqual({ KEEP: 'from the environment', OTHER: 'x' });
  });
});

describe('FunctionHost.close()', () => {
  it('lets an invocation under way finish with its settings before taking them away', async () => {
    const lines: string[] = [];
    const record = (message: string) => lines.push(message);
    const host = new FunctionHost({
      settings: { LATER_SETTING: 'still here' },
      root: join(__dirname, '..', '..', 'fixtures', 'app'),
      log: { debug: record, info: record, warn: record, error: record },
      verbose: true,
    });
    const base = `http://127.0.0.1:${await host.listen()}`;
    const answer = fetch(`${base}/api/later?ms=300&setting=LATER_SETTING`).catch(() => undefined);
    await eventually(
      () => lines.some((line) => line.startsWith("Executing 'Functions.Later'")),
      'Functions.Later to start',
      5_000,
      5,
    );
    await host.close();
    await answer;
    expect(lines.filter((line) => line.startsWith("Executed 'Functions.Later'"))).toEqual([
      expect.stringMatching(/^Executed 'Functions\.Later' \(Succeeded, /),
    ]);
    expect(workerProcess.env.LATER_SETTING).toBeUndefined();
  });

  it('gives the environment back whatever order overlapping hosts close in', async () => {
    const open = (settings: Record<string, string>) =>
      new FunctionHost({
        settings,
        root: join(__dirname, '..', '..', 'fixtures', 'app'),
        log: createLogger('test', 'silent'),
      });
    workerProcess.env.SHARED_SETTING = 'before any host';
    try {
      // Two stacks open at once, closed first-opened first (as a test's finally block does).
      const first = open({ SHARED_SETTING: 'first', FIRST_ONLY: 'first' });
      const second = open({ SHARED_SETTING: 'second' });
      expect(workerProcess.env.SHARED_SETTING).toBe('second');
      await first.close();
      expect(workerProcess.env.SHARED_SETTING).toBe('second');
      expect(workerProcess.env.FIRST_ONLY).toBeUndefined();
      await second.close();
      expect(workerProcess.env.SHARED_SETTING).toBe('before any host');
      // And last-opened first.
      const third = open({ SHARED_SETTING: 'third' });
      const fourth = open({ SHARED_SETTING: 'fourth' });
      await fourth.close();
      expect(workerProcess.env.SHARED_SETTING).toBe('third');
      await third.close();
      expect(workerProcess.env.SHARED_SETTING).toBe('before any host');
    } finally {
      delete workerProcess.env.SHARED_SETTING;
    }
  });
});
