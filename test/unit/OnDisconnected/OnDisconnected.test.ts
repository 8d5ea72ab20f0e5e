import { HubMethod } from '../../../lib/hub';
import { unavailable } from '../../../lib/HttpError';
import { usePresenceFunctions } from '../../support/presenceFunctions';

/** A connection left: forgotten only when the service no longer knows it. */
describe('OnDisconnected', () => {
  const fixture = usePresenceFunctions();
  const connected = (user: string | undefined, id: string) => fixture.fns.connected(user, id);
  const disconnected = (user: string | undefined, id: string) => fixture.fns.disconnected(user, id);

  it('keeps a live connection after a disconnected call for it (a replay), and checks it again later', async () => {
    fixture.services.signalR.connect('alice', 'c1');
    await connected('alice', 'c1');
    expect(await disconnected('alice', 'c1')).toBeUndefined();
    expect(await fixture.services.presence.online()).toEqual([{ name: 'alice', connections: 1 }]);
    const [row] = await fixture.services.presence.connections();
    expect(row.checkedAt).toBe(0);
  });

  it("announces offline only when the last of a user's connections is gone", async () => {
    fixture.services.signalR.connect('王芳', 'c1');
    fixture.services.signalR.connect('王芳', 'c2');
    await connected('王芳', 'c1');
    await connected('王芳', 'c2');
    fixture.services.signalR.disconnect('c1');
    expect(await disconnected('王芳', 'c1')).toBeUndefined();
    expect(await fixture.services.presence.online()).toEqual([{ name: '王芳', connections: 1 }]);
    fixture.services.signalR.disconnect('c2');
    expect(await disconnected('王芳', 'c2')).toEqual([
      { target: HubMethod.UserOffline, arguments: [{ name: '王芳' }] },
    ]);
    expect(await fixture.services.presence.online()).toEqual([]);
  });

  it('does nothing for a connection presence never recorded, or without a user', async () => {
    expect(await disconnected('nobody', 'never-seen')).toBeUndefined();
    expect(await disconnected(undefined, 'anonymous')).toBeUndefined();
  });

  it('fails the invocation when storage is down (the extension still answers 200)', async () => {
    fixture.services.signalR.connect('dora', 'd1');
    await connected('dora', 'd1');
    fixture.services.signalR.disconnect('d1');
    fixture.services.presence.fail = unavailable('presence', new Error('down'));
    await expect(disconnected('dora', 'd1')).rejects.toThrow(/Who is online/);
  });
});
