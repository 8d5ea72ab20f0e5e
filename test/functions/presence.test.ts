import type { Context } from '@azure/functions';
import { HubMethod } from '../../lib/hub';
import type { InvocationContext } from '../../lib/signalr/upstream';
import { unavailable } from '../../lib/HttpError';
import { createGetUsers, STALE_AFTER_MS } from '../../GetUsers/createGetUsers';
import { createOnConnected } from '../../OnConnected/createOnConnected';
import { createOnDisconnected } from '../../OnDisconnected/createOnDisconnected';
import { memoryServices } from '../support/memoryServices';
import { invokeFunction, makeRequest } from './invokeFunction';

/** OnConnected, OnDisconnected and GetUsers on in-memory stores and a fake service. */
const upstream = (user: string | undefined, connectionId: string): InvocationContext => ({
  Arguments: null,
  Error: null,
  ConnectionId: connectionId,
  UserId: user ?? null,
  Hub: 'chat',
  Category: 'connections',
  Event: 'connected',
  Headers: {},
  Query: null,
  Claims: null,
});

describe('presence functions', () => {
  let services: ReturnType<typeof memoryServices>;
  beforeEach(() => {
    services = memoryServices();
  });

  const connected = (user: string | undefined, id: string) =>
    invokeFunction(createOnConnected(services), upstream(user, id) as never).then(
      (run) => run.returned,
    );
  const disconnected = (user: string | undefined, id: string) =>
    invokeFunction(createOnDisconnected(services), upstream(user, id) as never).then(
      (run) => run.returned,
    );
  const users = async (principal: string | undefined, query: Record<string, string> = {}) => {
    const req = makeRequest({
      method: 'GET',
      headers: principal === undefined ? {} : { 'x-ms-client-principal-name': principal },
    });
    Object.assign(req, { query });
    const { context, returned } = await invokeFunction(createGetUsers(services), req);
    return {
      res: (context as Context).res as { status: number; body: Record<string, unknown> },
      returned,
    };
  };

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

  it('keeps a live connection after a disconnected call for it (a replay), and checks it again later', async () => {
    services.signalR.connect('alice', 'c1');
    await connected('alice', 'c1');
    expect(await disconnected('alice', 'c1')).toBeUndefined();
    expect(await services.presence.online()).toEqual([{ name: 'alice', connections: 1 }]);
    const [row] = await services.presence.connections();
    expect(row.checkedAt).toBe(0);
  });

  it('fails the connected invocation when storage is down (the extension then answers 403)', async () => {
    services.signalR.connect('dora', 'd1');
    services.presence.fail = unavailable('presence', new Error('down'));
    await expect(connected('dora', 'd1')).rejects.toThrow(/Who is online/);
  });

  it("records the caller's own connection when presence missed it, once the service confirms it", async () => {
    services.signalR.connect('dora', 'd1');
    const { res, returned } = await users('dora', { connectionId: 'd1' });
    expect(res.status).toBe(200);
    expect(res.body.users).toEqual([{ name: 'dora', connections: 1 }]);
    expect(returned).toEqual([{ target: HubMethod.UserOnline, arguments: [{ name: 'dora' }] }]);
    expect((await users('dora', { connectionId: 'd1' })).returned).toEqual([]);
  });

  it("records nobody for another user's connection id", async () => {
    services.signalR.connect('bob', 'b1');
    const { res } = await users('eve', { connectionId: 'b1' });
    expect(res.body.users).toEqual([]);
  });

  it('refuses a malformed connectionId with 400, and 401 without a principal', async () => {
    expect((await users('eve', { connectionId: '../x' })).res.status).toBe(400);
    expect((await users(undefined)).res.status).toBe(401);
  });

  it('drops a connection the service no longer knows and says so; keeps one it knows', async () => {
    const old = Date.now() - STALE_AFTER_MS - 1_000;
    await services.presence.add('ghost', 'g1', old);
    await services.presence.add('alice', 'a1', old);
    services.signalR.connect('alice', 'a1');
    const { res, returned } = await users('bob');
    expect(res.body.users).toEqual([{ name: 'alice', connections: 1 }]);
    expect(returned).toEqual([{ target: HubMethod.UserOffline, arguments: [{ name: 'ghost' }] }]);
  });

  it('still answers the list when the SignalR Service is down (the sweep is best effort)', async () => {
    await services.presence.add('stale', 's1', Date.now() - STALE_AFTER_MS - 1_000);
    services.signalR.down = true;
    const { res, returned } = await users('bob');
    expect(res.status).toBe(200);
    expect(res.body.users).toEqual([{ name: 'stale', connections: 1 }]);
    expect(returned).toEqual([]);
  });

  it('answers 503 naming presence when storage is down', async () => {
    services.presence.fail = unavailable('presence', new Error('down'));
    const { res } = await users('bob');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('PresenceUnavailable');
  });
});
