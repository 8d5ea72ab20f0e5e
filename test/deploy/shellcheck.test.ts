import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * every shell script in the repository passes shellcheck (Debian's `shellcheck`,
 * which .ci/run installs). No skip when it is missing: then this fails and says so.
 */
const ROOT = join(__dirname, '..', '..');
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'artifacts', 'coverage']);

function shellScripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : shellScripts(path);
    return entry.name.endsWith('.sh') ? [relative(ROOT, path)] : [];
  });
}

describe('shell scripts', () => {
  const scripts = ['.ci/run', ...shellScripts(ROOT)];

  it('include the CI entry point and the infra scripts', () => {
    expect(scripts).toEqual(
      expect.arrayContaining(['.ci/run', 'infra/provision.sh', 'infra/package-page.sh']),
    );
  });

  it('pass shellcheck', () => {
    const result = spawnSync('shellcheck', ['--format=gcc', ...scripts], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (result.error)
      throw new Error(`shellcheck could not run (${result.error.message}); .ci/run installs it.`);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});
