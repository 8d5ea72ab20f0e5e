import type { ServerResponse } from 'node:http';
import type { Logger } from '../../log';
import type { BindingData } from '../bindingExpressions';
import type { BindingConfig } from '../functionJson';
import type { FunctionRequest } from '../HttpRequest';

/** The app settings a function sees (local.settings.json Values, the environment winning). */
export type AppSettings = Readonly<Record<string, string | undefined>>;

/** One invocation as bindings see it. */
export interface Invocation {
  readonly functionName: string;
  /** HTTP triggers: the shaped request. */
  readonly request?: FunctionRequest;
  /** Other triggers: what the trigger binding hands the function. */
  readonly trigger?: unknown;
  readonly bindingData: BindingData;
  readonly settings: AppSettings;
  readonly log: Logger;
  /** Where the HTTP answer goes. */
  readonly response: ServerResponse;
  /** `context.res` as the function left it: the HTTP answer when no http output was set. */
  readonly contextRes: () => unknown;
}

/**
 * A binding type of function.json. A trigger or input binding `read`s the value the function
 * receives under the binding's name; an output binding `write`s what the function produced
 * (called for every output binding, with undefined when the function set nothing). A new
 * binding is one new file under bindings/ and one line in bindings/index.ts.
 */
export interface Binding {
  readonly type: string;
  read?(config: BindingConfig, invocation: Invocation): Promise<unknown>;
  write?(config: BindingConfig, value: unknown, invocation: Invocation): Promise<void>;
  /** Releases what the binding holds across invocations (sockets). */
  close?(): void;
}
