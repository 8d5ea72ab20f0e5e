import { writeFunctionResponse, type FunctionResponse } from '../HttpResponse';
import type { Binding } from './Binding';

/**
 * `http` output: the HTTP answer. Written after every other output, so a failed send becomes a
 * 500 instead of a success answered too early. When the function set no value for it, the
 * answer is `context.res` (an empty 200 when that was never set).
 */
export const http: Binding = {
  type: 'http',
  write: (_config, value, invocation) => {
    writeFunctionResponse(
      invocation.response,
      (value ?? invocation.contextRes()) as FunctionResponse | undefined,
    );
    return Promise.resolve();
  },
};
