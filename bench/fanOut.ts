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

/** One fan-out run: open the clients, post at the scenario's rate, count every delivery. */
async function runFanOut(target: FanOutTarget, scenario: FanOutScenario): Promise<FanOutResult> {
  const { clients, postsPerSecond, seconds } = scenario;
  const tracker = new FanOutTracker(postsPerSecond * seconds, clients);
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
  const api = stack.ready.api!;
  const infos = await Promise.all(
    cookies.map(
      async (cookie) =>
        JSON.parse((await postJson(`${api}/api/negotiate`, '', { Cookie: cookie })).body) as {
          url: string;
          accessToken: string;
        },
    ),
  );
  let sender = 0;
  return runFanOut(
    {
      clientTarget: (index) => hubTarget(infos[index % infos.length]),
      post: async (text) =>
        (
          await postJson(`${api}/api/messages`, JSON.stringify({ text }), {
            Cookie: cookies[sender++ % senders],
          })
        ).status,
    },
    scenario,
  );
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
