import { join } from 'node:path';
import { FunctionHost } from '../../../local/host/FunctionHost';
import { createLogger } from '../../../local/log';
import { rawRequest, statusOf, tokenUser } from '../../support/rawHttp';

/**
 * The host builds an HTTP trigger's binding data as Azure does (docs/functions-host.md,
 * "Binding data"), so the attack on `{headers.…}` reproduces here against a function with no
 * defence (fixture Shadowed, the tutorial's negotiate).
 */
describe('binding data, as Azure builds it', () => {
  let host: FunctionHost;
  let base: string;
  let port: number;

  beforeAll(async () => {
    host = new FunctionHost({
      settings: {
        AzureSignalRConnectionString:
          'Endpoint=http://localhost;Port=8888;AccessKey=test-key-0123456789;Version=1.0;',
      },
      root: join(__dirname, '..', '..', 'fixtures', 'app'),
      log: createLogger('test', 'silent'),
    });
    port = await host.listen();
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await host.close();
  });

  async function negotiateAs(
    name: string,
    init: { body?: string; query?: string; path?: string } = {},
  ): Promise<{ status: number; user: unknown }> {
    const response = await fetch(`${base}/api/shadowed${init.path ?? ''}${init.query ?? ''}`, {
      method: 'POST',
      headers: { 'x-ms-client-principal-name': name, 'Content-Type': 'application/json' },
      body: init.body,
    });
    if (response.status !== 200) return { status: response.status, user: undefined };
    const { accessToken } = (await response.json()) as { accessToken: string };
    return { status: 200, user: tokenUser(accessToken) };
  }

  it('issues the token for the principal header when nothing shadows it (control)', async () => {
    await expect(negotiateAs('alice')).resolves.toEqual({ status: 200, user: 'alice' });
  });

  it.each([
    ['a body "headers" object', '{"headers":{"x-ms-client-principal-name":"bob"}}'],
    [
      'a body "Headers" object, keys in another case',
      '{"Headers":{"X-MS-CLIENT-PRINCIPAL-NAME":"bob"}}',
    ],
  ])('lets %s replace the real headers, as Azure does', async (_label, body) => {
    await expect(negotiateAs('alice', { body })).resolves.toEqual({ status: 200, user: 'bob' });
  });

  it('fails the invocation (500) when a query parameter "headers" shadows them with a string', async () => {
    await expect(negotiateAs('alice', { query: '?headers=bob' })).resolves.toEqual({
      status: 500,
      user: undefined,
    });
  });

  it('skips arrays and nulls in the body, so the real headers stay', async () => {
    for (const body of ['{"headers":null}', '{"headers":["bob"]}'])
      await expect(negotiateAs('alice', { body })).resolves.toEqual({ status: 200, user: 'alice' });
  });

  it('adds no binding data from a body sent without Content-Length (chunked), as Azure', async () => {
    const body = '{"headers":{"x-ms-client-principal-name":"bob"}}';
    const answer = await rawRequest(
      port,
      `POST /api/shadowed HTTP/1.1\r\nHost: x\r\nx-ms-client-principal-name: alice\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    );
    expect(statusOf(answer)).toBe(200);
    const token = /"accessToken":\s*"([^"]+)"/.exec(answer)![1];
    expect(tokenUser(token)).toBe('alice');
  });
});
