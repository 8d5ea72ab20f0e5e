import { mixedScriptProblem } from './scripts';

/**
 * Which user names the chat can carry (docs/security.md, "Names"). A name is the SignalR user id
 * and a REST path segment (`/users/{name}/:send`), so a name that a server would resolve as a dot
 * segment (`.`, `..`) or split (`/`, `\`) would turn a private send into a broadcast. And a name
 * must identify one person to the eye (Unicode UTS #39, "Unicode Security Mechanisms"; UTS #55,
 * "Unicode Source Code Handling", on invisible and bidirectional characters): nothing invisible
 * inside it, one normal form, one script (scripts.ts), and no other name with the same look
 * (skeleton.ts, checked against the names in use by NameRegistry). Room names follow the same
 * rules.
 */

/** Longest name, in code points; App Service principal names fit well inside. */
export const MAX_USER_NAME_CHARS = 64;

// C0/C1 controls and DEL: never part of a name.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Bidi embedding, override, isolate and mark characters: they can make a name read as another. */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** White space and the characters that render as nothing (UTS #55 section 2.1). */
const INVISIBLE = /^[\s\p{Default_Ignorable_Code_Point}\p{M}]*$/u;
/**
 * Characters with no glyph of their own: default ignorables (zero-width space, joiners, word
 * joiner, combining grapheme joiner, variation selectors, Hangul fillers, U+180E, tags), format
 * characters, unassigned and private-use code points, and line or paragraph separators.
 */
const NO_GLYPH = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cn}\p{Co}\p{Zl}\p{Zp}]/u;
/**
 * The two joiners where a script needs them (UAX #31 appendix A, contexts A1, A2 and B, kept
 * simple): between two letters or marks of a joining or Indic script, and ZWJ inside an emoji
 * sequence. U+FE0F (emoji presentation) right after a pictograph.
 */
const JOINING_SCRIPT =
  /[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Nko}\p{Script=Mongolian}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}]/u;
/** What may stand before a ZWJ in an emoji sequence: a pictograph, a skin tone, or U+FE0F. */
const EMOJI = /^(?:\p{Extended_Pictographic}|[\u{1f3fb}-\u{1f3ff}]|\ufe0f)$/u;
const PATH_SEPARATOR = /[/\\]/;
/** UTS #39 section 5.4: more than four nonspacing marks in a row, or one repeated, hide letters. */
const MAX_MARKS_IN_A_ROW = 4;

/** A code point written U+XXXX, for a message. */
export function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Whether the no-glyph character at `index` of `chars` is one a script or an emoji needs there. */
function joinerAllowed(chars: readonly string[], index: number): boolean {
  const [before, char, after] = [chars[index - 1] ?? '', chars[index], chars[index + 1] ?? ''];
  if (char === '\ufe0f') return /\p{Extended_Pictographic}/u.test(before);
  if (char === '\u200d' && EMOJI.test(before) && /\p{Extended_Pictographic}/u.test(after))
    return true;
  if (char !== '\u200c' && char !== '\u200d') return false;
  return JOINING_SCRIPT.test(before) && JOINING_SCRIPT.test(after);
}

/** The first character with no glyph of its own that is not needed where it stands. */
function invisibleCharacter(name: string): string | undefined {
  const chars = [...name];
  return chars.find((char, i) => NO_GLYPH.test(char) && !joinerAllowed(chars, i));
}

function marksProblem(name: string): string | undefined {
  let run = 0;
  let previous = '';
  for (const char of name.normalize('NFD')) {
    const mark = /\p{Mn}/u.test(char);
    if (mark && char === previous) return `The name repeats the mark ${codePoint(char)}.`;
    run = mark ? run + 1 : 0;
    if (run > MAX_MARKS_IN_A_ROW)
      return `The name stacks more than ${MAX_MARKS_IN_A_ROW} marks on one letter.`;
    previous = char;
  }
  return undefined;
}

/**
 * Why `name` cannot be a chat user name, as a sentence naming what is allowed, or undefined when
 * it can. `name` is compared as given: it must already be NFC (callers normalise a typed name).
 */
export function userNameProblem(name: string): string | undefined {
  const chars = [...name].length;
  if (chars === 0 || INVISIBLE.test(name))
    return 'The name is blank or invisible; use at least one visible letter, digit or symbol.';
  if (chars > MAX_USER_NAME_CHARS)
    return `The name has ${chars} characters; at most ${MAX_USER_NAME_CHARS} are allowed.`;
  if (!name.isWellFormed()) return 'The name is not well-formed Unicode.';
  // U+FFFD is what a decoder writes for bytes it could not read: a name with it could be the
  // garbled spelling of another (docs/security.md, "Names").
  if (name.includes('\uFFFD'))
    return 'The name contains U+FFFD, the replacement character; type the name again.';
  if (CONTROL.test(name)) return 'The name contains a control character.';
  if (BIDI_CONTROL.test(name))
    return 'The name contains a bidirectional control character (an override, isolate or mark).';
  const invisible = invisibleCharacter(name);
  if (invisible !== undefined)
    return `The name contains ${codePoint(invisible)}, a character that shows as nothing; remove it.`;
  if (name !== name.normalize('NFC')) return 'The name is not in Unicode normal form C (NFC).';
  if (name !== name.normalize('NFKC'))
    return 'The name uses compatibility characters (full-width or mathematical letters, ligatures, superscripts); type the plain letters.';
  if (name === '.' || name === '..')
    return `The name "${name}" is a path segment a server would resolve; choose another.`;
  if (PATH_SEPARATOR.test(name)) return 'The name contains "/" or "\\"; choose one without them.';
  if (name !== name.trim()) return 'The name starts or ends with white space.';
  return marksProblem(name) ?? mixedScriptProblem(name);
}
