import { HubMethod } from '../../../lib/hub';
import { unavailable } from '../../../lib/HttpError';
import { memoryServices } from '../../support/memoryServices';
import { presenceFunctions } from '../../support/presenceFunctions';

/** A connection left: forgotten only when the service no longer knows it. */
describe('OnDisconnected', () => {
  let services: ReturnType<typeof memoryServices>;
  let fns: ReturnType<typeof presenceFunctions>;
  beforeEach(() => {
    services = memoryServices();
    fns = presenceFunctions(services);
  });
  const connected = (user: string | undefined, id: string) => fns.connected(user, id);
  const disconnected = (user: string | undefined, id: string) => fns.disconnected(user, id);

  it('keeps a live connection after a disconnected call for it (a replay), and checks it again later', async () => {
    services.signalR.connect('alice', 'c1');
    await connected('alice', 'c1');
    expect(await disconnected('alice', 'c1')).toBeUndefined();
    expect(await services.presence.online()).toEqual([{ name: 'alice', connections: 1 }]);
    const [row] = await services.presence.connections();
    expect(row.checkedAt).toBe(0);
  });

  it("announces offline only when the last of a user's connections is gone", async () => {
    services.signalR.connect('王芳', 'c1');
    services.signalR.connect('王芳', 'c2');
    await connected('王芳', 'c1');
    await connected('王芳', 'c2');
    services.signalR.disconnect('c1');
    expect(await disconnected('王芳', 'c1')).toBeUndefined();
    expect(await services.presence.online()).toEqual([{ name: '王芳', connections: 1 }]);
    services.signalR.disconnect('c2');
    expect(await disconnected('王芳', 'c2')).toEqual([
      { target: HubMethod.UserOffline, arguments: [{ name: '王芳' }] },
    ]);
    expect(await services.presence.online()).toEqual([]);
  });

  it('does nothing for a connection presence never recorded, or without a user', async () => {
    expect(await disconnected('nobody', 'never-seen')).toBeUndefined();
    expect(await disconnected(undefined, 'anonymous')).toBeUndefined();
  });

  it('fails the invocation when storage is down (the extension still answers 200)', async () => {
    services.signalR.connect('dora', 'd1');
    await connected('dora', 'd1');
    services.signalR.disconnect('d1');
    services.presence.fail = unavailable('presence', new Error('down'));
    await expect(disconnected('dora', 'd1')).rejects.toThrow(/Who is online/);
  });
});
