import { headerBytes } from '../http/headerText';
import type { Session } from './SessionSeal';

/** Identity headers only the front door may set; any a client sends is removed. */
export const IDENTITY_HEADER = /^x-ms-(client-principal|token-)/i;

/**
 * The headers App Service Authentication injects for a signed-in user: `X-MS-CLIENT-PRINCIPAL`
 * (base64 of UTF-8 JSON), `-NAME`, `-ID` and `-IDP` (docs/app-service-auth.md).
 */
export function principalHeaders(session: Session): Record<string, string> {
  const principal = {
    auth_typ: session.provider,
    claims: [
      { typ: 'name', val: session.name },
      {
        typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier',
        val: session.name,
      },
    ],
    name_typ: 'name',
    role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  };
  return {
    'x-ms-client-principal': Buffer.from(JSON.stringify(principal), 'utf8').toString('base64'),
    'x-ms-client-principal-name': headerBytes(session.name),
    'x-ms-client-principal-id': headerBytes(session.name),
    'x-ms-client-principal-idp': session.provider,
  };
}
