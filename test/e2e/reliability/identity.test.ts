import { newSessionKey } from '../../../local/frontdoor/SessionSeal';
import { signToken } from '../../support/signToken';
import type { Stack } from '../../../local/stack';
import { startTestStack } from '../../support/testStack';
import { parseConnectionString } from '../../../lib/signalr/ConnectionString';
import { createClientToken } from '../../../lib/signalr/tokens';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { join } from 'node:path';
import { FrontDoor } from '../../../local/frontdoor/FrontDoor';
import { FunctionHost } from '../../../local/host/FunctionHost';
import { createLogger } from '../../../local/log';
import { Listener, postMessage, signIn } from '../../support/chatClients';

/** identity comes only from the front door and the service's own tokens. */
describe('identity cannot be forged', () => {
  let stack: Stack;
  let alice: string;

  beforeAll(async () => {
    stack = await startTestStack();
    alice = await signIn(stack.urls.api, 'alice');
  });

  afterAll(async () => {
    await stack?.close();
  });

  const forgedPrincipal = {
    'X-MS-CLIENT-PRINCIPAL-NAME': 'mallory',
    'X-MS-CLIENT-PRINCIPAL-ID': 'mallory-id',
    'X-MS-CLIENT-PRINCIPAL-IDP': 'aad',
    'X-MS-CLIENT-PRINCIPAL': Buffer.from(
      JSON.stringify({
        auth_typ: 'aad',
        claims: [{ typ: 'name', val: 'mallory' }],
        name_typ: 'name',
        role_typ: 'roles',
      }),
    ).toString('base64'),
    'X-MS-TOKEN-AAD-ID-TOKEN': 'forged',
  };

  it('ignores principal headers a signed-in client sends: the sender is the session user', async () => {
    const result = await postMessage(
      stack.urls.api,
      alice,
      JSON.stringify({ text: 'who am i' }),
      forgedPrincipal,
    );
    expect(result.status).toBe(202);
    expect((result.json as ChatMessage).sender).toBe('alice');
  });

  it('forwards no client-sent identity header to the functions: only the session user arrives', async () => {
    const host = new FunctionHost({
      root: join(__dirname, '..', '..', 'fixtures', 'app'),
      log: createLogger('test', 'silent'),
      settings: {},
    });
    const door = new FrontDoor({
      sessionKey: newSessionKey(),
      target: `http://127.0.0.1:${await host.listen()}`,
      port: 0,
      corsOrigins: [],
      corsCredentials: false,
      allowedExternalRedirectUrls: [],
      log: createLogger('test', 'silent'),
    });
    try {
      const api = `http://127.0.0.1:${await door.listen()}`;
      const response = await fetch(`${api}/api/echo/1`, {
        headers: {
          Cookie: await signIn(api, 'alice'),
          ...forgedPrincipal,
          'X-MS-CLIENT-PRINCIPAL-ROLES': 'admin',
          'x-ms-token-github-access-token': 'forged',
        },
      });
      const { headers } = (await response.json()) as { headers: Record<string, string> };
      const identity = Object.fromEntries(
        Object.entries(headers).filter(([name]) => name.startsWith('x-ms-')),
      );
      expect(Object.keys(identity).sort()).toEqual([
        'x-ms-client-principal',
        'x-ms-client-principal-id',
        'x-ms-client-principal-idp',
        'x-ms-client-principal-name',
      ]);
      expect(identity['x-ms-client-principal-name']).toBe('alice');
    } finally {
      await door.close();
      await host.close();
    }
  });

  it('ignores a sender in the body', async () => {
    const result = await postMessage(
      stack.urls.api,
      alice,
      JSON.stringify({ text: 'hi', sender: 'mallory' }),
    );
    expect((result.json as ChatMessage).sender).toBe('alice');
  });

  it('answers 401 to a send with forged principal headers and no session, and sends nothing', async () => {
    const bob = await Listener.connect(stack.urls.api, await signIn(stack.urls.api, 'bob'), 'bob');
    try {
      const result = await postMessage(
        stack.urls.api,
        undefined,
        JSON.stringify({ text: 'forged' }),
        forgedPrincipal,
      );
      expect(result.status).toBe(401);
      expect(result.json).toEqual({ error: expect.any(String), code: 'NotSignedIn' });
      await postMessage(stack.urls.api, alice, JSON.stringify({ text: 'real' }));
      await bob.waitForText('real');
      expect(bob.messages.map((message) => message.text)).toEqual(['real']);
    } finally {
      await bob.stop();
    }
  });

  it.each(['GET', 'POST'])(
    'answers 401 to %s negotiate without a session, even with forged headers',
    async (method) => {
      const response = await fetch(`${stack.urls.api}/api/negotiate`, {
        method,
        headers: forgedPrincipal,
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: expect.any(String), code: 'NotSignedIn' });
    },
  );

  it('gives a negotiate token for the session user only', async () => {
    const response = await fetch(`${stack.urls.api}/api/negotiate`, {
      method: 'POST',
      headers: { Cookie: alice, ...forgedPrincipal },
    });
    const { accessToken } = (await response.json()) as { accessToken: string };
    const claims = JSON.parse(
      Buffer.from(accessToken.split('.')[1], 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(claims['asrs.s.uid']).toBe('alice');
  });

  describe('the SignalR emulator refuses tokens it did not issue', () => {
    const hubNegotiate = () => `${stack.urls.signalr}/client/negotiate?hub=chat&negotiateVersion=1`;
    const sign = signToken;
    const audience = () => {
      const url = new URL(stack.urls.signalr);
      return `${url.protocol}//${url.hostname}/client/?hub=chat`;
    };
    const key = () => parseConnectionString(stack.signalRConnectionString).accessKey;

    it.each([
      [
        'signed with another key',
        () =>
          sign(
            { aud: audience(), 'asrs.s.uid': 'mallory' },
            'not-the-access-key-of-this-service',
            60,
          ),
      ],
      ['expired', () => sign({ aud: audience(), 'asrs.s.uid': 'alice' }, key(), -30)],
      [
        'for another hub',
        () =>
          createClientToken(parseConnectionString(stack.signalRConnectionString), {
            hub: 'admin',
            userId: 'alice',
          }),
      ],
    ])('refuses a token %s with 401', async (_label, makeToken) => {
      const response = await fetch(hubNegotiate(), {
        method: 'POST',
        headers: { Authorization: `Bearer ${await makeToken()}` },
      });
      expect(response.status).toBe(401);
    });

    it('accepts its own token (the control case)', async () => {
      const token = createClientToken(parseConnectionString(stack.signalRConnectionString), {
        hub: 'chat',
        userId: 'alice',
      });
      const response = await fetch(hubNegotiate(), {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
    });
  });

  it.each([
    'https://evil.example/',
    'http://127.0.0.1.evil.example/',
    '//evil.example/x',
    'javascript:alert(1)',
  ])('never redirects sign-in to %s', async (target) => {
    const response = await fetch(
      `${stack.urls.api}/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(target)}`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });
});
