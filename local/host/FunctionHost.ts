import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { closeServer, listen } from '../httpServer';
import type { Logger } from '../log';
import { createConnectionInfo } from '../signalr/accessTokens';
import { parseConnectionString } from '../signalr/ConnectionString';
import { HttpError, sendError } from '../http/HttpError';
import { readBody } from '../http/readBody';
import { serve } from '../http/serve';
import { decodeSegment, parseRequestTarget } from '../http/requestTarget';
import { BindingError, buildBindingData, resolveExpression } from './bindingExpressions';
import { SignalRRestClient } from './SignalRRestClient';

/**
 * A classic (v3) model Functions host for the offline stack: runs the compiled functions from
 * their function.json as Core Tools does (spec functions-v3-and-easyauth.md §1-4).
 */
interface Binding {
  readonly type: string;
  readonly direction: 'in' | 'out';
  readonly name: string;
  readonly [key: string]: unknown;
}

interface LoadedFunction {
  readonly name: string;
  readonly methods?: readonly string[];
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
  readonly bindings: readonly Binding[];
  readonly handler: (context: unknown, ...inputs: unknown[]) => unknown;
}

const DEFAULT_CONNECTION_SETTING = 'AzureSignalRConnectionString';

/** Turns `messages/{id}`, `{id?}`, `{*rest}`, `{id:int}` into a regex with named parameters. */
function compileRoute(prefix: string, route: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const full = [prefix, route].filter((part) => part.length > 0).join('/');
  const source = full
    .split('/')
    .map((segment) => {
      const match = /^\{(\*)?([A-Za-z_][\w]*)(?::[^}?]*)?(\?)?\}$/.exec(segment);
      if (match === null) return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
      paramNames.push(match[2]);
      if (match[1]) return '(?:/(.*))?';
      return match[3] ? '(?:/([^/]+))?' : '/([^/]+)';
    })
    .join('');
  return { pattern: new RegExp(`^${source}/?$`, 'i'), paramNames };
}

function loadFunctions(root: string, routePrefix: string): LoadedFunction[] {
  const functions: LoadedFunction[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const file = join(root, entry.name, 'function.json');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const config = JSON.parse(readFileSync(file, 'utf8')) as {
      bindings: Binding[];
      scriptFile?: string;
      entryPoint?: string;
      disabled?: boolean;
    };
    if (config.disabled === true) continue;
    const trigger = config.bindings.find((binding) => binding.type === 'httpTrigger');
    if (trigger === undefined) continue;
    const script = resolve(root, entry.name, config.scriptFile ?? 'index.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(script) as Record<string, unknown> & { default?: unknown };
    const handler =
      config.entryPoint !== undefined
        ? loaded[config.entryPoint]
        : typeof loaded === 'function'
          ? loaded
          : (loaded.default ?? loaded.run ?? loaded.index);
    if (typeof handler !== 'function')
      throw new Error(
        `Function ${entry.name}: ${script} exports no function${config.entryPoint ? ` named ${config.entryPoint}` : ''}.`,
      );
    const { pattern, paramNames } = compileRoute(routePrefix, String(trigger.route ?? entry.name));
    const methods = Array.isArray(trigger.methods)
      ? (trigger.methods as string[]).map((method) => method.toUpperCase())
      : undefined;
    functions.push({
      name: entry.name,
      methods,
      pattern,
      paramNames,
      bindings: config.bindings,
      handler: handler as LoadedFunction['handler'],
    });
  }
  return functions;
}

/** Azure Functions' default request body limit, 100 MB (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT). */
const MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;

/**
 * Node reads header bytes as Latin-1. App Service passes a principal name outside Latin-1 as its
 * UTF-8 bytes (docs/security.md, "Names"), so a value whose bytes are valid UTF-8 is read as
 * UTF-8; any other value stays as it arrived.
 */
function decodeHeaderValue(value: string): string {
  // eslint-disable-next-line no-control-regex -- ASCII is what it finds
  if (/^[\u0000-\u007f]*$/.test(value)) return value;
  const utf8 = Buffer.from(value, 'latin1').toString('utf8');
  return utf8.includes('\uFFFD') ? value : utf8;
}

function decodePrincipal(header: string | undefined): unknown {
  if (header === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

export interface FunctionHostOptions {
  readonly root: string;
  readonly log: Logger;
  /** Where to listen, on loopback; 0 picks a free port. */
  readonly port?: number;
}

export class FunctionHost {
  private readonly functions: LoadedFunction[];
  private readonly clients = new Map<string, SignalRRestClient>();
  private server?: Server;

  constructor(private readonly options: FunctionHostOptions) {
    const hostJson = JSON.parse(readFileSync(join(options.root, 'host.json'), 'utf8')) as {
      extensions?: { http?: { routePrefix?: string } };
    };
    const prefix = hostJson.extensions?.http?.routePrefix ?? 'api';
    this.functions = loadFunctions(options.root, prefix);
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
    for (const client of this.clients.values()) client.close();
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }

  private restClient(setting: string): SignalRRestClient {
    const connectionString = process.env[setting];
    if (connectionString === undefined || connectionString.length === 0)
      throw new BindingError(`The app setting '${setting}' is not set.`);
    let client = this.clients.get(connectionString);
    if (client === undefined)
      this.clients.set(connectionString, (client = new SignalRRestClient(connectionString)));
    return client;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseRequestTarget(req.url);
    const method = (req.method ?? 'GET').toUpperCase();
    let params: Record<string, string> = {};
    const fn = this.functions.find((candidate) => {
      const match = candidate.pattern.exec(url.pathname);
      if (match === null) return false;
      params = Object.fromEntries(
        candidate.paramNames
          .map((name, i) => [name, match[i + 1] === undefined ? '' : decodeSegment(match[i + 1])])
          .filter(([, value]) => value !== ''),
      );
      // A method outside the list is a 404, not a 405 (spec §2).
      return candidate.methods === undefined || candidate.methods.includes(method);
    });
    if (fn === undefined) {
      res.writeHead(404).end();
      return;
    }
    const invocationId = randomUUID();
    const started = performance.now();
    this.options.log.info(
      `Executing 'Functions.${fn.name}' (Reason='This function was programmatically called via the host APIs.', Id=${invocationId})`,
    );
    try {
      await this.invoke(fn, req, url, method, params, invocationId, res);
      this.options.log.info(
        `Executed 'Functions.${fn.name}' (Succeeded, Id=${invocationId}, Duration=${Math.round(performance.now() - started)}ms)`,
      );
    } catch (error) {
      this.options.log.error(
        `Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}, Duration=${Math.round(performance.now() - started)}ms): ${(error as Error).message}`,
      );
      if (error instanceof HttpError) return sendError(res, error, () => undefined);
      // Unhandled exception or binding error: 500 with an empty body, as the Functions host.
      if (!res.headersSent) res.writeHead(500, { 'Content-Length': 0 }).end();
    }
  }

  private async invoke(
    fn: LoadedFunction,
    req: IncomingMessage,
    url: URL,
    method: string,
    params: Record<string, string>,
    invocationId: string,
    res: ServerResponse,
  ): Promise<void> {
    const raw = await readBody(req, { limit: MAX_REQUEST_BODY_BYTES });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined)
        headers[name.toLowerCase()] = decodeHeaderValue(
          Array.isArray(value) ? value.join(', ') : value,
        );
    const query = Object.fromEntries(url.searchParams);
    const contentType = headers['content-type'] ?? '';
    const binary = /^(application\/octet-stream|multipart\/)/i.test(contentType);
    const rawBody = raw.length === 0 ? undefined : raw.toString('utf8');
    let body: unknown = binary ? raw : rawBody;
    if (!binary && rawBody !== undefined) {
      try {
        body = JSON.parse(rawBody); // Tried whatever the content type (spec §2).
      } catch {
        body = rawBody;
      }
    }
    const trigger = fn.bindings.find((binding) => binding.type === 'httpTrigger')!;
    const request = {
      method,
      url: url.href,
      originalUrl: url.href,
      headers,
      query,
      params,
      body,
      rawBody,
      user: decodePrincipal(headers['x-ms-client-principal']),
      get: (name: string) => headers[name.toLowerCase()],
    };
    const bindings: Record<string, unknown> = { [trigger.name]: request };
    const bindingData = buildBindingData({
      rawBody,
      hasContentLength: Number(headers['content-length'] ?? 0) > 0,
      query: url.searchParams,
      params,
      headers,
    });
    for (const binding of fn.bindings) {
      if (binding.direction !== 'in' || binding.type !== 'signalRConnectionInfo') continue;
      const setting = String(binding.connectionStringSetting ?? DEFAULT_CONNECTION_SETTING);
      const userId =
        binding.userId === undefined
          ? undefined
          : resolveExpression(String(binding.userId), bindingData);
      const connectionString = process.env[setting];
      if (connectionString === undefined)
        throw new BindingError(`The app setting '${setting}' is not set.`);
      bindings[binding.name] = await createConnectionInfo(parseConnectionString(connectionString), {
        hub: String(binding.hubName),
        userId,
      });
    }
    const httpOut = fn.bindings.find(
      (binding) => binding.type === 'http' && binding.direction === 'out',
    );
    const log = Object.assign(
      (...args: unknown[]) => this.options.log.info(`[${fn.name}] ${args.join(' ')}`),
      {
        error: (...args: unknown[]) => this.options.log.error(`[${fn.name}] ${args.join(' ')}`),
        warn: (...args: unknown[]) => this.options.log.warn(`[${fn.name}] ${args.join(' ')}`),
        info: (...args: unknown[]) => this.options.log.info(`[${fn.name}] ${args.join(' ')}`),
        verbose: (...args: unknown[]) => this.options.log.debug(`[${fn.name}] ${args.join(' ')}`),
      },
    );
    const context: Record<string, unknown> = {
      invocationId,
      executionContext: { invocationId, functionName: fn.name },
      bindings,
      bindingData: { ...Object.fromEntries(bindingData), sys: { methodName: fn.name } },
      log,
      req: request,
      res: {},
    };
    const returned = await new Promise<unknown>((resolveRun, reject) => {
      context.done = (error?: unknown, result?: unknown) =>
        error ? reject(error) : resolveRun(result);
      try {
        const result = fn.handler(context, request);
        if (result !== undefined && typeof (result as Promise<unknown>).then === 'function')
          (result as Promise<unknown>).then(resolveRun, reject);
        else if (fn.handler.length < 2 || result !== undefined) resolveRun(result);
      } catch (error) {
        reject(error);
      }
    });
    // Outputs: $return when such a binding exists, else an object's keys onto binding names.
    const outputs: Record<string, unknown> = {};
    for (const binding of fn.bindings)
      if (binding.direction === 'out' && bindings[binding.name] !== undefined)
        outputs[binding.name] = bindings[binding.name];
    if (returned !== undefined && returned !== null && returned !== false) {
      if (fn.bindings.some((binding) => binding.name === '$return')) outputs.$return = returned;
      else if (typeof returned === 'object') Object.assign(outputs, returned);
    }
    for (const binding of fn.bindings) {
      if (
        binding.direction !== 'out' ||
        binding.type !== 'signalR' ||
        outputs[binding.name] === undefined
      )
        continue;
      await this.restClient(
        String(binding.connectionStringSetting ?? DEFAULT_CONNECTION_SETTING),
      ).sendAll(String(binding.hubName), outputs[binding.name]);
    }
    const response = (
      httpOut !== undefined && outputs[httpOut.name] !== undefined
        ? outputs[httpOut.name]
        : context.res
    ) as
      | { status?: number; statusCode?: number; headers?: Record<string, string>; body?: unknown }
      | undefined;
    writeResponse(res, response);
  }
}

function writeResponse(
  res: ServerResponse,
  response:
    | { status?: number; statusCode?: number; headers?: Record<string, string>; body?: unknown }
    | undefined,
): void {
  const status = response?.status ?? response?.statusCode ?? 200;
  const headers: Record<string, string> = { ...(response?.headers ?? {}) };
  const body = response?.body;
  let payload: Buffer;
  if (body === undefined || body === null) payload = Buffer.alloc(0);
  else if (Buffer.isBuffer(body)) payload = body;
  else if (typeof body === 'string') payload = Buffer.from(body);
  else {
    payload = Buffer.from(JSON.stringify(body));
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'application/json; charset=utf-8';
  }
  headers['Content-Length'] = String(payload.length);
  res.writeHead(status, headers).end(payload);
}
