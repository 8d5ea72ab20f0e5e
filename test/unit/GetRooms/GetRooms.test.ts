import { unavailable } from '../../../lib/HttpError';
import { MemoryNameRegistry } from '../../../lib/storage/NameRegistry';
import { MemoryRoomStore } from '../../../local/storage/MemoryRoomStore';
import { createGetRooms } from '../../../GetRooms/createGetRooms';
import { invokeFunction, makeRequest } from '../../support/invokeFunction';

/** GET /api/rooms on an in-memory store. */
describe('GetRooms', () => {
  let rooms: MemoryRoomStore;
  let getRooms: ReturnType<typeof createGetRooms>;
  beforeEach(() => {
    rooms = new MemoryRoomStore();
    getRooms = createGetRooms({ rooms, names: new MemoryNameRegistry() });
  });

  async function list(principal: string | null) {
    const req = makeRequest({
      method: 'GET',
      headers: principal === null ? {} : { 'x-ms-client-principal-name': principal },
    });
    return (await invokeFunction(getRooms, req)).response;
  }

  it('lists general first with everyone who asked, then rooms by name, marking the caller’s', async () => {
    await rooms.join('bob', 'zebra');
    await rooms.join('bob', 'Ngọc Ánh');
    await rooms.join('王芳', 'zebra');
    await list('bob');
    const { status, body } = await list('王芳');
    expect(status).toBe(200);
    expect(body).toEqual({
      rooms: [
        { name: 'general', members: 2, joined: true },
        { name: 'Ngọc Ánh', members: 1, joined: false },
        { name: 'zebra', members: 2, joined: true },
      ],
    });
  });

  it('answers 401 without a principal, 429 when asked too often, 503 when storage is down', async () => {
    expect((await list(null)).status).toBe(401);
    // The clock stands still: on a busy machine twelve calls could outlast the refill.
    const clock = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 12; i++) statuses.push((await list('flooder')).status);
    } finally {
      clock.mockRestore();
    }
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    rooms.fail = unavailable('rooms', new Error('down'));
    const down = await list('alice');
    expect({ status: down.status, code: down.body.code }).toEqual({
      status: 503,
      code: 'RoomsUnavailable',
    });
  });
});
