import negotiate from '../../negotiate';
import { invokeFunction, makeRequest } from './invokeFunction';

describe('negotiate', () => {
  it("answers the binding's connection info as JSON with exactly url and accessToken", async () => {
    const connectionInfo = {
      url: 'http://localhost:8888/client/?hub=chat',
      accessToken: 'a.b.c',
      extra: 'dropped',
    };
    const { context } = await invokeFunction(negotiate, makeRequest({ method: 'POST' }), {
      connectionInfo,
    });
    expect(context.res).toEqual({
      status: 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
      body: { url: 'http://localhost:8888/client/?hub=chat', accessToken: 'a.b.c' },
    });
  });
});
