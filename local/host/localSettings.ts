import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** local.settings.json as Core Tools reads it (spec functions-v3-and-easyauth.md §5). */
export interface LocalSettings {
  readonly values: Readonly<Record<string, string>>;
  readonly port: number;
  readonly cors: readonly string[];
  readonly corsCredentials: boolean;
}

interface SettingsFile {
  IsEncrypted?: boolean;
  Values?: Record<string, unknown>;
  Host?: { LocalHttpPort?: number; CORS?: string; CORSCredentials?: boolean };
}

export function readLocalSettings(root: string): LocalSettings {
  let file: SettingsFile = {};
  try {
    file = JSON.parse(readFileSync(join(root, 'local.settings.json'), 'utf8')) as SettingsFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`local.settings.json is not valid JSON: ${(error as Error).message}`);
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(file.Values ?? {})) {
    if (typeof value !== 'string')
      throw new Error(`local.settings.json Values.${name} must be a string, as in Core Tools.`);
    values[name] = value;
  }
  return {
    values,
    port: file.Host?.LocalHttpPort ?? 7071,
    cors: (file.Host?.CORS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0),
    corsCredentials: file.Host?.CORSCredentials === true,
  };
}

/** Values become environment variables, but an existing environment variable wins. */
export function applyValues(
  values: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
): void {
  for (const [name, value] of Object.entries(values))
    if (env[name] === undefined) env[name] = value;
}
