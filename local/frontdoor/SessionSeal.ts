import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Sessions as App Service Authentication keeps them: in the `AppServiceAuthSession` cookie,
 * encrypted, not in the server's memory, so a restart signs nobody out (Microsoft Learn,
 * "Customize sign-ins and sign-outs in Azure App Service authentication": the session cookie;
 * "Encryption key" settings `WEBSITE_AUTH_ENCRYPTION_KEY`). Here the cookie holds the user's
 * name, provider and expiry, sealed with AES-256-GCM under a 32-byte key: without the key it can
 * be neither read nor made, and any change to it fails to open. The session lasts 8 hours, App
 * Service's default (`login.cookieExpiration.timeToExpiration` 08:00:00); sign-out clears the
 * cookie and ends the session (`signOut`).
 */
export interface Session {
  /** 16 random bytes, base64url: what sign-out revokes, whatever the cookie's spelling. */
  readonly id: string;
  readonly name: string;
  readonly provider: string;
  readonly expiresAt: number;
}

export const DEFAULT_SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A sealed session longer than this is not one of ours (a name is at most 256 bytes). */
const MAX_SEALED_CHARS = 2048;

/** A key for sessions: 32 random bytes, as hex (the form `WEBSITE_AUTH_ENCRYPTION_KEY` takes). */
export function newSessionKey(): string {
  return randomBytes(32).toString('hex');
}

/** A sealed session is base64url without padding: one spelling per session (see `open`). */
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Opened sessions kept, so a busy page's every call does not decrypt its cookie again. */
const MAX_OPENED = 10_000;

export class SessionSeal {
  private readonly key: Buffer;
  /**
   * Sessions signed out, by session id, each until it would have expired: a copy of the cookie
   * kept elsewhere, in any spelling, opens nothing more. Bounded by expiry, never by a count
   * that a flood of sign-outs could push a revocation out of (docs/app-service-auth.md,
   * "Sessions"); `revoked` writes each to the file the front door keeps them in, so a restart
   * keeps them too.
   */
  private readonly signedOut = new Map<string, number>();
  /**
   * Sealed values this front door has opened, with what they hold: a value opens to the same
   * session every time (the key never changes while it runs), so each is decrypted once. Expiry
   * and sign-out are still checked on every call; the oldest is forgotten first.
   */
  private readonly opened = new Map<string, Session>();

  constructor(
    key: string,
    readonly lifetimeMs = DEFAULT_SESSION_LIFETIME_MS,
    private readonly revocations?: RevocationLog,
  ) {
    if (!/^[0-9a-fA-F]{64}$/.test(key))
      throw new Error('The session key must be 32 bytes written as 64 hexadecimal digits.');
    this.key = Buffer.from(key, 'hex');
    for (const [id, expiresAt] of revocations?.load() ?? []) this.signedOut.set(id, expiresAt);
  }

  /** A sealed session for `name`, valid for `lifetimeMs` from now. */
  seal(name: string, provider: string, now = Date.now()): string {
    const id = randomBytes(16).toString('base64url');
    const session: Session = { id, name, provider, expiresAt: now + this.lifetimeMs };
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(session), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** Ends a session: no spelling of its sealed value opens anything more, on this front door. */
  signOut(sealed: string | undefined, now = Date.now()): void {
    const session = this.open(sealed, now);
    if (session === undefined) return;
    this.forgetExpired(now);
    this.signedOut.set(session.id, session.expiresAt);
    this.revocations?.add(session.id, session.expiresAt);
  }

  /** Drops revocations of sessions that have expired anyway (they open nothing by themselves). */
  private forgetExpired(now: number): void {
    for (const [id, expiresAt] of this.signedOut) if (expiresAt <= now) this.signedOut.delete(id);
  }

  /**
   * The session a sealed value holds, or undefined: made elsewhere, changed, expired or ended.
   * Only the one spelling `seal` writes opens: base64url without padding whose bytes encode back
   * to the same text (Node's decoder skips characters outside the alphabet, accepts `+/`, `=`
   * and any unused bits, so `x.`, `x=`, ` x` and `x!` would all open `x`).
   */
  open(sealed: string | undefined, now = Date.now()): Session | undefined {
    if (sealed === undefined || sealed.length === 0 || sealed.length > MAX_SEALED_CHARS)
      return undefined;
    if (!BASE64URL.test(sealed)) return undefined;
    let session = this.opened.get(sealed);
    if (session === undefined) {
      session = this.decrypt(sealed);
      if (session === undefined) return undefined;
      if (this.opened.size >= MAX_OPENED) this.opened.delete(this.opened.keys().next().value!);
      this.opened.set(sealed, session);
    }
    if (session.expiresAt <= now || this.signedOut.has(session.id)) return undefined;
    return session;
  }

  /** What a sealed value holds, if this key sealed it and nobody changed it since. */
  private decrypt(sealed: string): Session | undefined {
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.toString('base64url') !== sealed) return undefined;
    if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const json = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
      const session = JSON.parse(json) as Session;
      // A session sealed before sessions had an id cannot be revoked by id: it opens nothing.
      if (
        typeof session.id !== 'string' ||
        typeof session.name !== 'string' ||
        typeof session.expiresAt !== 'number'
      )
        return undefined;
      return session;
    } catch {
      return undefined;
    }
  }
}

/** Where revocations outlive the process: the ids of signed-out sessions, with their expiry. */
export interface RevocationLog {
  /** Every revocation not yet expired. */
  load(): Iterable<[string, number]>;
  add(id: string, expiresAt: number): void;
}
