import { randomInt } from 'node:crypto';

/**
 * Message ids that sort in the order messages were accepted: 13 digits of milliseconds, 6 of a
 * per-instance sequence, 6 random (so two instances in the same millisecond differ). 25 digits,
 * compared as strings. docs/storage.md, "Message ids".
 */
export const MESSAGE_ID_PATTERN = /^\d{25}$/;
let lastMs = 0;
let sequence = 0;

export function newMessageId(now = Date.now()): string {
  if (now === lastMs) sequence = (sequence + 1) % 1_000_000;
  else {
    lastMs = now;
    sequence = 0;
  }
  return `${String(now).padStart(13, '0')}${String(sequence).padStart(6, '0')}${String(randomInt(1_000_000)).padStart(6, '0')}`;
}

/** The millisecond an id was accepted at. */
export function idTime(id: string): number {
  return Number(id.slice(0, 13));
}

/** The smallest id of a millisecond. */
export function firstIdAt(ms: number): string {
  return `${String(Math.max(0, ms)).padStart(13, '0')}${'0'.repeat(12)}`;
}

/**
 * The row key for an id: each digit d becomes 9 - d, so rows come newest first (Table Storage
 * returns a partition in ascending row-key order, and "the latest 50" is the common query).
 */
export function invertId(id: string): string {
  let inverted = '';
  for (const digit of id) inverted += String(9 - Number(digit));
  return inverted;
}

/** Sorts messages (or rows) by id, newest first. */
export function newestFirst(a: { readonly id: string }, b: { readonly id: string }): number {
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
