import { HubMethod } from '../../../lib/hub';
import { EmulatorFixture, Inbox } from './support';

/**
 * Who receives what: broadcast, user, group, connection sends and `excluded`, through both REST
 * API versions, received by the official client connected through a negotiate redirect.
 */
describe.each([
  ['v1', (p: string) => `/api/v1/hubs/chat${p}`, ''],
  ['2022-06-01', (p: string) => `/api/hubs/chat${p}`, '/:send'],
])('emulator sends (%s)', (_version, path, send) => {
  let fixture: EmulatorFixture;
  const withVersion = (p: string) =>
    send === '' ? path(p) : `${path(p)}${p.includes('?') ? '&' : '?'}api-version=2022-06-01`;
  const sendPath = (resource: string, query = '') => {
    const base = send === '' ? path(resource) : path(`${resource}${send}`);
    const params = [query, send === '' ? '' : 'api-version=2022-06-01'].filter(Boolean).join('&');
    return params ? `${base}?${params}` : base;
  };
  let alice1: Inbox, alice2: Inbox, bob: Inbox, anonymous: Inbox;
  let bobId: string;

  beforeAll(async () => {
    fixture = await EmulatorFixture.start();
    [alice1, alice2, bob, anonymous] = [new Inbox(), new Inbox(), new Inbox(), new Inbox()];
    await fixture.connect('alice', alice1.receive);
    await fixture.connect('alice', alice2.receive);
    bobId = (await fixture.connect('bob', bob.receive)).connectionId!;
    await fixture.connect(undefined, anonymous.receive);
  });

  afterAll(() => fixture.close());

  const message = (text: string) => ({ target: HubMethod.NewMessage, arguments: [{ text }] });
  /** Sends a broadcast marker; once everyone has it, anything sent before has arrived too. */
  const settle = async (marker: string) => {
    expect((await fixture.call('POST', sendPath(''), message(marker))).status).toBe(202);
    await Promise.all(
      [alice1, alice2, bob, anonymous].map((inbox) =>
        inbox.waitFor(
          inbox.messages.filter((m) => (m as { text: string }).text !== marker).length + 1,
        ),
      ),
    );
  };
  const texts = (inbox: Inbox) => inbox.messages.map((m) => (m as { text: string }).text);
  const reset = () => [alice1, alice2, bob, anonymous].forEach((inbox) => inbox.messages.splice(0));

  beforeEach(reset);

  it('broadcasts to every connection, serialised as sent', async () => {
    expect(
      (
        await fixture.call('POST', sendPath(''), {
          target: HubMethod.NewMessage,
          arguments: [{ text: 'all', n: 1, nested: { ok: true } }],
        })
      ).status,
    ).toBe(202);
    await Promise.all([alice1, alice2, bob, anonymous].map((inbox) => inbox.waitFor(1)));
    expect(alice1.messages).toEqual([{ text: 'all', n: 1, nested: { ok: true } }]);
    expect(texts(anonymous)).toEqual(['all']);
  });

  it('sends to a user on every connection of theirs and nobody else', async () => {
    expect((await fixture.call('POST', sendPath('/users/alice'), message('to alice'))).status).toBe(
      202,
    );
    await settle('end');
    expect(texts(alice1)).toEqual(['to alice', 'end']);
    expect(texts(alice2)).toEqual(['to alice', 'end']);
    expect(texts(bob)).toEqual(['end']);
    expect(texts(anonymous)).toEqual(['end']);
  });

  it('sends to a connection only', async () => {
    expect(
      (await fixture.call('POST', sendPath(`/connections/${bobId}`), message('to bob conn')))
        .status,
    ).toBe(202);
    await settle('end');
    expect(texts(bob)).toEqual(['to bob conn', 'end']);
    expect(texts(alice1)).toEqual(['end']);
  });

  it('answers 202 for a user with no connections and delivers nothing', async () => {
    expect((await fixture.call('POST', sendPath('/users/nobody'), message('lost'))).status).toBe(
      202,
    );
    await settle('end');
    expect(texts(alice1)).toEqual(['end']);
  });

  it('sends to a group of users and connections, honouring excluded', async () => {
    const groupOp = send === '' ? `/groups/team/users/alice` : `/users/alice/groups/team`;
    expect([200, 202]).toContain((await fixture.call('PUT', withVersion(groupOp))).status);
    expect(
      (await fixture.call('PUT', withVersion(`/groups/team/connections/${bobId}`))).status,
    ).toBe(200);
    expect((await fixture.call('POST', sendPath('/groups/team'), message('team'))).status).toBe(
      202,
    );
    expect(
      (
        await fixture.call(
          'POST',
          sendPath('/groups/team', `excluded=${bobId}`),
          message('team but bob'),
        )
      ).status,
    ).toBe(202);
    expect(
      (await fixture.call('POST', sendPath('', `excluded=${bobId}`), message('all but bob')))
        .status,
    ).toBe(202);
    await settle('end');
    expect(texts(alice1)).toEqual(['team', 'team but bob', 'all but bob', 'end']);
    expect(texts(alice2)).toEqual(['team', 'team but bob', 'all but bob', 'end']);
    expect(texts(bob)).toEqual(['team', 'end']);
    expect(texts(anonymous)).toEqual(['all but bob', 'end']);
    reset();
    expect((await fixture.call('DELETE', withVersion('/users/alice/groups'))).status).toBe(
      send === '' ? 200 : 204,
    );
    expect(
      (await fixture.call('DELETE', withVersion(`/groups/team/connections/${bobId}`))).status,
    ).toBe(200);
    // Both memberships are gone: a send to the group reaches nobody, now or on a new connection.
    expect((await fixture.call('POST', sendPath('/groups/team'), message('left'))).status).toBe(
      202,
    );
    const later = new Inbox();
    await fixture.connect('alice', later.receive);
    expect((await fixture.call('POST', sendPath('/groups/team'), message('left2'))).status).toBe(
      202,
    );
    await settle('end');
    for (const inbox of [alice1, alice2, bob, anonymous]) expect(texts(inbox)).toEqual(['end']);
    await later.waitFor(1);
    expect(later.messages).toEqual([{ text: 'end' }]);
  });

  it('lets several waiters wait on one inbox', async () => {
    const both = Promise.all([bob.waitFor(1), bob.waitFor(2)]);
    await fixture.call('POST', sendPath('/users/bob'), message('one'));
    await fixture.call('POST', sendPath('/users/bob'), message('two'));
    await both;
    expect(texts(bob)).toEqual(['one', 'two']);
  });

  it('accepts Target/Arguments in any case, as the .NET SDK sends them', async () => {
    expect(
      (
        await fixture.call('POST', sendPath(''), {
          Target: HubMethod.NewMessage,
          Arguments: [{ text: 'pascal' }],
        })
      ).status,
    ).toBe(202);
    await bob.waitFor(1);
    expect(texts(bob)).toEqual(['pascal']);
  });
});
