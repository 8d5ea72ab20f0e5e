import { existsSync, readFileSync, readdirSync } from 'node:fs';
import Module from 'node:module';
import { join, resolve } from 'node:path';
import { compileRoute, type Route } from './routes';

/** One binding of a function.json, as written (docs/functions-host.md). */
export interface BindingConfig {
  readonly type: string;
  readonly direction: 'in' | 'out';
  readonly name: string;
  readonly [key: string]: unknown;
}

/** What a function's script exports: a classic-model handler `(context, ...inputs)`. */
export type FunctionHandler = (context: unknown, ...inputs: unknown[]) => unknown;

/** A function found under the app root, ready to run. */
export interface LoadedFunction {
  readonly name: string;
  /** Upper-case methods; undefined means every method. */
  readonly methods?: readonly string[];
  /** HTTP triggers only: where the function answers. */
  readonly route?: Route;
  readonly bindings: readonly BindingConfig[];
  readonly trigger: BindingConfig;
  readonly handler: FunctionHandler;
}

interface FunctionJson {
  bindings: BindingConfig[];
  scriptFile?: string;
  entryPoint?: string;
  disabled?: boolean;
}

/** The route prefix from host.json (`extensions.http.routePrefix`, default `api`). */
export function readRoutePrefix(root: string): string {
  const hostJson = JSON.parse(readFileSync(join(root, 'host.json'), 'utf8')) as {
    extensions?: { http?: { routePrefix?: string } };
  };
  return hostJson.extensions?.http?.routePrefix ?? 'api';
}

/**
 * Loads a script afresh, as a new worker process would: module state (a function's services,
 * made from the app settings on first use) belongs to this host, not to one started before it
 * in the same process. What the script itself requires comes from Node's cache as usual.
 */
function loadScript(script: string): unknown {
  const module = new Module(script);
  (module as unknown as { load(file: string): void }).load(script);
  return module.exports;
}

/**
 * The `process` the loaded scripts run with: where the host puts the app settings, since
 * function code reads them from its environment. Under plain Node it is this process; under a
 * test runner that gives tests a copy of `process.env` (jest), it is Node's own, which the
 * scripts loaded above see.
 */
export const workerProcess: NodeJS.Process = (() => {
  const probe = new Module(__filename);
  (probe as unknown as { _compile(code: string, file: string): void })._compile(
    'module.exports = process;',
    __filename,
  );
  return probe.exports as NodeJS.Process;
})();

function loadHandler(root: string, name: string, config: FunctionJson): FunctionHandler {
  const script = resolve(root, name, config.scriptFile ?? 'index.js');
  const loaded = loadScript(script) as Record<string, unknown> & { default?: unknown };
  const handler =
    config.entryPoint !== undefined
      ? loaded[config.entryPoint]
      : typeof loaded === 'function'
        ? loaded
        : (loaded.default ?? loaded.run ?? loaded.index);
  if (typeof handler !== 'function')
    throw new Error(
      `Function ${name}: ${script} exports no function${config.entryPoint ? ` named ${config.entryPoint}` : ''}.`,
    );
  return handler as FunctionHandler;
}

/**
 * Every enabled function under `root` whose trigger one of `triggerTypes` can run: a folder
 * with a function.json, its script loaded as Core Tools finds it (`scriptFile`, `entryPoint`).
 */
export function loadFunctions(root: string, triggerTypes: readonly string[]): LoadedFunction[] {
  const prefix = readRoutePrefix(root);
  const functions: LoadedFunction[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const file = join(root, entry.name, 'function.json');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const config = JSON.parse(readFileSync(file, 'utf8')) as FunctionJson;
    if (config.disabled === true) continue;
    const trigger = config.bindings.find((binding) => triggerTypes.includes(binding.type));
    if (trigger === undefined) continue;
    functions.push({
      name: entry.name,
      methods: Array.isArray(trigger.methods)
        ? (trigger.methods as string[]).map((method) => method.toUpperCase())
        : undefined,
      route:
        trigger.type === 'httpTrigger'
          ? compileRoute(prefix, String(trigger.route ?? entry.name))
          : undefined,
      bindings: config.bindings,
      trigger,
      handler: loadHandler(root, entry.name, config),
    });
  }
  return functions;
}
