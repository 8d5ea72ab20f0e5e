import { HubMethod } from '../../../lib/hub';
import { unavailable } from '../../../lib/HttpError';
import { STALE_AFTER_MS } from '../../../GetUsers/createGetUsers';
import { usePresenceFunctions } from '../../support/presenceFunctions';

/** GET /api/users: who is online, healing what presence missed, sweeping what is gone. */
describe('GetUsers', () => {
  const fixture = usePresenceFunctions();
  const users = (principal: string | undefined, query?: Record<string, string>) =>
    fixture.fns.users(principal, query);

  it("records the caller's own connection when presence missed it, once the service confirms it", async () => {
    fixture.services.signalR.connect('dora', 'd1');
    const { res, returned } = await users('dora', { connectionId: 'd1' });
    expect(res.status).toBe(200);
    expect(res.body.users).toEqual([{ name: 'dora', connections: 1 }]);
    expect(returned).toEqual([{ target: HubMethod.UserOnline, arguments: [{ name: 'dora' }] }]);
    expect((await users('dora', { connectionId: 'd1' })).returned).toEqual([]);
  });

  it("records nobody for another user's connection id", async () => {
    fixture.services.signalR.connect('bob', 'b1');
    const { res } = await users('eve', { connectionId: 'b1' });
    expect(res.body.users).toEqual([]);
  });

  it('refuses a malformed connectionId with 400, and 401 without a principal', async () => {
    expect((await users('eve', { connectionId: '../x' })).res.status).toBe(400);
    expect((await users(undefined)).res.status).toBe(401);
  });

  it('drops a connection the service no longer knows and says so; keeps one it knows', async () => {
    const old = Date.now() - STALE_AFTER_MS - 1_000;
    await fixture.services.presence.add('ghost', 'g1', old);
    await fixture.services.presence.add('alice', 'a1', old);
    fixture.services.signalR.connect('alice', 'a1');
    const { res, returned } = await users('bob');
    expect(res.body.users).toEqual([{ name: 'alice', connections: 1 }]);
    expect(returned).toEqual([{ target: HubMethod.UserOffline, arguments: [{ name: 'ghost' }] }]);
  });

  it('still answers the list when the SignalR Service is down (the sweep is best effort)', async () => {
    await fixture.services.presence.add('stale', 's1', Date.now() - STALE_AFTER_MS - 1_000);
    fixture.services.signalR.down = true;
    const { res, returned } = await users('bob');
    expect(res.status).toBe(200);
    expect(res.body.users).toEqual([{ name: 'stale', connections: 1 }]);
    expect(returned).toEqual([]);
  });

  it('answers 503 naming presence when storage is down, after one storage call, not a second deadline', async () => {
    fixture.services.presence.fail = unavailable('presence', new Error('down'));
    const { res } = await users('bob', { connectionId: 'b1' });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('PresenceUnavailable');
    expect(fixture.services.presence.calls).toBe(1);
  });
});
