import type { HttpRequest } from '@azure/functions';
import { HttpError } from './HttpError';
import type { NameRegistry } from './storage/NameRegistry';
import { codePoint, userNameProblem } from './userName';

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

/**
 * The signed-in user's name (readPrincipalName), once it holds its look: a name that looks the
 * same as another user's (lib/skeleton.ts) gets 403 `LookAlikeName` on every call, so it can
 * neither connect, nor appear online, nor send, nor read (docs/security.md, "Names").
 */
export async function signedInUser(req: HttpRequest, names: NameRegistry): Promise<string> {
  const name = readPrincipalName(req);
  const holder = await names.claim('user', name);
  if (holder !== undefined)
    throw new HttpError(
      403,
      'LookAlikeName',
      `Your name ${JSON.stringify(name)} looks the same as ${JSON.stringify(holder)} (${[...holder].map(codePoint).join(' ')}), who uses this chat already; sign in with a name that looks different.`,
    );
  return name;
}
