import { HubMethod } from '../../../lib/hub';
import { roomGroup } from '../../../lib/rooms';
import { unavailable } from '../../../lib/HttpError';
import { usePresenceFunctions } from '../../support/presenceFunctions';

/** A connection arrived: recorded once the service confirms it; the first of a user announced. */
describe('OnConnected', () => {
  const fixture = usePresenceFunctions();
  const connected = (user: string | undefined, id: string) => fixture.fns.connected(user, id);
  const disconnected = (user: string | undefined, id: string) => fixture.fns.disconnected(user, id);

  it('announces a user on their first connection only, and offline on their last', async () => {
    fixture.services.signalR.connect('alice', 'c1');
    fixture.services.signalR.connect('alice', 'c2');
    expect(await connected('alice', 'c1')).toEqual([
      { target: HubMethod.UserOnline, arguments: [{ name: 'alice' }] },
    ]);
    expect(await connected('alice', 'c2')).toBeUndefined();
    fixture.services.signalR.disconnect('c1');
    expect(await disconnected('alice', 'c1')).toBeUndefined();
    fixture.services.signalR.disconnect('c2');
    expect(await disconnected('alice', 'c2')).toEqual([
      { target: HubMethod.UserOffline, arguments: [{ name: 'alice' }] },
    ]);
  });

  it('records nothing for a connected call the service does not confirm (a replay)', async () => {
    fixture.services.signalR.connect('bob', 'bobs-connection');
    expect(await connected('mallory', 'bobs-connection')).toBeUndefined();
    expect(await connected('bob', 'made-up')).toBeUndefined();
    expect(await fixture.services.presence.online()).toEqual([]);
  });

  it('fails the connected invocation when storage is down (the extension then answers 403)', async () => {
    fixture.services.signalR.connect('dora', 'd1');
    fixture.services.presence.fail = unavailable('presence', new Error('down'));
    await expect(connected('dora', 'd1')).rejects.toThrow(/Who is online/);
  });

  it("puts the user's connection into their rooms' groups again (a service that forgot them)", async () => {
    await fixture.services.rooms.join('王芳', 'news');
    await fixture.services.rooms.join('王芳', 'general');
    fixture.services.signalR.connect('王芳', 'c1');
    expect(await connected('王芳', 'c1')).toEqual([
      { userId: '王芳', groupName: roomGroup('news'), action: 'add' },
      { target: HubMethod.UserOnline, arguments: [{ name: '王芳' }] },
    ]);
  });

  it('records and announces nothing for a name that looks like a user who came first', async () => {
    fixture.services.signalR.connect('cop', 'c1');
    expect(await connected('cop', 'c1')).toHaveLength(1);
    fixture.services.signalR.connect('сор', 'c2'); // all Cyrillic, the look of "cop"
    expect(await connected('сор', 'c2')).toBeUndefined();
    expect(await fixture.services.presence.online()).toEqual([{ name: 'cop', connections: 1 }]);
  });
});
