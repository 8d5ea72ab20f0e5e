import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startEmulator, type SignalREmulator } from '../emulator';
import type { UpstreamTemplate } from '../emulator/upstreamTemplates';
import { FrontDoor, type FrontDoorOptions } from '../frontdoor/FrontDoor';
import { RevocationFile } from '../frontdoor/RevocationFile';
import { newSessionKey } from '../frontdoor/SessionSeal';
import { CoreToolsHost } from '../host/CoreToolsHost';
import { FunctionHost } from '../host/FunctionHost';
import type { LocalFunctionsHost } from '../host/LocalFunctionsHost';
import type { LogLevel, Logger } from '../log';
import { SIGNALR_WEBHOOK_PATH } from '../signalr/upstream';
import { StaticServer } from '../static/StaticServer';
import { AzuriteProcess } from '../storage/AzuriteProcess';

/**
 * One starter per part of the offline stack (README, "Running offline"), each answering what the
 * next part needs; `startStack` (index.ts) composes them.
 */

/** Azurite's Table service port, as Core Tools users know it. */
export const DEFAULT_STORAGE_PORT = 10002;
/** App Service's own setting for the key its session cookies are encrypted with. */
export const SESSION_KEY_SETTING = 'WEBSITE_AUTH_ENCRYPTION_KEY';

/** A port already taken gets a message naming it. */
export async function bind<T>(what: string, port: number, start: () => Promise<T>): Promise<T> {
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

/**
 * The SignalR Service emulator, which tests may stop and start again on the same port with the
 * same upstream (a service outage).
 */
export class SignalRPart {
  private upstream: string | readonly UpstreamTemplate[] | undefined;

  private constructor(
    private current: SignalREmulator | undefined,
    /** The app's SignalR connection string with the port the emulator listens on. */
    readonly signalRConnectionString: string,
    readonly port: number,
    private readonly logLevel: LogLevel | undefined,
  ) {}

  static async start(
    connectionString: string,
    port: number,
    logLevel: LogLevel | undefined,
  ): Promise<SignalRPart> {
    const emulator = await bind('SignalR Service emulator', port, () =>
      startEmulator({ connectionString, port, logLevel }),
    );
    return new SignalRPart(emulator, emulator.connectionString, emulator.port, logLevel);
  }

  /** The running emulator, or undefined while stopped. */
  get emulator(): SignalREmulator | undefined {
    return this.current;
  }

  /** Points the service's upstream at the app (or nowhere), now and after a restart. */
  setUpstream(templates: string | readonly UpstreamTemplate[] | undefined): void {
    this.upstream = templates;
    this.current?.setUpstream(templates);
  }

  async stop(): Promise<void> {
    const running = this.current;
    this.current = undefined;
    await running?.close();
  }

  async start(): Promise<void> {
    this.current ??= await startEmulator({
      connectionString: this.signalRConnectionString,
      port: this.port,
      logLevel: this.logLevel,
      upstreamUrlTemplate: this.upstream,
    });
  }
}

/**
 * Storage: Azurite stands in for the account when AzureWebJobsStorage is
 * `UseDevelopmentStorage=true` (its data in `location`, or in memory when null); any other
 * setting is a storage account the stack uses and does not start.
 */
export async function startStorage(
  setting: string,
  options: { port: number; location: string | undefined; log: Logger },
): Promise<{ storageConnectionString: string; azurite?: AzuriteProcess }> {
  if (!/^UseDevelopmentStorage=true$/i.test(setting.trim()))
    return { storageConnectionString: setting };
  const azurite = new AzuriteProcess(options);
  await bind('Azurite Table service', options.port, () => azurite.start());
  return { storageConnectionString: azurite.connectionString, azurite };
}

/** The functions: the built-in classic-model host, or real Core Tools (`func start`). */
export async function startHost(
  root: string,
  kind: 'builtin' | 'func',
  settings: Record<string, string>,
  log: Logger,
  verbose: boolean | undefined,
): Promise<{ host: LocalFunctionsHost; port: number }> {
  const host: LocalFunctionsHost =
    kind === 'func'
      ? new CoreToolsHost(root, settings)
      : new FunctionHost({ root, log, settings, verbose });
  return { host, port: await host.listen() };
}

/** The page server for content/; its two origins (127.0.0.1 and localhost). */
export async function startPages(
  root: string,
  port: number,
): Promise<{ pages: StaticServer; origins: string[] }> {
  const pages = new StaticServer({ root: join(root, 'content'), port });
  const listening = await bind('page server', port, () => pages.listen());
  return {
    pages,
    origins: [`http://127.0.0.1:${listening}`, `http://localhost:${listening}`],
  };
}

/** The session key kept in `.local/` (made on the first start), so restarts keep sessions. */
export function localSessionKey(root: string): string {
  const file = join(root, '.local', 'session.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = newSessionKey();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

export interface FrontDoorPartOptions extends Pick<
  FrontDoorOptions,
  'port' | 'corsOrigins' | 'corsCredentials' | 'allowedExternalRedirectUrls' | 'sessionKey' | 'log'
> {
  readonly root: string;
  readonly hostPort: number;
  /** Sign-outs remembered across restarts, in `.local/`; none for a throwaway stack. */
  readonly keepRevocations: boolean;
  readonly limits?: Pick<FrontDoorOptions, 'bodyTimeoutMs' | 'sessionLifetimeMs'>;
}

/** App Service Authentication and platform CORS in front of the host. */
export async function startFrontDoor(
  options: FrontDoorPartOptions,
): Promise<{ frontDoor: FrontDoor; port: number }> {
  const { root, hostPort, keepRevocations, limits, ...policy } = options;
  const frontDoor = new FrontDoor({
    ...policy,
    target: `http://127.0.0.1:${hostPort}`,
    revocations: keepRevocations
      ? new RevocationFile(join(root, '.local', 'revoked-sessions'))
      : undefined,
    excludedPaths: [SIGNALR_WEBHOOK_PATH],
    ...limits,
  });
  return { frontDoor, port: await bind('front door', policy.port, () => frontDoor.listen()) };
}
