import type { RpcHttpData, RpcNullableString } from '../worker/rpc';

/**
 * The HTTP request as the Functions host hands it to the Node worker (azure-functions-host,
 * GrpcMessageConversionExtensions.ToRpcHttp), with the capabilities the v3 worker declares
 * (azure-functions-nodejs-worker, src/eventHandlers/getWorkerCapabilities.ts):
 * `UseNullableValueDictionaryForHttp` (headers, query and route values as nullable
 * dictionaries, empty values kept), `RawHttpBodyBytes` and `RpcHttpBodyOnly` (the body as bytes,
 * only when the request declared a length above zero). The URL is scheme, Host header, path and
 * query; header names lower-cased; a repeated query parameter joined with `,`.
 */
export interface HttpRequestParts {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const nullable = (entries: Iterable<[string, string]>): Record<string, RpcNullableString> =>
  Object.fromEntries([...entries].map(([key, value]) => [key, { value }]));

export function toRpcHttp(request: HttpRequestParts): RpcHttpData {
  const query = new Map<string, string[]>();
  for (const [key, value] of request.url.searchParams)
    query.set(key, [...(query.get(key) ?? []), value]);
  const host = request.headers.host ?? request.url.host;
  return {
    method: request.method,
    url: `${request.url.protocol}//${host}${request.url.pathname}${request.url.search}`,
    nullableHeaders: nullable(Object.entries(request.headers)),
    nullableQuery: nullable([...query].map(([key, values]) => [key, values.join(',')])),
    nullableParams: nullable(Object.entries(request.params)),
    ...(Number(request.headers['content-length'] ?? 0) > 0 &&
      request.body.length > 0 && { body: { bytes: request.body } }),
  };
}
