import type { IncomingMessage } from 'node:http';
import { decodeHeaderValue } from '../../http/headerText';
import { HttpError } from '../../../lib/HttpError';

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
