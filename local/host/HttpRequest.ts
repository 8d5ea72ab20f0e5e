import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../lib/HttpError';
import { decodeHeaderValue } from '../../lib/headerText';
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
  readonly bufferBody: Buffer | undefined;
  readonly user: HttpRequestUser | null;
  get(name: string): string | undefined;
}

/** `req.user` as @azure/functions 3.x builds it (src/http/extractHttpUserFromHeaders.ts). */
export interface HttpRequestUser {
  readonly type: 'AppService' | 'StaticWebApps';
  readonly id: string;
  readonly username: string;
  readonly identityProvider: string;
  readonly claimsPrincipalData: Record<string, unknown>;
}

/**
 * The request's headers as the host reads them: names lower-cased, repeated values joined, and
 * every value decoded as Kestrel decodes it: ASCII, else strict UTF-8. A value whose bytes are
 * not UTF-8 is refused with 400 before anything runs: reading it any other way (Latin-1) would
 * let two different names arrive as one (docs/security.md, "Names").
 */
export function readHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const decoded = decodeHeaderValue(Array.isArray(value) ? value.join(', ') : value);
    if (decoded === undefined)
      throw new HttpError(
        400,
        'InvalidHeaderEncoding',
        `The ${name} header is not valid UTF-8; send header values as UTF-8.`,
      );
    headers[name.toLowerCase()] = decoded;
  }
  return headers;
}

/**
 * `req.user`, as @azure/functions 3.x reads it: null without `x-ms-client-principal`; a Static
 * Web Apps principal when its JSON has `identityProvider`; otherwise App Service's, from the
 * `-ID`, `-NAME` and `-IDP` headers. A principal that is not base64 JSON throws, as there.
 */
function extractUser(headers: Readonly<Record<string, string>>): HttpRequestUser | null {
  const header = headers[PRINCIPAL_HEADER];
  if (!header) return null;
  const data = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Record<
    string,
    unknown
  >;
  if (data.identityProvider)
    return {
      type: 'StaticWebApps',
      id: data.userId as string,
      username: data.userDetails as string,
      identityProvider: data.identityProvider as string,
      claimsPrincipalData: data,
    };
  return {
    type: 'AppService',
    id: headers['x-ms-client-principal-id'],
    username: headers['x-ms-client-principal-name'],
    identityProvider: headers['x-ms-client-principal-idp'],
    claimsPrincipalData: data,
  };
}

function decodeUtf32(bytes: Buffer, bigEndian: boolean): string {
  let text = '';
  for (let i = 0; i + 3 < bytes.length; i += 4)
    text += String.fromCodePoint(bigEndian ? bytes.readUInt32BE(i) : bytes.readUInt32LE(i));
  return text;
}

/**
 * The body as text, as the host decodes it: UTF-8 by default, with the encoding a byte-order
 * mark names (its bytes removed), like .NET's detectEncodingFromByteOrderMarks
 * (@azure/functions 3.x, src/http/Request.ts, `decodeBuffer`).
 */
function decodeBody(bytes: Buffer): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return bytes[2] !== 0 || bytes[3] !== 0
      ? new TextDecoder('utf-16le').decode(bytes.subarray(2))
      : decodeUtf32(bytes.subarray(4), false);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff)
    return decodeUtf32(bytes.subarray(4), true);
  return bytes.toString('utf8');
}

/**
 * Reads the request and shapes it as the host and @azure/functions 3.x do: header names
 * lower-cased; the body decoded to a string (a content type of exactly octet-stream, or
 * multipart, stays a Buffer), then JSON.parse tried whatever the content type (a failure
 * leaves the string); `rawBody` the string; `bufferBody` the bytes; no body is `undefined`.
 */
export async function readFunctionRequest(
  req: IncomingMessage,
  url: URL,
  method: string,
  params: Readonly<Record<string, string>>,
): Promise<FunctionRequest> {
  const headers = readHeaders(req);
  const raw = await readBody(req, { limit: MAX_REQUEST_BODY_BYTES });
  const contentType = headers['content-type']?.toLowerCase();
  const binary = contentType === 'application/octet-stream' || contentType?.startsWith('multipart');
  const text = raw.length === 0 ? undefined : binary ? undefined : decodeBody(raw);
  const rawBody = raw.length === 0 ? undefined : binary ? raw.toString() : text;
  let body: unknown = binary ? raw : text;
  if (text !== undefined) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  let user: HttpRequestUser | null | undefined;
  return {
    method,
    url: url.href,
    originalUrl: url.href,
    headers,
    query: Object.fromEntries(url.searchParams),
    params,
    body,
    rawBody,
    bufferBody: raw.length === 0 ? undefined : raw,
    get user() {
      return (user ??= extractUser(headers));
    },
    get: (name: string) => headers[name.toLowerCase()],
  };
}
