/**
 * Azure SignalR Service connection strings (docs/signalr-service.md, "Connection strings"). Parsed once;
 * the emulator listens from one, and the functions host signs tokens and calls the REST API
 * from the same one, so swapping the emulator's string for an Azure one changes nothing else.
 */
export interface SignalRConnectionString {
  /** `Endpoint` without a trailing slash, as written (its own port, if any, kept). */
  readonly endpoint: string;
  readonly accessKey: string;
  readonly version: string;
  /** `Port`: replaces the endpoint's port in the URLs that are called, never in audiences. */
  readonly port?: number;
  readonly clientEndpoint?: string;
  readonly serverEndpoint?: string;
}

/** A connection string that cannot be used, with a stable code. */
export class ConnectionStringError extends TypeError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectionStringError';
  }
}

const KNOWN_KEYS = new Set([
  'endpoint',
  'accesskey',
  'version',
  'port',
  'clientendpoint',
  'serverendpoint',
  'authtype',
]);
const VERSION_PATTERN = /^1\.\d+$/;

function parseHttpUrl(key: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConnectionStringError(
      'ERR_SIGNALR_BAD_ENDPOINT',
      `${key} "${value}" is not an absolute URI; use http://host or https://host.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConnectionStringError(
      'ERR_SIGNALR_BAD_ENDPOINT',
      `${key} "${value}" must use http or https, not ${url.protocol.slice(0, -1)}.`,
    );
  }
  return value.replace(/\/+$/, '');
}

/** Parses `Endpoint=...;AccessKey=...;Version=1.0;` as the Azure SDK does. */
export function parseConnectionString(text: string): SignalRConnectionString {
  const pairs = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part.trim().length === 0) continue;
    const equals = part.indexOf('=');
    if (equals < 0) {
      throw new ConnectionStringError(
        'ERR_SIGNALR_BAD_PAIR',
        `Connection string part "${part.trim()}" is not key=value.`,
      );
    }
    const key = part.slice(0, equals).trim().toLowerCase();
    if (!KNOWN_KEYS.has(key)) continue; // The SDKs ignore keys they do not know.
    if (pairs.has(key)) {
      throw new ConnectionStringError(
        'ERR_SIGNALR_DUPLICATE_KEY',
        `Connection string key "${part.slice(0, equals).trim()}" appears more than once.`,
      );
    }
    pairs.set(key, part.slice(equals + 1).trim());
  }
  const authType = pairs.get('authtype');
  if (authType !== undefined) {
    throw new ConnectionStringError(
      'ERR_SIGNALR_AUTHTYPE_UNSUPPORTED',
      `AuthType=${authType} (Microsoft Entra ID) is not supported here; use a connection string with an AccessKey.`,
    );
  }
  const endpointText = pairs.get('endpoint');
  if (endpointText === undefined || endpointText.length === 0) {
    throw new ConnectionStringError(
      'ERR_SIGNALR_NO_ENDPOINT',
      'The connection string has no Endpoint; add Endpoint=https://<name>.service.signalr.net.',
    );
  }
  const accessKey = pairs.get('accesskey');
  if (accessKey === undefined || accessKey.length === 0) {
    throw new ConnectionStringError(
      'ERR_SIGNALR_NO_ACCESS_KEY',
      "The connection string has no AccessKey; copy the whole string from the SignalR resource's Keys page.",
    );
  }
  const version = pairs.get('version') ?? '1.0';
  if (!VERSION_PATTERN.test(version)) {
    throw new ConnectionStringError(
      'ERR_SIGNALR_BAD_VERSION',
      `Version "${version}" is not supported; use 1.0.`,
    );
  }
  let port: number | undefined;
  const portText = pairs.get('port');
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
      throw new ConnectionStringError(
        'ERR_SIGNALR_BAD_PORT',
        `Port "${portText}" must be a whole number from 1 to 65535.`,
      );
    }
  }
  const clientEndpoint = pairs.get('clientendpoint');
  const serverEndpoint = pairs.get('serverendpoint');
  return {
    endpoint: parseHttpUrl('Endpoint', endpointText),
    accessKey,
    version,
    ...(port !== undefined && { port }),
    ...(clientEndpoint && { clientEndpoint: parseHttpUrl('ClientEndpoint', clientEndpoint) }),
    ...(serverEndpoint && { serverEndpoint: parseHttpUrl('ServerEndpoint', serverEndpoint) }),
  };
}

function withPort(base: string, port: number | undefined): string {
  if (port === undefined) return base;
  const url = new URL(base);
  url.port = String(port);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** `{scheme}://{host}` of Endpoint, without the port: the base of every audience (docs/signalr-service.md, "Connection strings"). */
export function audienceBase(cs: SignalRConnectionString): string {
  const url = new URL(cs.endpoint);
  return `${url.protocol}//${url.hostname}`;
}

/** Where clients connect: ClientEndpoint, else Endpoint with Port applied. */
export function clientBaseUrl(cs: SignalRConnectionString): string {
  return cs.clientEndpoint ?? withPort(cs.endpoint, cs.port);
}

/** Where the REST API is called: ServerEndpoint, else Endpoint with Port applied. */
export function serverBaseUrl(cs: SignalRConnectionString): string {
  return cs.serverEndpoint ?? withPort(cs.endpoint, cs.port);
}

/** The port the service answers on, for an emulator started from a connection string. */
export function listenPort(cs: SignalRConnectionString): number {
  const url = new URL(serverBaseUrl(cs));
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}
