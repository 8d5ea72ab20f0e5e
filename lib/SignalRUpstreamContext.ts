/** What a signalRTrigger function receives: the extension's InvocationContext (its names). */
export interface SignalRUpstreamContext {
  readonly ConnectionId: string;
  readonly UserId?: string;
  readonly Hub: string;
  readonly Category: string;
  readonly Event: string;
  readonly Error?: string;
}
