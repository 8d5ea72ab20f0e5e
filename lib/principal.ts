import type { HttpRequest } from '@azure/functions';
import { HttpError } from './HttpError';
import { userNameProblem } from './userName';

/** The header App Service Authentication sets to the signed-in user's name. */
export const PRINCIPAL_NAME_HEADER = 'x-ms-client-principal-name';

/**
 * The signed-in user's name, from the request's real headers. Identity comes only from App
 * Service Authentication, which strips client-sent principal headers; a name in a body or query
 * is never read. A name the chat cannot carry safely (docs/security.md, "Names") is refused.
 */
export function readPrincipalName(req: HttpRequest): string {
  const name = req.headers[PRINCIPAL_NAME_HEADER];
  if (typeof name !== 'string' || name.length === 0)
    throw new HttpError(
      401,
      'NotSignedIn',
      'Sign in first: this request carries no signed-in user.',
    );
  const problem = userNameProblem(name);
  if (problem !== undefined)
    throw new HttpError(
      403,
      'UnusableName',
      `Your user name cannot be used in this chat. ${problem}`,
    );
  return name;
}
