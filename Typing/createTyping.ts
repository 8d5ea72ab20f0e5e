import type { Context } from '@azure/functions';
import type { SignalRMessageAction } from '../lib/ChatMessage';
import { HubMethod } from '../lib/hub';
import { GENERAL_ROOM, parseRoom, roomGroup } from '../lib/rooms';
import type { ChatServices } from '../lib/services';
import type { InvocationContext } from '../lib/signalr/InvocationContext';
import { BucketMap } from '../lib/TokenBucket';

/** One `userTyping` per user and room every 2 s at most, per instance (the page sends every 3 s). */
export const TYPING_RATE = { capacity: 1, perSecond: 0.5 };

/**
 * The hub method `typing(room)` (category messages, through the upstream): tells the room
 * `userTyping {name, room}`. Only a member's typing is told, at most once per 2 s per user and
 * room; anything else (a bad room, a non-member, too often) is dropped without an answer, as a
 * `send` expects none. The page ignores its own name.
 */
export function createTyping(
  { rooms }: Pick<ChatServices, 'rooms'>,
  told = new BucketMap(TYPING_RATE),
) {
  return async function typing(
    _context: Context,
    invocation: InvocationContext,
  ): Promise<SignalRMessageAction[] | undefined> {
    const user = invocation.UserId;
    if (!user) return undefined;
    let room: string;
    try {
      room = parseRoom(invocation.Arguments?.[0], 'The room');
    } catch {
      return undefined;
    }
    const key = `${user}\n${room}`;
    // The token is taken before the membership read: calls that arrive together (one user's
    // twelve tabs) would all pass a check made before it and each be told.
    if (!told.tryTake(key, 1)) return undefined;
    if (room !== GENERAL_ROOM && !(await rooms.isMember(user, room))) return undefined;
    const event = { name: user, room };
    return [
      room === GENERAL_ROOM
        ? { target: HubMethod.UserTyping, arguments: [event] }
        : { target: HubMethod.UserTyping, arguments: [event], groupName: roomGroup(room) },
    ];
  };
}
