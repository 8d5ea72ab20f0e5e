/**
 * `npm run signalr-emulator`: the local Azure SignalR Service alone, started from the app's own
 * AzureSignalRConnectionString (the environment wins over local.settings.json, as in Core Tools).
 */
import { join } from 'node:path';
import { startEmulator } from '.';
import { appSettings, readLocalSettings } from '../host/localSettings';
import { Setting } from '../../lib/settings';

function connectionStringSetting(): string {
  const settings = appSettings(readLocalSettings(join(__dirname, '..', '..', '..')).values);
  const value = settings[Setting.SignalR] ?? process.env[Setting.SignalR];
  if (value === undefined || value.length === 0)
    throw new Error(
      `${Setting.SignalR} is set neither in the environment nor in local.settings.json Values.`,
    );
  return value;
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ connectionString: connectionStringSetting() });
  process.stdout.write(
    `SignalR Service emulator (serverless mode) on http://localhost:${emulator.port}\nConnection string: AzureSignalRConnectionString="${emulator.connectionString}"\nPress Ctrl-C to stop.\n`,
  );
  const stop = (): void => void emulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `${(error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'The SignalR emulator port is already in use; stop whatever holds it or change Port in the connection string. ' : ''}${message}\n`,
  );
  process.exit(1);
});
