import { lookKeys } from '../../../lib/skeleton';
import { userNameProblem } from '../../../lib/userName';

/** The name rules of docs/security.md, "Names": what a name may hold, one by one. */
describe('userNameProblem', () => {
  it.each([
    'Ana',
    '王芳',
    'Ngọc Ánh',
    '🦊 Fox',
    '50% off',
    "O'Brien",
    'Ольга',
    'Γιώργος',
    'محمد',
    'می\u200cخواهم', // Persian: ZWNJ between two Arabic letters, as the script needs it
    '👨\u200d👩\u200d👧', // ZWJ inside an emoji sequence
    '❤\ufe0f Ana', // U+FE0F after a pictograph
    '日本語テキスト abc', // Latin with Han and Katakana: Japanese
    '한국어 Kim',
    'x'.repeat(64),
  ])('accepts %j', (name) => {
    expect(userNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['Ana\u200b', 'U+200B, a character that shows as nothing'],
    ['Ana\u200c', 'U+200C'],
    ['Ana\u200d', 'U+200D'],
    ['An\u2060a', 'U+2060'],
    ['Ana\u034f', 'U+034F'],
    ['Ana\ufe0f', 'U+FE0F'],
    ['Ana\u180e', 'U+180E'],
    ['Ana\u00ad', 'U+00AD'],
    ['Ana\u{e0061}', 'U+E0061'],
    ['Ana\ue000', 'U+E000'],
    ['Ana\u2028', 'U+2028'],
    ['Ana\u200e', 'bidirectional control'],
    ['Ana\u200f', 'bidirectional control'],
    ['\u202eAna', 'bidirectional control'],
    ['\u0410na', 'mixes letters of Cyrillic, Latin'],
    ['Ana \u0393', 'mixes letters of Greek, Latin'],
    ['ｆｏｏ', 'compatibility characters'],
    ['𝐀𝐧𝐚', 'compatibility characters'],
    ['Ana\u0301\u0301'.normalize('NFC'), 'repeats the mark U+0301'],
    ['x\u0300\u0301\u0302\u0303\u0304', 'more than 4 marks'],
    ['Ana'.normalize('NFD') + '\u0301', 'normal form C'],
    ['\u3164', 'blank or invisible'],
    ['..', 'path segment'],
  ])('refuses %j: %s', (name, words) => {
    expect(userNameProblem(name)).toContain(words);
  });
});

/** UTS #39 skeletons: one look, one key. */
describe('lookKeys', () => {
  const sameLook = (a: string, b: string) => lookKeys(a).some((k) => lookKeys(b).includes(k));

  it.each([
    ['General', 'general'],
    ['AIice', 'Alice'], // capital I for l
    ['rnary', 'mary'],
    ['сор', 'cop'],
    ['Ana\u200b', 'Ana'],
    ['ｆｏｏ', 'foo'],
    ['ΑΝΑ', 'ANA'],
  ])('gives %j and %j one look', (a, b) => {
    expect(sameLook(a, b)).toBe(true);
  });

  it.each([
    ['Ana', 'Anna'],
    ['王芳', '王方'],
    ['Ngọc Ánh', 'Ngoc Anh'],
  ])('keeps %j and %j apart', (a, b) => {
    expect(sameLook(a, b)).toBe(false);
  });
});
