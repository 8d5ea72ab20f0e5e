import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The real Azure CLI (Debian's `azure-cli` package, which installs offline) as the judge of the
 * commands infra/provision.sh runs and prints: its own parser and validators read each command
 * (judgeAz.py), and a command they accept stops just before its handler would run (or at a
 * validator that needs the signed-in account, "Please run 'az login'"); one they
 * refuse (an unknown flag, a missing argument, a value outside its choices) gets the CLI's own
 * error. Nothing leaves the machine: no handler runs, telemetry is off, and any connection a
 * validator tries goes to a closed port on loopback (HTTP(S)_PROXY).
 */
export interface AzVerdict {
  readonly args: readonly string[];
  readonly accepted: boolean;
  /** The CLI's first line of output: its error, or the sign-in request. */
  readonly message: string;
}

export const INSTALL_AZURE_CLI = 'sudo apt-get install -y azure-cli';

/** The interpreter `az` runs with (its shebang), which has the CLI's modules. */
function azPython(): string {
  const az = spawnSync('sh', ['-c', 'command -v az'], { encoding: 'utf8' }).stdout.trim();
  if (az.length === 0)
    throw new Error(
      `The Azure CLI is not installed; the deploy tests need it: ${INSTALL_AZURE_CLI}`,
    );
  const shebang = /^#!\s*(\S+)/.exec(readFileSync(az, 'utf8').split('\n')[0]);
  if (shebang === null)
    throw new Error(`${az} is not the Python script Debian's azure-cli installs.`);
  return shebang[1];
}

export function judgeWithAzureCli(commands: readonly (readonly string[])[]): AzVerdict[] {
  const config = mkdtempSync(join(tmpdir(), 'azure-config-'));
  try {
    const result = spawnSync(azPython(), [join(__dirname, 'judgeAz.py')], {
      input: JSON.stringify(commands),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        AZURE_CONFIG_DIR: config,
        AZURE_CORE_COLLECT_TELEMETRY: 'false',
        AZURE_CORE_SURVEY_MESSAGE: 'false',
        AZURE_CORE_NO_COLOR: 'true',
        HTTP_PROXY: 'http://127.0.0.1:9',
        HTTPS_PROXY: 'http://127.0.0.1:9',
        NO_PROXY: '',
      },
    });
    if (result.status !== 0)
      throw new Error(`The Azure CLI judge failed (${result.status}): ${result.stderr}`);
    const raw = JSON.parse(result.stdout) as {
      args: string[];
      output: string;
      accepted: boolean;
    }[];
    return raw.map(({ args, output, accepted }) => ({
      args,
      accepted,
      message: accepted
        ? 'accepted'
        : (output.split('\n').find((line) => line.startsWith('ERROR:')) ?? output.trim()),
    }));
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}
