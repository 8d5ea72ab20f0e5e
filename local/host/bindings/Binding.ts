import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../log';
import type { BindingData } from '../bindingExpressions';
import type { BindingConfig, FunctionDefinition } from '../functionJson';
import type { RpcTypedData } from '../worker/rpc';

/** The app settings a function sees (local.settings.json Values, the environment winning). */
export type AppSettings = Readonly<Record<string, string | undefined>>;

/** One invocation as input and output bindings see it. */
export interface Invocation {
  readonly functionName: string;
  readonly bindingData: BindingData;
  readonly settings: AppSettings;
  readonly log: Logger;
  /** HTTP triggers: where the HTTP answer goes. */
  readonly response?: ServerResponse;
}

/**
 * A binding type of function.json, on the host's side of the worker: an input binding `read`s
 * the value the host hands the worker; an output binding `write`s what the worker gave back
 * (undefined when the function set nothing). Values are plain data; the host converts them to
 * and from the worker's TypedData (local/host/rpc/typedData.ts).
 */
export interface Binding {
  readonly type: string;
  read?(config: BindingConfig, invocation: Invocation): Promise<unknown>;
  write?(config: BindingConfig, value: unknown, invocation: Invocation): Promise<void>;
  /** Releases what the binding holds across invocations (sockets). */
  close?(): void;
}

/** What a trigger hands the host to start an invocation. */
export interface TriggerInput {
  /** The trigger's value, as the worker receives it. */
  readonly value: RpcTypedData;
  /** Binding data: for binding expressions, and the worker's `triggerMetadata`. */
  readonly bindingData: BindingData;
  readonly response?: ServerResponse;
}

/** What an invocation left that no output binding took: a trigger's return value. */
export interface InvocationResult {
  readonly returnValue: unknown;
}

/** The host as triggers see it. */
export interface TriggerHost {
  readonly root: string;
  readonly settings: AppSettings;
  readonly log: Logger;
  /** The functions this trigger type starts. */
  functionsOf(type: string): readonly FunctionDefinition[];
  /** A system key of the host (`signalr_extension`, ...). */
  systemKey(name: string): string;
  /** Runs one invocation through the worker; rejects when the function failed. */
  run(fn: FunctionDefinition, trigger: TriggerInput): Promise<InvocationResult>;
}

/**
 * A trigger binding brings the requests it answers: `serve` answers a request that is its own
 * (an HTTP route, a webhook) and returns true, or leaves it and returns false.
 */
export interface TriggerBinding extends Binding {
  serve(req: IncomingMessage, res: ServerResponse, url: URL, host: TriggerHost): Promise<boolean>;
}

export function isTrigger(binding: Binding): binding is TriggerBinding {
  return typeof (binding as Partial<TriggerBinding>).serve === 'function';
}
