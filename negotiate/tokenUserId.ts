import { USER_ID_CLAIM, readClaims } from '../lib/signalr/tokens';

/**
 * The user id a client access token was issued for. The token comes from our own binding, so
 * its signature needs no check here; this reads the claim to confirm whom it names.
 */
export function tokenUserId(accessToken: string): string | undefined {
  const userId = readClaims(accessToken)?.[USER_ID_CLAIM];
  return typeof userId === 'string' ? userId : undefined;
}
