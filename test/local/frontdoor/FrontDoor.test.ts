import { newSessionKey } from '../../../local/frontdoor/SessionSeal';
import { join } from 'node:path';
import { FrontDoor } from '../../../local/frontdoor/FrontDoor';
import { resolveRedirect } from '../../../local/frontdoor/redirects';
import { FunctionHost } from '../../../local/host/FunctionHost';
import { createLogger } from '../../../local/log';

/** The App Service Authentication stand-in (docs/app-service-auth.md) and CORS. */
const PAGE = 'http://127.0.0.1:5500';
const log = createLogger('test', 'silent');

describe('FrontDoor', () => {
  let host: FunctionHost;
  let door: FrontDoor;
  let api: string;

  beforeAll(async () => {
    host = new FunctionHost({
      root: join(__dirname, '..', '..', 'fixtures', 'app'),
      log,
      settings: {},
    });
    const hostPort = await host.listen();
    door = new FrontDoor({
      sessionKey: newSessionKey(),
      target: `http://127.0.0.1:${hostPort}`,
      port: 0,
      corsOrigins: [PAGE, 'http://localhost:5500'],
      corsCredentials: true,
      allowedExternalRedirectUrls: [PAGE, 'http://localhost:5500'],
      log,
    });
    api = `http://127.0.0.1:${await door.listen()}`;
  });

  afterAll(async () => {
    await door.close();
    await host.close();
  });

  async function signIn(
    name: string,
    redirect = `${PAGE}/`,
  ): Promise<{ cookie: string; location: string | null; setCookie: string }> {
    const body = new URLSearchParams({ name, post_login_redirect_uri: redirect });
    const response = await fetch(`${api}/.auth/login/aad`, {
      method: 'POST',
      body,
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const setCookie = response.headers.get('set-cookie') ?? '';
    return {
      cookie: setCookie.split(';')[0],
      location: response.headers.get('location'),
      setCookie,
    };
  }

  it('shows a local sign-in page, marked as local, with the redirect escaped into the form', async () => {
    const response = await fetch(
      `${api}/.auth/login/github?post_login_redirect_url=${encodeURIComponent(`${PAGE}/?a="><b>`)}`,
    );
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Local development sign-in');
    expect(html).toContain('&#34;&#62;&#60;b&#62;');
    expect(html).not.toContain('"><b>');
  });

  it('signs in with an HttpOnly session cookie and redirects back to the page', async () => {
    const { location, setCookie } = await signIn('alice');
    expect(location).toBe(`${PAGE}/`);
    expect(setCookie).toMatch(
      /^AppServiceAuthSession=[\w-]+; Path=\/; HttpOnly; Secure; SameSite=None; Max-Age=28800$/,
    );
  });

  it.each([
    'https://evil.example/',
    'http://127.0.0.1:5501/',
    '//evil.example',
    'javascript:alert(1)',
  ])('refuses to redirect to %s with 400 and sets no cookie', async (target) => {
    const get = await fetch(
      `${api}/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(target)}`,
      { redirect: 'manual' },
    );
    expect(get.status).toBe(400);
    const post = await signIn('mallory', target);
    expect(post.location).toBeNull();
    expect(post.setCookie).toBe('');
  });

  it('refuses an empty name with the form again, saying why', async () => {
    const body = new URLSearchParams({ name: '   ', post_login_redirect_uri: `${PAGE}/` });
    const response = await fetch(`${api}/.auth/login/aad`, {
      method: 'POST',
      body,
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.text()).toContain(
      'The name is blank or invisible; use at least one visible letter, digit or symbol.',
    );
  });

  it('answers /.auth/me with the user in App Service format (GET and POST), 401 when signed out', async () => {
    const { cookie } = await signIn('bob');
    for (const method of ['GET', 'POST']) {
      const me = (await (
        await fetch(`${api}/.auth/me`, { method, headers: { Cookie: cookie } })
      ).json()) as Record<string, unknown>[];
      expect(me).toEqual([
        expect.objectContaining({
          provider_name: 'aad',
          user_id: 'bob',
          user_claims: expect.arrayContaining([{ typ: 'name', val: 'bob' }]),
        }),
      ]);
    }
    const anonymous = await fetch(`${api}/.auth/me`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      error: 'Nobody is signed in: sign in at /.auth/login/<provider>.',
      code: 'NotSignedIn',
    });
  });

  it('signs out: clears the cookie, ends the session, redirects only to allowed targets', async () => {
    const { cookie } = await signIn('carol');
    const out = await fetch(
      `${api}/.auth/logout?post_logout_redirect_uri=${encodeURIComponent(`${PAGE}/`)}`,
      { headers: { Cookie: cookie }, redirect: 'manual' },
    );
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe(`${PAGE}/`);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await fetch(`${api}/.auth/me`, { headers: { Cookie: cookie } })).status).toBe(401);
    expect(
      (await fetch(`${api}/.auth/logout`, { redirect: 'manual' })).headers.get('location'),
    ).toBe('/.auth/logout/complete');
    expect(
      (
        await fetch(`${api}/.auth/logout?post_logout_redirect_uri=https://evil.example`, {
          redirect: 'manual',
        })
      ).status,
    ).toBe(400);
  });

  it('keeps a sign-out whatever the cookie is respelled as, and after 300 more sign-ins and sign-outs', async () => {
    const { cookie } = await signIn('erin');
    const value = /AppServiceAuthSession=([^;]*)/.exec(cookie)![1];
    await fetch(`${api}/.auth/logout`, { headers: { Cookie: cookie }, redirect: 'manual' });
    for (let i = 0; i < 300; i++) {
      const other = await signIn(`flood${i}`);
      await fetch(`${api}/.auth/logout`, { headers: { Cookie: other.cookie }, redirect: 'manual' });
    }
    for (const spelling of [
      value,
      `${value}.`,
      `${value}=`,
      ` ${value}`,
      value.replace(/-/g, '+').replace(/_/g, '/'),
      `${value.slice(0, 8)}!${value.slice(8)}`,
    ]) {
      const me = await fetch(`${api}/.auth/me`, {
        headers: { Cookie: `AppServiceAuthSession=${spelling}` },
      });
      expect({ spelling, status: me.status }).toEqual({ spelling, status: 401 });
    }
  });

  it('strips client-sent identity headers and injects the session user', async () => {
    const { cookie } = await signIn('dave');
    const response = await fetch(`${api}/api/echo/1`, {
      headers: {
        Cookie: cookie,
        'X-MS-CLIENT-PRINCIPAL-NAME': 'mallory',
        'x-ms-client-principal': 'forged',
        'X-MS-TOKEN-AAD-ID-TOKEN': 'forged',
        'x-ms-client-principal-idp': 'forged',
      },
    });
    const { headers, user } = (await response.json()) as {
      headers: Record<string, string>;
      user: { username: string; claimsPrincipalData: { claims: { typ: string; val: string }[] } };
    };
    expect(headers['x-ms-client-principal-name']).toBe('dave');
    expect(headers['x-ms-client-principal-idp']).toBe('aad');
    expect(headers).not.toHaveProperty('x-ms-token-aad-id-token');
    expect(user.username).toBe('dave');
    expect(user.claimsPrincipalData.claims).toContainEqual({ typ: 'name', val: 'dave' });
  });

  it('answers API calls without a session with 401 JSON, never a redirect, and forwards nothing', async () => {
    const response = await fetch(`${api}/api/echo/1`, {
      headers: { 'X-MS-CLIENT-PRINCIPAL-NAME': 'mallory' },
      redirect: 'manual',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.json()).toEqual({
      error: 'Sign in first: this API needs a signed-in user (App Service Authentication).',
      code: 'NotSignedIn',
    });
  });

  it('echoes an allowed origin with credentials and answers its preflight', async () => {
    const preflight = await fetch(`${api}/api/negotiate`, {
      method: 'OPTIONS',
      headers: {
        Origin: PAGE,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'x-requested-with,x-signalr-user-agent',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'x-requested-with,x-signalr-user-agent',
    );
    const unauthorized = await fetch(`${api}/api/messages`, {
      method: 'POST',
      headers: { Origin: PAGE },
    });
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(PAGE);
  });

  it('gives a foreign origin no CORS headers', async () => {
    const preflight = await fetch(`${api}/api/negotiate`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses * with credentials at start', () => {
    expect(
      () =>
        new FrontDoor({
          sessionKey: newSessionKey(),
          target: 'http://127.0.0.1:1',
          port: 0,
          corsOrigins: ['*'],
          corsCredentials: true,
          allowedExternalRedirectUrls: [],
          log,
        }),
    ).toThrow(
      'CORS origin "*" cannot be used with CORSCredentials: browsers refuse credentials with a wildcard origin. List the page origins instead, e.g. http://127.0.0.1:5500,http://localhost:5500.',
    );
  });
});

describe('resolveRedirect', () => {
  const policy = {
    ownOrigins: ['http://127.0.0.1:7071', 'http://localhost:7071'],
    allowedExternalUrls: ['http://127.0.0.1:5500'],
  };
  it.each([
    ['/', '/'],
    ['/chat?x=1#y', '/chat?x=1#y'],
    ['http://localhost:7071/.auth/x', '/.auth/x'],
    ['http://127.0.0.1:5500/page', 'http://127.0.0.1:5500/page'],
    ['//evil.example', undefined],
    ['/\\evil.example', undefined],
    ['/\t/evil.example/x', undefined],
    ['/%09/evil.example/x', '/%09/evil.example/x'],
    ['\t//evil.example', undefined],
    ['/\n/evil.example', undefined],
    ['http://127.0.0.1:5500@evil.example/', undefined],
    ['http://user:pw@127.0.0.1:5500/', undefined],
    ['http://127.0.0.1:5500.evil.example/', undefined],
    ['https://127.0.0.1:5500/', undefined],
    ['data:text/html,x', undefined],
    ['javascript:alert(1)', undefined],
    ['/\r\nSet-Cookie: x=1', '/Set-Cookie:%20x=1'],
    ['/ü/王', '/%C3%BC/%E7%8E%8B'],
  ])('%j → %j', (target, location) => {
    expect(resolveRedirect(target, policy)).toBe(location);
  });
});
