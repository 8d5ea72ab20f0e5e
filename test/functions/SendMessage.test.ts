import { HubMethod } from '../../lib/hub';
import sendMessage from '../../SendMessage';
import type { ChatMessage } from '../../lib/ChatMessage';
import { BAD_INPUT_CASES } from '../support/badInput';
import { startTestStorage } from '../support/testStorage';
import { invokeFunction, makeRequest } from './invokeFunction';

const MESSAGE_ID = /^\d{25}$/;

async function send(rawBody: string | undefined, principal: string | null = 'alice') {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (principal !== null) headers['X-MS-CLIENT-PRINCIPAL-NAME'] = principal;
  const { context, returned } = await invokeFunction(
    sendMessage,
    makeRequest({ headers, rawBody }),
  );
  return {
    res: context.res as { status: number; headers: Record<string, string>; body: unknown },
    returned,
  };
}

describe('SendMessage', () => {
  let storage: { close(): Promise<void> };
  beforeAll(async () => {
    storage = await startTestStorage();
  });
  afterAll(() => storage.close());

  it('broadcasts a public message with the signed-in sender and answers 202 with it', async () => {
    const { res, returned } = await send(JSON.stringify({ text: '  hello world  ' }));
    expect(res.status).toBe(202);
    expect(res.headers['Content-Type']).toBe('application/json');
    const message = res.body as ChatMessage;
    expect(message).toEqual({
      id: expect.stringMatching(MESSAGE_ID),
      sender: 'alice',
      text: 'hello world',
      timestamp: expect.any(String),
      isPrivate: false,
    });
    expect(new Date(message.timestamp).toISOString()).toBe(message.timestamp);
    expect(returned).toEqual([{ target: HubMethod.NewMessage, arguments: [message] }]);
  });

  it('accepts the seed page body and ignores its sender field', async () => {
    const { res, returned } = await send(
      '{"recipient": null, "sender": "", "text": "from the tutorial"}',
    );
    expect(res.status).toBe(202);
    expect(returned).toEqual([
      {
        target: HubMethod.NewMessage,
        arguments: [
          expect.objectContaining({ sender: 'alice', text: 'from the tutorial', isPrivate: false }),
        ],
      },
    ]);
  });

  it('never takes the sender from the body', async () => {
    const { res } = await send(JSON.stringify({ text: 'hi', sender: 'mallory' }));
    expect((res.body as ChatMessage).sender).toBe('alice');
  });

  it('drops unknown fields instead of forwarding them', async () => {
    const { res, returned } = await send(
      JSON.stringify({ text: 'hi', isPrivate: true, id: 'x', admin: true, nested: { a: [1] } }),
    );
    expect(Object.keys(res.body as object).sort()).toEqual([
      'id',
      'isPrivate',
      'sender',
      'text',
      'timestamp',
    ]);
    expect((res.body as ChatMessage).id).not.toBe('x');
    expect((returned as { arguments: unknown[] }[])[0].arguments[0]).toBe(res.body);
  });

  it('sends a private message to the recipient and to the sender', async () => {
    const { res, returned } = await send(JSON.stringify({ text: 'psst', recipient: 'bob' }));
    const message = res.body as ChatMessage;
    expect(message).toEqual(
      expect.objectContaining({ sender: 'alice', recipient: 'bob', isPrivate: true, text: 'psst' }),
    );
    expect(returned).toEqual([
      { target: HubMethod.NewMessage, arguments: [message], userId: 'bob' },
      { target: HubMethod.NewMessage, arguments: [message], userId: 'alice' },
    ]);
  });

  it('sends once when someone writes privately to themselves', async () => {
    const { returned } = await send(JSON.stringify({ text: 'note to self', recipient: 'alice' }));
    expect(returned).toEqual([
      {
        target: HubMethod.NewMessage,
        arguments: [expect.objectContaining({ recipient: 'alice' })],
        userId: 'alice',
      },
    ]);
  });

  it.each([
    ['null', null],
    ['an empty string', ''],
    ['absent', undefined],
  ])('broadcasts when recipient is %s', async (_label, recipient) => {
    const { returned } = await send(JSON.stringify({ text: 'hi', recipient }));
    expect(returned).toEqual([
      { target: HubMethod.NewMessage, arguments: [expect.objectContaining({ isPrivate: false })] },
    ]);
  });

  it.each([
    ['emoji', '👋🏽 hi 🎉'],
    ['right-to-left text', 'שלום עולם مرحبا'],
    ['combining marks and CJK', 'e\u0301 漢字 ｶﾀｶﾅ'],
    ['a multi-line message', 'line one\nline two\tand a tab'],
  ])('keeps %s intact', async (_label, text) => {
    const { res } = await send(JSON.stringify({ text }));
    expect((res.body as ChatMessage).text).toBe(text);
  });

  it('accepts nesting up to 32 levels in ignored fields, and brackets inside strings', async () => {
    const nested = `{"text":"[[[{{{ not nesting","x":${'['.repeat(31)}${']'.repeat(31)}}`;
    const { res } = await send(nested);
    expect(res.status).toBe(202);
    expect((res.body as ChatMessage).text).toBe('[[[{{{ not nesting');
  });

  it('counts characters, not UTF-16 units: 2,000 emoji are allowed', async () => {
    const { res } = await send(JSON.stringify({ text: '😀'.repeat(2000) }));
    expect(res.status).toBe(202);
  });

  it('answers 401 and sends nothing without a signed-in principal', async () => {
    for (const principal of [null, '']) {
      const { res, returned } = await send(JSON.stringify({ text: 'hi' }), principal);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'Sign in first: this request carries no signed-in user.' });
      expect(returned).toBeUndefined();
    }
  });

  it.each<readonly [string, string | undefined, number, string]>([
    ...BAD_INPUT_CASES,
    [
      'no body',
      undefined,
      400,
      'The request body is empty; send a JSON object like {"text": "hello"}.',
    ],
    [
      'invalid UTF-8 (decoded to U+FFFD)',
      '{"text":"a\uFFFDb"}',
      400,
      '"text" contains bytes that are not valid UTF-8; send the body encoded as UTF-8.',
    ],
  ])('answers %s with %p and sends nothing', async (_label, rawBody, status, error) => {
    const { res, returned } = await send(rawBody);
    expect(res.status).toBe(status);
    expect(res.headers['Content-Type']).toBe('application/json');
    expect(res.body).toEqual({ error });
    expect(returned).toBeUndefined();
  });

  it('lets an unexpected fault propagate so the host answers 500', async () => {
    const req = {
      headers: { 'x-ms-client-principal-name': 'alice', 'content-type': 'application/json' },
      get rawBody(): string {
        throw new Error('boom');
      },
    };
    await expect(invokeFunction(sendMessage, req as never)).rejects.toThrow('boom');
  });
});
