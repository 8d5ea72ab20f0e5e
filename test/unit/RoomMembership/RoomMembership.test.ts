import { HubMethod } from '../../../lib/hub';
import { MemoryNameRegistry } from '../../../lib/storage/NameRegistry';
import { ActionLimit } from '../../../lib/actionLimit';
import { unavailable } from '../../../lib/HttpError';
import { MAX_ROOMS_PER_USER, roomGroup } from '../../../lib/rooms';
import { MemoryRoomStore } from '../../../local/storage/MemoryRoomStore';
import {
  createRoomMembership,
  MEMBERSHIP_RATE,
} from '../../../RoomMembership/createRoomMembership';
import { invokeFunction, makeRequest } from '../../support/invokeFunction';

/** POST /api/rooms/{room}/join and /leave on an in-memory store. */
describe('RoomMembership', () => {
  let rooms: MemoryRoomStore;
  let membership: ReturnType<typeof createRoomMembership>;
  beforeEach(() => {
    rooms = new MemoryRoomStore();
    // Room for every test's calls; the limit itself has its own test below.
    membership = createRoomMembership(
      { rooms, names: new MemoryNameRegistry() },
      new ActionLimit({ capacity: 1000, perSecond: 1000 }, 'joining and leaving rooms'),
    );
  });

  async function call(room: string, action: string, principal: string | null = '王芳') {
    const req = makeRequest({
      headers: principal === null ? {} : { 'x-ms-client-principal-name': principal },
    });
    Object.assign(req, { params: { room, action } });
    const { response, returned } = await invokeFunction(membership, req);
    return { status: response.status, body: response.body as Record<string, unknown>, returned };
  }

  it.each(['Ngọc Ánh 🎉', '100% off', "O'Brien's"])(
    'joins %s: stored, the user (every tab) added to its group, the other tabs told',
    async (room) => {
      const { status, body, returned } = await call(room, 'join');
      expect({ status, body }).toEqual({ status: 200, body: { room, joined: true } });
      expect(returned).toEqual([
        { userId: '王芳', groupName: roomGroup(room), action: 'add' },
        { userId: '王芳', target: HubMethod.RoomsChanged, arguments: [{ room, joined: true }] },
        { target: HubMethod.RoomListChanged, arguments: [{ room, members: 1 }] },
      ]);
      expect(await rooms.isMember('王芳', room)).toBe(true);
    },
  );

  it('leaves: forgotten, the user taken out of the group', async () => {
    await call('news', 'join');
    const { status, body, returned } = await call('news', 'leave');
    expect({ status, body }).toEqual({ status: 200, body: { room: 'news', joined: false } });
    expect(returned).toEqual([
      { userId: '王芳', groupName: roomGroup('news'), action: 'remove' },
      {
        userId: '王芳',
        target: HubMethod.RoomsChanged,
        arguments: [{ room: 'news', joined: false }],
      },
      { target: HubMethod.RoomListChanged, arguments: [{ room: 'news', members: 0 }] },
    ]);
    expect((await rooms.rooms({ limit: 100 })).rooms).toEqual([]);
  });

  it('joins a room twice as once, and sends the group action again (a forgetful service)', async () => {
    await call('news', 'join');
    const again = await call('news', 'join');
    expect(again.status).toBe(200);
    expect(again.returned).toContainEqual({
      userId: '王芳',
      groupName: roomGroup('news'),
      action: 'add',
    });
    expect((await rooms.rooms({ limit: 100 })).rooms).toEqual([{ name: 'news', members: 1 }]);
  });

  it.each([
    ['..', 'path segment'],
    [' ', 'blank or invisible'],
    ['a/b', '"/" or "\\"'],
    ['x'.repeat(65), 'at most 64'],
    ['\u202eevil', 'bidirectional'],
  ])('refuses the room %j with 400 InvalidRoom and changes nothing', async (room, words) => {
    const { status, body, returned } = await call(room, 'join');
    expect(status).toBe(400);
    expect(body.code).toBe('InvalidRoom');
    expect(body.error).toContain(words);
    expect(returned).toBeUndefined();
    expect((await rooms.rooms({ limit: 100 })).rooms).toEqual([]);
  });

  it('answers 404 UnknownAction for anything but join and leave', async () => {
    const { status, body, returned } = await call('news', 'delete');
    expect({ status, code: body.code, returned }).toEqual({
      status: 404,
      code: 'UnknownAction',
      returned: undefined,
    });
  });

  it('keeps everyone in general: leaving it is a 400, joining it changes no group', async () => {
    expect((await call('general', 'leave')).body.code).toBe('CannotLeaveGeneral');
    const joined = await call('general', 'join');
    expect(joined.status).toBe(200);
    expect(joined.returned).toBeUndefined();
  });

  it(`refuses a room past ${MAX_ROOMS_PER_USER} with 409 TooManyRooms, storing nothing`, async () => {
    for (let i = 0; i < MAX_ROOMS_PER_USER; i++)
      expect((await call(`r${i}`, 'join')).status).toBe(200);
    const { status, body, returned } = await call('one more', 'join');
    expect({ status, code: body.code, returned }).toEqual({
      status: 409,
      code: 'TooManyRooms',
      returned: undefined,
    });
    expect(await rooms.isMember('王芳', 'one more')).toBe(false);
  });

  it('answers 401 without a principal and 503 naming rooms when storage is down', async () => {
    expect((await call('news', 'join', null)).status).toBe(401);
    rooms.fail = unavailable('rooms', new Error('down'));
    const { status, body, returned } = await call('news', 'join');
    expect({ status, code: body.code, returned }).toEqual({
      status: 503,
      code: 'RoomsUnavailable',
      returned: undefined,
    });
  });

  it('tells everyone of a room only when it appears or goes, not on every join', async () => {
    await call('news', 'join', 'ana');
    const second = await call('news', 'join');
    expect(second.returned).not.toContainEqual(
      expect.objectContaining({ target: HubMethod.RoomListChanged }),
    );
    const left = await call('news', 'leave');
    expect(left.returned).not.toContainEqual(
      expect.objectContaining({ target: HubMethod.RoomListChanged }),
    );
  });

  it.each([
    ['General', 'general'],
    ['GENERAL', 'general'],
    ['News', 'news'],
    ['сор', 'cop'], // all Cyrillic: one script, but the look of the Latin "cop"
    ['rnews', 'mews'], // "rn" reads as "m"
  ])('refuses %j, which looks like the room %j, with 409 LookAlikeRoom', async (room, existing) => {
    await call(existing, 'join', 'ana');
    const { status, body, returned } = await call(room, 'join');
    expect({ status, code: body.code, returned }).toEqual({
      status: 409,
      code: 'LookAlikeRoom',
      returned: undefined,
    });
    expect(body.error).toContain(`looks the same as the room ${JSON.stringify(existing)}`);
    expect(await rooms.isMember('王芳', room)).toBe(false);
  });

  it.each([
    ['general\u200b', 'general\u200b'],
    ['general\u200d', 'general\u200d'],
    ['general\u2060', 'general\u2060'],
    ['gеneral (Cyrillic е)', 'g\u0435neral'],
  ])('refuses the room %s with 400 InvalidRoom', async (_label, escaped) => {
    const room = JSON.parse(`"${escaped}"`) as string;
    const { status, body } = await call(room, 'join');
    expect({ status, code: body.code }).toEqual({ status: 400, code: 'InvalidRoom' });
    expect((await rooms.rooms({ limit: 100 })).rooms).toEqual([]);
  });

  it('limits one user to 10 joins and leaves at once: then 429 ActionLimit, nothing done', async () => {
    const limited = createRoomMembership(
      { rooms, names: new MemoryNameRegistry() },
      new ActionLimit(MEMBERSHIP_RATE, 'joining and leaving rooms'),
    );
    const join = (room: string) => {
      const req = makeRequest({ headers: { 'x-ms-client-principal-name': 'Ngọc Ánh' } });
      Object.assign(req, { params: { room, action: 'join' } });
      return invokeFunction(limited, req);
    };
    const answers = await Promise.all(Array.from({ length: 11 }, (_, i) => join(`r${i}`)));
    const statuses = answers.map(({ response }) => response.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    const refused = answers.find(({ response }) => response.status === 429)!;
    expect(refused.response.body).toMatchObject({ code: 'ActionLimit' });
    expect(refused.response.headers['Retry-After']).toBe('2');
    expect(refused.returned).toBeUndefined();
    expect(await rooms.roomsOf('Ngọc Ánh')).toHaveLength(10);
  });
});
