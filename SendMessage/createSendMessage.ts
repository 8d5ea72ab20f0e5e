import type { Context, HttpRequest } from '@azure/functions';
import type { ChatMessage, SignalRMessageAction } from '../lib/ChatMessage';
import { newMessageId } from '../lib/messageIds';
import { readPrincipalName } from '../lib/principal';
import { answerError, json } from '../lib/respond';
import type { ChatServices } from '../lib/services';
import { buildActions } from '../lib/messageActions';
import { checkContentType, parseSendRequest } from '../lib/sendRequest';

/**
 * POST /api/messages: validates the body, stores the message (the sender's send limit first),
 * answers 202 with it, and returns the signalR output items ($return). A refused request returns
 * nothing, so nothing is sent.
 */
export function createSendMessage({ history }: Pick<ChatServices, 'history'>) {
  return async function sendMessage(
    context: Context,
    req: HttpRequest,
  ): Promise<SignalRMessageAction[] | undefined> {
    try {
      const sender = readPrincipalName(req);
      checkContentType(req.headers['content-type']);
      const { text, recipient, clientId } = parseSendRequest(req.rawBody as string | undefined);
      const accepted: ChatMessage = {
        id: newMessageId(),
        sender,
        text,
        timestamp: new Date().toISOString(),
        isPrivate: recipient !== undefined,
        ...(recipient !== undefined && { recipient }),
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
