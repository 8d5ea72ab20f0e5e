import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { eventually } from '../../support/eventually';
import { join } from 'node:path';

/**
 * `npm start` stops everything, whatever signal reaches the process the user started: Ctrl-C in
 * a terminal sends SIGINT to the group, but an editor's stop button or a process manager signals
 * npm alone (SIGINT, SIGTERM, SIGHUP), or kills it (SIGKILL). Each run starts the real command
 * (`npm start -- --no-build --any-ports --in-memory`: what was built, on free ports, no files).
 */
jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..', '..');
const READY = /Serverless Chat is running offline/;

/** Every process below `pid`, from /proc (Linux). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  let npm: ChildProcess | undefined;
  afterEach(() => {
    // Whatever the test left: nothing of it may outlive the suite.
    if (npm?.pid !== undefined)
      for (const pid of descendants(npm.pid)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (npm?.pid !== undefined && alive(npm.pid)) npm.kill('SIGKILL');
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL'] as const)(
    'stops every stand-in and Azurite when npm alone gets %s',
    async (signal) => {
      npm = spawn('npm', ['start', '--', '--no-build', '--any-ports', '--in-memory'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, npm_config_loglevel: 'silent' },
      });
      let out = '';
      npm.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      npm.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await eventually(
        () => READY.test(out),
        `npm start said it was ready (it said: ${out})`,
        60_000,
      );
      const urls = [...out.matchAll(/(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]);
      expect(urls.length).toBeGreaterThanOrEqual(2);
      const below = descendants(npm.pid!);
      // node (the stack) and Azurite at least; no shell between npm and node.
      expect(below.length).toBeGreaterThanOrEqual(2);
      const commands = below.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      expect(commands.some((c) => c.includes('azurite'))).toBe(true);
      expect(commands.some((c) => c.startsWith('sh\0'))).toBe(false);
      for (const url of urls) expect(await answers(url)).toBe(true);

      process.kill(npm.pid!, signal);

      await eventually(
        () => below.every((pid) => !alive(pid)),
        `every process below npm ended after ${signal}`,
        20_000,
      );
      for (const url of urls) expect(await answers(url)).toBe(false);
    },
  );

  it('says at once that Core Tools are missing for start:func, before it builds or starts anything', async () => {
    // A PATH with node, npm and a shell only: no `func`, whatever this machine has.
    const bin = mkdtempSync(join(tmpdir(), 'no-func-'));
    for (const tool of ['node', 'npm', 'sh', 'env'])
      symlinkSync(realpathSync(execFileSync('which', [tool]).toString().trim()), join(bin, tool));
    const startedAt = Date.now();
    const run = spawnSync('npm', ['run', 'start:func'], {
      cwd: ROOT,
      env: { ...process.env, PATH: bin },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Azure Functions Core Tools (func) are not installed.');
    expect(run.stdout + run.stderr).not.toMatch(/running offline|tsc|build/i);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});
