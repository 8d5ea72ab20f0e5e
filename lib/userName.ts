/**
 * Which user names the chat can carry. A name is the SignalR user id and a REST path segment
 * (`/users/{name}/:send`), so a name that a server would resolve as a dot segment (`.`, `..`) or
 * split (`/`, `\`) would turn a private send into a broadcast. A name that shows as nothing (only
 * spaces, zero-width or bidi controls) could not be told apart from another. See
 * docs/security.md, "Names".
 */

/** Longest name, in code points; App Service principal names fit well inside. */
export const MAX_USER_NAME_CHARS = 64;

// C0/C1 controls and DEL: never part of a name.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Bidi embedding, override and isolate controls: they can make a name read as another. */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
/** What renders as nothing: white space, zero-width characters, marks and bidi controls. */
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class -- each code point is meant on its own
  /^[\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0]*$/u;
const PATH_SEPARATOR = /[/\\]/;

/**
 * Why `name` cannot be a chat user name, as a sentence naming what is allowed, or undefined when
 * it can. `name` is compared as given: callers normalise (NFC) first.
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
    return 'The name contains a bidirectional override or isolate character.';
  if (name === '.' || name === '..')
    return `The name "${name}" is a path segment a server would resolve; choose another.`;
  if (PATH_SEPARATOR.test(name)) return 'The name contains "/" or "\\"; choose one without them.';
  if (name !== name.trim()) return 'The name starts or ends with white space.';
  return undefined;
}
