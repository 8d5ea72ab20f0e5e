/**
 * A message's text in parts, each either plain text or a link: only `http:` and `https:` URLs
 * become links (shown with rel="noopener noreferrer"); everything else, `javascript:` included,
 * stays text. Punctuation that ends a sentence is not part of the link.
 */
export interface TextPart {
  readonly text: string;
  readonly href?: string;
}

const CANDIDATE = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;

export function linkParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const candidate = match[0].replace(TRAILING, '');
    let href: string | undefined;
    try {
      const url = new URL(candidate);
      if (url.protocol === 'http:' || url.protocol === 'https:') href = url.href;
    } catch {
      href = undefined;
    }
    if (href === undefined) continue;
    const start = match.index;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
