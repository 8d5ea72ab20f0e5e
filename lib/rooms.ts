import { HttpError } from './HttpError';
import { lookKeys } from './skeleton';
import { userNameProblem } from './userName';

/**
 * Rooms: public channels (docs/storage.md, "Rooms"). `general` is the room everyone is in; any
 * other room is a SignalR group whose members are users (the service keeps user-group
 * membership for every connection of the user, now and later), stored in Table Storage so it
 * outlives the service's own memory.
 */
import { GENERAL_ROOM } from './hub';
export { GENERAL_ROOM };
/** The most rooms one user may be in besides `general` (our choice: a room list fits a screen). */
export const MAX_ROOMS_PER_USER = 20;

/**
 * A room name as the request gave it, NFC, checked with the user-name rules (a name is a path
 * segment, a group name and a table key, as a user name is); 400 `InvalidRoom` otherwise.
 */
export function parseRoom(value: unknown, where: string): string {
  if (typeof value !== 'string')
    throw new HttpError(400, 'InvalidRoom', `${where} must be a room name (a string).`);
  const room = value.normalize('NFC');
  const problem = userNameProblem(room);
  if (problem !== undefined)
    throw new HttpError(400, 'InvalidRoom', `${where} is not a room name: ${roomWords(problem)}`);
  // `general` holds its look without storage: no room may be `General` or `gеneral`.
  if (room !== GENERAL_ROOM && lookKeys(room).some((key) => GENERAL_LOOKS.has(key)))
    throw lookAlikeRoom(room, GENERAL_ROOM);
  return room;
}

const GENERAL_LOOKS = new Set(lookKeys(GENERAL_ROOM));

/**
 * 409 `LookAlikeRoom`: a new room whose name looks the same as an existing room's
 * (lib/skeleton.ts): one look is one room (docs/security.md, "Names").
 */
export function lookAlikeRoom(room: string, existing: string): HttpError {
  return new HttpError(
    409,
    'LookAlikeRoom',
    `The room name ${JSON.stringify(room)} looks the same as the room ${JSON.stringify(existing)}; join ${JSON.stringify(existing)} or choose a name that looks different.`,
  );
}

/** The user-name rules' sentence, about a room. */
function roomWords(problem: string): string {
  return problem
    .replace(/\bThe name\b/g, 'The room name')
    .replace(/\bthe name\b/g, 'the room name');
}

/** The SignalR group of a room (never `general`: everyone gets its messages as a broadcast). */
export function roomGroup(room: string): string {
  return `room:${room}`;
}

/** 409 `TooManyRooms`: the bound on rooms per user. */
export function tooManyRooms(): HttpError {
  return new HttpError(
    409,
    'TooManyRooms',
    `You are in ${MAX_ROOMS_PER_USER} rooms, the most one person can be in; leave one first.`,
  );
}

/** 403 `NotAMember`: writing to, or reading, a room one has not joined. */
export function notAMember(room: string): HttpError {
  return new HttpError(
    403,
    'NotAMember',
    `You are not in the room ${JSON.stringify(room)}; join it first (POST /api/rooms/{room}/join).`,
  );
}
