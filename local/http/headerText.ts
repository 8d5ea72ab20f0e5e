/**
 * How text travels in HTTP header values here: a header carries bytes, and a name (a principal,
 * a SignalR user id, claims) may be any Unicode text. One encoding end to end
 * (docs/security.md, "Names"): writers send the text's UTF-8 bytes; readers decode ASCII as it
 * is and anything else as strict UTF-8, refusing bytes that are not UTF-8.
 */

/**
 * A header value that may carry a name (a user id, claims) as Node must write it: the text's
 * UTF-8 bytes, one Latin-1 character per byte. Node writes string headers as Latin-1 and
 * refuses code points above U+00FF; every reader in this app decodes header bytes as UTF-8
 * (`decodeHeaderValue`), as Kestrel does (docs/security.md, "Names").
 */
export function headerBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
// eslint-disable-next-line no-control-regex -- ASCII is what it finds
const ASCII = /^[\u0000-\u007f]*$/;

/**
 * Header bytes (as Node reads them: one Latin-1 character per byte) decoded as Kestrel decodes
 * request headers: ASCII as it is, anything else as strict UTF-8 (dotnet/aspnetcore,
 * Kestrel StringUtilities.GetAsciiOrUTF8StringNonNullCharacters with the default UTF-8 encoding
 * that throws on invalid bytes). Undefined when the bytes are not UTF-8: the request is refused.
 */
export function decodeHeaderValue(value: string): string | undefined {
  if (ASCII.test(value)) return value;
  try {
    return UTF8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return undefined;
  }
}
