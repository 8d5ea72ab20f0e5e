/**
 * The `az webapp auth` commands infra/provision.sh calls, each with the flags the authV2 CLI
 * extension defines (its `_params.py`). Every other command is judged by the real Azure CLI
 * (test/deploy/azureCli.ts); these cannot be: the extension replaces the CLI's own `webapp auth`
 * commands, and installing it needs the network. A flag the extension lacks fails a test here
 * instead of a deploy in Azure.
 */
export interface AzCommand {
  /** Repository and path of the argument definitions the flags come from. */
  readonly source: string;
  readonly flags: readonly string[];
  /** Flags whose value must be one of a list (get_enum_type / choices in the source). */
  readonly values?: Readonly<Record<string, readonly string[]>>;
}

const AUTH_V2 = 'Azure/azure-cli-extensions src/authV2/azext_authV2/_params.py';

/** Accepted by every command (knack's global arguments). */
export const GLOBAL_FLAGS = [
  '--output',
  '-o',
  '--query',
  '--only-show-errors',
  '--debug',
  '--verbose',
  '--help',
  '-h',
];
const SUBSCRIPTION = ['--subscription'];
const NAME_GROUP = ['--name', '-n', '--resource-group', '-g', ...SUBSCRIPTION];
const WEBAPP = [...NAME_GROUP, '--slot', '-s'];
const YES = ['--yes', '-y'];
/** The authV2 providers with a client id and secret (Microsoft, GitHub, Google, Apple). */
const CLIENT_CREDENTIALS = [
  ...WEBAPP,
  '--client-id',
  '--client-secret',
  '--client-secret-setting-name',
  '--secret-setting',
  ...YES,
];

export const AZ_COMMANDS: Readonly<Record<string, AzCommand>> = {
  'webapp auth update': {
    source: AUTH_V2,
    flags: [
      ...WEBAPP,
      '--set',
      '--enabled',
      '--runtime-version',
      '--config-file-path',
      '--unauthenticated-client-action',
      '--action',
      '--redirect-provider',
      '--enable-token-store',
      '--require-https',
      '--proxy-convention',
      '--proxy-custom-host-header',
      '--custom-host-header',
      '--proxy-custom-proto-header',
      '--custom-proto-header',
    ],
    values: {
      '--unauthenticated-client-action': [
        'RedirectToLoginPage',
        'AllowAnonymous',
        'RejectWith401',
        'RejectWith404',
      ],
      '--action': ['RedirectToLoginPage', 'AllowAnonymous', 'RejectWith401', 'RejectWith404'],
      '--enabled': ['true', 'false'],
    },
  },
  'webapp auth microsoft update': {
    source: AUTH_V2,
    flags: [
      ...CLIENT_CREDENTIALS,
      '--issuer',
      '--allowed-token-audiences',
      '--allowed-audiences',
      '--tenant-id',
      '--cloud',
      '--aad-version',
    ],
  },
  'webapp auth github update': { source: AUTH_V2, flags: [...CLIENT_CREDENTIALS, '--scopes'] },
  'webapp auth google update': {
    source: AUTH_V2,
    flags: [...CLIENT_CREDENTIALS, '--scopes', '--allowed-token-audiences', '--allowed-audiences'],
  },
  'webapp auth apple update': { source: AUTH_V2, flags: [...CLIENT_CREDENTIALS, '--scopes'] },
  'webapp auth facebook update': {
    source: AUTH_V2,
    flags: [
      ...WEBAPP,
      '--app-id',
      '--app-secret',
      '--app-secret-setting-name',
      '--secret-setting',
      '--graph-api-version',
      '--scopes',
      ...YES,
    ],
  },
  'webapp auth twitter update': {
    source: AUTH_V2,
    flags: [
      ...WEBAPP,
      '--consumer-key',
      '--consumer-secret',
      '--consumer-secret-setting-name',
      '--secret-setting',
      ...YES,
    ],
  },
};

/**
 * Why `argv` (the words after `az`) is not a call the real CLI accepts, or undefined when it is.
 * The command is the longest run of leading words the table knows.
 */
export function azCallProblem(argv: readonly string[]): string | undefined {
  const words = argv.findIndex((word) => word.startsWith('-'));
  const commandWords = words === -1 ? argv : argv.slice(0, words);
  const name = commandWords.join(' ');
  const command = AZ_COMMANDS[name];
  if (command === undefined) return `'${name}' is not an az command in the table`;
  const allowed = new Set([...command.flags, ...GLOBAL_FLAGS]);
  for (const [i, word] of argv.entries()) {
    if (i < commandWords.length || !word.startsWith('-')) continue;
    if (!allowed.has(word)) return `az ${name}: unrecognized argument ${word}`;
    const values = command.values?.[word];
    if (values !== undefined && !values.includes(argv[i + 1]))
      return `az ${name}: ${word} must be one of ${values.join(', ')}, not '${argv[i + 1]}'`;
  }
  return undefined;
}
