import { HttpError } from './HttpError';
import { GENERAL_ROOM, parseRoom } from './rooms';
import { userNameProblem } from './userName';
import { MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_RECIPIENT_CHARS, MAX_TEXT_CHARS } from './ChatMessage';

/** What a valid POST /api/messages asks for. Every other body field is dropped here. */
export interface SendRequest {
  readonly text: string;
  /** `undefined` means everyone in the room. */
  readonly recipient?: string;
  /** The room of a public message: `general` unless the body names another. */
  readonly room: string;
  /** The page's id for this message, so a retry cannot make a second one; optional. */
  readonly clientId?: string;
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function parseClientId(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !CLIENT_ID.test(value))
    throw new HttpError(
      400,
      'InvalidClientId',
      '"clientId" must be 1 to 64 letters, digits, "-" or "_" (a UUID fits).',
    );
  return value;
}

const REPLACEMENT_CHARACTER = '\uFFFD';
// C0 controls and DEL, except tab, line feed and carriage return, which people do type.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function countChars(value: string): number {
  let count = 0;
  for (const _char of value) count++;
  return count;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Checks that a string is text a person could have typed: well-formed Unicode (no lone
 * surrogates from `\ud800` escapes), no U+FFFD (the host decodes invalid UTF-8 bytes to it, so
 * it is the only sign of them a function gets), and no control characters but tab and newlines.
 */
function checkText(field: string, value: string): void {
  if (!value.isWellFormed()) {
    throw new HttpError(
      400,
      'InvalidUnicode',
      `"${field}" contains a lone surrogate; send well-formed UTF-8 text.`,
    );
  }
  if (value.includes(REPLACEMENT_CHARACTER)) {
    throw new HttpError(
      400,
      'InvalidUtf8',
      `"${field}" contains bytes that are not valid UTF-8; send the body encoded as UTF-8.`,
    );
  }
  if (FORBIDDEN_CONTROL.test(value)) {
    throw new HttpError(
      400,
      'ControlCharacter',
      `"${field}" contains a control character; only tab, line feed and carriage return are allowed.`,
    );
  }
}

/** At most `max` characters (code points), or a 400 naming the field and both counts. */
function checkLength(field: string, value: string, max: number, code: string): void {
  const chars = countChars(value);
  if (chars > max)
    throw new HttpError(
      400,
      code,
      `"${field}" has ${chars} characters; at most ${max} are allowed.`,
    );
}

function parseText(value: unknown): string {
  if (value === undefined) {
    throw new HttpError(
      400,
      'MissingText',
      'The body has no "text"; send {"text": "your message"}.',
    );
  }
  if (typeof value !== 'string') {
    throw new HttpError(400, 'InvalidText', `"text" must be a string, not ${describeType(value)}.`);
  }
  const text = value.trim();
  if (text.length === 0) {
    throw new HttpError(
      400,
      'EmptyText',
      `"text" is empty; send 1 to ${MAX_TEXT_CHARS} characters.`,
    );
  }
  checkLength('text', text, MAX_TEXT_CHARS, 'TextTooLong');
  checkText('text', text);
  return text;
}

function parseRecipient(value: unknown): string | undefined {
  // The seed page posts `"recipient": null` for public messages; "" means everyone too.
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new HttpError(
      400,
      'InvalidRecipient',
      `"recipient" must be a user name (a string) or null for everyone, not ${describeType(value)}.`,
    );
  }
  if (value.trim().length === 0) {
    throw new HttpError(
      400,
      'InvalidRecipient',
      '"recipient" is blank; send a user name, or null for everyone.',
    );
  }
  checkLength('recipient', value, MAX_RECIPIENT_CHARS, 'RecipientTooLong');
  checkText('recipient', value);
  // Names are NFC at sign-in, so a recipient typed in another normal form still finds them.
  const name = value.normalize('NFC');
  const problem = userNameProblem(name);
  if (problem !== undefined)
    throw new HttpError(400, 'InvalidRecipient', `"recipient" is not a user name. ${problem}`);
  return name;
}

/**
 * The deepest nesting of arrays and objects in JSON text, outside strings. Checked before
 * parsing so a body of thousands of nested brackets is refused cheaply, with a clear reason.
 */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c /* \ */) i++;
      else if (code === 0x22 /* " */) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      if (++depth > deepest) deepest = depth;
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) {
      depth--;
    }
  }
  return deepest;
}

/**
 * Only `application/json` is accepted (any parameters, such as charset, allowed). A browser can
 * send text/plain or a form cross-site without a CORS preflight; requiring JSON forces the
 * preflight, a second line behind the front door's CSRF check (docs/security.md).
 */
export function checkContentType(contentType: string | undefined): void {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/json')
    throw new HttpError(
      415,
      'UnsupportedMediaType',
      `Send the message as JSON with Content-Type: application/json${contentType ? `, not ${JSON.stringify(contentType)}` : ''}.`,
    );
}

/**
 * Validates the raw body of POST /api/messages. The raw text is parsed here rather than trusting
 * `req.body`, because the host leaves a body that is not JSON as a string, and a JSON string
 * literal parses to a string too: only the raw text tells the two apart.
 */
export function parseSendRequest(rawBody: string | undefined): SendRequest {
  if (rawBody === undefined || rawBody.trim().length === 0) {
    throw new HttpError(
      400,
      'EmptyBody',
      'The request body is empty; send a JSON object like {"text": "hello"}.',
    );
  }
  const bytes = Buffer.byteLength(rawBody, 'utf8');
  if (bytes > MAX_BODY_BYTES) {
    throw new HttpError(
      413,
      'BodyTooLarge',
      `The request body is ${bytes} bytes; at most ${MAX_BODY_BYTES} are allowed.`,
    );
  }
  const depth = jsonDepth(rawBody);
  if (depth > MAX_JSON_DEPTH) {
    throw new HttpError(
      400,
      'TooDeep',
      `The request body nests arrays or objects ${depth} levels deep; at most ${MAX_JSON_DEPTH} are allowed.`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new HttpError(
      400,
      'InvalidJson',
      'The request body is not valid JSON; send a JSON object like {"text": "hello"}.',
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(
      400,
      'NotAnObject',
      `The request body is ${describeType(body)}; send a JSON object like {"text": "hello"}.`,
    );
  }
  const fields = body as Record<string, unknown>;
  const recipient = parseRecipient(fields.recipient);
  const room =
    fields.room === undefined || fields.room === null
      ? GENERAL_ROOM
      : parseRoom(fields.room, '"room"');
  if (recipient !== undefined && room !== GENERAL_ROOM)
    throw new HttpError(
      400,
      'RoomWithRecipient',
      'A private message goes to a person, not a room; send "recipient" or "room", not both.',
    );
  return {
    text: parseText(fields.text),
    recipient,
    room,
    clientId: parseClientId(fields.clientId),
  };
}
