import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FrontDoor, FrontDoorOptions } from '../frontdoor/FrontDoor';
import { loadUpstreamSettings } from '../emulator/upstreamTemplates';
import { newSessionKey } from '../frontdoor/SessionSeal';
import { appSettings, readLocalSettings } from '../host/localSettings';
import { Setting } from '../../lib/settings';
import type { AzuriteProcess } from '../storage/AzuriteProcess';
import { createLogger, type LogLevel, type Logger } from '../log';
import {
  DEFAULT_STORAGE_PORT,
  SESSION_KEY_SETTING,
  SignalRPart,
  localSessionKey,
  type FrontDoorPartOptions,
  startFrontDoor,
  startHost,
  startPages,
  startStorage,
} from './parts';

export { SignalRPart } from './parts';

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
   * Azurite, when the stack started it (AzureWebJobsStorage is UseDevelopmentStorage=true): a
   * process of its own, as in Azure a service; tests stop, freeze and start it through
   * test/support/faults.ts.
   */
  readonly azurite: AzuriteProcess | undefined;
  /** The SignalR Service emulator, which tests stop and start again (an outage). */
  readonly signalR: SignalRPart;
  readonly urls: { readonly page: string; readonly api: string; readonly signalr: string };
  /** The host's `signalr_extension` system key (the SignalR webhook's `code`), if it checks one. */
  readonly signalRExtensionKey?: string;
  /** The app's AzureSignalRConnectionString, pointing at the emulator where it listens. */
  readonly signalRConnectionString: string;
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

/** Where each part listens: 8888, local.settings.json's port (7071), 5500, 10002 by default. */
function portsFor(options: StackOptions, frontDoorPort: number) {
  return {
    signalr: options.ports?.signalr ?? 8888,
    frontDoor: options.ports?.frontDoor ?? frontDoorPort,
    content: options.ports?.content ?? 5500,
    storage: options.ports?.storage ?? DEFAULT_STORAGE_PORT,
  };
}

/**
 * The front door's policy, as App Service keeps it: CORS for local.settings.json's origins and
 * the page's, redirects after sign-in to those origins, the session key (the app setting, else
 * one kept in `.local/`, else, for a throwaway stack, a new one).
 */
function frontDoorPolicy(
  root: string,
  options: StackOptions,
  settings: ReturnType<typeof readLocalSettings>,
  values: Readonly<Record<string, string>>,
  pageOrigins: readonly string[],
): Omit<FrontDoorPartOptions, 'hostPort' | 'port' | 'log'> {
  return {
    root,
    corsOrigins: [...new Set([...settings.cors, ...pageOrigins])],
    corsCredentials: settings.corsCredentials,
    allowedExternalRedirectUrls: options.allowedExternalRedirectUrls ?? [
      ...pageOrigins,
      ...settings.cors.filter((origin) => origin !== '*'),
    ],
    sessionKey:
      options.sessionKey ??
      values[SESSION_KEY_SETTING] ??
      (options.storageLocation === null ? newSessionKey() : localSessionKey(root)),
    keepRevocations: options.sessionKey === undefined && options.storageLocation !== null,
    limits: options.frontDoor,
  };
}

/**
 * SignalR upstream through the front door, as in Azure, to the host's webhook: the repository's
 * one list of upstream templates, as provision.sh applies it on Azure.
 */
function upstreamToApp(frontDoorPort: number, extensionKey: string | undefined) {
  return loadUpstreamSettings(findProjectRoot(__dirname), {
    '%APP_URL%': `http://127.0.0.1:${frontDoorPort}`,
    '%SIGNALR_EXTENSION_KEY%': encodeURIComponent(extensionKey ?? ''),
  });
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const root = options.projectRoot ?? findProjectRoot(__dirname);
  const settings = readLocalSettings(root);
  const values = { ...appSettings(settings.values), ...options.settings };
  const log = createLogger('host', options.logLevel);
  const ports = portsFor(options, settings.port);
  const signalR = await SignalRPart.start(
    values[Setting.SignalR] ?? '',
    ports.signalr,
    options.logLevel,
  );
  // Stopped in the reverse order of starting, each within a deadline.
  const cleanups: (() => Promise<void>)[] = [() => signalR.stop()];
  const close = async () => {
    // Closing clients must not call an app that is shutting down.
    signalR.setUpstream(undefined);
    for (const cleanup of cleanups.splice(0).reverse()) await withinDeadline(cleanup(), log);
  };
  try {
    const { storageConnectionString, azurite } = await startStorage(values[Setting.Storage] ?? '', {
      port: ports.storage,
      location:
        options.storageLocation === null
          ? undefined
          : (options.storageLocation ?? join(root, '.azurite')),
      log,
    });
    if (azurite !== undefined) cleanups.push(() => azurite.close());
    // The functions reach the emulator and Azurite where they really listen.
    const { host, port: hostPort } = await startHost(
      root,
      options.functionsHost ?? 'builtin',
      {
        ...values,
        [Setting.SignalR]: signalR.signalRConnectionString,
        [Setting.Storage]: storageConnectionString,
      },
      log,
      options.verbose,
    );
    cleanups.push(() => host.close());
    const { pages, origins: pageOrigins } = await startPages(root, ports.content);
    cleanups.push(() => pages.close());
    const { frontDoor, port: frontDoorPort } = await startFrontDoor({
      ...frontDoorPolicy(root, options, settings, values, pageOrigins),
      hostPort,
      port: ports.frontDoor,
      log,
    });
    cleanups.push(() => frontDoor.close());
    if (options.upstream !== false)
      signalR.setUpstream(upstreamToApp(frontDoorPort, host.signalRExtensionKey));
    pages.configure({
      frontDoorPort,
      authProvider: 'aad',
      signalrOrigin: `http://localhost:${signalR.port}`,
    });
    return {
      frontDoor,
      storageConnectionString,
      azurite,
      signalR,
      urls: {
        page: pageOrigins[0],
        api: `http://127.0.0.1:${frontDoorPort}`,
        signalr: `http://localhost:${signalR.port}`,
      },
      signalRConnectionString: signalR.signalRConnectionString,
      signalRExtensionKey: host.signalRExtensionKey,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
