import type { Binding } from './Binding';

/**
 * `signalRTrigger`: the function receives the upstream call's invocation context
 * (local/host/signalRWebhook.ts), as the Functions extension passes it.
 */
export const signalRTrigger: Binding = {
  type: 'signalRTrigger',
  read: (_config, invocation) => Promise.resolve(invocation.trigger),
};
