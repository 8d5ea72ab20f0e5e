import type { Binding } from './Binding';

/** `httpTrigger`: the function receives the shaped request (local/host/HttpRequest.ts). */
export const httpTrigger: Binding = {
  type: 'httpTrigger',
  read: (_config, invocation) => Promise.resolve(invocation.request),
};
