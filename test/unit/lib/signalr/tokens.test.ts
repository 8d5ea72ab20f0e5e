import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { signToken } from '../../../support/signToken';
import { parseConnectionString } from '../../../../lib/signalr/ConnectionString';
import {
  createClientToken,
  createConnectionInfo,
  createServerToken,
  normalizeAudience,
} from '../../../../lib/signalr/tokens';
import { verifyToken } from '../../../../local/signalr/verifyToken';

const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
const cs = parseConnectionString(
  `Endpoint=http://localhost;Port=8888;AccessKey=${KEY};Version=1.0;`,
);
const CLIENT_AUDIENCE = 'http://localhost/client/?hub=chat';

function tokenWith(payload: Record<string, unknown>, key = KEY, lifetime = 60): Promise<string> {
  return signToken(payload, key, lifetime);
}

describe('createConnectionInfo', () => {
  it('returns the client URL with the port and a token for the user, audience without the port, 1 h lifetime', async () => {
    const info = createConnectionInfo(cs, { hub: 'Chat', userId: 'alice' });
    // The hub is lowercased in the URL, as the SDK builds it.
    expect(info.url).toBe('http://localhost:8888/client/?hub=chat');
    expect(decodeProtectedHeader(info.accessToken)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(info.accessToken);
    expect(claims).toEqual(
      expect.objectContaining({ aud: 'http://localhost/client/?hub=chat', 'asrs.s.uid': 'alice' }),
    );
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('omits the user id claim for anonymous connections', async () => {
    expect(decodeJwt(createClientToken(cs, { hub: 'chat' }))).not.toHaveProperty('asrs.s.uid');
  });
});

describe('verifyToken', () => {
  it.each([
    ['asrs.s.uid', { 'asrs.s.uid': 'alice', nameid: 'old', sub: 'older' }, 'alice'],
    ['nameid', { nameid: 'bob', sub: 'older' }, 'bob'],
    ['sub', { sub: 'carol' }, 'carol'],
    ['no user claim', {}, undefined],
  ])('takes the user id from %s', async (_label, claims, userId) => {
    const token = await tokenWith({ ...claims, aud: CLIENT_AUDIENCE });
    await expect(verifyToken(token, KEY, [CLIENT_AUDIENCE])).resolves.toEqual(
      expect.objectContaining({ userId }),
    );
  });

  it('accepts an audience that carries a port or a different case of hub', async () => {
    const token = await tokenWith({ aud: 'http://localhost:8888/client/?hub=CHAT' });
    await expect(verifyToken(token, KEY, [CLIENT_AUDIENCE])).resolves.toBeDefined();
  });

  it('accepts a REST audience with or without the query', async () => {
    const restUrl = 'http://localhost:8888/api/hubs/chat/:send';
    const server = createServerToken(cs, `${restUrl}?api-version=2022-06-01`);
    // Signed with its query, as the Management SDK signs it; the port dropped.
    expect(decodeJwt(server).aud).toBe(
      'http://localhost/api/hubs/chat/:send?api-version=2022-06-01',
    );
    await expect(verifyToken(server, KEY, [restUrl])).resolves.toBeDefined();
    const withQuery = await tokenWith({ aud: `${restUrl}?api-version=2022-06-01` });
    await expect(verifyToken(withQuery, KEY, [restUrl])).resolves.toBeDefined();
  });

  it.each([
    [
      'missing',
      async () => undefined,
      'missing',
      'No access token was sent; send Authorization: Bearer <token>.',
    ],
    [
      'signed with another key',
      () => tokenWith({ aud: CLIENT_AUDIENCE }, 'another-key'),
      'signature',
      "The access token signature is invalid: it was not signed with this service's AccessKey.",
    ],
    [
      'expired',
      () => tokenWith({ aud: CLIENT_AUDIENCE }, KEY, -10),
      'expired',
      'The access token has expired.',
    ],
    [
      'for another hub',
      () => tokenWith({ aud: 'http://localhost/client/?hub=other' }),
      'audience',
      'The access token audience "http://localhost/client/?hub=other" does not match this endpoint.',
    ],
    [
      'without an audience',
      () => tokenWith({}),
      'audience',
      'The access token audience null does not match this endpoint.',
    ],
    [
      'without exp',
      () =>
        new SignJWT({ aud: CLIENT_AUDIENCE })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(KEY)),
      'malformed',
      'The access token has no exp claim.',
    ],
    [
      'not a JWT',
      async () => 'not-a-jwt',
      'malformed',
      'The access token is not a valid HS256 JWT.',
    ],
  ])('refuses a token that is %s', async (_label, makeToken, reason, message) => {
    await expect(verifyToken(await makeToken(), KEY, [CLIENT_AUDIENCE])).rejects.toEqual(
      expect.objectContaining({ name: 'TokenError', reason, message }),
    );
  });
});

describe('normalizeAudience', () => {
  it.each([
    ['http://LOCALHOST:8888/api/v1/hubs/chat/', false, 'http://localhost/api/v1/hubs/chat'],
    [
      'https://x.service.signalr.net/client/?hub=Chat',
      true,
      'https://x.service.signalr.net/client?hub=chat',
    ],
    [
      'https://x.service.signalr.net/client/?hub=Chat',
      false,
      'https://x.service.signalr.net/client',
    ],
  ])('normalises %s (keep query: %s)', (input, keepQuery, expected) => {
    expect(normalizeAudience(input, keepQuery)).toBe(expected);
  });
});
