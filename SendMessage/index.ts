import { randomUUID } from 'node:crypto';
import type { AzureFunction, Context, HttpRequest } from '@azure/functions';
import { readPrincipalName } from '../lib/principal';
import { JSON_HEADERS, answerRequestError } from '../lib/respond';
import { buildActions } from './buildActions';
import type { ChatMessage, SignalRMessageAction } from './ChatMessage';
import { checkContentType, parseSendRequest } from './parseSendRequest';

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
    const { text, recipient } = parseSendRequest(req.rawBody as string | undefined);
    const message: ChatMessage = {
      id: randomUUID(),
      sender,
      text,
      timestamp: new Date().toISOString(),
      isPrivate: recipient !== undefined,
      ...(recipient !== undefined && { recipient }),
    };
    context.res = { status: 202, headers: JSON_HEADERS, body: message };
    return buildActions(message);
  } catch (error) {
    answerRequestError(context, error);
    return undefined;
  }
};

export default sendMessage;
