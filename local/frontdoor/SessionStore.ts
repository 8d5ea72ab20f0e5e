import { randomBytes } from 'node:crypto';

/** A signed-in user, as App Service Authentication's session cookie names them. */
export interface Session {
  readonly name: string;
  readonly provider: string;
  readonly expiresAt: number;
}

export interface SessionStoreOptions {
  /** App Service's default session lifetime is 8 hours. */
  readonly lifetimeMs?: number;
  /** Most sessions kept; the oldest is evicted past it, so a sign-in flood cannot grow memory. */
  readonly maxSessions?: number;
}

export const DEFAULT_SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;
export const DEFAULT_MAX_SESSIONS = 10_000;

/**
 * Sessions by id, bounded in time and number. A Map keeps insertion order, so the first entry is
 * always the oldest: expiry and eviction both take from the front, in constant time per session.
 */
export class SessionStore {
  readonly lifetimeMs: number;
  private readonly maxSessions: number;
  private readonly sessions = new Map<string, Session>();

  constructor(options: SessionStoreOptions = {}) {
    this.lifetimeMs = options.lifetimeMs ?? DEFAULT_SESSION_LIFETIME_MS;
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Starts a session; returns its id, 192 random bits. */
  create(name: string, provider: string, now = Date.now()): string {
    this.expire(now);
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
    const id = randomBytes(24).toString('base64url');
    this.sessions.set(id, { name, provider, expiresAt: now + this.lifetimeMs });
    return id;
  }

  /** The live session with this id, or undefined; an expired one is forgotten. */
  get(id: string | undefined, now = Date.now()): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= now) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  /** Drops expired sessions from the front: every session lives equally long, so they are in order. */
  private expire(now: number): void {
    for (const [id, session] of this.sessions) {
      if (session.expiresAt > now) return;
      this.sessions.delete(id);
    }
  }
}
