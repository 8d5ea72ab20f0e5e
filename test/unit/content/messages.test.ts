import type { ChatMessage } from '../../../lib/ChatMessage';
import { linkParts } from '../../../content/src/links';
import { mergeMessages, messageRows } from '../../../content/src/messages';

/** The page's pure parts: merging history without a cap, rows, links. */
const message = (n: number, sender = 'bob', at = n * 1000): ChatMessage => ({
  id: String(n).padStart(25, '0'),
  sender,
  text: `m${n}`,
  timestamp: new Date(at).toISOString(),
  isPrivate: false,
  room: 'general',
});

describe('the page', () => {
  it('keeps every message it loaded, however many (no 500 cap), each once, in id order', () => {
    const older = Array.from({ length: 600 }, (_, i) => message(i));
    const newer = Array.from({ length: 50 }, (_, i) => message(600 + i));
    const merged = mergeMessages(newer, [...older, newer[0]]);
    expect(merged).toHaveLength(650);
    expect(merged[0].id < merged[649].id).toBe(true);
  });

  it('groups a run from one sender within 5 minutes, and starts each day anew', () => {
    const day = (timestamp: string) => timestamp.slice(0, 10);
    const rows = messageRows(
      [
        message(1, 'bob', Date.UTC(2026, 10, 30, 10)),
        message(2, 'bob', Date.UTC(2026, 10, 30, 10, 4)),
        message(3, 'bob', Date.UTC(2026, 10, 30, 10, 20)),
        message(4, 'ana', Date.UTC(2026, 10, 30, 10, 21)),
        message(5, 'ana', Date.UTC(2026, 11, 1, 9)),
      ],
      day,
    );
    expect(rows.map((row) => [row.newDay, row.grouped])).toEqual([
      [true, false],
      [false, true],
      [false, false],
      [false, false],
      [true, false],
    ]);
  });

  it.each([
    [
      'see https://example.com/a?b=1.',
      [
        { text: 'see ' },
        { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
        { text: '.' },
      ],
    ],
    ['javascript:alert(1)', [{ text: 'javascript:alert(1)' }]],
    [
      '(http://x.test/y)',
      [{ text: '(' }, { text: 'http://x.test/y', href: 'http://x.test/y' }, { text: ')' }],
    ],
    ['ftp://x data:text/html,hi', [{ text: 'ftp://x data:text/html,hi' }]],
    [
      '王芳 https://例え.jp/パス',
      [
        { text: '王芳 ' },
        { text: 'https://例え.jp/パス', href: 'https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9' },
      ],
    ],
  ])('links only http and https in %j', (text, parts) => {
    expect(linkParts(text)).toEqual(parts);
  });
});
