import { randomUUID } from 'node:crypto';
import type { AzureFunction, Context, HttpRequest } from '@azure/functions';
import { buildActions } from './buildActions';
import type { ChatMessage, SignalRMessageAction } from './ChatMessage';
import { PRINCIPAL_NAME_HEADER } from './limits';
import { parseSendRequest } from './parseSendRequest';
import { RequestError } from './RequestError';

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };

function readSender(req: HttpRequest): string {
  // Identity comes only from the front door (App Service Authentication strips client-sent
  // principal headers); a `sender` in the body is never read.
  const sender = req.headers[PRINCIPAL_NAME_HEADER];
  if (typeof sender !== 'string' || sender.length === 0) {
    throw new RequestError(
      401,
      'NotSignedIn',
      'Sign in first: this request carries no signed-in user.',
    );
  }
  return sender;
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
    const sender = readSender(req);
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
    if (!(error instanceof RequestError)) throw error;
    context.res = { status: error.status, headers: JSON_HEADERS, body: { error: error.message } };
    return undefined;
  }
};

export default sendMessage;
