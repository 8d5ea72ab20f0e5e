import { createHmac } from 'node:crypto';

/**
 * Asks the SignalR Service whether a connection still exists (REST `HEAD
 * /api/hubs/{hub}/connections/{id}?api-version=2022-06-01`: 200 or 404), with a server token
 * signed by the access key of `AzureSignalRConnectionString` (HS256, the request URL as
 * audience, port dropped: docs/signalr-service.md, "Tokens"). Presence uses it for connections
 * whose disconnected event never arrived.
 */
const SETTING = 'AzureSignalRConnectionString';

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function parse(connectionString: string): { endpoint: URL; accessKey: string } {
  const fields = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const endpoint = new URL(fields.get('endpoint') ?? '');
  const port = fields.get('port');
  if (port !== undefined) endpoint.port = port;
  return { endpoint, accessKey: fields.get('accesskey') ?? '' };
}

/** True while the service knows the connection; false once it is gone. */
export async function connectionExists(hub: string, connectionId: string): Promise<boolean> {
  const { endpoint, accessKey } = parse(process.env[SETTING] ?? '');
  const path = `/api/hubs/${encodeURIComponent(hub.toLowerCase())}/connections/${encodeURIComponent(connectionId)}`;
  const query = '?api-version=2022-06-01';
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      aud: `${endpoint.protocol}//${endpoint.hostname}${path}${query}`,
      iat: now,
      exp: now + 300,
    }),
  );
  const signature = createHmac('sha256', accessKey)
    .update(`${header}.${payload}`)
    .digest('base64url');
  const response = await fetch(`${endpoint.origin}${path}${query}`, {
    method: 'HEAD',
    headers: { Authorization: `Bearer ${header}.${payload}.${signature}` },
  });
  if (response.status === 404) return false;
  if (!response.ok)
    throw new Error(`SignalR Service answered ${response.status} to a connection check.`);
  return true;
}
