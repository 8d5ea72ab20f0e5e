import Module from 'node:module';
import type { ProgrammingModel, RpcLogLevel } from './rpc';

/**
 * `@azure/functions-core`: the module the Node worker builds in and the v3 programming model
 * (`@azure/functions` 3.x) is written against. As the worker does (Azure/azure-functions-nodejs-
 * worker, src/setupCoreModule.ts), `require('@azure/functions-core')` is intercepted and answered
 * with this API; then the programming model is loaded and `setup()` registers itself through it.
 */
export interface Disposable {
  dispose(): void;
}

export type HookName = 'preInvocation' | 'postInvocation';
export type HookCallback = (context: Record<string, unknown>) => void | Promise<void>;

export interface CoreApi {
  readonly version: string;
  readonly hostVersion: string;
  setProgrammingModel(model: ProgrammingModel): void;
  getProgrammingModel(): ProgrammingModel | undefined;
  registerHook(name: string, callback: HookCallback): Disposable;
  registerFunction(): never;
  log(level: RpcLogLevel, category: string, message: string): void;
  Disposable: new (callOnDispose: () => void) => Disposable;
}

/** The worker version this host stands in for (the v3.x line that ships `@azure/functions` 3). */
const WORKER_VERSION = '3.10.1';
/** The Functions host version reported to code that asks. */
const HOST_VERSION = '4.1037.0';

class CoreDisposable implements Disposable {
  constructor(private callOnDispose?: () => void) {}

  dispose(): void {
    this.callOnDispose?.();
    this.callOnDispose = undefined;
  }
}

/** The API `require('@azure/functions-core')` answers with now: the last worker set up. */
let current: CoreApi | undefined;
let intercepting = false;

function interceptRequire(): void {
  if (intercepting) return;
  intercepting = true;
  const prototype = Module.prototype as unknown as { require: (id: string) => unknown };
  prototype.require = new Proxy(prototype.require, {
    apply(target, thisArg, args: [string]) {
      if (args[0] === '@azure/functions-core') {
        if (current === undefined)
          throw new Error('@azure/functions-core is available only inside the functions host.');
        return current;
      }
      return Reflect.apply(target, thisArg, args) as unknown;
    },
  });
}

/** A worker's core API, with the hooks registered through it. */
export interface CoreModule {
  readonly api: CoreApi;
  readonly hooks: ReadonlyMap<HookName, readonly HookCallback[]>;
  programmingModel(): ProgrammingModel;
}

/**
 * Sets up `@azure/functions-core` for one worker and loads the v3 programming model afresh
 * (so a later worker in this process has its own), which registers itself by `setup()`.
 */
export function setUpCoreModule(log: (level: RpcLogLevel, message: string) => void): CoreModule {
  interceptRequire();
  let model: ProgrammingModel | undefined;
  const hooks = new Map<HookName, HookCallback[]>([
    ['preInvocation', []],
    ['postInvocation', []],
  ]);
  const api: CoreApi = {
    version: WORKER_VERSION,
    hostVersion: HOST_VERSION,
    setProgrammingModel: (next) => {
      model = next;
    },
    getProgrammingModel: () => model,
    registerHook: (name, callback) => {
      const list = hooks.get(name as HookName);
      if (list === undefined)
        throw new Error(`The hook "${name}" is not supported by the local host.`);
      list.push(callback);
      return new CoreDisposable(() => list.splice(list.indexOf(callback), 1));
    },
    registerFunction: () => {
      throw new Error('registerFunction is the v4 programming model; this app uses v3.');
    },
    log: (level, _category, message) => log(level, message),
    Disposable: CoreDisposable,
  };
  current = api;
  const library = new Module(require.resolve('@azure/functions'));
  (library as unknown as { load(file: string): void }).load(library.id);
  (library.exports as { setup(): void }).setup();
  return {
    api,
    hooks,
    programmingModel: () => {
      if (model === undefined) throw new Error('@azure/functions did not set a programming model.');
      return model;
    },
  };
}
