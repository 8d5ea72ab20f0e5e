import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BindingError } from './bindingExpressions';

/** local.settings.json as Core Tools reads it (docs/functions-host.md, "Local settings"). */
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

/**
 * The app settings a function sees: local.settings.json Values, with an environment variable
 * of the same name winning, as Core Tools applies them. Nothing is written to the environment.
 */
export function appSettings(
  values: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const settings: Record<string, string> = { ...values };
  for (const name of Object.keys(values)) {
    const fromEnv = env[name];
    if (fromEnv !== undefined) settings[name] = fromEnv;
  }
  return settings;
}

/** A setting a binding needs; missing or empty fails the invocation (500), as in Azure. */
export function requireSetting(
  settings: Readonly<Record<string, string | undefined>>,
  name: string,
): string {
  const value = settings[name];
  if (value === undefined || value.length === 0)
    throw new BindingError(`The app setting '${name}' is not set.`);
  return value;
}
