import {
  Agent,
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { MAX_UPSTREAM_BODY_BYTES } from '../signalr/upstream';
import { userNameProblem } from '../../lib/userName';
import { applyCors } from '../http/cors';
import { HttpError } from '../../lib/HttpError';
import { sendJson } from '../http/respond';
import { forward } from './forward';
import { readBody } from '../http/readBody';
import { parseRequestTarget } from '../http/requestTarget';
import { serve } from '../http/serve';
import { closeServer, listen } from '../httpServer';
import type { Logger } from '../log';
import { isForgedRequest, isKnownBrowser, requestOrigin } from './csrf';
import { messagePage, sendHtml, signInPage } from './pages';
import { IDENTITY_HEADER, principalHeaders } from './principalHeaders';
import { originOf, resolveRedirect, type RedirectPolicy } from './redirects';
import { SessionSeal, type RevocationLog, type Session } from './SessionSeal';
import { sessionCookie, sessionIdOf } from './sessionCookie';

/** What a FrontDoor is built with. */
export interface FrontDoorOptions {
  /** Base URL of the functions host it proxies to. */
  readonly target: string;
  readonly port: number;
  readonly corsOrigins: readonly string[];
  readonly corsCredentials: boolean;
  /** App Service's "allowed external redirect URLs": where sign-in and sign-out may return to. */
  readonly allowedExternalRedirectUrls: readonly string[];
  readonly log: Logger;
  /**
   * The key sessions are sealed with (64 hex digits: App Service's `WEBSITE_AUTH_ENCRYPTION_KEY`)
   * and their lifetime (8 hours by default). The same key after a restart keeps everyone signed
   * in.
   */
  readonly sessionKey: string;
  readonly sessionLifetimeMs?: number;
  /** Where sign-outs are kept across restarts (with a kept key); in memory only without it. */
  readonly revocations?: RevocationLog;
  /**
   * Paths App Service Authentication leaves alone (`globalValidation.excludedPaths`): no session
   * needed, identity headers still stripped. The SignalR upstream is one: its signature (and, in
   * Azure, the signalr_extension key) protects it.
   */
  readonly excludedPaths?: readonly string[];
  /** A request body must arrive within this (default 10 s), or the answer is 408. */
  readonly bodyTimeoutMs?: number;
}

/** Largest body passed on to the functions (the app's own limit is 64 KB). */
export const MAX_PROXIED_BODY_BYTES = 4 * 1024 * 1024;
/** Largest body on an excluded path: what the SignalR webhook accepts. */
export const MAX_EXCLUDED_BODY_BYTES = MAX_UPSTREAM_BODY_BYTES;
const MAX_FORM_BYTES = 8 * 1024;
const DEFAULT_BODY_TIMEOUT_MS = 10_000;
const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * The stand-in for App Service Authentication ("EasyAuth") and platform CORS in front of the
 * functions host (docs/app-service-auth.md): local sign-in, /.auth/me, sign-out, identity
 * headers stripped from clients and injected from the session, 401 with no session, and the
 * cross-site request forgery check.
 */
export class FrontDoor {
  readonly sessions: SessionSeal;
  private readonly agent = new Agent({ keepAlive: true });
  private server?: Server;
  private redirects: RedirectPolicy = { ownOrigins: [], allowedExternalUrls: [] };

  constructor(private readonly options: FrontDoorOptions) {
    if (options.corsCredentials && options.corsOrigins.includes('*')) {
      throw new Error(
        'CORS origin "*" cannot be used with CORSCredentials: browsers refuse credentials with a wildcard origin. List the page origins instead, e.g. http://127.0.0.1:5500,http://localhost:5500.',
      );
    }
    this.sessions = new SessionSeal(
      options.sessionKey,
      options.sessionLifetimeMs,
      options.revocations,
    );
  }

  async listen(): Promise<number> {
    const log = (message: string) => this.options.log.error(`front door: ${message}`);
    const server = createServer(serve((req, res) => this.handle(req, res), log));
    server.keepAliveTimeout = 60_000;
    // Slow clients: headers within 10 s, the whole request within 30 s.
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    this.server = server;
    const port = await listen(server, this.options.port);
    this.redirects = {
      ownOrigins: [`http://127.0.0.1:${port}`, `http://localhost:${port}`],
      allowedExternalUrls: this.options.allowedExternalRedirectUrls,
    };
    return port;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }

  private get csp(): string {
    const targets = this.options.allowedExternalRedirectUrls.map(originOf).filter(Boolean);
    return `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${targets.join(' ')}; frame-ancestors 'none'; base-uri 'none'`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (
      applyCors(req, res, {
        origins: this.options.corsOrigins,
        credentials: this.options.corsCredentials,
      })
    )
      return;
    const url = parseRequestTarget(req.url);
    const path = url.pathname;
    if (path.startsWith('/.auth/login/'))
      return this.login(req, res, url, path.slice('/.auth/login/'.length));
    if (path === '/.auth/me') return this.me(req, res);
    if (path === '/.auth/logout') return this.logout(req, res, url);
    if (path === '/.auth/logout/complete')
      return this.sendMessage(res, 'Signed out', 'You have signed out. You can close this tab.');
    const excluded = (this.options.excludedPaths ?? []).some(
      (excludedPath) => path.toLowerCase() === excludedPath.toLowerCase(),
    );
    return this.proxy(req, res, excluded);
  }

  private sendMessage(res: ServerResponse, title: string, text: string): void {
    sendHtml(res, 200, messagePage(title, text), this.csp);
  }

  private redirectOrRefuse(target: string): string {
    const location = resolveRedirect(target, this.redirects);
    if (location === undefined)
      throw new HttpError(
        400,
        'RedirectNotAllowed',
        `The redirect ${JSON.stringify(target)} is not allowed; use a path on this host or a URL under one of: ${this.options.allowedExternalRedirectUrls.join(', ')}.`,
      );
    return location;
  }

  private async login(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    provider: string,
  ): Promise<void> {
    if (provider === 'done')
      return this.sendMessage(res, 'Signed in', 'You are signed in. You can close this tab.');
    if (!/^[a-z][a-z0-9_-]{0,31}$/i.test(provider))
      throw new HttpError(
        404,
        'UnknownProvider',
        `Unknown sign-in provider ${JSON.stringify(provider)}.`,
      );
    if (req.method === 'POST') {
      // Login CSRF: only the sign-in page itself may post the form.
      const from = requestOrigin(req);
      if (
        (from !== undefined || isKnownBrowser(req)) &&
        (from === undefined || !this.redirects.ownOrigins.includes(from))
      )
        throw new HttpError(
          403,
          'CrossSiteSignIn',
          'Sign in from the sign-in page: a cross-site sign-in was refused.',
        );
    }
    const form =
      req.method === 'POST'
        ? new URLSearchParams((await readBody(req, { limit: MAX_FORM_BYTES })).toString('utf8'))
        : undefined;
    const target =
      form?.get('post_login_redirect_uri') ??
      url.searchParams.get('post_login_redirect_uri') ??
      url.searchParams.get('post_login_redirect_url') ??
      '/.auth/login/done';
    const location = this.redirectOrRefuse(target);
    if (form === undefined) return sendHtml(res, 200, signInPage(provider, target), this.csp);
    const name = (form.get('name') ?? '').normalize('NFC').trim();
    const problem = userNameProblem(name);
    if (problem !== undefined)
      return sendHtml(res, 400, signInPage(provider, target, problem), this.csp);
    const sealed = this.sessions.seal(name, provider);
    this.options.log.info(`signed in a user with ${provider}`);
    res
      .writeHead(302, {
        Location: location,
        'Set-Cookie': sessionCookie(sealed, this.sessions.lifetimeMs / 1000),
        ...NO_STORE,
      })
      .end();
  }

  private me(req: IncomingMessage, res: ServerResponse): void {
    const session = this.sessions.open(sessionIdOf(req));
    if (session === undefined)
      throw new HttpError(
        401,
        'NotSignedIn',
        'Nobody is signed in: sign in at /.auth/login/<provider>.',
      );
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
    const location = this.redirectOrRefuse(
      url.searchParams.get('post_logout_redirect_uri') ?? '/.auth/logout/complete',
    );
    this.sessions.signOut(sessionIdOf(req));
    res
      .writeHead(302, {
        Location: location,
        'Set-Cookie': sessionCookie('', 0),
        ...NO_STORE,
      })
      .end();
  }

  private async proxy(req: IncomingMessage, res: ServerResponse, excluded: boolean): Promise<void> {
    const session: Session | undefined = excluded
      ? undefined
      : this.sessions.open(sessionIdOf(req));
    // Return401: an API call without a session is refused, never redirected (a redirect breaks the preflight).
    if (session === undefined && !excluded)
      throw new HttpError(
        401,
        'NotSignedIn',
        'Sign in first: this API needs a signed-in user (App Service Authentication).',
      );
    if (
      !excluded &&
      isForgedRequest(req, {
        ownOrigins: this.redirects.ownOrigins,
        allowedExternalUrls: this.options.allowedExternalRedirectUrls,
        corsOrigins: this.options.corsOrigins,
      })
    ) {
      this.options.log.warn(
        `front door: Cross-site request forgery detected (Origin ${JSON.stringify(req.headers.origin ?? null)}).`,
      );
      throw new HttpError(
        403,
        'CrossSiteRequest',
        'Cross-site request forgery detected: this request came from a site that is not allowed to post as the signed-in user.',
      );
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined && !IDENTITY_HEADER.test(name) && name !== 'transfer-encoding')
        headers[name] = value;
    if (session !== undefined) Object.assign(headers, principalHeaders(session));
    // An excluded path (the SignalR webhook) is called by anyone: its body streams through,
    // bounded by what the webhook accepts, and a declared length over it is refused unread.
    if (excluded) {
      if (Number(req.headers['content-length'] ?? 0) > MAX_EXCLUDED_BODY_BYTES)
        throw new HttpError(
          413,
          'BodyTooLarge',
          `The request body is ${req.headers['content-length']} bytes; at most ${MAX_EXCLUDED_BODY_BYTES} are allowed.`,
          { headers: { Connection: 'close' } },
        );
      if (headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
      return forward(req, res, {
        ...this.forwarding(headers),
        body: { streamLimit: MAX_EXCLUDED_BODY_BYTES },
      });
    }
    // Signed-in calls: the body is read first, bounded in size and time, so a slow client holds
    // no upstream socket.
    const body = await readBody(req, {
      limit: MAX_PROXIED_BODY_BYTES,
      timeoutMs: this.options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
    });
    return forward(req, res, { ...this.forwarding(headers), body });
  }

  private forwarding(headers: Record<string, string | string[]>) {
    return { target: this.options.target, agent: this.agent, headers, log: this.options.log };
  }
}
