import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log';

/**
 * Microsoft's storage emulator Azurite (npm `azurite`, pinned to 3.35.0: 3.36 and later need
 * Node 21+), Table service only, in a child process of its own, as the storage account is a
 * service of its own in Azure. Telemetry is off: it would try to reach the internet.
 */
export interface AzuriteOptions {
  /** 10002 by default; 0 picks a free port. */
  readonly port: number;
  /** Folder for the data (kept across restarts); undefined keeps everything in memory. */
  readonly location?: string;
  readonly log: Logger;
  /** Called when Azurite ends without being asked (killed, crashed). */
  readonly onUnexpectedExit?: (reason: string) => void;
  /**
   * More storage accounts besides the development one, each with the development key (Azurite's
   * `AZURITE_ACCOUNTS`): one Azurite holds several accounts, whose tables are apart as two
   * storage accounts' are (the test suites give each stack an account of its own this way).
   */
  readonly accounts?: readonly string[];
}

/** Azurite's well-known development account (docs/storage.md); not a secret. */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const READY = /successfully (started|listening) on/i;
const START_TIMEOUT_MS = 20_000;
/** Azurite gets this long to save and exit before it is killed. */
const CLOSE_TIMEOUT_MS = 10_000;

/** The connection string for a Table service at `port`: UseDevelopmentStorage=true at 10002. */
export function developmentStorageConnectionString(port: number, account = DEV_ACCOUNT): string {
  return `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${DEV_KEY};TableEndpoint=http://127.0.0.1:${port}/${account};`;
}

/**
 * Listens on `port` (0: any) for a moment and gives it back. Azurite reports "successfully
 * started" before its own listen can fail, so a port in use is found here first.
 */
function claimPort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => {
      const claimed = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(claimed));
    });
  });
}

export class AzuriteProcess {
  private child?: ChildProcess;
  port = 0;

  constructor(private readonly options: AzuriteOptions) {}

  get connectionString(): string {
    return developmentStorageConnectionString(this.port);
  }

  async start(): Promise<number> {
    // A restart keeps the port it had, so clients holding the connection string find it again.
    this.port = await claimPort(this.port !== 0 ? this.port : this.options.port);
    const args = [
      require.resolve('azurite/dist/src/table/main.js'),
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(this.port),
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--silent',
    ];
    if (this.options.location === undefined) args.push('--inMemoryPersistence');
    else {
      mkdirSync(this.options.location, { recursive: true });
      args.push('--location', this.options.location);
    }
    const accounts = this.options.accounts ?? [];
    const env =
      accounts.length === 0
        ? process.env
        : {
            ...process.env,
            // Given accounts replace the default one, so it is named too. Format: name:key;…
            AZURITE_ACCOUNTS: [DEV_ACCOUNT, ...accounts]
              .map((account) => `${account}:${DEV_KEY}`)
              .join(';'),
          };
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.child = child;
    try {
      await this.waitUntilReady(child);
    } catch (error) {
      // A failed start leaves nothing running (Azurite stays up after EADDRINUSE).
      this.child = undefined;
      child.kill('SIGKILL');
      throw error;
    }
    child.stdout?.resume();
    child.stderr?.resume();
    // Reported at once: until it is started again, history and presence answer 503.
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      const reason = signal !== null ? `signal ${signal}` : `exit code ${code}`;
      this.options.log.error(
        `Azurite (Table Storage) ended unexpectedly (${reason}); history and presence are unavailable until the stack is restarted.`,
      );
      this.options.onUnexpectedExit?.(reason);
    });
    this.options.log.info(`Azurite Table service on http://127.0.0.1:${this.port}`);
    return this.port;
  }

  /** The process id while Azurite runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Freezes Azurite (SIGSTOP), as a hung storage account would be, for fault tests. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Thaws it again (SIGCONT). */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  private waitUntilReady(child: ChildProcess): Promise<void> {
    const inUse = () =>
      Object.assign(new Error(`Port ${this.port} is in use.`), { code: 'EADDRINUSE' });
    return new Promise<void>((resolve, reject) => {
      let output = '';
      const finish = (error?: Error) => {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        if (error === undefined) resolve();
        else reject(error);
      };
      const timer = setTimeout(
        () => finish(new Error(`Azurite did not start within ${START_TIMEOUT_MS / 1000} s.`)),
        START_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (READY.test(output)) finish();
        else if (/EADDRINUSE|address already in use/i.test(output)) finish(inUse());
      };
      const onExit = (code: number | null) =>
        finish(
          /EADDRINUSE|address already in use/i.test(output)
            ? inUse()
            : new Error(`Azurite exited with code ${code}: ${output.trim().slice(0, 300)}`),
        );
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', onExit);
    });
  }

  /**
   * Stops Azurite, letting it save its data; safe to call twice, and finishes whatever state the
   * process is in (already ended by a signal, frozen, or not answering SIGINT).
   */
  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    // A process ended by a signal has a signalCode and no exitCode: it has ended all the same.
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
      child.once('exit', () => (clearTimeout(timer), resolve()));
      // A frozen process must run again to act on a signal.
      child.kill('SIGCONT');
      // SIGINT is the signal Azurite closes on, saving its data (it ignores SIGTERM's meaning).
      child.kill('SIGINT');
    });
  }
}
