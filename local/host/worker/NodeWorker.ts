import Module from 'node:module';
import { setUpCoreModule, type CoreModule, type HookName } from './coreModule';
import type {
  CoreInvocationContext,
  FunctionCallback,
  RpcFunctionMetadata,
  RpcInvocationRequest,
  RpcInvocationResponse,
  RpcLogLevel,
} from './rpc';

/**
 * What the Azure Functions Node.js worker does for a classic (v3) model app, in this process
 * (Azure/azure-functions-nodejs-worker): the `@azure/functions-core` module, loading each
 * function's script and entry point (src/LegacyFunctionLoader.ts), and running an invocation
 * through the programming model with pre- and post-invocation hooks
 * (src/eventHandlers/InvocationHandler.ts). Everything between the request the host sends and
 * the response it gets back is Microsoft's `@azure/functions` 3.x: the context, `req`, `res`,
 * `context.done`, `$return` and the converters.
 */
export type WorkerLog = (
  level: RpcLogLevel,
  functionName: string | undefined,
  message: string,
) => void;

interface LoadedFunction {
  readonly metadata: RpcFunctionMetadata;
  readonly callback: FunctionCallback;
  readonly thisArg: unknown;
}

/**
 * A script, loaded afresh for this worker (as a new worker process would load it) and then kept:
 * functions that name the same scriptFile share one module, as `require` shares it in the Node
 * worker (LegacyFunctionLoader), so module state, such as the services made from the app
 * settings, belongs to this worker and all its functions. What a script requires comes from
 * Node's cache as usual.
 */
function loadScript(file: string, loaded: Map<string, unknown>): unknown {
  if (!loaded.has(file)) {
    const module = new Module(file);
    (module as unknown as { load(file: string): void }).load(file);
    loaded.set(file, module.exports);
  }
  return loaded.get(file);
}

/** The entry point as the worker finds it (LegacyFunctionLoader.getEntryPoint). */
function getEntryPoint(
  script: unknown,
  entryPoint: string | undefined,
): [FunctionCallback, unknown] {
  let f = script as Record<string, unknown> | FunctionCallback | null;
  let thisArg: unknown;
  if (f !== null && typeof f === 'object') {
    thisArg = f;
    if (entryPoint) f = f[entryPoint] as FunctionCallback;
    else if (Object.keys(f).length === 1) f = f[Object.keys(f)[0]] as FunctionCallback;
    else f = (f.run ?? f.index) as FunctionCallback;
  }
  if (!f)
    throw new Error(
      `${entryPoint ? `Unable to determine function entry point: ${entryPoint}. ` : 'Unable to determine function entry point. '}If multiple functions are exported, you must indicate the entry point, either by naming it 'run' or 'index', or by naming it explicitly via the 'entryPoint' metadata property.`,
    );
  if (typeof f !== 'function')
    throw new Error(
      'The resolved entry point is not a function and cannot be invoked by the functions runtime. Make sure the function has been correctly exported.',
    );
  return [f, thisArg];
}

export class NodeWorker {
  private readonly core: CoreModule;
  private readonly functions = new Map<string, LoadedFunction>();
  /** Scripts this worker has loaded, by path: one module per file, as `require` keeps them. */
  private readonly scripts = new Map<string, unknown>();

  constructor(private readonly log: WorkerLog) {
    this.core = setUpCoreModule((level, message) => log(level, undefined, message));
  }

  /** FunctionLoadRequest: loads the script and finds its entry point; throws when it cannot. */
  load(functionId: string, metadata: RpcFunctionMetadata): void {
    try {
      const [callback, thisArg] = getEntryPoint(
        loadScript(String(metadata.scriptFile), this.scripts),
        metadata.entryPoint ?? undefined,
      );
      this.functions.set(functionId, { metadata, callback, thisArg });
    } catch (error) {
      throw new Error(
        `Worker was unable to load function ${metadata.name}: '${(error as Error).message}'`,
        { cause: error },
      );
    }
  }

  /** InvocationRequest → InvocationResponse; a failed function rejects with its error. */
  async invoke(request: RpcInvocationRequest): Promise<RpcInvocationResponse> {
    const loaded = this.functions.get(String(request.functionId));
    if (loaded === undefined)
      throw new Error(
        `Function code for '${request.functionId}' is not loaded and cannot be invoked.`,
      );
    const { metadata } = loaded;
    const name = String(metadata.name);
    const core: CoreInvocationContext = {
      invocationId: String(request.invocationId),
      request,
      metadata,
      log: (level, _category, message) => this.log(level, name, message),
    };
    const model = await this.core.programmingModel().getInvocationModel(core);
    const hookData: Record<string, unknown> = {};
    const { context, inputs: initialInputs } = await model.getArguments();
    // `bind` sets `this` and clones the callback, so an invocation cannot change the next one's.
    let callback: FunctionCallback = loaded.callback.bind(loaded.thisArg);
    let inputs = initialInputs;
    const pre = {
      hookData,
      appHookData: {},
      invocationContext: context,
      functionCallback: callback,
      inputs,
    };
    await this.runHooks('preInvocation', pre, core, 'preInvocationHooks');
    inputs = pre.inputs;
    callback = pre.functionCallback;
    const post = {
      hookData,
      appHookData: {},
      invocationContext: context,
      inputs,
      result: null as unknown,
      error: null as unknown,
    };
    core.state = 'invocation';
    try {
      post.result = await model.invokeFunction(context, inputs, callback);
    } catch (error) {
      post.error = error;
    } finally {
      core.state = undefined;
    }
    await this.runHooks('postInvocation', post, core, 'postInvocationHooks');
    if (post.error !== null && post.error !== undefined) throw post.error;
    return model.getResponse(context, post.result);
  }

  private async runHooks(
    name: HookName,
    context: Record<string, unknown>,
    core: CoreInvocationContext,
    state: 'preInvocationHooks' | 'postInvocationHooks',
  ): Promise<void> {
    core.state = state;
    try {
      for (const hook of this.core.hooks.get(name) ?? []) await hook(context);
    } finally {
      core.state = undefined;
    }
  }
}
