import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RevocationLog } from './SessionSeal';

/**
 * Signed-out sessions kept in a file beside the session key (`.local/revoked-sessions`), one
 * `<id> <expiresAt>` a line: the key outlives a restart, so a revocation must too, or a copied
 * cookie would open its session again after `npm start` is run again. On load, expired lines are
 * dropped and the file written again, so it holds at most the sign-outs of one session lifetime.
 */
export class RevocationFile implements RevocationLog {
  constructor(
    private readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  load(): Array<[string, number]> {
    if (!existsSync(this.file)) return [];
    const live: Array<[string, number]> = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      const [id, at] = line.split(' ');
      const expiresAt = Number(at);
      if (/^[A-Za-z0-9_-]{22}$/.test(id ?? '') && expiresAt > this.now())
        live.push([id, expiresAt]);
    }
    writeFileSync(this.file, live.map(([id, at]) => `${id} ${at}\n`).join(''), { mode: 0o600 });
    return live;
  }

  add(id: string, expiresAt: number): void {
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${id} ${expiresAt}\n`, { mode: 0o600 });
  }
}
