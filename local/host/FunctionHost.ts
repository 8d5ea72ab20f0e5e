import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HttpError } from '../../lib/HttpError';
import { sendError } from '../http/respond';
import { parseRequestTarget } from '../http/requestTarget';
import { serve } from '../http/serve';
import { closeServer, listen } from '../httpServer';
import type { Logger } from '../log';
import { buildBindingData } from './bindingExpressions';
import type { AppSettings, Binding, Invocation } from './bindings/Binding';
import { createBindings } from './bindings';
import {
  loadFunctions,
  workerProcess,
  type BindingConfig,
  type LoadedFunction,
} from './functionJson';
import { readFunctionRequest } from './HttpRequest';
import { writeFunctionResponse, type FunctionResponse } from './HttpResponse';
import { collectOutputs, createContext, runHandler } from './InvocationContext';
import type { LocalFunctionsHost } from './LocalFunctionsHost';
import { matchRoute } from './routes';
import { SIGNALR_WEBHOOK_PATH, type InvocationContext } from '../../lib/signalr/upstream';
import { handleSignalRWebhook } from './signalRWebhook';

/**
 * A classic (v3) model Functions host for the offline stack: runs the compiled functions from
 * their function.json as Core Tools does (docs/functions-host.md). This file serves and
 * orchestrates one invocation; loading, routing, request and response shapes, the context and
 * each binding live in their own files.
 */
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
}

/** How long close() waits for invocations under way (our choice: docs/functions-host.md). */
const CLOSE_GRACE_MS = 5_000;

/** The HTTP answer is written last, after every other output has been delivered. */
const httpLast = (a: BindingConfig, b: BindingConfig) =>
  Number(a.type === 'http') - Number(b.type === 'http');

export class FunctionHost implements LocalFunctionsHost {
  private readonly bindings: ReadonlyMap<string, Binding>;
  private readonly previousEnv = new Map<string, string | undefined>();
  private readonly functions: LoadedFunction[];
  private server?: Server;
  /** Invocations under way: close() lets them finish with the settings they started with. */
  private readonly running = new Set<Promise<unknown>>();
  /** The `signalr_extension` system key (see FunctionHostOptions). */
  readonly signalRExtensionKey: string;

  constructor(private readonly options: FunctionHostOptions) {
    // Function code reads app settings from its environment, as in Azure: Core Tools starts the
    // Node worker with them; this host runs the worker in its own process, so that is here.
    // The environment is given back as it was on close(), so nothing leaks into a later stack.
    for (const [name, value] of Object.entries(options.settings)) {
      if (value === undefined) continue;
      this.previousEnv.set(name, workerProcess.env[name]);
      workerProcess.env[name] = value;
    }
    this.signalRExtensionKey = options.signalRExtensionKey ?? randomBytes(32).toString('base64url');
    this.bindings = createBindings();
    this.functions = loadFunctions(options.root, ['httpTrigger', 'signalRTrigger']);
    options.log.info(`Functions: ${this.functions.map((fn) => fn.name).join(', ')}`);
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
    for (const [name, value] of this.previousEnv)
      if (value === undefined) delete workerProcess.env[name];
      else workerProcess.env[name] = value;
    this.previousEnv.clear();
    await closed;
  }

  private binding(config: BindingConfig): Binding {
    const binding = this.bindings.get(config.type);
    if (binding === undefined)
      throw new Error(`The binding type '${config.type}' is not supported by the local host.`);
    return binding;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseRequestTarget(req.url);
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname.toLowerCase() === SIGNALR_WEBHOOK_PATH)
      return handleSignalRWebhook(req, res, url, {
        functions: this.functions,
        settings: this.options.settings,
        systemKey: this.signalRExtensionKey,
        run: (fn, context) => this.runSignalR(fn, context, res),
      });
    const matched = matchRoute(this.functions, url.pathname, method);
    if (matched === undefined) {
      res.writeHead(404).end();
      return;
    }
    const { fn, params } = matched;
    try {
      await this.execute(
        fn,
        'This function was programmatically called via the host APIs.',
        async (invocationId) => {
          const request = await readFunctionRequest(req, url, method, params);
          const bindingData = buildBindingData({
            rawBody: request.rawBody,
            hasContentLength: Number(request.headers['content-length'] ?? 0) > 0,
            query: url.searchParams,
            params: request.params,
            headers: request.headers,
          });
          await this.invoke(fn, invocationId, { request, bindingData }, res);
        },
      );
      if (!res.headersSent) res.writeHead(200, { 'Content-Length': 0 }).end();
    } catch (error) {
      // A refusal of the caller's (HttpError) is answered as JSON; any other failure is a 500
      // with an empty body, as the Functions host answers.
      if (error instanceof HttpError) return sendError(res, error, () => undefined);
      if (!res.headersSent) res.writeHead(500, { 'Content-Length': 0 }).end();
    }
  }

  /**
   * A signalRTrigger function for one upstream call; resolves with what it returned when it
   * returns to no `$return` binding (a hub method's result), rejects when it failed.
   */
  private async runSignalR(
    fn: LoadedFunction,
    context: InvocationContext,
    res: ServerResponse,
  ): Promise<unknown> {
    const bindingData = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
    return this.execute(fn, '(null)', (invocationId) =>
      this.invoke(fn, invocationId, { trigger: context, bindingData }, res),
    );
  }

  /** One invocation, logged as Core Tools logs it (`Executing` / `Executed ... Duration`). */
  private async execute<T>(
    fn: LoadedFunction,
    reason: string,
    run: (invocationId: string) => Promise<T>,
  ): Promise<T> {
    const invocationId = randomUUID();
    const started = performance.now();
    const log = this.options.log;
    const duration = () => Math.round(performance.now() - started);
    log.info(`Executing 'Functions.${fn.name}' (Reason='${reason}', Id=${invocationId})`);
    const running = (async () => run(invocationId))();
    this.running.add(running);
    try {
      const result = await running;
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
    fn: LoadedFunction,
    invocationId: string,
    source: Pick<Invocation, 'request' | 'trigger' | 'bindingData'>,
    res: ServerResponse,
  ): Promise<unknown> {
    // The context exists only once the inputs are read; the http binding reads its `res` later.
    const created: { context?: ReturnType<typeof createContext> } = {};
    const invocation: Invocation = {
      functionName: fn.name,
      ...source,
      settings: this.options.settings,
      log: this.options.log,
      response: res,
      contextRes: () => created.context?.res,
    };
    const inputs: Record<string, unknown> = {};
    for (const config of fn.bindings)
      if (config.direction === 'in')
        inputs[config.name] = await this.binding(config).read?.(config, invocation);
    const context = createContext(
      fn,
      invocationId,
      inputs,
      invocation.bindingData,
      this.options.log,
    );
    created.context = context;
    const returned = await runHandler(fn, context, inputs[fn.trigger.name]);
    const outputs = collectOutputs(fn, context, returned);
    for (const config of fn.bindings.filter((b) => b.direction === 'out').sort(httpLast))
      await this.binding(config).write?.(config, outputs[config.name], invocation);
    // An HTTP-triggered function without an http output binding still answers: context.res.
    if (!res.headersSent && fn.trigger.type === 'httpTrigger')
      writeFunctionResponse(res, context.res as FunctionResponse | undefined);
    return fn.bindings.some((binding) => binding.name === '$return') ? undefined : returned;
  }
}
