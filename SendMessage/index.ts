import type { AzureFunction, Context, HttpRequest } from '@azure/functions';
import { saveMessage } from '../lib/historyStore';
import { newMessageId } from '../lib/messageIds';
import { readPrincipalName } from '../lib/principal';
import { JSON_HEADERS, answerRequestError } from '../lib/respond';
import { buildActions } from './buildActions';
import type { ChatMessage, SignalRMessageAction } from '../lib/ChatMessage';
import { checkContentType, parseSendRequest } from './parseSendRequest';

/** `CHAT_HISTORY=off` runs without storing messages (no storage account; the benchmark's baseline). */
function historyEnabled(): boolean {
  return process.env.CHAT_HISTORY?.toLowerCase() !== 'off';
}

/**
 * POST /api/messages: validates the body, answers 202 with the accepted message, and returns the
 * signalR output items ($return). A rejected request returns nothing, so nothing is sent.
 */
const sendMessage: AzureFunction = async function (
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
    const { message } = historyEnabled()
      ? await saveMessage(accepted, clientId)
      : { message: accepted };
    context.res = { status: 202, headers: JSON_HEADERS, body: message };
    return buildActions(message);
  } catch (error) {
    answerRequestError(context, error);
    return undefined;
  }
};

export default sendMessage;
