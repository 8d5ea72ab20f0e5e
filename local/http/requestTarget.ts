import { HttpError } from '../../lib/HttpError';

const BASE = 'http://localhost';

/**
 * The request target as a URL, for origin-form targets only (`/path?query`, RFC 9112 §3.2.1).
 * `new URL('//', base)` throws and `new URL('//evil/x', base)` changes host, so the path is
 * appended to a fixed base instead. Absolute-form and asterisk-form (`OPTIONS *`) are refused
 * with 400: none of these servers is a proxy.
 */
export function parseRequestTarget(target: string | undefined): URL {
  if (target === undefined || !target.startsWith('/'))
    throw new HttpError(
      400,
      'InvalidRequestTarget',
      `The request target ${JSON.stringify(target ?? '')} is not a path; send a path that starts with "/".`,
    );
  try {
    return new URL(`${BASE}${target}`);
  } catch {
    throw new HttpError(400, 'InvalidRequestTarget', 'The request target is not a valid URL path.');
  }
}

/** `decodeURIComponent` that answers bad percent-encoding with 400 instead of throwing URIError. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(
      400,
      'InvalidPercentEncoding',
      `The path segment ${JSON.stringify(segment)} has invalid percent-encoding.`,
    );
  }
}

/**
 * The path's segments, each percent-decoded, exactly as sent: `.` and `..` (also as `%2E`) stay
 * segments, never resolved, so an encoded name can never climb into another route.
 */
export function rawPathSegments(target: string): string[] {
  const path = target.split(/[?#]/)[0];
  return path.split('/').slice(1).map(decodeSegment);
}
