// The page's calls: sign-in against App Service Authentication, and the chat's API.
import { HISTORY_PAGE_SIZE, type ChatMessage } from '../../lib/ChatMessage';
import type { ChatConfig } from './config';
import { orderRooms, type RoomListing } from './roomList';

/** A chat message as the API answers it and the hub delivers it. */
export type { ChatMessage };

/** The signed-in user's name, or null when signed out (/.auth/me answers 401). */
export async function fetchSignedInUser(config: ChatConfig): Promise<string | null> {
  const response = await fetch(`${config.apiBaseUrl}/.auth/me`, { credentials: 'include' });
  if (response.status === 401) return null;
  if (!response.ok)
    throw new Error(`Could not check who is signed in (the server answered ${response.status}).`);
  const identities = (await response.json()) as { user_id?: string }[];
  return identities[0]?.user_id ?? null;
}

function pageUrl(): string {
  return location.href.split('#')[0];
}

export function signInUrl(config: ChatConfig): string {
  return `${config.apiBaseUrl}/.auth/login/${encodeURIComponent(config.authProvider)}?post_login_redirect_uri=${encodeURIComponent(pageUrl())}`;
}

export function signOutUrl(config: ChatConfig): string {
  return `${config.apiBaseUrl}/.auth/logout?post_logout_redirect_uri=${encodeURIComponent(pageUrl())}`;
}

/** A send the server refused or could not complete; `message` is shown to the user. */
export class SendError extends Error {}

/** The session has ended (the API answered 401): the page asks the user to sign in again. */
export class SignedOutError extends Error {
  constructor() {
    super('Your sign-in has ended. Sign in again.');
  }
}

export type { RoomListing } from './roomList';

/** The error sentence of a refusal, or a fallback naming the status. */
async function reasonOf(response: Response, fallback: string): Promise<string> {
  try {
    return ((await response.json()) as { error?: string }).error || fallback;
  } catch {
    return fallback;
  }
}

/** Pages of the room list the page reads at most (100 rooms a page). */
const MAX_ROOM_PAGES = 10;

/**
 * GET /api/rooms, page after page: every room with a member (the first 1,000), `general` first,
 * then by name, and whether the user is in it.
 */
export async function fetchRooms(config: ChatConfig): Promise<RoomListing[]> {
  const rooms: RoomListing[] = [];
  let next: string | undefined;
  for (let page = 0; page < MAX_ROOM_PAGES; page++) {
    const query = next === undefined ? '' : `?after=${encodeURIComponent(next)}`;
    const response = await fetch(`${config.apiBaseUrl}/api/rooms${query}`, {
      credentials: 'include',
    });
    if (response.status === 401) throw new SignedOutError();
    if (response.status === 503 || response.status === 429)
      throw new RetryLaterError(
        `Rooms could not be loaded (${response.status}).`,
        Number(response.headers.get('Retry-After') ?? 5) || 5,
      );
    if (!response.ok) throw new Error(`Rooms could not be loaded (${response.status}).`);
    const body = (await response.json()) as { rooms: RoomListing[]; next?: string };
    rooms.push(...body.rooms);
    next = body.next;
    if (next === undefined) break;
  }
  return orderRooms(rooms);
}

/** POST /api/rooms/{room}/join or /leave; a refusal's sentence becomes the error. */
export async function changeRoom(
  config: ChatConfig,
  room: string,
  action: 'join' | 'leave',
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${config.apiBaseUrl}/api/rooms/${encodeURIComponent(room)}/${action}`, {
      method: 'POST',
      credentials: 'include',
    });
  } catch {
    throw new Error('Could not reach the server; try again.');
  }
  if (response.status === 401) throw new SignedOutError();
  if (!response.ok)
    throw new Error(await reasonOf(response, `The server answered ${response.status}.`));
}

/** A refusal that may pass: the server's Retry-After, in seconds. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * GET /api/users: who is online, by name. `connectionId` is this page's own live connection:
 * the server records it if presence missed it (its connect arrived while storage was down).
 * A 503 or 429 says when to ask again.
 */
export async function fetchOnlineUsers(
  config: ChatConfig,
  connectionId: string | null,
): Promise<string[]> {
  const query = connectionId === null ? '' : `?connectionId=${encodeURIComponent(connectionId)}`;
  const response = await fetch(`${config.apiBaseUrl}/api/users${query}`, {
    credentials: 'include',
  });
  if (response.status === 503 || response.status === 429)
    throw new RetryLaterError(
      `Who is online could not be loaded (${response.status}).`,
      Number(response.headers.get('Retry-After') ?? 5) || 5,
    );
  if (!response.ok) throw new Error(`Who is online could not be loaded (${response.status}).`);
  return ((await response.json()) as { users: { name: string }[] }).users.map((user) => user.name);
}

/** A history page: the latest, those before an id, or everything after one. */
export type HistoryQuery = { readonly before: string } | { readonly after: string } | object;

/**
 * GET /api/messages: a room's history, oldest first (for `general`, with the user's own private
 * conversations).
 */
export async function fetchHistory(
  config: ChatConfig,
  room: string,
  query: HistoryQuery,
  limit = HISTORY_PAGE_SIZE,
): Promise<ChatMessage[]> {
  const params = new URLSearchParams({ limit: String(limit), room, ...query });
  const response = await fetch(`${config.apiBaseUrl}/api/messages?${params.toString()}`, {
    credentials: 'include',
  });
  if (response.status === 401) throw new SignedOutError();
  if (!response.ok)
    throw new Error(await reasonOf(response, `History could not be loaded (${response.status}).`));
  return ((await response.json()) as { messages: ChatMessage[] }).messages;
}

/**
 * POST /api/messages. `clientId` names this message: a retry with the same id cannot make a
 * second one (the server answers with the message it stored).
 */
export async function postMessage(
  config: ChatConfig,
  text: string,
  recipient: string | null,
  clientId: string,
  room: string,
): Promise<ChatMessage> {
  let response: Response;
  try {
    response = await fetch(`${config.apiBaseUrl}/api/messages`, {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(
        recipient === null ? { text, room, clientId } : { text, recipient, clientId },
      ),
    });
  } catch {
    throw new SendError('Could not reach the server. Your message is kept; try again.');
  }
  if (response.status === 202) return (await response.json()) as ChatMessage;
  let reason = '';
  try {
    reason = ((await response.json()) as { error?: string }).error ?? '';
  } catch {
    // A 5xx from the host has an empty body.
  }
  if (response.status === 401)
    throw new SendError('Your sign-in has expired. Sign in again; your message is kept.');
  throw new SendError(
    reason ||
      `The server could not deliver the message (${response.status}). Your message is kept; try again.`,
  );
}
