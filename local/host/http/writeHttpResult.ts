import type { ServerResponse } from 'node:http';
import type { RpcHttpCookie, RpcHttpData } from '../worker/rpc';
import { fromTypedData } from '../rpc/typedData';

/**
 * Writes the HTTP answer a function gave, as the Functions host does for a language worker:
 * the worker's RpcHttp becomes an object (GrpcMessageExtensionUtilities.
 * ConvertFromHttpMessageToExpando), `HttpBinding.CreateResult` reads status (200 when absent or
 * not a number), headers and body from it, and `RawScriptResult` writes them (azure-functions-
 * host, src/WebJobs.Script/Binding/Http/). The body is written through ASP.NET Core's string,
 * stream and byte-array formatters: a string as it is (`text/plain; charset=utf-8` unless a
 * content type is set), bytes as they are (`application/octet-stream`), and a JSON object, which
 * none of them takes, as its `ToString()`: indented JSON, `text/plain` unless set. With
 * `enableContentNegotiation`, an object is written as compact JSON (`application/json`).
 */
const TEXT = 'text/plain; charset=utf-8';

function cookieHeader(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.path?.value) parts.push(`path=${cookie.path.value}`);
  if (cookie.domain?.value) parts.push(`domain=${cookie.domain.value}`);
  if (cookie.expires?.value?.seconds)
    parts.push(`expires=${new Date(Number(cookie.expires.value.seconds) * 1000).toUTCString()}`);
  if (cookie.maxAge?.value !== undefined && cookie.maxAge.value !== null)
    parts.push(`max-age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('secure');
  if (cookie.sameSite === 'strict') parts.push('samesite=strict');
  else if (cookie.sameSite === 'lax') parts.push('samesite=lax');
  else if (cookie.sameSite === 'explicitNone') parts.push('samesite=none');
  if (cookie.httpOnly?.value) parts.push('httponly');
  return parts.join('; ');
}

export function writeHttpResult(res: ServerResponse, http: RpcHttpData | undefined): void {
  const status = /^\d+$/.test(http?.statusCode ?? '') ? Number(http!.statusCode) : 200;
  const headers: Record<string, string | string[]> = {};
  let contentType: string | undefined;
  for (const [name, value] of Object.entries(http?.headers ?? {})) {
    if (name.toLowerCase() === 'content-type') contentType = value;
    else headers[name] = value;
  }
  const explicitType = contentType !== undefined;
  const cookies = (http?.cookies ?? []).map(cookieHeader);
  if (cookies.length > 0) headers['Set-Cookie'] = cookies;
  const content = fromTypedData(http?.body);
  let payload: Buffer;
  if (content === undefined || content === null) payload = Buffer.alloc(0);
  else if (Buffer.isBuffer(content)) {
    payload = content;
    contentType ??= 'application/octet-stream';
  } else if (typeof content === 'string') {
    payload = Buffer.from(content);
    contentType ??= TEXT;
  } else if (http?.enableContentNegotiation === true) {
    payload = Buffer.from(JSON.stringify(content));
    contentType ??= 'application/json; charset=utf-8';
  } else {
    // JToken.ToString(): indented, two spaces.
    payload = Buffer.from(
      typeof content === 'object' ? JSON.stringify(content, null, 2) : String(content),
    );
    contentType ??= TEXT;
  }
  if (contentType !== undefined && (payload.length > 0 || explicitType))
    headers['Content-Type'] = contentType;
  headers['Content-Length'] = String(payload.length);
  res.writeHead(status, headers).end(payload);
}
