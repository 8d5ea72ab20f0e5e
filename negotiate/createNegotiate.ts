import type { Context, HttpRequest } from '@azure/functions';
import { HttpError, isUnavailable } from '../lib/HttpError';
import { readPrincipalName, signedInUser } from '../lib/principal';
import { answerError, json } from '../lib/respond';
import type { ChatServices } from '../lib/services';
import { tokenUserId, type SignalRConnectionInfo } from '../lib/signalr/tokens';
import { shadowedHeaders } from '../lib/shadowedHeaders';

/**
 * Returns the SignalR connection info for the signed-in principal. The binding has issued a
 * client token for `{headers.x-ms-client-principal-name}`; a request can shadow `headers` with
 * its body or query on Azure, so the token is handed out only when the request shadows nothing
 * and the token names exactly the principal of the real headers (docs/security.md), and only to
 * a name that holds its look (a look-alike of another user never connects).
 */
export function createNegotiate({ names }: Pick<ChatServices, 'names'>) {
  return async function negotiate(context: Context, req: HttpRequest): Promise<void> {
    try {
      const name = await signedInUser(req, names).catch((error: unknown) => {
        // Storage down: the connection is handed out anyway, as before the names were kept. A
        // look-alike connected then can neither send nor be listed online: both check its name
        // with storage, which they need anyway (docs/security.md, "Names").
        if (!isUnavailable(error, 'names')) throw error;
        return readPrincipalName(req);
      });
      const shadow = shadowedHeaders(req);
      if (shadow !== undefined)
        throw new HttpError(
          400,
          'ShadowedHeaders',
          `The request's ${shadow} has a "headers" field, which would replace the real headers in the connection binding; send negotiate without it.`,
        );
      const info = context.bindings.connectionInfo as SignalRConnectionInfo;
      if (tokenUserId(info.accessToken) !== name)
        throw new HttpError(
          400,
          'WrongUser',
          'The request asked for a connection for another user; negotiate only for yourself.',
        );
      context.res = json(200, { url: info.url, accessToken: info.accessToken });
    } catch (error) {
      answerError(context, error);
    }
  };
}
