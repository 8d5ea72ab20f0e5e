/** The SignalR user id claim the Functions extension writes into client tokens. */
const USER_ID_CLAIM = 'asrs.s.uid';

/**
 * The user id a client access token was issued for. The token comes from our own binding, so
 * its signature needs no check here; this reads the claim to confirm whom it names.
 */
export function tokenUserId(accessToken: string): string | undefined {
  const payload = accessToken.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const userId = claims[USER_ID_CLAIM];
    return typeof userId === 'string' ? userId : undefined;
  } catch {
    return undefined;
  }
}
