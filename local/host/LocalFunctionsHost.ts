/**
 * What the offline stack needs of a functions host: the built-in one (FunctionHost) or real
 * Core Tools (CoreToolsHost) on an internal port, behind the same front door.
 */
export interface LocalFunctionsHost {
  /**
   * The key the SignalR webhook needs (`code=`), when this host checks one; the stack puts it
   * in the emulator's upstream URL, as provision.sh does on Azure.
   */
  readonly signalRExtensionKey?: string;
  /** Starts serving; resolves with the port. */
  listen(): Promise<number>;
  /** Stops; safe to call twice. */
  close(): Promise<void>;
}
