import { HubMethod } from '../../../lib/hub';
import { signToken } from '../../support/signToken';
import { EmulatorFixture } from './support';

/** Every row of the REST table in docs/signalr-service.md, with its status code and x-ms-error-code. */
describe('emulator REST API status codes', () => {
  const v2 = '?api-version=2022-06-01';
  const body = { target: HubMethod.NewMessage, arguments: ['x'] };
  type Call = readonly [method: string, path: string];
  const inG1: Call = ['PUT', '/api/v1/hubs/chat/groups/g1/connections/{id}'];
  const aliceInG3: Call = ['PUT', '/api/v1/hubs/chat/groups/g3/users/alice?ttl=60'];
  /**
   * [method, path (with {id}: alice's connection), status, x-ms-error-code or '', body, given].
   * Each row runs on its own emulator, with only the calls in `given` made before it.
   */
  const rows: readonly (readonly [string, string, number, string, unknown, readonly Call[]])[] = [
    ['HEAD', '/api/v1/health', 200, '', null, []],
    ['HEAD', '/api/health', 200, '', null, []],
    ['POST', '/api/v1/hubs/chat', 202, '', body, []],
    ['POST', `/api/hubs/chat/:send${v2}`, 202, '', body, []],
    ['POST', '/api/v1/hubs/chat/users/alice', 202, '', body, []],
    ['POST', `/api/hubs/chat/users/alice/:send${v2}`, 202, '', body, []],
    ['POST', '/api/v1/hubs/chat/groups/g1', 202, '', body, []],
    ['POST', `/api/hubs/chat/groups/g1/:send${v2}`, 202, '', body, []],
    ['POST', '/api/v1/hubs/chat/connections/{id}', 202, '', body, []],
    ['POST', `/api/hubs/chat/connections/{id}/:send${v2}`, 202, '', body, []],
    ['PUT', '/api/v1/hubs/chat/groups/g1/connections/{id}', 200, '', null, []],
    [
      'PUT',
      '/api/v1/hubs/chat/groups/g1/connections/nope',
      404,
      'Error.Connection.NotExisted',
      null,
      [],
    ],
    ['HEAD', '/api/v1/hubs/chat/groups/g1', 200, '', null, [inG1]],
    ['GET', '/api/v1/hubs/chat/groups/g1', 200, '', null, [inG1]],
    ['HEAD', `/api/hubs/chat/groups/g1${v2}`, 200, '', null, [inG1]],
    ['DELETE', '/api/v1/hubs/chat/groups/g1/connections/{id}', 200, '', null, [inG1]],
    [
      'DELETE',
      '/api/v1/hubs/chat/groups/g1/connections/{id}',
      404,
      'Warning.Connection.NotExisted',
      null,
      [],
    ],
    ['GET', '/api/v1/hubs/chat/groups/g1', 404, 'Warning.Group.NotExisted', null, []],
    ['PUT', `/api/hubs/chat/groups/g2/connections/{id}${v2}`, 200, '', null, []],
    ['DELETE', `/api/hubs/chat/connections/{id}/groups${v2}`, 200, '', null, [inG1]],
    [
      'HEAD',
      `/api/hubs/chat/groups/g1${v2}`,
      404,
      'Warning.Group.NotExisted',
      null,
      [inG1, ['DELETE', `/api/hubs/chat/connections/{id}/groups${v2}`]],
    ],
    ['PUT', '/api/v1/hubs/chat/groups/g3/users/alice?ttl=60', 202, '', null, []],
    ['GET', '/api/v1/hubs/chat/groups/g3/users/alice', 200, '', null, [aliceInG3]],
    ['HEAD', `/api/hubs/chat/users/alice/groups/g3${v2}`, 200, '', null, [aliceInG3]],
    ['DELETE', '/api/v1/hubs/chat/groups/g3/users/alice', 202, '', null, [aliceInG3]],
    ['GET', '/api/v1/hubs/chat/groups/g3/users/alice', 404, 'Info.User.NotInGroup', null, []],
    [
      'GET',
      '/api/v1/hubs/chat/groups/g3/users/alice',
      404,
      'Info.User.NotInGroup',
      null,
      [aliceInG3, ['DELETE', '/api/v1/hubs/chat/users/alice/groups']],
    ],
    ['PUT', `/api/hubs/chat/users/alice/groups/g4${v2}`, 200, '', null, []],
    ['DELETE', `/api/hubs/chat/users/alice/groups/g4${v2}`, 204, '', null, []],
    ['DELETE', '/api/v1/hubs/chat/users/alice/groups', 200, '', null, [aliceInG3]],
    ['DELETE', `/api/hubs/chat/users/alice/groups${v2}`, 204, '', null, [aliceInG3]],
    ['GET', '/api/v1/hubs/chat/users/alice', 200, '', null, []],
    ['HEAD', `/api/hubs/chat/users/alice${v2}`, 200, '', null, []],
    ['GET', '/api/v1/hubs/chat/users/nobody', 404, 'Warning.User.NotExisted', null, []],
    ['GET', '/api/v1/hubs/chat/connections/{id}', 200, '', null, []],
    ['HEAD', `/api/hubs/chat/connections/{id}${v2}`, 200, '', null, []],
    ['GET', '/api/v1/hubs/chat/connections/nope', 404, 'Warning.Connection.NotExisted', null, []],
    ['POST', `/api/hubs/chat/groups/g1/:closeConnections${v2}`, 204, '', null, [inG1]],
    ['POST', `/api/hubs/chat/users/nobody/:closeConnections${v2}`, 204, '', null, []],
    ['POST', '/api/v1/hubs/9bad', 400, '', body, []],
    ['POST', `/api/v1/hubs/chat/groups/${encodeURIComponent('   ')}`, 400, '', body, []],
    ['POST', `/api/v1/hubs/chat/groups/${'g'.repeat(1025)}`, 400, '', body, []],
    ['POST', '/api/v1/hubs/chat', 400, '', { arguments: [] }, []],
  ];

  it.each(rows)(
    '%s %s answers %i %s',
    async (method, template, status, errorCode, requestBody, given) => {
      const fixture = await EmulatorFixture.start();
      try {
        const id = (await fixture.connect('alice')).connectionId!;
        for (const [givenMethod, givenPath] of given) {
          const done = await fixture.call(givenMethod, givenPath.replace('{id}', id));
          expect(done.status).toBeLessThan(300);
        }
        const response = await fixture.call(
          method,
          template.replace('{id}', id),
          requestBody ?? undefined,
        );
        expect(response.status).toBe(status);
        expect(response.headers.get('x-ms-error-code') ?? '').toBe(errorCode);
      } finally {
        await fixture.close();
      }
    },
  );
});

describe('emulator REST API', () => {
  let fixture: EmulatorFixture;
  let id: string;
  const v2 = '?api-version=2022-06-01';
  const body = { target: HubMethod.NewMessage, arguments: ['x'] };

  beforeAll(async () => {
    fixture = await EmulatorFixture.start();
    id = (await fixture.connect('alice')).connectionId!;
  });
  afterAll(() => fixture.close());

  it('answers 413 to a body over 1 MB', async () => {
    const response = await fixture.call('POST', '/api/v1/hubs/chat', {
      target: HubMethod.NewMessage,
      arguments: ['x'.repeat(1024 * 1024)],
    });
    expect(response.status).toBe(413);
  });

  it('closes a connection: DELETE /connections/{id} then it no longer exists (v1 202, 2022 200, POST /:closeConnections 204)', async () => {
    const other = (await fixture.connect('carol')).connectionId!;
    expect(
      (await fixture.call('DELETE', `/api/v1/hubs/chat/connections/${other}?reason=bye`)).status,
    ).toBe(202);
    expect((await fixture.call('GET', `/api/v1/hubs/chat/connections/${other}`)).status).toBe(404);
    const third = (await fixture.connect('dave')).connectionId!;
    expect((await fixture.call('DELETE', `/api/hubs/chat/connections/${third}${v2}`)).status).toBe(
      200,
    );
    await fixture.connect('erin');
    expect(
      (await fixture.call('POST', `/api/hubs/chat/:closeConnections${v2}&excluded=${id}`)).status,
    ).toBe(204);
    expect((await fixture.call('GET', '/api/v1/hubs/chat/users/erin')).status).toBe(404);
    expect((await fixture.call('GET', `/api/v1/hubs/chat/connections/${id}`)).status).toBe(200);
  });

  describe('server tokens', () => {
    const url = () => fixture.rest('/api/v1/hubs/chat');
    const sign = signToken;
    it.each([
      ['missing', async () => '', /No access token/],
      [
        'signed with the wrong key',
        () => sign({ aud: 'http://localhost/api/v1/hubs/chat' }, 'wrong-key', 60),
        /signature is invalid/,
      ],
      [
        'expired',
        () => sign({ aud: 'http://localhost/api/v1/hubs/chat' }, fixture.cs.accessKey, -60),
        /expired/,
      ],
      [
        'for another URL',
        () => sign({ aud: 'http://localhost/api/v1/hubs/other' }, fixture.cs.accessKey, 60),
        /audience/,
      ],
    ])('refuses a token %s with 401 naming the reason', async (_label, makeToken, reason) => {
      const token = await makeToken();
      const response = await fetch(url(), {
        method: 'POST',
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
      expect(((await response.json()) as { error: string }).error).toMatch(reason);
    });

    it('accepts an audience with the port or the query, as SDKs send them', async () => {
      const token = await sign(
        { aud: `${url()}?api-version=2022-06-01` },
        fixture.cs.accessKey,
        60,
      );
      expect(
        (
          await fetch(url(), {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}` },
            body: JSON.stringify(body),
          })
        ).status,
      ).toBe(202);
    });
  });
});
