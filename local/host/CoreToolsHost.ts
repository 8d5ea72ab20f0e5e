import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { LocalFunctionsHost } from './LocalFunctionsHost';

/**
 * Real Azure Functions Core Tools (`func start`) on an internal port, in place of the built-in
 * host, so `npm run start:func` puts the same front door and emulator in front of them.
 */
export class CoreToolsHost implements LocalFunctionsHost {
  private child?: ChildProcess;

  /** `settings` reach func as environment variables, which win over local.settings.json. */
  constructor(
    private readonly root: string,
    private readonly settings: Readonly<Record<string, string>>,
  ) {}

  static isInstalled(): boolean {
    return spawnSync('func', ['--version'], { stdio: 'ignore' }).status === 0;
  }

  async listen(): Promise<number> {
    if (!CoreToolsHost.isInstalled()) {
      throw new Error(
        'Azure Functions Core Tools (func) are not installed. Install them with "npm install --global azure-functions-core-tools@4" (it downloads a binary, so it needs internet access), or use "npm start", which needs no Core Tools.',
      );
    }
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const free = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(free));
      });
    });
    const child = spawn('func', ['start', '--port', String(port)], {
      cwd: this.root,
      stdio: 'inherit',
      env: { ...process.env, ...this.settings },
    });
    this.child = child;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`func start exited with code ${child.exitCode}.`);
      try {
        await fetch(`http://127.0.0.1:${port}/`);
        return port;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    throw new Error('func start did not answer within 60 seconds.');
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
  }
}
