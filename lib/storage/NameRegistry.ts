import { createHash } from 'node:crypto';
import { lookKeys } from '../skeleton';

/**
 * Which spelling holds each look (docs/security.md, "Names"): the first user, or the first room,
 * whose name has a given look (skeleton.ts) holds it; another spelling with the same look is
 * refused, so two accounts or two rooms never look the same in the page. Kept per kind: a user
 * and a room may look alike. Two implementations: Table Storage and memory (tests).
 */
export type NameKind = 'user' | 'room';

export interface NameRegistry {
  /**
   * Claims the looks of `name` for it: undefined when it holds them now (or already did); else
   * the spelling that holds one of them.
   */
  claim(kind: NameKind, name: string): Promise<string | undefined>;
}

/** The keys under which `name`'s looks are claimed: short and safe for any table key. */
export function lookClaims(kind: NameKind, name: string): string[] {
  return lookKeys(name).map(
    (key) => `${kind}:${createHash('sha256').update(key, 'utf8').digest('base64url')}`,
  );
}

/** Looks claimed in memory, for function-level tests; the same rules as TableNameRegistry. */
export class MemoryNameRegistry implements NameRegistry {
  private readonly holders = new Map<string, string>();

  async claim(kind: NameKind, name: string): Promise<string | undefined> {
    const keys = lookClaims(kind, name);
    const other = keys.map((key) => this.holders.get(key)).find((h) => h && h !== name);
    if (other !== undefined) return other;
    for (const key of keys) this.holders.set(key, name);
    return undefined;
  }
}
