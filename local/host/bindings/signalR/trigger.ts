import {
  SIGNALR_EXTENSION_KEY_NAME,
  SIGNALR_WEBHOOK_PATH,
  type InvocationContext,
} from '../../../signalr/upstream';
import { BindingData } from '../../bindingExpressions';
import type { FunctionDefinition } from '../../functionJson';
import { toTypedData } from '../../rpc/typedData';
import type { TriggerBinding } from '../Binding';
import { handleSignalRWebhook } from './webhook';

/**
 * `signalRTrigger`: its route is the SignalR extension's webhook (local/host/bindings/signalR/
 * webhook.ts). A script function receives the extension's `InvocationContext` as JSON with its
 * own property names and nulls (`JObject.FromObject(InvocationContext)` in
 * SignalRTriggerBinding.SignalRTriggerValueProvider). Its binding data is the invocation's
 * arguments by the names in `parameterNames`, and nothing else: a count that does not match
 * fails the invocation (SignalRTriggerBinding.BindAsync, SignalRTriggerParametersNotMatchException).
 */
const TYPE = 'signalRTrigger';

function parameterBindingData(fn: FunctionDefinition, context: InvocationContext): BindingData {
  const data = new BindingData();
  const names = fn.trigger.parameterNames;
  if (!Array.isArray(names) || names.length === 0) return data;
  const args = context.Arguments ?? [];
  if (args.length !== names.length)
    throw new Error(
      `The function expects ${names.length} arguments (parameterNames) but the invocation has ${args.length}.`,
    );
  names.forEach((name, i) => data.set(String(name), args[i]));
  return data;
}

export const signalRTrigger: TriggerBinding = {
  type: TYPE,
  serve: async (req, res, url, host) => {
    const path = url.pathname.toLowerCase();
    if (path !== SIGNALR_WEBHOOK_PATH && !path.startsWith(`${SIGNALR_WEBHOOK_PATH}/`)) return false;
    await handleSignalRWebhook(req, res, url, {
      functions: host.functionsOf(TYPE),
      settings: host.settings,
      systemKey: host.systemKey(SIGNALR_EXTENSION_KEY_NAME),
      run: async (fn, context) =>
        (
          await host.run(fn, {
            value: toTypedData(context),
            bindingData: parameterBindingData(fn, context),
          })
        ).returnValue,
    });
    return true;
  },
};
