import type { ChatMessage } from '../../lib/ChatMessage';

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
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Consecutive messages from one sender, within this long, are shown as one group. */
const GROUP_WITHIN_MS = 5 * 60 * 1000;

/** A message as the list shows it: a day separator before it, or grouped with the one before. */
export interface MessageRow {
  readonly message: ChatMessage;
  /** The day it starts, when it is the first of its day. */
  readonly newDay: boolean;
  /** Same sender, conversation and day as the one before, within 5 minutes: no header. */
  readonly grouped: boolean;
}

export function messageRows(
  messages: readonly ChatMessage[],
  dayOf: (timestamp: string) => string,
): MessageRow[] {
  return messages.map((message, i) => {
    const before = messages[i - 1];
    const newDay = before === undefined || dayOf(before.timestamp) !== dayOf(message.timestamp);
    const grouped =
      before !== undefined &&
      !newDay &&
      before.sender === message.sender &&
      before.isPrivate === message.isPrivate &&
      before.recipient === message.recipient &&
      Date.parse(message.timestamp) - Date.parse(before.timestamp) < GROUP_WITHIN_MS;
    return { message, newDay, grouped };
  });
}
