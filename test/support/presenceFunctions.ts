import type { InvocationContext } from '../../local/signalr/upstream';
import { createGetUsers } from '../../GetUsers/createGetUsers';
import { createOnConnected } from '../../OnConnected/createOnConnected';
import { createOnDisconnected } from '../../OnDisconnected/createOnDisconnected';
import { invokeFunction, makeRequest } from './invokeFunction';
import { memoryServices } from './memoryServices';

/**
 * OnConnected, OnDisconnected and GetUsers as the host calls them, on in-memory stores and a
 * fake service: the upstream's InvocationContext, and GET /api/users as a principal.
 */
export function upstream(user: string | undefined, connectionId: string): InvocationContext {
  return {
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
  };
}

export function presenceFunctions(services: ReturnType<typeof memoryServices>) {
  return {
    connected: (user: string | undefined, id: string) =>
      invokeFunction(createOnConnected(services), upstream(user, id) as never).then(
        (run) => run.returned,
      ),
    disconnected: (user: string | undefined, id: string) =>
      invokeFunction(createOnDisconnected(services), upstream(user, id) as never).then(
        (run) => run.returned,
      ),
    users: async (principal: string | undefined, query: Record<string, string> = {}) => {
      const req = makeRequest({
        method: 'GET',
        headers: principal === undefined ? {} : { 'x-ms-client-principal-name': principal },
      });
      Object.assign(req, { query });
      const { response, returned } = await invokeFunction(createGetUsers(services), req);
      return { res: response, returned };
    },
  };
}

/** Fresh in-memory services and the three functions over them, for each test of a suite. */
export function usePresenceFunctions(): {
  readonly services: ReturnType<typeof memoryServices>;
  readonly fns: ReturnType<typeof presenceFunctions>;
} {
  const current = {} as {
    services: ReturnType<typeof memoryServices>;
    fns: ReturnType<typeof presenceFunctions>;
  };
  beforeEach(() => {
    current.services = memoryServices();
    current.fns = presenceFunctions(current.services);
  });
  return current;
}
