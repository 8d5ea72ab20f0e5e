import type { ChatMessage, SignalRMessageAction } from './ChatMessage';
import { HubMethod } from './hub';

/**
 * The signalR output items for one chat message: a broadcast for everyone; for a private
 * message one send to the recipient and one to the sender, so the sender's other tabs show it
 * too (one only when someone writes to themselves).
 */
export function buildActions(message: ChatMessage): SignalRMessageAction[] {
  const args = [message];
  if (message.recipient === undefined) {
    return [{ target: HubMethod.NewMessage, arguments: args }];
  }
  const actions: SignalRMessageAction[] = [
    { target: HubMethod.NewMessage, arguments: args, userId: message.recipient },
  ];
  if (message.sender !== message.recipient) {
    actions.push({ target: HubMethod.NewMessage, arguments: args, userId: message.sender });
  }
  return actions;
}
