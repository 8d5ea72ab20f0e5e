/**
 * The SignalR hub the chat uses and the client methods it calls: one place for the functions,
 * the page, the tests and the benchmark.
 */
export const HUB_NAME = 'chat';

/** The room everyone is in (lib/rooms.ts has the rest of rooms' rules). */
export const GENERAL_ROOM = 'general';

/** Client methods, each called with one argument. */
export const HubMethod = {
  /** `newMessage(message: ChatMessage)`: a public or private chat message. */
  NewMessage: 'newMessage',
  /** `userOnline({name})`: a user's first connection arrived. */
  UserOnline: 'userOnline',
  /** `userOffline({name})`: a user's last connection is gone. */
  UserOffline: 'userOffline',
  /** `userTyping({name, room})`: someone in the room is typing (the page hides it after a while). */
  UserTyping: 'userTyping',
  /** `roomsChanged({rooms})`: the rooms this user is in changed (in another tab, say). */
  RoomsChanged: 'roomsChanged',
  /** `roomListChanged({room, members})`: a room appeared (its first member) or went (its last). */
  RoomListChanged: 'roomListChanged',
} as const;

/** Hub methods the page calls (category `messages` upstream; signalRTrigger functions). */
export const ServerMethod = {
  /** `typing(room)`: the caller is typing in a room; no answer (the page uses send). */
  Typing: 'typing',
} as const;
