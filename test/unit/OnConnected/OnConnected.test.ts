import { HubMethod } from '../../../lib/hub';
import { unavailable } from '../../../lib/HttpError';
import { memoryServices } from '../../support/memoryServices';
import { presenceFunctions } from '../../support/presenceFunctions';

/** A connection arrived: recorded once the service confirms it; the first of a user announced. */
describe('OnConnected', () => {
  let services: ReturnType<typeof memoryServices>;
  let fns: ReturnType<typeof presenceFunctions>;
  beforeEach(() => {
    services = memoryServices();
    fns = presenceFunctions(services);
  });
  const connected = (user: string | undefined, id: string) => fns.connected(user, id);
  const disconnected = (user: string | undefined, id: string) => fns.disconnected(user, id);

  it('announces a user on their first connection only, and offline on their last', async () => {
    services.signalR.connect('alice', 'c1');
    services.signalR.connect('alice', 'c2');
    expect(await connected('alice', 'c1')).toEqual([
      { target: HubMethod.UserOnline, arguments: [{ name: 'alice' }] },
    ]);
    expect(await connected('alice', 'c2')).toBeUndefined();
    services.signalR.disconnect('c1');
    expect(await disconnected('alice', 'c1')).toBeUndefined();
    services.signalR.disconnect('c2');
    expect(await disconnected('alice', 'c2')).toEqual([
      { target: HubMethod.UserOffline, arguments: [{ name: 'alice' }] },
    ]);
  });

  it('records nothing for a connected call the service does not confirm (a replay)', async () => {
    services.signalR.connect('bob', 'bobs-connection');
    expect(await connected('mallory', 'bobs-connection')).toBeUndefined();
    expect(await connected('bob', 'made-up')).toBeUndefined();
    expect(await services.presence.online()).toEqual([]);
  });

  it('fails the connected invocation when storage is down (the extension then answers 403)', async () => {
    services.signalR.connect('dora', 'd1');
    services.presence.fail = unavailable('presence', new Error('down'));
    await expect(connected('dora', 'd1')).rejects.toThrow(/Who is online/);
  });
});
