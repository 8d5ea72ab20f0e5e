import type { ChatMessage, SignalRMessageAction } from './ChatMessage';
import { HubMethod } from './hub';
import { GENERAL_ROOM, roomGroup } from './rooms';

/**
 * The signalR output items for one chat message: a broadcast for `general`; a send to the
 * room's group for another room (its members, in every tab); for a private message one send to
 * the recipient and one to the sender, so the sender's other tabs show it too (one only when
 * someone writes to themselves).
 */
export function buildActions(message: ChatMessage): SignalRMessageAction[] {
  const args = [message];
  if (message.recipient === undefined) {
    const room = message.room ?? GENERAL_ROOM;
    return room === GENERAL_ROOM
      ? [{ target: HubMethod.NewMessage, arguments: args }]
      : [{ target: HubMethod.NewMessage, arguments: args, groupName: roomGroup(room) }];
  }
  const actions: SignalRMessageAction[] = [
    { target: HubMethod.NewMessage, arguments: args, userId: message.recipient },
  ];
  if (message.sender !== message.recipient) {
    actions.push({ target: HubMethod.NewMessage, arguments: args, userId: message.sender });
  }
  return actions;
}
