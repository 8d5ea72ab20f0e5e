import type { AzureFunction, Context, HttpRequest } from '@azure/functions';
import { listMessages } from '../lib/historyStore';
import { readPrincipalName } from '../lib/principal';
import { JSON_HEADERS, answerRequestError } from '../lib/respond';
import { parseHistoryQuery } from './parseHistoryQuery';

/**
 * GET /api/messages: `{"messages": [...]}` oldest first, each as delivered live: the room's
 * public messages and the caller's own private conversations, never anyone else's (the table
 * keys make them unreachable: docs/storage.md, "History").
 */
const getMessages: AzureFunction = async function (context: Context, req: HttpRequest) {
  try {
    const user = readPrincipalName(req);
    const messages = await listMessages(user, parseHistoryQuery(req.query));
    context.res = { status: 200, headers: JSON_HEADERS, body: { messages } };
  } catch (error) {
    answerRequestError(context, error);
  }
};

export default getMessages;
