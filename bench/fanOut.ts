import {
  closeClients,
  hubTarget,
  openClients,
  sequenceReader,
  type ClientTarget,
} from '../local/clients/hubClients';
import { FanOutTracker, measureFanOut, type FanOutResult } from '../local/clients/measureFanOut';
import type { FanOutScenario } from './scenarios';
import { postJson, type ServerProcess } from './servers';

/** Where the load clients connect and how a message is posted. */
interface FanOutTarget {
  readonly clientTarget: (index: number) => Promise<ClientTarget>;
  readonly post: (text: string) => Promise<number>;
}

/**
 * One fan-out run: open the clients, post at the scenario's rate, count every delivery; each
 * message is due at `recipients` clients (all of them, unless it goes to a room).
 */
async function runFanOut(
  target: FanOutTarget,
  scenario: FanOutScenario,
  recipients = scenario.clients,
): Promise<FanOutResult> {
  const { clients, postsPerSecond, seconds } = scenario;
  const tracker = new FanOutTracker(postsPerSecond * seconds, recipients);
  const sockets = await openClients(clients, 50, target.clientTarget, () =>
    sequenceReader(tracker),
  );
  try {
    return await measureFanOut(tracker, {
      clients,
      postsPerSecond,
      durationMs: seconds * 1000,
      drainMs: 10_000,
      post: target.post,
    });
  } finally {
    await closeClients(sockets);
  }
}

/** The full path: negotiate and POST /api/messages through the front door, as the page does. */
export async function measureStackFanOut(
  stack: ServerProcess,
  cookies: readonly string[],
  senders: number,
  scenario: FanOutScenario,
): Promise<FanOutResult> {
  const infos = await negotiateAll(stack, cookies);
  return runFanOut(
    {
      clientTarget: (index) => hubTarget(infos[index % infos.length]),
      post: postAsSenders(stack, cookies, senders),
    },
    scenario,
  );
}

/** The app's negotiate for each signed-in user: the `{url, accessToken}` redirects. */
export function negotiateAll(
  stack: ServerProcess,
  cookies: readonly string[],
): Promise<{ url: string; accessToken: string }[]> {
  return Promise.all(
    cookies.map(
      async (cookie) =>
        JSON.parse(
          (await postJson(`${stack.ready.api!}/api/negotiate`, '', { Cookie: cookie })).body,
        ) as { url: string; accessToken: string },
    ),
  );
}

/** POST /api/messages through the front door, the first `senders` users in turn; the status. */
export function postAsSenders(
  stack: ServerProcess,
  cookies: readonly string[],
  senders: number,
): (text: string) => Promise<number> {
  let sender = 0;
  return async (text) =>
    (
      await postJson(`${stack.ready.api!}/api/messages`, JSON.stringify({ text }), {
        Cookie: cookies[sender++ % senders],
      })
    ).status;
}

/** The baseline: a bare `ws` broadcast server with the same clients and rate. */
export function measureRawFanOut(
  raw: ServerProcess,
  scenario: FanOutScenario,
): Promise<FanOutResult> {
  const url = `http://127.0.0.1:${raw.ready.port}`;
  const target: ClientTarget = { url: `ws://127.0.0.1:${raw.ready.port}/`, hubProtocol: false };
  return runFanOut(
    {
      clientTarget: () => Promise.resolve(target),
      post: async (text) => (await postJson(`${url}/send`, JSON.stringify({ text }), {})).status,
    },
    scenario,
  );
}

/**
 * Rooms: `rooms` rooms of `members` members each (every member a user of their own, in one
 * room), message N posted to room N mod `rooms` by one of its members in turn.
 */
export interface RoomFanOutScenario {
  readonly rooms: number;
  readonly members: number;
  readonly postsPerSecond: number;
  readonly seconds: number;
}

const roomOf = (scenario: RoomFanOutScenario, client: number) =>
  `bench-room-${Math.floor(client / scenario.members)}`;

/** The scenario as runFanOut's: every member a client, each message due at one room's members. */
function roomRun(target: FanOutTarget, scenario: RoomFanOutScenario): Promise<FanOutResult> {
  const { rooms, members, postsPerSecond, seconds } = scenario;
  return runFanOut(
    target,
    { clients: rooms * members, postsPerSecond, seconds, goal: {} },
    members,
  );
}

/** Which client posts message `sequence`: a member of room `sequence mod rooms`, in turn. */
function roomSender(scenario: RoomFanOutScenario, sequence: number): number {
  const room = sequence % scenario.rooms;
  const turn = Math.floor(sequence / scenario.rooms) % scenario.members;
  return room * scenario.members + turn;
}

/**
 * The full path for rooms: every member joins their room (POST /api/rooms/{room}/join, the
 * service's user-group membership), connects with their own identity, and messages go through
 * POST /api/messages with the room (membership checked, stored in the room's history, sent to
 * the room's group).
 */
export async function measureStackRoomFanOut(
  stack: ServerProcess,
  cookies: readonly string[],
  scenario: RoomFanOutScenario,
): Promise<FanOutResult> {
  const api = stack.ready.api!;
  const infos = await Promise.all(
    cookies.map(async (cookie, client) => {
      const room = encodeURIComponent(roomOf(scenario, client));
      const joined = await postJson(`${api}/api/rooms/${room}/join`, '', { Cookie: cookie });
      if (joined.status !== 200 && joined.status !== 204)
        throw new Error(`Joining a bench room answered ${joined.status}: ${joined.body}`);
      return JSON.parse((await postJson(`${api}/api/negotiate`, '', { Cookie: cookie })).body) as {
        url: string;
        accessToken: string;
      };
    }),
  );
  let sequence = 0;
  return roomRun(
    {
      clientTarget: (index) => hubTarget(infos[index]),
      post: async (text) => {
        const sender = roomSender(scenario, sequence++);
        const room = roomOf(scenario, sender);
        return (
          await postJson(`${api}/api/messages`, JSON.stringify({ text, room }), {
            Cookie: cookies[sender],
          })
        ).status;
      },
    },
    scenario,
  );
}

/** The baseline for rooms: the bare `ws` server, each client in its room's group. */
export function measureRawRoomFanOut(
  raw: ServerProcess,
  scenario: RoomFanOutScenario,
): Promise<FanOutResult> {
  const url = `http://127.0.0.1:${raw.ready.port}`;
  let sequence = 0;
  return roomRun(
    {
      clientTarget: (index) =>
        Promise.resolve({
          url: `ws://127.0.0.1:${raw.ready.port}/?room=${encodeURIComponent(roomOf(scenario, index))}`,
          hubProtocol: false,
        }),
      post: async (text) => {
        const room = roomOf(scenario, roomSender(scenario, sequence++));
        return (await postJson(`${url}/send`, JSON.stringify({ text, room }), {})).status;
      },
    },
    scenario,
  );
}
