/**
 * The SignalR hub the chat uses and the client methods it calls: one place for the functions,
 * the page, the tests and the benchmark.
 */
export const HUB_NAME = 'chat';

/** Client methods, each called with one argument. */
export const HubMethod = {
  /** `newMessage(message: ChatMessage)`: a public or private chat message. */
  NewMessage: 'newMessage',
  /** `userOnline({name})`: a user's first connection arrived. */
  UserOnline: 'userOnline',
  /** `userOffline({name})`: a user's last connection is gone. */
  UserOffline: 'userOffline',
} as const;
