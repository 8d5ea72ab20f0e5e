import type { Binding } from './Binding';
import { http } from './http';
import { httpTrigger } from './httpTrigger';
import { createSignalRBinding } from './signalR/output';
import { signalRConnectionInfo } from './signalR/connectionInfo';
import { signalRTrigger } from './signalR/trigger';

/** The binding types the local host runs, by type; a fresh set per host (they hold sockets). */
export function createBindings(): ReadonlyMap<string, Binding> {
  const bindings = [
    httpTrigger,
    http,
    signalRConnectionInfo,
    signalRTrigger,
    createSignalRBinding(),
  ];
  return new Map(bindings.map((binding) => [binding.type, binding]));
}
