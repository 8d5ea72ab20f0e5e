import type { Logger } from '../log';
import type { BindingData } from './bindingExpressions';
import type { LoadedFunction } from './functionJson';

/** The classic-model `context` a function receives (the @azure/functions 3.x Context shape). */
export interface InvocationContext {
  readonly invocationId: string;
  readonly executionContext: { readonly invocationId: string; readonly functionName: string };
  readonly bindings: Record<string, unknown>;
  readonly bindingData: Readonly<Record<string, unknown>>;
  readonly log: ((...args: unknown[]) => void) &
    Record<'error' | 'warn' | 'info' | 'verbose', (...args: unknown[]) => void>;
  req?: unknown;
  res?: unknown;
  done?: (error?: unknown, result?: unknown) => void;
}

function contextLog(name: string, log: Logger): InvocationContext['log'] {
  const line = (args: unknown[]) => `[${name}] ${args.join(' ')}`;
  return Object.assign((...args: unknown[]) => log.info(line(args)), {
    error: (...args: unknown[]) => log.error(line(args)),
    warn: (...args: unknown[]) => log.warn(line(args)),
    info: (...args: unknown[]) => log.info(line(args)),
    verbose: (...args: unknown[]) => log.debug(line(args)),
  });
}

export function createContext(
  fn: LoadedFunction,
  invocationId: string,
  inputs: Record<string, unknown>,
  bindingData: BindingData,
  log: Logger,
): InvocationContext {
  const isHttp = fn.trigger.type === 'httpTrigger';
  return {
    invocationId,
    executionContext: { invocationId, functionName: fn.name },
    bindings: { ...inputs },
    bindingData: { ...Object.fromEntries(bindingData), sys: { methodName: fn.name } },
    log: contextLog(fn.name, log),
    // For HTTP triggers the host pre-creates `context.res` and exposes `context.req`.
    ...(isHttp && { req: inputs[fn.trigger.name], res: {} }),
  };
}

/**
 * Runs the handler with the trigger value as its second argument and resolves with what it
 * returned: by promise, by `context.done`, or synchronously for a handler that takes no
 * `context.done` callback.
 */
export function runHandler(
  fn: LoadedFunction,
  context: InvocationContext,
  triggerValue: unknown,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    context.done = (error?: unknown, result?: unknown) => (error ? reject(error) : resolve(result));
    try {
      const result = fn.handler(context, triggerValue);
      if (result !== undefined && typeof (result as Promise<unknown>).then === 'function')
        (result as Promise<unknown>).then(resolve, reject);
      else if (fn.handler.length < 2 || result !== undefined) resolve(result);
    } catch (error) {
      reject(error);
    }
  });
}

/**
 * The value of each output binding: what the function put in `context.bindings`, then the
 * return value: to `$return` when such a binding exists, else an object's keys onto binding
 * names. Falsy returns are dropped.
 */
export function collectOutputs(
  fn: LoadedFunction,
  context: InvocationContext,
  returned: unknown,
): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  for (const binding of fn.bindings)
    if (binding.direction === 'out' && context.bindings[binding.name] !== undefined)
      outputs[binding.name] = context.bindings[binding.name];
  if (returned !== undefined && returned !== null && returned !== false) {
    if (fn.bindings.some((binding) => binding.name === '$return')) outputs.$return = returned;
    else if (typeof returned === 'object') Object.assign(outputs, returned);
  }
  return outputs;
}
