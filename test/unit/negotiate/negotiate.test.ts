import { createNegotiate } from '../../../negotiate/createNegotiate';
import { MemoryNameRegistry } from '../../../lib/storage/NameRegistry';
import { unavailable } from '../../../lib/HttpError';
import { invokeFunction, makeRequest } from '../../support/invokeFunction';

/** A client token as the binding issues it, for `user` (the signature is not read here). */
function tokenFor(user: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ 'asrs.s.uid': user, exp: 9e9 })}.sig`;
}

const URL_ = 'http://localhost:8888/client/?hub=chat';
let negotiate = createNegotiate({ names: new MemoryNameRegistry() });
beforeEach(() => {
  negotiate = createNegotiate({ names: new MemoryNameRegistry() });
});

async function negotiateAs(
  principal: string | undefined,
  tokenUser: string,
  init: { rawBody?: string; query?: Record<string, string> } = {},
) {
  const req = makeRequest({
    method: 'POST',
    headers: principal === undefined ? {} : { 'x-ms-client-principal-name': principal },
    rawBody: init.rawBody,
  });
  Object.assign(req, { query: init.query ?? {}, params: {} });
  const { response } = await invokeFunction(negotiate, req, {
    connectionInfo: { url: URL_, accessToken: tokenFor(tokenUser), extra: 'dropped' },
  });
  return response;
}

describe('negotiate', () => {
  it("answers the binding's connection info as JSON with exactly url and accessToken", async () => {
    await expect(negotiateAs('alice', 'alice')).resolves.toEqual({
      status: 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
      body: { url: URL_, accessToken: tokenFor('alice') },
    });
  });

  it.each([
    [
      'a body "headers" object',
      { rawBody: '{"headers":{"x-ms-client-principal-name":"bob"}}' },
      'body',
    ],
    [
      'a body "HEADERS" key in another case',
      { rawBody: '{"HEADERS":{"X-MS-CLIENT-PRINCIPAL-NAME":"bob"}}' },
      'body',
    ],
    ['a query parameter "Headers"', { query: { Headers: 'bob' } }, 'query'],
  ])(
    'refuses %s that would shadow the real headers, and hands out no token',
    async (_label, init, where) => {
      const res = await negotiateAs('alice', 'bob', init);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: `The request's ${where} has a "headers" field, which would replace the real headers in the connection binding; send negotiate without it.`,
        code: 'ShadowedHeaders',
      });
    },
  );

  it('hands out no token that names anyone but the signed-in principal', async () => {
    const res = await negotiateAs('alice', 'bob');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'The request asked for a connection for another user; negotiate only for yourself.',
      code: 'WrongUser',
    });
  });

  it('answers 401 when nobody is signed in', async () => {
    const res = await negotiateAs(undefined, 'alice');
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).not.toContain('accessToken');
  });

  it.each(['..', '.', 'a/b', '\u200b', 'x\u202egnp.exe', 'v\uFFFD'])(
    'answers 403 to a principal named %j, which cannot be a SignalR user id safely',
    async (name) => {
      const res = await negotiateAs(name, name);
      expect(res.status).toBe(403);
      expect((res.body as { error: string }).error).toMatch(
        /^Your user name cannot be used in this chat\. /,
      );
    },
  );

  it('refuses 403 LookAlikeName to a name that looks like a user who came first, and hands out no token', async () => {
    expect((await negotiateAs('Ana', 'Ana')).status).toBe(200);
    for (const lookAlike of ['ANA', 'Аnа']) {
      const res = await negotiateAs(lookAlike, lookAlike);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: expect.stringMatching(/LookAlikeName|UnusableName/) });
      expect(JSON.stringify(res.body)).not.toContain('accessToken');
    }
    const whole = await negotiateAs('Ана', 'Ана'); // all Cyrillic: reads "Aha", not "Ana"
    expect(whole.status).toBe(200);
    const cop = await negotiateAs('cop', 'cop');
    expect(cop.status).toBe(200);
    const res = await negotiateAs('сор', 'сор'); // all Cyrillic, the look of "cop"
    expect(res.body).toEqual({
      error:
        'Your name "сор" looks the same as "cop" (U+0063 U+006F U+0070), who uses this chat already; sign in with a name that looks different.',
      code: 'LookAlikeName',
    });
  });

  it('hands out the connection while the names cannot be checked (storage down): sending and presence check them', async () => {
    negotiate = createNegotiate({
      names: { claim: () => Promise.reject(unavailable('names', new Error('down'))) },
    });
    expect((await negotiateAs('Ana', 'Ana')).status).toBe(200);
  });
});
