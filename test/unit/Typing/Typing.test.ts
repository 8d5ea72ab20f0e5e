import { HubMethod } from '../../../lib/hub';
import { roomGroup } from '../../../lib/rooms';
import { MemoryRoomStore } from '../../../local/storage/MemoryRoomStore';
import { createTyping } from '../../../Typing/createTyping';
import { upstream } from '../../support/presenceFunctions';

/** The hub method typing(room), as the upstream calls it, on an in-memory store. */
describe('Typing', () => {
  let rooms: MemoryRoomStore;
  let typing: ReturnType<typeof createTyping>;
  let now = 1_000_000;
  let clock: jest.SpyInstance;
  beforeEach(() => {
    rooms = new MemoryRoomStore();
    typing = createTyping({ rooms });
    clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => clock.mockRestore());

  const call = (user: string | undefined, room: unknown) =>
    typing({} as never, {
      ...upstream(user, 'c1'),
      Category: 'messages',
      Event: 'typing',
      Arguments: [room],
    });

  it("tells the room's group a member is typing, and everyone for general", async () => {
    await rooms.join('王芳', 'Ngọc Ánh 🎉');
    expect(await call('王芳', 'Ngọc Ánh 🎉')).toEqual([
      {
        target: HubMethod.UserTyping,
        arguments: [{ name: '王芳', room: 'Ngọc Ánh 🎉' }],
        groupName: roomGroup('Ngọc Ánh 🎉'),
      },
    ]);
    expect(await call('王芳', 'general')).toEqual([
      { target: HubMethod.UserTyping, arguments: [{ name: '王芳', room: 'general' }] },
    ]);
  });

  it('tells nothing for a non-member, a bad room or no user', async () => {
    expect(await call('mallory', 'secret')).toBeUndefined();
    expect(await call('mallory', '..')).toBeUndefined();
    expect(await call('mallory', 42)).toBeUndefined();
    expect(await call(undefined, 'general')).toBeUndefined();
  });

  it('tells the same user and room at most once every 2 s', async () => {
    expect(await call('alice', 'general')).toHaveLength(1);
    now += 1_000;
    expect(await call('alice', 'general')).toBeUndefined();
    expect(await call('bob', 'general')).toHaveLength(1);
    now += 1_000;
    expect(await call('alice', 'general')).toHaveLength(1);
  });

  it('tells a room once when twelve tabs of one user type at the same moment', async () => {
    await rooms.join('Ngọc Ánh', 'design');
    // Membership answers after a moment, as storage does: every call is in flight at once.
    const isMember = rooms.isMember.bind(rooms);
    jest
      .spyOn(rooms, 'isMember')
      .mockImplementation(
        (user, room) => new Promise((r) => setImmediate(() => r(isMember(user, room)))),
      );
    const told = await Promise.all(Array.from({ length: 12 }, () => call('Ngọc Ánh', 'design')));
    expect(told.filter((actions) => actions !== undefined)).toHaveLength(1);
  });
});
