/**
 * What a signalRTrigger function receives: the extension's `InvocationContext`, with its own
 * property names (TriggerBindings/Context/InvocationContext.cs). `Query` and `Claims` are null
 * when the service sent none; `Arguments` only for category messages, `Error` only for
 * disconnected.
 */
export interface InvocationContext {
  readonly Arguments: readonly unknown[] | null;
  readonly Error: string | null;
  readonly Category: string;
  readonly Event: string;
  readonly Hub: string;
  readonly ConnectionId: string;
  readonly UserId: string | null;
  readonly Headers: Readonly<Record<string, string>>;
  readonly Query: Readonly<Record<string, string>> | null;
  readonly Claims: Readonly<Record<string, string>> | null;
}
