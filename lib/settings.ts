/**
 * The app settings the functions read, by name, and the one place that reads them: app
 * settings are environment variables in Azure (Microsoft Learn, "App settings reference for
 * Azure Functions"), and local.settings.json's Values locally. Nothing else in the functions
 * reads `process.env`.
 */
export const Setting = {
  /** The Function App's storage account: history, sends, presence. */
  Storage: 'AzureWebJobsStorage',
  /** The SignalR Service; the bindings' default `connectionStringSetting`. */
  SignalR: 'AzureSignalRConnectionString',
  /** Messages one user may send at once before the per-user send limit applies. */
  SendBurst: 'ChatSendBurst',
  /** Messages one user may send per minute, sustained; 0 turns the send limit off. */
  SendsPerMinute: 'ChatSendsPerMinute',
} as const;

/** The per-user send limit: a token bucket (docs/storage.md, "Send limit"). */
export interface SendLimit {
  readonly burst: number;
  /** 0: no limit. */
  readonly perMinute: number;
}

export const DEFAULT_SEND_LIMIT: SendLimit = { burst: 10, perMinute: 60 };

export interface ChatSettings {
  readonly storageConnectionString: string;
  readonly signalRConnectionString: string;
  readonly sendLimit: SendLimit;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  if (!/^\d{1,9}$/.test(text.trim()))
    throw new Error(`The app setting ${name} must be a whole number, not ${JSON.stringify(text)}.`);
  return Number(text.trim());
}

/** The settings as they are now; a missing connection string is "" and fails where it is used. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): ChatSettings {
  const burst = wholeNumber(env, Setting.SendBurst, DEFAULT_SEND_LIMIT.burst);
  if (burst < 1) throw new Error(`The app setting ${Setting.SendBurst} must be at least 1.`);
  return {
    storageConnectionString: env[Setting.Storage] ?? '',
    signalRConnectionString: env[Setting.SignalR] ?? '',
    sendLimit: {
      burst,
      perMinute: wholeNumber(env, Setting.SendsPerMinute, DEFAULT_SEND_LIMIT.perMinute),
    },
  };
}
