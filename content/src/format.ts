import type { ChatMessage } from './api';

/** Plain helpers for what the page shows. */
export function formatTime(timestamp: string): string {
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime())
    ? ''
    : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** "to bob" on what I sent privately, "from alice" on what was sent to me, "" when public. */
export function privateLabel(message: ChatMessage, me: string | null): string {
  if (!message.isPrivate) return '';
  return message.sender === me ? `to ${message.recipient ?? ''}` : `from ${message.sender}`;
}
