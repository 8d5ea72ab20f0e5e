import { randomBytes } from 'node:crypto';
import {
  Agent,
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { closeServer, listen } from '../httpServer';
import type { Logger } from '../log';
import { messagePage, signInPage } from './pages';
import { isAllowedRedirect } from './redirects';

/**
 * The stand-in for App Service Authentication ("EasyAuth") and platform CORS in front of the
 * functions host (spec functions-v3-and-easyauth.md §6): local sign-in, /.auth/me, sign-out,
 * identity headers stripped from clients and injected from the session, 401 with no session.
 */
export interface FrontDoorOptions {
  /** Base URL of the functions host it proxies to. */
  readonly target: string;
  readonly port: number;
  readonly corsOrigins: readonly string[];
  readonly corsCredentials: boolean;
  readonly log: Logger;
}

interface Session {
  readonly name: string;
  readonly provider: string;
  readonly expiresAt: number;
}

export const SESSION_COOKIE = 'AppServiceAuthSession';
const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;
const MAX_NAME_CHARS = 64;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const IDENTITY_HEADER = /^x-ms-(client-principal|token-)/i;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res
    .writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(payload),
      'Cache-Control': 'no-store',
    })
    .end(payload);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res
    .writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
    })
    .end(html);
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 8192) req.destroy(new Error('Form too large.'));
    });
    req.on('end', () => resolve(new URLSearchParams(text)));
    req.on('error', reject);
  });
}

export class FrontDoor {
  private readonly sessions = new Map<string, Session>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private server?: Server;

  constructor(private readonly options: FrontDoorOptions) {
    if (options.corsCredentials && options.corsOrigins.includes('*')) {
      throw new Error(
        'CORS origin "*" cannot be used with CORSCredentials: browsers refuse credentials with a wildcard origin. List the page origins instead, e.g. http://127.0.0.1:5500,http://localhost:5500.',
      );
    }
  }

  async listen(): Promise<number> {
    const server = createServer(
      (req, res) => void this.handle(req, res).catch((error: unknown) => this.fail(res, error)),
    );
    server.keepAliveTimeout = 60_000;
    this.server = server;
    return listen(server, this.options.port);
  }

  async close(): Promise<void> {
    this.agent.destroy();
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }

  private fail(res: ServerResponse, error: unknown): void {
    this.options.log.error(`front door: ${(error as Error).message}`);
    if (!res.headersSent) sendJson(res, 500, { error: 'The front door had an internal error.' });
  }

  private session(req: IncomingMessage): Session | undefined {
    const match = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(req.headers.cookie ?? '');
    if (match === null) return undefined;
    const session = this.sessions.get(match[1]);
    if (session === undefined || session.expiresAt < Date.now()) return undefined;
    return session;
  }

  /** Platform CORS: echo an allowed origin (with credentials when configured); answer preflights. */
  private applyCors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const allowed =
      origin !== undefined &&
      (this.options.corsOrigins.includes(origin) || this.options.corsOrigins.includes('*'));
    if (allowed) {
      res.setHeader(
        'Access-Control-Allow-Origin',
        this.options.corsOrigins.includes('*') ? '*' : origin,
      );
      if (this.options.corsCredentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    res.setHeader('Vary', 'Origin');
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined)
      return false;
    if (allowed) {
      res.setHeader(
        'Access-Control-Allow-Methods',
        String(req.headers['access-control-request-method']),
      );
      const headers = req.headers['access-control-request-headers'];
      if (headers !== undefined) res.setHeader('Access-Control-Allow-Headers', headers);
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.writeHead(204).end();
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.applyCors(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path.startsWith('/.auth/login/'))
      return this.login(req, res, url, decodeURIComponent(path.slice('/.auth/login/'.length)));
    if (path === '/.auth/me') return this.me(req, res);
    if (path === '/.auth/logout') return this.logout(req, res, url);
    if (path === '/.auth/logout/complete')
      return sendHtml(
        res,
        200,
        messagePage('Signed out', 'You have signed out. You can close this tab.'),
      );
    return this.proxy(req, res);
  }

  private async login(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    provider: string,
  ): Promise<void> {
    if (provider === 'done')
      return sendHtml(
        res,
        200,
        messagePage('Signed in', 'You are signed in. You can close this tab.'),
      );
    if (!/^[a-z][a-z0-9_-]{0,31}$/i.test(provider))
      return sendJson(res, 404, { error: `Unknown sign-in provider '${provider}'.` });
    const form = req.method === 'POST' ? await readForm(req) : undefined;
    const redirect =
      form?.get('post_login_redirect_uri') ??
      url.searchParams.get('post_login_redirect_uri') ??
      url.searchParams.get('post_login_redirect_url') ??
      '/.auth/login/done';
    if (!isAllowedRedirect(redirect, this.options.corsOrigins)) {
      return sendJson(res, 400, {
        error: `The redirect ${JSON.stringify(redirect)} is not an allowed origin; use a path on this host or one of: ${this.options.corsOrigins.join(', ')}.`,
      });
    }
    if (form === undefined) return sendHtml(res, 200, signInPage(provider, redirect));
    const name = (form.get('name') ?? '').trim();
    if (name.length === 0 || name.length > MAX_NAME_CHARS || CONTROL_CHARACTER.test(name)) {
      return sendHtml(
        res,
        400,
        signInPage(provider, redirect, `Type a name of 1 to ${MAX_NAME_CHARS} characters.`),
      );
    }
    const sessionId = randomBytes(24).toString('base64url');
    this.sessions.set(sessionId, { name, provider, expiresAt: Date.now() + SESSION_LIFETIME_MS });
    this.options.log.info(`signed in a user with ${provider}`);
    res
      .writeHead(302, {
        Location: redirect,
        'Set-Cookie': `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_LIFETIME_MS / 1000}`,
        'Cache-Control': 'no-store',
      })
      .end();
  }

  private me(req: IncomingMessage, res: ServerResponse): void {
    const session = this.session(req);
    if (session === undefined)
      return sendJson(res, 401, {
        error: 'Nobody is signed in: sign in at /.auth/login/<provider>.',
      });
    sendJson(res, 200, [
      {
        provider_name: session.provider,
        user_id: session.name,
        user_claims: [
          { typ: 'name', val: session.name },
          {
            typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier',
            val: session.name,
          },
        ],
        access_token: '',
        expires_on: new Date(session.expiresAt).toISOString(),
        id_token: '',
      },
    ]);
  }

  private logout(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const redirect = url.searchParams.get('post_logout_redirect_uri') ?? '/.auth/logout/complete';
    if (!isAllowedRedirect(redirect, this.options.corsOrigins)) {
      return sendJson(res, 400, {
        error: `The redirect ${JSON.stringify(redirect)} is not an allowed origin; use a path on this host or one of: ${this.options.corsOrigins.join(', ')}.`,
      });
    }
    const match = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(req.headers.cookie ?? '');
    if (match !== null) this.sessions.delete(match[1]);
    res
      .writeHead(302, {
        Location: redirect,
        'Set-Cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
        'Cache-Control': 'no-store',
      })
      .end();
  }

  private proxy(req: IncomingMessage, res: ServerResponse): void {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined && !IDENTITY_HEADER.test(name)) headers[name] = value;
    const session = this.session(req);
    // Return401: an API call without a session is refused, never redirected (a redirect breaks the preflight).
    if (session === undefined)
      return sendJson(res, 401, {
        error: 'Sign in first: this API needs a signed-in user (App Service Authentication).',
      });
    const principal = {
      auth_typ: session.provider,
      claims: [{ typ: 'name', val: session.name }],
      name_typ: 'name',
      role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
    };
    headers['x-ms-client-principal'] = Buffer.from(JSON.stringify(principal)).toString('base64');
    headers['x-ms-client-principal-name'] = session.name;
    headers['x-ms-client-principal-id'] = session.name;
    headers['x-ms-client-principal-idp'] = session.provider;
    const upstream = request(
      `${this.options.target}${req.url ?? '/'}`,
      { method: req.method, headers, agent: this.agent },
      (proxied) => {
        res.writeHead(proxied.statusCode ?? 502, proxied.headers);
        proxied.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      this.options.log.error(`front door: the functions host is unreachable: ${error.message}`);
      if (!res.headersSent) sendJson(res, 502, { error: 'The functions host is not reachable.' });
    });
    req.pipe(upstream);
  }
}
