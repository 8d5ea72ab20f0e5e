import type { ChatMessage } from './api';

/** Most messages the page keeps; the oldest go first. */
export const MAX_MESSAGES = 500;

/**
 * Merges messages into the list: each id once, in the order they were accepted (ids sort so),
 * whatever order they arrived in (live, history pages, catch-up after a reconnect).
 */
export function mergeMessages(
  list: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): ChatMessage[] {
  const byId = new Map(list.map((message) => [message.id, message]));
  for (const message of incoming) if (!byId.has(message.id)) byId.set(message.id, message);
  const merged = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return merged.length > MAX_MESSAGES ? merged.slice(merged.length - MAX_MESSAGES) : merged;
}
