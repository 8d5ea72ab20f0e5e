import {
  RefusedError,
  RetryLaterError,
  SignedOutError,
  UnreachableError,
  request,
  sendFailure,
} from '../../../content/src/request';

/**
 * The page's one request function: each way a call can fail becomes one typed error, whatever
 * the call, and the composer's sentence for each.
 */
const config = { apiBaseUrl: 'http://api.test' };

function answer(status: number, body?: string, headers: Record<string, string> = {}) {
  return jest
    .spyOn(global, 'fetch')
    .mockResolvedValue(new Response(body ?? null, { status, headers }));
}

describe('request', () => {
  afterEach(() => jest.restoreAllMocks());

  it('resolves with the JSON answer, with the session cookie, and undefined for none', async () => {
    const fetchSpy = answer(200, '{"users":[{"name":"王芳"}]}');
    await expect(request(config, '/api/users', 'Who is online')).resolves.toEqual({
      users: [{ name: '王芳' }],
    });
    expect(fetchSpy).toHaveBeenCalledWith(
      'http://api.test/api/users',
      expect.objectContaining({ credentials: 'include' }),
    );
    answer(204);
    await expect(request(config, '/api/rooms/x/join', 'Join')).resolves.toBeUndefined();
  });

  it('answers 401 with SignedOutError, whatever the call', async () => {
    answer(401, '{"error":"no session"}');
    await expect(request(config, '/api/messages', 'History')).rejects.toBeInstanceOf(
      SignedOutError,
    );
  });

  it.each([
    [429, { 'Retry-After': '7' }, 7],
    [503, {}, 5],
    [503, { 'Retry-After': 'soon' }, 5],
  ])('answers %i with RetryLaterError and its delay', async (status, headers, seconds) => {
    answer(status, '{"error":"Storage did not answer.","code":"HistoryUnavailable"}', headers);
    const error = await request(config, '/api/messages', 'History').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).retryAfterSeconds).toBe(seconds);
    expect((error as Error).message).toBe('Storage did not answer.');
  });

  it("answers a refusal with the server's code and sentence, or names the status", async () => {
    answer(400, '{"error":"The room name is too long.","code":"InvalidRoom"}');
    const refused = await request(config, '/api/rooms/x/join', 'Join').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RefusedError);
    expect(refused).toMatchObject({ status: 400, code: 'InvalidRoom' });
    expect((refused as Error).message).toBe('The room name is too long.');
    answer(500, '');
    const empty = await request(config, '/api/messages', 'History could not be loaded').catch(
      (e: unknown) => e,
    );
    expect(empty).toMatchObject({ status: 500, code: '' });
    expect((empty as Error).message).toBe('History could not be loaded (the server answered 500).');
  });

  it('answers no answer at all with UnreachableError', async () => {
    jest.spyOn(global, 'fetch').mockRejectedValue(new TypeError('fetch failed'));
    await expect(request(config, '/api/messages', 'History')).rejects.toBeInstanceOf(
      UnreachableError,
    );
  });
});

describe('sendFailure', () => {
  it('keeps the draft in every sentence but a refusal the server would repeat', () => {
    expect(sendFailure(new SignedOutError())).toBe(
      'Your sign-in has expired. Sign in again; your message is kept.',
    );
    expect(
      sendFailure(new RefusedError(400, 'TextTooLong', 'At most 2,000 characters.', true)),
    ).toBe('At most 2,000 characters.');
    expect(
      sendFailure(new RetryLaterError('Sending too fast; send it again in 3 s.', 3, true)),
    ).toBe('Sending too fast; send it again in 3 s.');
    expect(
      sendFailure(
        new RetryLaterError('The message could not be sent (the server answered 503).', 5),
      ),
    ).toBe(
      'The message could not be sent (the server answered 503). Your message is kept; try again.',
    );
    expect(
      sendFailure(
        new UnreachableError(
          'The message could not be sent: the server could not be reached; try again.',
        ),
      ),
    ).toBe(
      'The message could not be sent: the server could not be reached. Your message is kept; try again.',
    );
    expect(sendFailure(new Error('?'))).toBe(
      'Something went wrong. Your message is kept; try again.',
    );
  });
});
