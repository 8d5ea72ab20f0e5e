import {
  audienceBase,
  parseConnectionString,
  serverBaseUrl,
  type SignalRConnectionString,
} from '../../../../lib/signalr/ConnectionString';
import { signToken } from '../../../../lib/signalr/tokens';

/**
 * The REST calls the Functions extension's Management SDK makes for the signalR output binding,
 * written from its source and not shared with the app's own client (lib/signalr/RestClient.ts),
 * so that a misreading of the REST contract in the app is not repeated here where no test could
 * see it (Azure/azure-signalr, src/Microsoft.Azure.SignalR.Management/RestApiProvider.cs,
 * RestHubLifetimeManager.cs; src/Microsoft.Azure.SignalR.Common/Utilities/RestClient.cs,
 * Rest/JsonPayloadMessageContent.cs):
 * - `{ServerEndpoint}api/hubs/{hub, lowercased}{path}?api-version=2022-06-01`, every name
 *   escaped with `Uri.EscapeDataString` (letters, digits and `-._~` kept) and the URL then read
 *   as .NET's `Uri` reads it (dot segments removed);
 * - a token whose audience is the same URL on the audience base (the port dropped), 60 minutes;
 * - sends as `{"Target":…,"Arguments":[…]}`, `application/json; charset=utf-8`;
 * - a failure status throws, except the 404 each call expects (FilterExpectedResponse).
 * The SDK's HttpClient retries and waits up to 100 s; this waits 5 s and does not retry, so
 * a test of an outage ends in seconds.
 */
export const MANAGEMENT_API_VERSION = '2022-06-01';
const DEADLINE_MS = 5_000;
const TOKEN_LIFETIME_SECONDS = 60 * 60;

/** .NET's Uri.EscapeDataString: RFC 3986 unreserved characters kept, the rest as UTF-8 %XX. */
export function escapeDataString(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export class ServiceRestClient {
  private readonly cs: SignalRConnectionString;

  constructor(connectionString: string) {
    this.cs = parseConnectionString(connectionString);
  }

  /**
   * One call on `pathAfterHub` (already escaped); resolves on 2xx, or on a 404 whose
   * `x-ms-error-code` is `expected404` (compared ignoring case, as the SDK does).
   */
  async call(
    method: string,
    hub: string,
    pathAfterHub: string,
    payload?: { target: string; arguments: readonly unknown[] },
    expected404?: string,
  ): Promise<void> {
    const tail = `api/hubs/${escapeDataString(hub.toLowerCase())}${pathAfterHub}?api-version=${MANAGEMENT_API_VERSION}`;
    const url = `${serverBaseUrl(this.cs).replace(/\/?$/, '/')}${tail}`;
    const token = signToken(
      this.cs.accessKey,
      { aud: `${audienceBase(this.cs)}/${tail}` },
      TOKEN_LIFETIME_SECONDS,
    );
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    let body: string | undefined;
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json; charset=utf-8';
      body = JSON.stringify({ Target: payload.target, Arguments: payload.arguments });
    }
    let response: Response;
    try {
      // A URL string, read by the WHATWG parser: dot segments go, as .NET's Uri removes them.
      response = await fetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(DEADLINE_MS),
      });
    } catch (error) {
      throw new Error(
        `An error happened when making request to ${url}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const detail = await response.text();
    if (response.ok) return;
    const code = response.headers.get('x-ms-error-code');
    if (
      response.status === 404 &&
      expected404 !== undefined &&
      code?.toLowerCase() === expected404.toLowerCase()
    )
      return;
    throw new Error(
      `Response status code does not indicate success: ${response.status} (${method} ${url}): ${detail.slice(0, 200)}`,
    );
  }
}
