import type { IncomingMessage } from 'node:http';
import { readBody } from '../http/readBody';

/** Azure Functions' default request body limit, 100 MB (docs/functions-host.md). */
const MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;
const PRINCIPAL_HEADER = 'x-ms-client-principal';

/** The `req` a classic-model function receives (the @azure/functions 3.x HttpRequest shape). */
export interface FunctionRequest {
  readonly method: string;
  readonly url: string;
  readonly originalUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly rawBody: string | undefined;
  readonly user: unknown;
  get(name: string): string | undefined;
}

/**
 * Node reads header bytes as Latin-1. App Service passes a principal name outside Latin-1 as its
 * UTF-8 bytes (docs/security.md, "Names"), so a value whose bytes are valid UTF-8 is read as
 * UTF-8; any other value stays as it arrived.
 */
function decodeHeaderValue(value: string): string {
  // eslint-disable-next-line no-control-regex -- ASCII is what it finds
  if (/^[\u0000-\u007f]*$/.test(value)) return value;
  const utf8 = Buffer.from(value, 'latin1').toString('utf8');
  return utf8.includes('\uFFFD') ? value : utf8;
}

function decodePrincipal(header: string | undefined): unknown {
  if (header === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Reads the request and shapes it as the host does: header names lower-cased, the body decoded
 * to a string (octet-stream and multipart stay a Buffer), then JSON.parse tried whatever the
 * content type (a failure leaves the string); no body is `undefined`.
 */
export async function readFunctionRequest(
  req: IncomingMessage,
  url: URL,
  method: string,
  params: Readonly<Record<string, string>>,
): Promise<FunctionRequest> {
  const raw = await readBody(req, { limit: MAX_REQUEST_BODY_BYTES });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined)
      headers[name.toLowerCase()] = decodeHeaderValue(
        Array.isArray(value) ? value.join(', ') : value,
      );
  const binary = /^(application\/octet-stream|multipart\/)/i.test(headers['content-type'] ?? '');
  const rawBody = raw.length === 0 ? undefined : raw.toString('utf8');
  let body: unknown = binary ? raw : rawBody;
  if (!binary && rawBody !== undefined) {
    try {
      body = JSON.parse(rawBody);
    } catch {
      body = rawBody;
    }
  }
  return {
    method,
    url: url.href,
    originalUrl: url.href,
    headers,
    query: Object.fromEntries(url.searchParams),
    params,
    body,
    rawBody,
    user: decodePrincipal(headers[PRINCIPAL_HEADER]),
    get: (name: string) => headers[name.toLowerCase()],
  };
}
