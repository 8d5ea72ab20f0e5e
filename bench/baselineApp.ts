import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  existsSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The app as deployed, with one function's script replaced: a function app folder in a temp
 * directory whose function.json files point at the built functions (dist/), except those in
 * `replace`, which point at the given scripts. The stack runs it like any app (`projectRoot`).
 */
export function baselineApp(
  root: string,
  replace: Readonly<Record<string, string>>,
): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'chat-bench-app-'));
  copyFileSync(join(root, 'host.json'), join(dir, 'host.json'));
  if (existsSync(join(root, 'local.settings.json')))
    copyFileSync(join(root, 'local.settings.json'), join(dir, 'local.settings.json'));
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const file = join(root, entry.name, 'function.json');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const config = JSON.parse(readFileSync(file, 'utf8')) as {
      scriptFile?: string;
      entryPoint?: string;
    };
    const replaced = replace[entry.name];
    const script = replaced ?? resolve(root, entry.name, config.scriptFile ?? 'index.js');
    mkdirSync(join(dir, entry.name));
    writeFileSync(
      join(dir, entry.name, 'function.json'),
      JSON.stringify(
        {
          ...config,
          scriptFile: script,
          // A replacement script has its handler as its only export.
          entryPoint: replaced === undefined ? config.entryPoint : undefined,
        },
        null,
        2,
      ),
    );
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
