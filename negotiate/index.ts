import type { AzureFunction, Context, HttpRequest } from '@azure/functions';
import { readPrincipalName } from '../lib/principal';
import { RequestError } from '../lib/RequestError';
import { JSON_HEADERS, answerRequestError } from '../lib/respond';
import { shadowedHeaders } from './shadowedHeaders';
import { tokenUserId } from './tokenUserId';

/** What the signalRConnectionInfo input binding hands the function. */
export interface SignalRConnectionInfo {
  readonly url: string;
  readonly accessToken: string;
}

/**
 * Returns the SignalR connection info for the signed-in principal. The binding has issued a
 * client token for `{headers.x-ms-client-principal-name}`; a request can shadow `headers` with
 * its body or query on Azure, so the token is handed out only when the request shadows nothing
 * and the token names exactly the principal of the real headers (docs/security.md).
 */
const negotiate: AzureFunction = async function (context: Context, req: HttpRequest) {
  try {
    const name = readPrincipalName(req);
    const shadow = shadowedHeaders(req);
    if (shadow !== undefined)
      throw new RequestError(
        400,
        'ShadowedHeaders',
        `The request's ${shadow} has a "headers" field, which would replace the real headers in the connection binding; send negotiate without it.`,
      );
    const info = context.bindings.connectionInfo as SignalRConnectionInfo;
    if (tokenUserId(info.accessToken) !== name)
      throw new RequestError(
        400,
        'WrongUser',
        'The request asked for a connection for another user; negotiate only for yourself.',
      );
    context.res = {
      status: 200,
      headers: JSON_HEADERS,
      body: { url: info.url, accessToken: info.accessToken },
    };
  } catch (error) {
    answerRequestError(context, error);
  }
};

export default negotiate;
