/**
 * Bad bodies for POST /api/messages, each with the status, code and exact error SendMessage answers:
 * one table for the unit tests (the function alone) and the reliability tests (the whole path,
 * through front door and host). Rows that only one transport can express (no body at all; raw
 * invalid UTF-8 bytes) stay in that test.
 */
export type BadInputCase = readonly [
  label: string,
  body: string,
  status: number,
  code: string,
  error: string,
];

const NOT_AN_OBJECT = (what: string) =>
  `The request body is ${what}; send a JSON object like {"text": "hello"}.`;
const NOT_JSON = 'The request body is not valid JSON; send a JSON object like {"text": "hello"}.';
const EMPTY_TEXT = '"text" is empty; send 1 to 2000 characters.';

export const BAD_INPUT_CASES: readonly BadInputCase[] = [
  [
    'an empty body',
    '',
    400,
    'EmptyBody',
    'The request body is empty; send a JSON object like {"text": "hello"}.',
  ],
  [
    'a blank body',
    '   ',
    400,
    'EmptyBody',
    'The request body is empty; send a JSON object like {"text": "hello"}.',
  ],
  ['text that is not JSON', 'hello bob', 400, 'InvalidJson', NOT_JSON],
  ['truncated JSON', '{"text": "hi"', 400, 'InvalidJson', NOT_JSON],
  ['an array', '[{"text":"hi"}]', 400, 'NotAnObject', NOT_AN_OBJECT('an array')],
  ['null', 'null', 400, 'NotAnObject', NOT_AN_OBJECT('null')],
  ['a JSON string', '"hi"', 400, 'NotAnObject', NOT_AN_OBJECT('a string')],
  ['a number', '42', 400, 'NotAnObject', NOT_AN_OBJECT('a number')],
  [
    'a missing text',
    '{"recipient":"bob"}',
    400,
    'MissingText',
    'The body has no "text"; send {"text": "your message"}.',
  ],
  ['an empty text', '{"text":""}', 400, 'EmptyText', EMPTY_TEXT],
  ['a blank text', '{"text":" \\n\\t "}', 400, 'EmptyText', EMPTY_TEXT],
  ['a numeric text', '{"text":12}', 400, 'InvalidText', '"text" must be a string, not a number.'],
  ['a null text', '{"text":null}', 400, 'InvalidText', '"text" must be a string, not null.'],
  [
    'an object text',
    '{"text":{"html":"<b>"}}',
    400,
    'InvalidText',
    '"text" must be a string, not an object.',
  ],
  [
    'an over-long text',
    JSON.stringify({ text: 'é'.repeat(2001) }),
    400,
    'TextTooLong',
    '"text" has 2001 characters; at most 2000 are allowed.',
  ],
  [
    'a boolean recipient',
    '{"text":"hi","recipient":true}',
    400,
    'InvalidRecipient',
    '"recipient" must be a user name (a string) or null for everyone, not a boolean.',
  ],
  [
    'an array recipient',
    '{"text":"hi","recipient":["bob"]}',
    400,
    'InvalidRecipient',
    '"recipient" must be a user name (a string) or null for everyone, not an array.',
  ],
  [
    'a blank recipient',
    '{"text":"hi","recipient":"   "}',
    400,
    'InvalidRecipient',
    '"recipient" is blank; send a user name, or null for everyone.',
  ],
  [
    'an over-long recipient',
    JSON.stringify({ text: 'hi', recipient: 'r'.repeat(300) }),
    400,
    'RecipientTooLong',
    '"recipient" has 300 characters; at most 256 are allowed.',
  ],
  [
    'a recipient that is a dot segment',
    '{"text":"hi","recipient":".."}',
    400,
    'InvalidRecipient',
    '"recipient" is not a user name. The name ".." is a path segment a server would resolve; choose another.',
  ],
  [
    'a body over the limit',
    JSON.stringify({ text: 'hi', padding: 'p'.repeat(70_000) }),
    413,
    'BodyTooLarge',
    'The request body is 70026 bytes; at most 65536 are allowed.',
  ],
  [
    'deeply nested JSON',
    `{"text":"hi","deep":${'['.repeat(2000)}${']'.repeat(2000)}}`,
    400,
    'TooDeep',
    'The request body nests arrays or objects 2001 levels deep; at most 32 are allowed.',
  ],
  [
    'a lone surrogate',
    '{"text":"\\udc00"}',
    400,
    'InvalidUnicode',
    '"text" contains a lone surrogate; send well-formed UTF-8 text.',
  ],
  [
    'a control character',
    '{"text":"ring\\u0007"}',
    400,
    'ControlCharacter',
    '"text" contains a control character; only tab, line feed and carriage return are allowed.',
  ],
];
