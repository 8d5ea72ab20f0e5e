import type { Stack } from '../../local/stack';
import type { AzuriteProcess } from '../../local/storage/AzuriteProcess';

/**
 * The faults the tests put a stack through, built from its parts: storage stopped, frozen
 * (SIGSTOP: storage that hangs) or started again on the same port with the same data; the
 * SignalR Service stopped and started again; every SignalR socket dropped as a cut network
 * drops it. Only a stack that started its own Azurite can have its storage stopped.
 */
export function faults(stack: Stack) {
  const azurite = (what: string): AzuriteProcess => {
    if (stack.azurite === undefined)
      throw new Error(
        `Cannot ${what} storage: this stack uses storage it did not start (AzureWebJobsStorage is not UseDevelopmentStorage=true).`,
      );
    return stack.azurite;
  };
  return {
    stopStorage: async () => azurite('stop').close(),
    startStorage: async () => {
      await azurite('start').start();
    },
    pauseStorage: () => azurite('pause').pause(),
    resumeStorage: () => azurite('resume').resume(),
    stopSignalR: () => stack.signalR.stop(),
    startSignalR: () => stack.signalR.start(),
    dropSignalRSockets: () => stack.signalR.emulator?.dropSockets(),
  };
}
