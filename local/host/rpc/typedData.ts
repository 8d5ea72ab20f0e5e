import type { RpcTypedData } from '../worker/rpc';

/**
 * Binding values in and out of the worker, as the Functions host converts them
 * (azure-functions-host, src/WebJobs.Script.Grpc/MessageExtensions/
 * GrpcMessageConversionExtensions.cs, `ToRpc` and `ToObject`): bytes as bytes, a string as a
 * string, anything else as JSON; back, JSON parsed (dates left as strings), bytes as a Buffer.
 */
export function toTypedData(value: unknown): RpcTypedData {
  if (value === undefined || value === null) return {};
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { bytes: value };
  if (typeof value === 'string') return { string: value };
  if (typeof value === 'number' && !Number.isInteger(value)) return { double: value };
  return { json: JSON.stringify(value) };
}

export function fromTypedData(data: RpcTypedData | null | undefined): unknown {
  if (data === null || data === undefined) return undefined;
  if (typeof data.string === 'string') return data.string;
  if (typeof data.json === 'string') return JSON.parse(data.json) as unknown;
  if (data.bytes !== undefined && data.bytes !== null) return Buffer.from(data.bytes);
  if (data.http !== undefined && data.http !== null) return data.http;
  if (typeof data.int === 'number') return data.int;
  if (typeof data.double === 'number') return data.double;
  return undefined;
}
