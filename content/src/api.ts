// The page's calls: sign-in against App Service Authentication, and the chat's API.
import { HISTORY_PAGE_SIZE, type ChatMessage } from '../../lib/ChatMessage';
import type { ChatConfig } from './config';
import { orderRooms, type RoomListing } from './roomList';
import { request } from './request';

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

export {
  ApiError,
  RefusedError,
  RetryLaterError,
  SignedOutError,
  UnreachableError,
} from './request';

export type { RoomListing } from './roomList';

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
    const body = await request<{ rooms: RoomListing[]; next?: string }>(
      config,
      `/api/rooms${query}`,
      'Rooms could not be loaded',
    );
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
  await request<unknown>(
    config,
    `/api/rooms/${encodeURIComponent(room)}/${action}`,
    action === 'join' ? 'The room could not be joined' : 'The room could not be left',
    { method: 'POST' },
  );
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
  const body = await request<{ users: { name: string }[] }>(
    config,
    `/api/users${query}`,
    'Who is online could not be loaded',
  );
  return body.users.map((user) => user.name);
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
  const body = await request<{ messages: ChatMessage[] }>(
    config,
    `/api/messages?${params.toString()}`,
    'History could not be loaded',
  );
  return body.messages;
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
  return request<ChatMessage>(config, '/api/messages', 'The message could not be sent', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(
      recipient === null ? { text, room, clientId } : { text, recipient, clientId },
    ),
  });
}
