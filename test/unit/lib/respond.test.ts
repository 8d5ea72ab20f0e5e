import { HttpError } from '../../../lib/HttpError';
import { answerError, json } from '../../../lib/respond';
import type { Context } from '@azure/functions';

/** What the functions hand the host: JSON text, sent as it is, never an object to re-serialise. */
describe('respond', () => {
  it('answers compact JSON text with a JSON content type, never cached', () => {
    const res = json(200, { messages: [{ text: '王芳 🦊 50% off' }] });
    expect(res.body).toBe('{"messages":[{"text":"王芳 🦊 50% off"}]}');
    expect(res.headers).toEqual({
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
    });
  });

  it('answers a refusal as {"error", "code"} text with its status and headers', () => {
    const context = { log: { error: () => undefined } } as unknown as Context;
    answerError(
      context,
      new HttpError(429, 'SendLimit', 'Slow down.', { headers: { 'Retry-After': '5' } }),
    );
    expect(context.res).toEqual({
      status: 429,
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        'Retry-After': '5',
      },
      body: '{"error":"Slow down.","code":"SendLimit"}',
    });
  });
});
