import { existsSync, readFileSync, readdirSync } from 'node:fs';
import Module from 'node:module';
import { basename, join, parse, resolve } from 'node:path';
import type { RpcBindingInfo, RpcFunctionMetadata } from './worker/rpc';

/**
 * The functions of an app as the Functions host finds them: a folder with a function.json, its
 * bindings as written, and its primary script (azure-functions-host,
 * src/WebJobs.Script/Host/HostFunctionMetadataProvider.cs). docs/functions-host.md.
 */
export interface BindingConfig {
  readonly type: string;
  readonly direction: 'in' | 'out' | 'inout';
  readonly name: string;
  readonly [key: string]: unknown;
}

export interface FunctionDefinition {
  readonly name: string;
  readonly directory: string;
  readonly bindings: readonly BindingConfig[];
  /** The binding that starts it: the one whose type ends in `Trigger`. */
  readonly trigger: BindingConfig;
  readonly metadata: RpcFunctionMetadata;
}

interface FunctionJson {
  bindings?: BindingConfig[];
  scriptFile?: string;
  entryPoint?: string;
  disabled?: boolean;
}

/**
 * DeterminePrimaryScriptFile: `scriptFile` when given (it must exist), else the folder's only
 * file besides function.json, else `run.*`, `index.js`, `index.mjs` or `index.cjs`.
 */
function primaryScriptFile(directory: string, scriptFile: string | undefined): string | undefined {
  if (scriptFile !== undefined && scriptFile.length > 0) {
    const path = resolve(directory, scriptFile);
    if (!existsSync(path))
      throw new Error(
        "Invalid script file name configuration. The 'scriptFile' property is set to a file that does not exist.",
      );
    return path;
  }
  const files = readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.toLowerCase() !== 'function.json')
    .map((entry) => entry.name);
  if (files.length === 1) return join(directory, files[0]);
  const primary = files.find((file) => {
    const name = file.toLowerCase();
    return parse(name).name === 'run' || ['index.js', 'index.mjs', 'index.cjs'].includes(name);
  });
  return primary === undefined ? undefined : join(directory, primary);
}

/** The RPC metadata the host sends the worker: bindings by name, in function.json order. */
function toMetadata(
  name: string,
  directory: string,
  config: FunctionJson,
  bindings: readonly BindingConfig[],
): RpcFunctionMetadata {
  const rpcBindings: Record<string, RpcBindingInfo> = {};
  for (const binding of bindings)
    rpcBindings[binding.name] = {
      type: binding.type,
      direction: binding.direction,
      ...(typeof binding.dataType === 'string' && {
        dataType: binding.dataType as RpcBindingInfo['dataType'],
      }),
    };
  return {
    name,
    functionId: name,
    directory,
    scriptFile: primaryScriptFile(directory, config.scriptFile),
    entryPoint: config.entryPoint ?? '',
    bindings: rpcBindings,
  };
}

/** Every enabled function under `root` whose trigger is one of `triggerTypes`. */
export function loadFunctions(root: string, triggerTypes: readonly string[]): FunctionDefinition[] {
  const functions: FunctionDefinition[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const directory = join(root, entry.name);
    const file = join(directory, 'function.json');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const config = JSON.parse(readFileSync(file, 'utf8')) as FunctionJson;
    if (config.disabled === true) continue;
    const bindings = config.bindings ?? [];
    const trigger = bindings.find((binding) => triggerTypes.includes(binding.type));
    if (trigger === undefined) continue;
    functions.push({
      name: basename(directory),
      directory,
      bindings,
      trigger,
      metadata: toMetadata(entry.name, directory, config, bindings),
    });
  }
  return functions;
}

/**
 * The `process` the loaded scripts run with: where the host puts the app settings, since
 * function code reads them from its environment. Under plain Node it is this process; under a
 * test runner that gives tests a copy of `process.env` (jest), it is Node's own, which scripts
 * loaded through Node's `Module` (local/host/worker/NodeWorker.ts) see.
 */
export const workerProcess: NodeJS.Process = (() => {
  const probe = new Module(__filename);
  (probe as unknown as { _compile(code: string, file: string): void })._compile(
    'module.exports = process;',
    __filename,
  );
  return probe.exports as NodeJS.Process;
})();
