import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';

/**
 * The package `func azure functionapp publish` uploads, measured as the deploy workflow makes it:
 * after `npm run build` and `npm prune --omit=dev --omit=optional` (Core Tools, the one optional
 * package, is installed globally on the runner), every file of the app folder that
 * .funcignore does not exclude (gitignore rules, as Core Tools reads them). Every cold start on
 * the consumption plan pays for its size, so it must stay under 2 MB.
 */
const ROOT = join(__dirname, '..', '..');
const BUDGET_BYTES = 2 * 1024 * 1024;

interface Pattern {
  readonly regex: RegExp;
  readonly anchored: boolean;
  readonly dirOnly: boolean;
}

function toRegex(glob: string): RegExp {
  const source = glob
    .split('')
    .map((char) =>
      char === '*' ? '[^/]*' : char === '?' ? '[^/]' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

function readFuncignore(): Pattern[] {
  return readFileSync(join(ROOT, '.funcignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => {
      const dirOnly = line.endsWith('/');
      const body = line.replace(/^\//, '').replace(/\/$/, '');
      return {
        regex: toRegex(body),
        anchored: body.includes('/') || line.startsWith('/'),
        dirOnly,
      };
    });
}

/** Whether gitignore-style patterns exclude `path` (posix, relative) or one of its folders. */
function ignored(patterns: readonly Pattern[], path: string, isDir: boolean): boolean {
  const parts = path.split('/');
  return patterns.some((pattern) => {
    if (pattern.anchored) {
      return parts.some((_, i) => {
        const prefix = parts.slice(0, i + 1).join('/');
        const isFolder = i < parts.length - 1 || isDir;
        return pattern.regex.test(prefix) && (!pattern.dirOnly || isFolder);
      });
    }
    return parts.some(
      (part, i) => pattern.regex.test(part) && (!pattern.dirOnly || i < parts.length - 1 || isDir),
    );
  });
}

/** Folders of node_modules that the prune keeps (neither dev nor optional), as installed here. */
function productionPackages(): Set<string> {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }>;
  };
  return new Set(
    Object.entries(lock.packages)
      .filter(
        ([path, entry]) =>
          path.startsWith('node_modules/') && !entry.dev && !entry.optional && !entry.devOptional,
      )
      .map(([path]) => path)
      .filter((path) => existsSync(join(ROOT, path))),
  );
}

function walk(
  dir: string,
  visit: (path: string, size: number) => void,
  keep: (path: string, isDir: boolean) => boolean,
): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const path = relative(ROOT, full).split(sep).join('/');
    if (!keep(path, entry.isDirectory())) continue;
    if (entry.isDirectory()) walk(full, visit, keep);
    else if (entry.isFile()) visit(path, statSync(full).size);
  }
}

describe('the published function app package', () => {
  it('is under 2 MB, with every function and what it loads', () => {
    const patterns = readFuncignore();
    const production = productionPackages();
    const files = new Map<string, number>();
    walk(
      ROOT,
      (path, size) => files.set(path, size),
      (path, isDir) => {
        if (path === 'node_modules' || path.startsWith('node_modules/')) {
          const inProduction = [...production].some(
            (pkg) => path === pkg || path.startsWith(`${pkg}/`) || pkg.startsWith(`${path}/`),
          );
          if (!inProduction) return false;
        }
        return !ignored(patterns, path, isDir);
      },
    );
    const bytes = [...files.values()].reduce((a, b) => a + b, 0);
    const modules = [...files.keys()].filter((path) => path.startsWith('node_modules/')).length;
    process.stdout.write(
      `publish package: ${bytes} bytes in ${files.size} files (${modules} under node_modules); budget ${BUDGET_BYTES}\n`,
    );
    expect(files.has('host.json')).toBe(true);
    // Every function is in the one bundle, dist/functions.js, under its own entry point; the
    // bundle loads Node's built-ins and nothing else (no node_modules, no other file of the
    // package), and no other script is published.
    const functionFolders = [...files.keys()]
      .filter((path) => /^[^/]+\/function\.json$/.test(path))
      .map((path) => path.split('/')[0])
      .sort();
    expect(functionFolders).toEqual([
      'GetMessages',
      'GetRooms',
      'GetUsers',
      'OnConnected',
      'OnDisconnected',
      'RoomMembership',
      'SendMessage',
      'Typing',
      'negotiate',
    ]);
    for (const fn of functionFolders) {
      const config = JSON.parse(readFileSync(join(ROOT, fn, 'function.json'), 'utf8')) as {
        scriptFile?: string;
        entryPoint?: string;
      };
      expect({ fn, ...config }).toMatchObject({
        fn,
        scriptFile: '../dist/functions.js',
        entryPoint: fn,
      });
    }
    expect([...files.keys()].filter((path) => path.startsWith('dist/'))).toEqual([
      'dist/functions.js',
    ]);
    const code = readFileSync(join(ROOT, 'dist', 'functions.js'), 'utf8');
    const loads = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1]);
    expect(loads.filter((name) => !builtinModules.includes(name.replace(/^node:/, '')))).toEqual(
      [],
    );
    // What the worker finds: each entry point a function (the v3 loader's getEntryPoint).
    const bundle = createRequire(__filename)(join(ROOT, 'dist', 'functions.js')) as Record<
      string,
      unknown
    >;
    for (const fn of functionFolders) expect([fn, typeof bundle[fn]]).toEqual([fn, 'function']);
    expect(
      [...files.keys()].filter(
        (path) =>
          /(^|\/)(local|test|bench|content)\//.test(path) && !path.startsWith('node_modules/'),
      ),
    ).toEqual([]);
    expect(bytes).toBeLessThan(BUDGET_BYTES);
  });

  it('publishes nothing a used checkout keeps locally: history, keys, settings, screenshots', () => {
    const patterns = readFuncignore();
    const local = [
      '.azurite/__azurite_db_table__.json',
      '.local/session.key',
      'local.settings.json',
      'artifacts/chat-two-users.png',
      'coverage/lcov.info',
      '.git/config',
      '.env',
    ];
    expect(local.filter((path) => !ignored(patterns, path, false))).toEqual([]);
  });
});
