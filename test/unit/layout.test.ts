import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The tree keeps what is deployed apart from the stand-ins: walking the imports from every
 * function's index.ts (what infra/bundle-functions.js bundles), everything reached is in lib/ or
 * a function's folder (never local/, bench/ or test/), and every file in lib/ is reached, so
 * lib/ holds only what is deployed.
 */
const ROOT = resolve(__dirname, '..', '..');
const IMPORT = /(?:from\s+|import\s+|import\s*\(\s*|require\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function resolveModule(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return undefined;
}

function reachedFrom(entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.ts')) continue;
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolveModule(file, spec);
      if (target === undefined) throw new Error(`${relative(ROOT, file)}: cannot resolve ${spec}`);
      queue.push(target);
    }
  }
  return seen;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('the layout: lib/ is what is deployed', () => {
  const functionFolders = readdirSync(ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, entry.name, 'function.json')))
    .map((entry) => entry.name);
  const deployed = reachedFrom(
    functionFolders
      .map((name) => join(ROOT, name, 'index.ts'))
      .filter((entry) => existsSync(entry)),
  );

  it('has the nine functions', () => {
    expect(functionFolders.length).toBe(9);
  });

  it('reaches nothing outside lib/ and the function folders from a function', () => {
    const outside = [...deployed]
      .map((file) => relative(ROOT, file))
      .filter((file) => !file.startsWith('lib/') && !functionFolders.includes(file.split('/')[0]));
    expect(outside).toEqual([]);
  });

  it('reaches every file in lib/ from a function', () => {
    const unreached = filesUnder(join(ROOT, 'lib'))
      .filter((file) => !deployed.has(file))
      .map((file) => relative(ROOT, file));
    expect(unreached).toEqual([]);
  });
});
