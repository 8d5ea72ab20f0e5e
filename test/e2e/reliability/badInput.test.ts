import { sharedStack, type SharedStack } from '../../support/sharedStack';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { BAD_INPUT_CASES } from '../../support/badInput';
import { Listener, postMessage, signIn } from '../../support/chatClients';

/**
 * bad input to SendMessage through the whole path (front door, host, function). Each
 * gets a 4xx with a JSON error naming the problem, and a connected listener hears nothing.
 */
describe('SendMessage bad input through the front door', () => {
  let stack: SharedStack;
  let alice: string;
  let bobTab: Listener;

  beforeAll(async () => {
    stack = sharedStack();
    alice = await signIn(stack.urls.api, 'ada');
    bobTab = await Listener.connect(stack.urls.api, await signIn(stack.urls.api, 'bert'), 'bert');
  });

  afterAll(async () => {
    await bobTab?.stop();
  });

  const invalidUtf8 = Buffer.concat([
    Buffer.from('{"text":"caf'),
    Buffer.from([0xc3, 0x28, 0xff]),
    Buffer.from('"}'),
  ]);

  const cases: readonly (readonly [string, string | Uint8Array, number, string, string])[] = [
    ...BAD_INPUT_CASES,
    [
      'invalid UTF-8',
      invalidUtf8,
      400,
      'InvalidUtf8',
      '"text" contains bytes that are not valid UTF-8; send the body encoded as UTF-8.',
    ],
  ];

  it.each(cases)('refuses %s with a JSON error', async (_label, body, status, code, error) => {
    const result = await postMessage(stack.urls.api, alice, body);
    expect(result).toEqual({
      status,
      contentType: expect.stringMatching(/^application\/json/),
      json: { error, code },
    });
  });

  it('broadcast none of them: the listener hears only the message sent after them', async () => {
    const sentinel = await postMessage(
      stack.urls.api,
      alice,
      JSON.stringify({ text: 'after the bad ones' }),
    );
    expect(sentinel.status).toBe(202);
    await bobTab.waitForText('after the bad ones');
    // This suite's sender only: other suites share the stack and may broadcast meanwhile.
    const fromAda = bobTab.messages.filter((message) => message.sender === 'ada');
    expect(fromAda.map((message) => message.text)).toEqual(['after the bad ones']);
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
      'room',
      'sender',
      'text',
      'timestamp',
    ]);
    expect(delivered).toEqual(expect.objectContaining({ isPrivate: false, sender: 'ada' }));
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
