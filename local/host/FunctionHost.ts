import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SIGNALR_EXTENSION_KEY_NAME } from '../signalr/upstream';
import { parseRequestTarget } from '../http/requestTarget';
import { serve } from '../http/serve';
import { closeServer, listen } from '../httpServer';
import type { Logger } from '../log';
import {
  isTrigger,
  type AppSettings,
  type Binding,
  type Invocation,
  type InvocationResult,
  type TriggerBinding,
  type TriggerHost,
  type TriggerInput,
} from './bindings/Binding';
import { createBindings } from './bindings';
import {
  loadFunctions,
  workerProcess,
  type BindingConfig,
  type FunctionDefinition,
} from './functionJson';
import type { LocalFunctionsHost } from './LocalFunctionsHost';
import { fromTypedData, toTypedData } from './rpc/typedData';
import { NodeWorker } from './worker/NodeWorker';
import type { RpcLogLevel, RpcTypedData } from './worker/rpc';

/** What a FunctionHost is built with. */
export interface FunctionHostOptions {
  readonly root: string;
  readonly log: Logger;
  /**
   * App settings (local.settings.json Values, the environment winning). Bindings read them from
   * here; function code reads them from its environment, which the host sets (see constructor).
   */
  readonly settings: AppSettings;
  /** Where to listen, on loopback; 0 picks a free port. */
  readonly port?: number;
  /**
   * The `signalr_extension` system key that guards the SignalR webhook. In Azure the host makes
   * it and keeps it in its secrets (`az functionapp keys list`); here it is made per host unless
   * given, and the stack puts it in the emulator's upstream URL (docs/functions-host.md).
   */
  readonly signalRExtensionKey?: string;
  /** Logs every invocation (`Executing` / `Executed`), as Core Tools does; off by default. */
  readonly verbose?: boolean;
}

/** How long close() waits for invocations under way (our choice: docs/functions-host.md). */
const CLOSE_GRACE_MS = 5_000;

/** The HTTP answer is written last, after every other output has been delivered. */
const httpLast = (a: BindingConfig, b: BindingConfig) =>
  Number(a.type === 'http') - Number(b.type === 'http');

const WORKER_LOG: Record<RpcLogLevel, keyof Logger> = {
  trace: 'debug',
  debug: 'debug',
  information: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'error',
  none: 'debug',
};

/**
 * The worker's environment while hosts are open in this process (tests open several, and close
 * them in any order): each setting holds the value of the most recently started host still open
 * that has it, and once none has it, the value it had before any did.
 */
const openHosts: { readonly settings: AppSettings }[] = [];
const envBeforeHosts = new Map<string, string | undefined>();

function applySettings(host: { readonly settings: AppSettings }): void {
  for (const [name, value] of Object.entries(host.settings)) {
    if (value === undefined) continue;
    if (!envBeforeHosts.has(name)) envBeforeHosts.set(name, workerProcess.env[name]);
    workerProcess.env[name] = value;
  }
  openHosts.push(host);
}

function withdrawSettings(host: { readonly settings: AppSettings }): void {
  const index = openHosts.indexOf(host);
  if (index < 0) return;
  openHosts.splice(index, 1);
  for (const [name, value] of Object.entries(host.settings)) {
    if (value === undefined) continue;
    const holder = openHosts.findLast((open) => open.settings[name] !== undefined);
    if (holder !== undefined) workerProcess.env[name] = holder.settings[name];
    else {
      const before = envBeforeHosts.get(name);
      envBeforeHosts.delete(name);
      if (before === undefined) delete workerProcess.env[name];
      else workerProcess.env[name] = before;
    }
  }
}

/**
 * A Functions host for the classic (v3) model, for the offline stack (docs/functions-host.md).
 * It does what the Functions host (C#) does and no more: finds the functions from their
 * function.json, lets each trigger binding answer its own requests, reads input bindings,
 * hands the worker an invocation and writes what the worker gives back to the output bindings.
 * Everything a function sees (`context`, `req`, `context.res`, `context.done`, `$return`) is
 * Microsoft's own v3 programming model, `@azure/functions` 3.x, run by the worker part
 * (local/host/worker/NodeWorker.ts) as the Node worker runs it.
 */
export class FunctionHost implements LocalFunctionsHost, TriggerHost {
  private readonly bindings: ReadonlyMap<string, Binding>;
  private readonly triggers: readonly TriggerBinding[];
  private readonly functions: readonly FunctionDefinition[];
  private readonly worker: NodeWorker;
  private readonly systemKeys = new Map<string, string>();
  private server?: Server;
  /** Invocations under way: close() lets them finish with the settings they started with. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly options: FunctionHostOptions) {
    // Function code reads app settings from its environment, as in Azure: the host starts the
    // worker with them; this host runs the worker in its own process, so that is here.
    // The environment is given back on close(), whatever the order hosts close in, so nothing
    // leaks into a later stack.
    applySettings(options);
    this.systemKeys.set(
      SIGNALR_EXTENSION_KEY_NAME,
      options.signalRExtensionKey ?? randomBytes(32).toString('base64url'),
    );
    this.bindings = createBindings();
    this.triggers = [...this.bindings.values()].filter(isTrigger);
    this.functions = loadFunctions(
      options.root,
      this.triggers.map((trigger) => trigger.type),
    );
    this.worker = new NodeWorker((level, functionName, message) =>
      options.log[WORKER_LOG[level]](
        functionName === undefined ? message : `[${functionName}] ${message}`,
      ),
    );
    for (const fn of this.functions) this.worker.load(String(fn.metadata.functionId), fn.metadata);
    options.log.info(`Functions: ${this.functions.map((fn) => fn.name).join(', ')}`);
  }

  get root(): string {
    return this.options.root;
  }

  get settings(): AppSettings {
    return this.options.settings;
  }

  get log(): Logger {
    return this.options.log;
  }

  /** The `signalr_extension` system key (see FunctionHostOptions). */
  get signalRExtensionKey(): string {
    return this.systemKey(SIGNALR_EXTENSION_KEY_NAME);
  }

  systemKey(name: string): string {
    const key = this.systemKeys.get(name);
    if (key === undefined) throw new Error(`The host has no system key named ${name}.`);
    return key;
  }

  functionsOf(type: string): readonly FunctionDefinition[] {
    return this.functions.filter((fn) => fn.trigger.type === type);
  }

  async listen(): Promise<number> {
    const server = createServer(
      serve(
        (req, res) => this.handle(req, res),
        (message) => this.options.log.error(message),
      ),
    );
    server.keepAliveTimeout = 60_000;
    this.server = server;
    return listen(server, this.options.port ?? 0);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    // No new requests; those under way finish (bounded) before their settings are taken away,
    // so a late invocation cannot read the settings of a host started after this one.
    const closed = closeServer(server);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(this.running),
      new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS))),
    ]);
    clearTimeout(timer);
    for (const binding of this.bindings.values()) binding.close?.();
    withdrawSettings(this.options);
    await closed;
  }

  /** Each trigger answers the requests that are its own; anything else is a 404. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseRequestTarget(req.url);
    for (const trigger of this.triggers) if (await trigger.serve(req, res, url, this)) return;
    res.writeHead(404, { 'Content-Length': 0 }).end();
  }

  private binding(config: BindingConfig): Binding {
    const binding = this.bindings.get(config.type);
    if (binding === undefined)
      throw new Error(`The binding type '${config.type}' is not supported by the local host.`);
    return binding;
  }

  /**
   * One invocation: input bindings read in function.json order, the worker invoked, output
   * bindings written (the HTTP answer last). Logged as Core Tools logs it when verbose.
   */
  async run(fn: FunctionDefinition, trigger: TriggerInput): Promise<InvocationResult> {
    const invocationId = randomUUID();
    const started = performance.now();
    const log = this.options.log;
    const verbose = this.options.verbose === true;
    if (verbose)
      log.info(
        `Executing 'Functions.${fn.name}' (Reason='${trigger.response ? 'This function was programmatically called via the host APIs.' : '(null)'}', Id=${invocationId})`,
      );
    const running = this.invoke(fn, invocationId, trigger);
    this.running.add(running);
    const duration = () => Math.round(performance.now() - started);
    try {
      const result = await running;
      if (verbose)
        log.info(
          `Executed 'Functions.${fn.name}' (Succeeded, Id=${invocationId}, Duration=${duration()}ms)`,
        );
      return result;
    } catch (error) {
      log.error(
        `Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}, Duration=${duration()}ms): ${(error as Error).message}`,
      );
      throw error;
    } finally {
      this.running.delete(running);
    }
  }

  private async invoke(
    fn: FunctionDefinition,
    invocationId: string,
    trigger: TriggerInput,
  ): Promise<InvocationResult> {
    const invocation: Invocation = {
      functionName: fn.name,
      bindingData: trigger.bindingData,
      settings: this.options.settings,
      log: this.options.log,
      response: trigger.response,
    };
    const inputData: { name: string; data: RpcTypedData }[] = [];
    for (const config of fn.bindings) {
      if (config.direction !== 'in') continue;
      const data =
        config === fn.trigger
          ? trigger.value
          : toTypedData(await this.binding(config).read?.(config, invocation));
      inputData.push({ name: config.name, data });
    }
    // Binding data as trigger metadata; null values are left out (ScriptInvocationContext-
    // Extensions.ShouldSkipBindingData), and the library adds the invocation id.
    const triggerMetadata: Record<string, RpcTypedData> = {};
    for (const [key, value] of trigger.bindingData)
      if (value !== null && value !== undefined) triggerMetadata[key] = toTypedData(value);
    const response = await this.worker.invoke({
      invocationId,
      functionId: fn.metadata.functionId,
      inputData,
      triggerMetadata,
    });
    const outputs = new Map<string, unknown>();
    for (const output of response.outputData ?? [])
      outputs.set(String(output.name), fromTypedData(output.data));
    let returnValue = fromTypedData(response.returnValue);
    if (fn.bindings.some((binding) => binding.name === '$return')) {
      if (returnValue !== undefined) outputs.set('$return', returnValue);
      returnValue = undefined;
    }
    for (const config of fn.bindings.filter((b) => b.direction !== 'in').sort(httpLast))
      await this.binding(config).write?.(config, outputs.get(config.name), invocation);
    return { returnValue };
  }
}
