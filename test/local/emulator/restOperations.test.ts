import { HubMethod } from '../../../lib/hub';
import { REST_OPERATIONS, type RestRoute } from '../../../local/emulator/restOperations';
import { EmulatorFixture, Inbox } from './support';

/**
 * Walks the emulator's own operations table (local/emulator/restOperations.ts): every operation
 * of every API version answers its documented status when its resource exists. Each row runs on
 * a fresh emulator where alice is connected and in group g, by connection and as a user.
 */
const DATED_VERSIONS = ['2022-06-01', '2023-07-01', '2024-12-01'];

const rows = REST_OPERATIONS.flatMap((operation) =>
  (['v1', 'dated'] as const).flatMap((version) => {
    const route: RestRoute | undefined = operation[version];
    if (route === undefined) return [];
    const versions = version === 'v1' ? ['v1'] : DATED_VERSIONS;
    return versions.flatMap((apiVersion) =>
      route.methods.map((method) => [operation.name, apiVersion, method, route] as const),
    );
  }),
);

describe('emulator REST operations table', () => {
  it.each(rows)('%s (%s, %s) answers its status', async (_name, apiVersion, method, route) => {
    const fixture = await EmulatorFixture.start();
    try {
      const id = (await fixture.connect('alice')).connectionId!;
      expect(
        (await fixture.call('PUT', `/api/v1/hubs/chat/groups/g/connections/${id}`)).status,
      ).toBe(200);
      expect((await fixture.call('PUT', '/api/v1/hubs/chat/groups/g/users/alice')).status).toBe(
        202,
      );
      const path = route.path
        .replace('{user}', 'alice')
        .replace('{group}', 'g')
        .replace('{connection}', id);
      const url =
        apiVersion === 'v1'
          ? `/api/v1/hubs/chat${path}`
          : `/api/hubs/chat${path}?api-version=${apiVersion}`;
      const body = method === 'POST' ? { target: HubMethod.NewMessage, arguments: [] } : undefined;
      expect((await fixture.call(method, url, body)).status).toBe(route.status);
    } finally {
      await fixture.close();
    }
  });

  it('refuses an api-version the service does not serve', async () => {
    const fixture = await EmulatorFixture.start();
    try {
      const response = await fixture.call('POST', '/api/hubs/chat/:send?api-version=2019-01-01', {
        target: 't',
        arguments: [],
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe(
        'api-version "2019-01-01" is not served; use one of 2022-06-01, 2023-07-01, 2024-12-01 for /api/hubs paths, or /api/v1/hubs without it.',
      );
    } finally {
      await fixture.close();
    }
  });
});

describe('hubs are kept apart', () => {
  it("never lets one hub's users, groups or connections answer or receive in another", async () => {
    const fixture = await EmulatorFixture.start();
    try {
      const inChat = new Inbox();
      const inOther = new Inbox();
      const chatId = (await fixture.connect('alice', inChat.receive, 'chat')).connectionId!;
      await fixture.connect('alice', inOther.receive, 'other');
      const v = '?api-version=2022-06-01';
      expect((await fixture.call('PUT', `/api/hubs/chat/users/alice/groups/g${v}`)).status).toBe(
        200,
      );
      expect((await fixture.call('HEAD', `/api/hubs/chat/groups/g${v}`)).status).toBe(200);
      expect((await fixture.call('HEAD', `/api/hubs/other/groups/g${v}`)).status).toBe(404);
      expect((await fixture.call('HEAD', `/api/hubs/other/users/alice/groups/g${v}`)).status).toBe(
        404,
      );
      expect((await fixture.call('HEAD', `/api/hubs/other/connections/${chatId}${v}`)).status).toBe(
        404,
      );
      const message = (text: string) => ({ target: HubMethod.NewMessage, arguments: [text] });
      await fixture.call('POST', `/api/hubs/other/groups/g/:send${v}`, message('other group'));
      await fixture.call('POST', `/api/hubs/chat/groups/g/:send${v}`, message('chat group'));
      await fixture.call('POST', `/api/hubs/other/:send${v}`, message('other all'));
      await inChat.waitFor(1);
      await inOther.waitFor(1);
      expect(inChat.messages).toEqual(['chat group']);
      expect(inOther.messages).toEqual(['other all']);
    } finally {
      await fixture.close();
    }
  });
});
