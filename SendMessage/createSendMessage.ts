import type { Context, HttpRequest } from '@azure/functions';
import type { ChatMessage, SignalRMessageAction } from '../lib/ChatMessage';
import { newMessageId } from '../lib/messageIds';
import { signedInUser } from '../lib/principal';
import { answerError, json } from '../lib/respond';
import type { ChatServices } from '../lib/services';
import { buildActions } from '../lib/messageActions';
import { checkContentType, parseSendRequest } from '../lib/sendRequest';
import { GENERAL_ROOM, notAMember } from '../lib/rooms';

/**
 * POST /api/messages: validates the body (a room other than `general` only from one of its
 * members: 403 `NotAMember`), stores the message (the sender's send limit first),
 * answers 202 with it, and returns the signalR output items ($return). A refused request returns
 * nothing, so nothing is sent.
 */
export function createSendMessage({
  history,
  rooms,
  names,
}: Pick<ChatServices, 'history' | 'rooms' | 'names'>) {
  return async function sendMessage(
    context: Context,
    req: HttpRequest,
  ): Promise<SignalRMessageAction[] | undefined> {
    try {
      const sender = await signedInUser(req, names);
      checkContentType(req.headers['content-type']);
      const { text, recipient, room, clientId } = parseSendRequest(
        req.rawBody as string | undefined,
      );
      if (room !== GENERAL_ROOM && !(await rooms.isMember(sender, room))) throw notAMember(room);
      const accepted: ChatMessage = {
        id: newMessageId(),
        sender,
        text,
        timestamp: new Date().toISOString(),
        isPrivate: recipient !== undefined,
        ...(recipient !== undefined ? { recipient } : { room }),
      };
      // Stored before it is answered or sent: a 202 means the message is in history. A retry
      // (same clientId) gets the stored message and sends it again; pages drop a repeated id.
      const { message } = await history.save(accepted, clientId);
      context.res = json(202, message);
      return buildActions(message);
    } catch (error) {
      answerError(context, error);
      return undefined;
    }
  };
}
