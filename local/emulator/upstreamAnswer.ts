import { MessageType, formatRecord } from '../signalr/hubProtocol';
import type { UpstreamAnswer } from './Upstream';

/** The most of an upstream's answer passed to a client (HttpServerlessMessageHandler.cs). */
const MAX_UPSTREAM_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * What the client waiting on an invocation gets, as the official emulator writes it
 * (HttpServerlessMessageHandler.WriteMessageAsync): a 200 with a body is the completion message
 * the Functions extension wrote, passed on byte for byte; a 200 without one, or a 204, an empty
 * completion; anything else (no answer counts as 500) a completion with an error.
 */
export function completionFrame(
  invocationId: string,
  answer: UpstreamAnswer | Error,
): string | Buffer {
  const failed = (error: string) =>
    formatRecord({ type: MessageType.Completion, invocationId, error });
  if (answer instanceof Error) return failed('Invocation failed, status code 500');
  if (answer.status === 200 && answer.body.length > MAX_UPSTREAM_RESPONSE_BYTES)
    return failed('Invocation failed, response too large.');
  if (answer.status === 200 && answer.body.length > 0) return answer.body;
  if (answer.status === 200 || answer.status === 204)
    return formatRecord({ type: MessageType.Completion, invocationId });
  return failed(`Invocation failed, status code ${answer.status}`);
}

/** The connection string with Port set to where the emulator listens. */
export function withPort(connectionString: string, port: number): string {
  const parts = connectionString
    .split(';')
    .filter((part) => part.trim().length > 0 && !/^\s*port\s*=/i.test(part));
  return `${parts.join(';')};Port=${port};`;
}
