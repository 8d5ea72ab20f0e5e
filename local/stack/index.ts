import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startEmulator, type SignalREmulator } from '../emulator';
import { FrontDoor, type FrontDoorOptions } from '../frontdoor/FrontDoor';
import { RevocationFile } from '../frontdoor/RevocationFile';
import { loadUpstreamSettings } from '../emulator/upstreamTemplates';
import { newSessionKey } from '../frontdoor/SessionSeal';
import { CoreToolsHost } from '../host/CoreToolsHost';
import { FunctionHost } from '../host/FunctionHost';
import { appSettings, readLocalSettings } from '../host/localSettings';
import type { LocalFunctionsHost } from '../host/LocalFunctionsHost';
import { Setting } from '../../lib/settings';
import { SIGNALR_WEBHOOK_PATH } from '../signalr/upstream';
import { AzuriteProcess } from '../storage/AzuriteProcess';
import { createLogger, type LogLevel, type Logger } from '../log';
import { StaticServer } from '../static/StaticServer';

/** Azurite's Table service port, as Core Tools users know it. */
const DEFAULT_STORAGE_PORT = 10002;

/** The whole offline stack in one process (README, "Running offline"): what `npm start` and the tests run. */
export interface StackOptions {
  /** Defaults 8888 / 7071 / 5500; 0 picks a free port. */
  readonly ports?: {
    readonly signalr?: number;
    readonly frontDoor?: number;
    readonly content?: number;
    /** Azurite's Table service (10002), when AzureWebJobsStorage is UseDevelopmentStorage=true. */
    readonly storage?: number;
  };
  /**
   * Where Azurite keeps its data: by default `.azurite/` in the app folder (git-ignored), so
   * history survives a restart; `null` keeps it in memory (tests).
   */
  readonly storageLocation?: string | null;
  readonly logLevel?: LogLevel;
  /** Logs every function invocation (`Executing` / `Executed`), as Core Tools does; off by default. */
  readonly verbose?: boolean;
  /** The app's folder (host.json, function folders, content/); defaults to the repository. */
  readonly projectRoot?: string;
  /** `builtin` (default) or `func`: real Core Tools behind the same front door. */
  readonly functionsHost?: 'builtin' | 'func';
  /**
   * App Service's "allowed external redirect URLs"; by default the page server's two origins
   * and the origins of local.settings.json's Host.CORS: a page served from another origin, as
   * the tutorial has it, returns there after sign-in (docs/app-service-auth.md).
   */
  readonly allowedExternalRedirectUrls?: readonly string[];
  /**
   * The key sessions are sealed with (docs/app-service-auth.md, "Sessions"): by default the app
   * setting WEBSITE_AUTH_ENCRYPTION_KEY, else a key made on the first start and kept in
   * `.local/` (git-ignored), so a restart keeps everyone signed in; with `storageLocation: null`
   * (tests) a new key per stack.
   */
  readonly sessionKey?: string;
  /**
   * SignalR upstream to the app (who is online); on by default. The benchmark turns it off for
   * its fan-out scenarios, which measure the message path, and measures presence on its own.
   */
  readonly upstream?: boolean;
  /**
   * App settings that win over local.settings.json and the environment, as an app setting in
   * the portal would (tests that flood set `ChatSendsPerMinute` to 0, say).
   */
  readonly settings?: Readonly<Record<string, string>>;
  /** Front door limits, for tests that must not wait out the defaults. */
  readonly frontDoor?: Pick<FrontDoorOptions, 'bodyTimeoutMs' | 'sessionLifetimeMs'>;
}

export interface Stack {
  readonly frontDoor: FrontDoor;
  /** The storage connection string the functions use (Azurite's, offline). */
  readonly storageConnectionString: string;
  /**
   * Stops and starts Azurite, for outage tests (same port, same data); these and pause/resume
   * throw when the stack did not start its storage (AzureWebJobsStorage names an account).
   */
  stopStorage(): Promise<void>;
  startStorage(): Promise<void>;
  /** Azurite's process id while it runs (it is a process of its own, as in Azure a service). */
  readonly storagePid: number | undefined;
  /** Freezes and thaws Azurite (SIGSTOP, SIGCONT): storage that hangs, for fault tests. */
  pauseStorage(): void;
  resumeStorage(): void;
  readonly urls: { readonly page: string; readonly api: string; readonly signalr: string };
  /** The host's `signalr_extension` system key (the SignalR webhook's `code`), if it checks one. */
  readonly signalRExtensionKey?: string;
  readonly connectionString: string;
  stopSignalR(): Promise<void>;
  startSignalR(): Promise<void>;
  /** Drops every client's socket as a cut network does (the service stays up): a test fault. */
  dropSignalRSockets(): void;
  close(): Promise<void>;
}

/** The app folder: the nearest one up with host.json (from src/ under jest, from dist/ when built). */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'host.json'))) return dir;
    if (dirname(dir) === dir)
      throw new Error(`No host.json found above ${from}; pass projectRoot.`);
  }
}

/** App Service's own setting for the key its session cookies are encrypted with. */
const SESSION_KEY_SETTING = 'WEBSITE_AUTH_ENCRYPTION_KEY';

/** The session key kept in `.local/` (made on the first start), so restarts keep sessions. */
function localSessionKey(root: string): string {
  const file = join(root, '.local', 'session.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = newSessionKey();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** How long one stand-in may take to stop before the stack goes on without it. */
const STOP_DEADLINE_MS = 15_000;

async function withinDeadline(stopping: Promise<void> | undefined, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    stopping?.catch((error: unknown) => log.error(`stopping: ${(error as Error).message}`)),
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.error(`a stand-in did not stop within ${STOP_DEADLINE_MS / 1000} s; going on.`);
        resolve();
      }, STOP_DEADLINE_MS);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

/** A port already taken gets a message naming it. */
async function bind<T>(what: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new Error(
        `Port ${port} (${what}) is already in use: stop whatever holds it, then try again.`,
      );
    throw error;
  }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const root = options.projectRoot ?? findProjectRoot(__dirname);
  const settings = readLocalSettings(root);
  const values = { ...appSettings(settings.values), ...options.settings };
  const log = createLogger('host', options.logLevel);
  const ports = {
    signalr: options.ports?.signalr ?? 8888,
    frontDoor: options.ports?.frontDoor ?? settings.port,
    content: options.ports?.content ?? 5500,
  };
  const baseConnectionString = values[Setting.SignalR] ?? '';

  let emulator: SignalREmulator | undefined = await bind(
    'SignalR Service emulator',
    ports.signalr,
    () =>
      startEmulator({
        connectionString: baseConnectionString,
        port: ports.signalr,
        logLevel: options.logLevel,
      }),
  );
  const signalrPort = emulator.port;
  const connectionString = emulator.connectionString;
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    // Closing clients must not call an app that is shutting down.
    emulator?.setUpstream(undefined);
    // Each stand-in gets a bounded time to stop; stopping the stack always finishes.
    for (const cleanup of cleanups.splice(0).reverse()) await withinDeadline(cleanup(), log);
    await withinDeadline(emulator?.close(), log);
    emulator = undefined;
  };
  try {
    // Storage: Azurite stands in for the storage account when the setting asks for it.
    let storageConnectionString = values[Setting.Storage] ?? '';
    let azurite: AzuriteProcess | undefined;
    if (/^UseDevelopmentStorage=true$/i.test(storageConnectionString.trim())) {
      const storagePort = options.ports?.storage ?? DEFAULT_STORAGE_PORT;
      azurite = new AzuriteProcess({
        port: storagePort,
        location:
          options.storageLocation === null
            ? undefined
            : (options.storageLocation ?? join(root, '.azurite')),
        log,
      });
      await bind('Azurite Table service', storagePort, () => azurite!.start());
      const running = azurite;
      cleanups.push(() => running.close());
      storageConnectionString = azurite.connectionString;
    }
    // The functions must reach the emulator and Azurite where they really listen.
    const functionSettings = {
      ...values,
      [Setting.SignalR]: connectionString,
      [Setting.Storage]: storageConnectionString,
    };
    const host: LocalFunctionsHost =
      options.functionsHost === 'func'
        ? new CoreToolsHost(root, functionSettings)
        : new FunctionHost({ root, log, settings: functionSettings, verbose: options.verbose });
    const hostPort = await host.listen();
    cleanups.push(() => host.close());
    const pages = new StaticServer({ root: join(root, 'content'), port: ports.content });
    const contentPort = await bind('page server', ports.content, () => pages.listen());
    cleanups.push(() => pages.close());
    const pageOrigins = [`http://127.0.0.1:${contentPort}`, `http://localhost:${contentPort}`];
    const corsOrigins = [...new Set([...settings.cors, ...pageOrigins])];
    const sessionKey =
      options.sessionKey ??
      values[SESSION_KEY_SETTING] ??
      (options.storageLocation === null ? newSessionKey() : localSessionKey(root));
    const frontDoor = new FrontDoor({
      target: `http://127.0.0.1:${hostPort}`,
      port: ports.frontDoor,
      corsOrigins,
      corsCredentials: settings.corsCredentials,
      allowedExternalRedirectUrls: options.allowedExternalRedirectUrls ?? [
        ...pageOrigins,
        ...settings.cors.filter((origin) => origin !== '*'),
      ],
      sessionKey,
      revocations:
        options.sessionKey === undefined && options.storageLocation !== null
          ? new RevocationFile(join(root, '.local', 'revoked-sessions'))
          : undefined,
      excludedPaths: [SIGNALR_WEBHOOK_PATH],
      log,
      ...options.frontDoor,
    });
    const frontDoorPort = await bind('front door', ports.frontDoor, () => frontDoor.listen());
    cleanups.push(() => frontDoor.close());
    // SignalR upstream goes through the front door, as in Azure, to the host's webhook: the
    // repository's one list of upstream templates, as provision.sh applies it on Azure.
    const upstreamUrlTemplate =
      options.upstream === false
        ? undefined
        : loadUpstreamSettings(findProjectRoot(__dirname), {
            '%APP_URL%': `http://127.0.0.1:${frontDoorPort}`,
            '%SIGNALR_EXTENSION_KEY%': encodeURIComponent(host.signalRExtensionKey ?? ''),
          });
    emulator?.setUpstream(upstreamUrlTemplate);
    pages.configure({
      frontDoorPort,
      authProvider: 'aad',
      signalrOrigin: `http://localhost:${signalrPort}`,
    });
    // Storage the stack did not start (a storage account, another Azurite) is not its to stop.
    const ownAzurite = (what: string): AzuriteProcess => {
      if (azurite === undefined)
        throw new Error(
          `Cannot ${what} storage: this stack uses storage it did not start (AzureWebJobsStorage is not UseDevelopmentStorage=true).`,
        );
      return azurite;
    };
    return {
      frontDoor,
      storageConnectionString,
      stopStorage: async () => ownAzurite('stop').close(),
      get storagePid() {
        return azurite?.pid;
      },
      pauseStorage: () => ownAzurite('pause').pause(),
      resumeStorage: () => ownAzurite('resume').resume(),
      startStorage: async () => {
        await ownAzurite('start').start();
      },
      urls: {
        page: `http://127.0.0.1:${contentPort}`,
        api: `http://127.0.0.1:${frontDoorPort}`,
        signalr: `http://localhost:${signalrPort}`,
      },
      connectionString,
      signalRExtensionKey: host.signalRExtensionKey,
      stopSignalR: async () => {
        await emulator?.close();
        emulator = undefined;
      },
      startSignalR: async () => {
        emulator ??= await startEmulator({
          connectionString,
          port: signalrPort,
          logLevel: options.logLevel,
          upstreamUrlTemplate,
        });
      },
      dropSignalRSockets: () => emulator?.dropSockets(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
