import { startStack, type Stack } from '../../local/stack';
import type { ChatMessage } from '../../SendMessage/ChatMessage';
import { Listener, postMessage, signIn } from './support';

/**
 * bad input to SendMessage through the whole path (front door, host, function). Each
 * gets a 4xx with a JSON error naming the problem, and a connected listener hears nothing.
 */
describe('SendMessage bad input through the front door', () => {
  let stack: Stack;
  let alice: string;
  let bobTab: Listener;

  beforeAll(async () => {
    stack = await startStack({
      ports: { signalr: 0, frontDoor: 0, content: 0 },
      logLevel: 'silent',
    });
    alice = await signIn(stack.urls.api, 'alice');
    bobTab = await Listener.connect(stack.urls.api, await signIn(stack.urls.api, 'bob'), 'bob');
  });

  afterAll(async () => {
    await bobTab?.stop();
    await stack?.close();
  });

  const invalidUtf8 = Buffer.concat([
    Buffer.from('{"text":"caf'),
    Buffer.from([0xc3, 0x28, 0xff]),
    Buffer.from('"}'),
  ]);

  const cases: readonly (readonly [string, string | Uint8Array, number, string])[] = [
    [
      'an empty body',
      '',
      400,
      'The request body is empty; send a JSON object like {"text": "hello"}.',
    ],
    [
      'text that is not JSON',
      'hello bob',
      400,
      'The request body is not valid JSON; send a JSON object like {"text": "hello"}.',
    ],
    [
      'an array',
      '[{"text":"hi"}]',
      400,
      'The request body is an array; send a JSON object like {"text": "hello"}.',
    ],
    ['null', 'null', 400, 'The request body is null; send a JSON object like {"text": "hello"}.'],
    [
      'a JSON string',
      '"hi"',
      400,
      'The request body is a string; send a JSON object like {"text": "hello"}.',
    ],
    [
      'a missing text',
      '{"recipient":"bob"}',
      400,
      'The body has no "text"; send {"text": "your message"}.',
    ],
    ['an empty text', '{"text":""}', 400, '"text" is empty; send 1 to 2000 characters.'],
    ['a blank text', '{"text":"  \\n "}', 400, '"text" is empty; send 1 to 2000 characters.'],
    ['a numeric text', '{"text":12}', 400, '"text" must be a string, not a number.'],
    ['an object text', '{"text":{"html":"<b>"}}', 400, '"text" must be a string, not an object.'],
    [
      'an over-long text',
      JSON.stringify({ text: 'é'.repeat(2001) }),
      400,
      '"text" has 2001 characters; at most 2000 are allowed.',
    ],
    [
      'a boolean recipient',
      '{"text":"hi","recipient":true}',
      400,
      '"recipient" must be a user name (a string) or null for everyone, not a boolean.',
    ],
    [
      'an over-long recipient',
      JSON.stringify({ text: 'hi', recipient: 'r'.repeat(300) }),
      400,
      '"recipient" has 300 characters; at most 256 are allowed.',
    ],
    [
      'a body over the limit',
      JSON.stringify({ text: 'hi', padding: 'p'.repeat(70_000) }),
      413,
      'The request body is 70026 bytes; at most 65536 are allowed.',
    ],
    [
      'deeply nested JSON',
      `{"text":"hi","deep":${'['.repeat(2000)}${']'.repeat(2000)}}`,
      400,
      'The request body nests arrays or objects 2001 levels deep; at most 32 are allowed.',
    ],
    [
      'invalid UTF-8',
      invalidUtf8,
      400,
      '"text" contains bytes that are not valid UTF-8; send the body encoded as UTF-8.',
    ],
    [
      'a lone surrogate',
      '{"text":"\\udc00"}',
      400,
      '"text" contains a lone surrogate; send well-formed UTF-8 text.',
    ],
    [
      'a control character',
      '{"text":"ring\\u0007"}',
      400,
      '"text" contains a control character; only tab, line feed and carriage return are allowed.',
    ],
  ];

  it.each(cases)('refuses %s with a JSON error', async (_label, body, status, error) => {
    const result = await postMessage(stack.urls.api, alice, body);
    expect(result).toEqual({
      status,
      contentType: expect.stringMatching(/^application\/json/),
      json: { error },
    });
  });

  it('tried at least 15 kinds of bad input', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it('broadcast none of them: the listener hears only the message sent after them', async () => {
    const sentinel = await postMessage(
      stack.urls.api,
      alice,
      JSON.stringify({ text: 'after the bad ones' }),
    );
    expect(sentinel.status).toBe(202);
    await bobTab.waitForText('after the bad ones');
    expect(bobTab.messages.map((message) => message.text)).toEqual(['after the bad ones']);
  });

  it('drops unknown fields: they are never forwarded', async () => {
    const result = await postMessage(
      stack.urls.api,
      alice,
      JSON.stringify({
        text: 'extra fields',
        admin: true,
        isPrivate: true,
        id: 'forged',
        html: '<b>x</b>',
      }),
    );
    expect(result.status).toBe(202);
    await bobTab.waitForText('extra fields');
    const delivered = bobTab.messages.find((message) => message.text === 'extra fields')!;
    expect(Object.keys(delivered).sort()).toEqual([
      'id',
      'isPrivate',
      'sender',
      'text',
      'timestamp',
    ]);
    expect(delivered).toEqual(expect.objectContaining({ isPrivate: false, sender: 'alice' }));
    expect(delivered.id).not.toBe('forged');
  });

  it.each([
    ['emoji', '👩‍💻 ship it 🚀🎉'],
    ['right-to-left text', 'مرحبا بالعالم — שלום'],
    ['mixed scripts and combining marks', 'Zoë — 日本語 — Ελληνικά — e\u0301'],
  ])('delivers %s intact', async (_label, text) => {
    expect((await postMessage(stack.urls.api, alice, JSON.stringify({ text }))).status).toBe(202);
    await bobTab.waitForText(text);
    const delivered: ChatMessage = bobTab.messages.find((message) => message.text === text)!;
    expect(Buffer.from(delivered.text, 'utf8').equals(Buffer.from(text, 'utf8'))).toBe(true);
  });
});
