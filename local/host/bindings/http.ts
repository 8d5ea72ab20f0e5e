import { writeHttpResult } from '../http/writeHttpResult';
import type { RpcHttpData } from '../worker/rpc';
import type { Binding } from './Binding';

/**
 * `http` output: the HTTP answer, from the RpcHttp the worker gave back (`context.res`, a named
 * or `$return` http binding). Written after every other output, so a failed send becomes a 500
 * instead of a success answered too early (local/host/FunctionHost.ts).
 */
export const http: Binding = {
  type: 'http',
  write: (_config, value, invocation) => {
    if (
      invocation.response !== undefined &&
      value !== undefined &&
      !invocation.response.headersSent
    )
      writeHttpResult(invocation.response, value as RpcHttpData);
    return Promise.resolve();
  },
};
