import { createHmac, timingSafeEqual } from 'node:crypto';

export type { InvocationContext } from '../../lib/signalr/InvocationContext';

/**
 * SignalR Service upstream: what the service sends the app on every connect, disconnect and hub
 * invocation, and what a signalRTrigger function receives. The emulator writes it and the local
 * host reads it, both from here (docs/signalr-service.md, "Upstream"). Sources: Azure/azure-signalr
 * src/Microsoft.Azure.SignalR.Emulator/Upstreams/HttpUpstreamTrigger.cs (headers, signature);
 * Azure/azure-sdk-for-net Microsoft.Azure.WebJobs.Extensions.SignalRService
 * TriggerBindings/Resolver/SignalRRequestResolver.cs and Utils/SignalRTriggerUtils.cs (reading).
 */
export const UpstreamHeader = {
  ConnectionId: 'x-asrs-connection-id',
  Hub: 'x-asrs-hub',
  Category: 'x-asrs-category',
  Event: 'x-asrs-event',
  UserId: 'x-asrs-user-id',
  UserClaims: 'x-asrs-user-claims',
  ClientQuery: 'x-asrs-client-query',
  Signature: 'x-asrs-signature',
} as const;

/**
 * The serverless protocol's message types in upstream bodies (the extension's
 * ServerlessProtocolConstants: invocation 1, open connection 10, close connection 11).
 */
export const UpstreamMessageType = {
  Invocation: 1,
  OpenConnection: 10,
  CloseConnection: 11,
} as const;

export const UpstreamCategory = { Connections: 'connections', Messages: 'messages' } as const;
export const UpstreamEvent = { Connected: 'connected', Disconnected: 'disconnected' } as const;

/** The host's webhook for the SignalR extension; its system key is `signalr_extension`. */
export const SIGNALR_WEBHOOK_PATH = '/runtime/webhooks/signalr';
/** The largest upstream body the webhook reads (our choice: the extension sets none). */
export const MAX_UPSTREAM_BODY_BYTES = 1024 * 1024;
/** The system key that guards the webhook (azure-functions-host, DefaultScriptWebHookProvider.cs). */
export const SIGNALR_EXTENSION_KEY_NAME = 'signalr_extension';

/** `sha256=<hex HMAC-SHA256(key, connection id)>` for each access key, comma-separated. */
export function upstreamSignature(accessKeys: readonly string[], connectionId: string): string {
  return accessKeys
    .map((key) => `sha256=${createHmac('sha256', key).update(connectionId).digest('hex')}`)
    .join(',');
}

/** Whether any signature in the header is the access key's over the connection id (any case). */
export function signatureMatches(header: string, accessKey: string, connectionId: string): boolean {
  const expected = Buffer.from(upstreamSignature([accessKey], connectionId).toLowerCase());
  return header
    .split(',')
    .map((part) => Buffer.from(part.trim().toLowerCase()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}

/**
 * `X-ASRS-User-Claims` as the extension reads it (GetClaimDictionary): split on `,`, each pair
 * on `": "`, pairs of exactly two parts kept, trimmed, the first of a repeated type wins. No
 * decoding: `100%` stays `100%`. Null when the header is empty.
 */
export function parseClaims(header: string): Record<string, string> | null {
  if (header.length === 0) return null;
  const claims: Record<string, string> = {};
  for (const pair of header.split(',').filter((part) => part.length > 0)) {
    const parts = pair.split(': ').filter((part) => part.length > 0);
    if (parts.length !== 2) continue;
    const type = parts[0].trim();
    if (!(type in claims)) claims[type] = parts[1].trim();
  }
  return claims;
}

/**
 * .NET's Uri.UnescapeDataString: runs of valid %XX escapes decoded as UTF-8; anything it cannot
 * decode (`100%`, `%zz`, bytes that are not UTF-8) left as it is.
 */
function unescapeDataString(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * `X-ASRS-Client-Query` as the extension reads it (GetQueryDictionary: ASP.NET Core's
 * QueryHelpers.ParseQuery): a leading `?` skipped, `+` as space, keys and values unescaped
 * leniently, repeated keys joined with `,`. Null when the header is empty.
 */
export function parseClientQuery(header: string): Record<string, string> | null {
  if (header.length === 0) return null;
  const values = new Map<string, string[]>();
  for (const pair of header.replace(/^\?/, '').split('&')) {
    if (pair.length === 0) continue;
    const at = pair.indexOf('=');
    const decode = (part: string) => unescapeDataString(part.replace(/\+/g, ' '));
    const key = decode(at < 0 ? pair : pair.slice(0, at));
    const value = at < 0 ? '' : decode(pair.slice(at + 1));
    if (key.length === 0 && value.length === 0) continue;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return Object.fromEntries([...values].map(([key, list]) => [key, list.join(',')]));
}
