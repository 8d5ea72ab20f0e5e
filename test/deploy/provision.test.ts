import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { azCallProblem } from './azCommands';
import { judgeWithAzureCli } from './azureCli';

/**
 * infra/provision.sh, run against a fake `az` on PATH. The dry run must print every
 * setting the tutorial's users trip over and call nothing; a real run must call the CLI in a
 * converging way (create only what is missing) and never print a key.
 */
const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'infra', 'provision.sh');
const SITE = 'https://chatdemoweb.z13.web.core.windows.net';
const FAKE_KEY = 'FAKEACCESSKEY0123456789';
const SECRET = 'github-oauth-secret-value';

/** A fake Azure CLI: logs every call; answers the reads the script makes. */
const FAKE_AZ = `#!/usr/bin/env bash
printf '%s\\n' "$*" >>"$AZ_LOG"
printf '%s\\037' "$@" >>"$AZ_LOG.argv"; printf '\\n' >>"$AZ_LOG.argv"
if [ -n "\${AZ_FORBIDDEN:-}" ]; then exit 97; fi
case "$*" in
  *"show "*"--query id --output tsv")
    if [ -n "\${AZ_EXISTS:-}" ]; then echo "/subscriptions/0/resourceGroups/rg/x"; exit 0; fi
    echo "ERROR: (ResourceNotFound) not found" >&2; exit 3 ;;
  *"--query primaryEndpoints.web"*) echo "${SITE}/" ;;
  *"signalr key list"*) echo "Endpoint=https://chatdemo-signalr.service.signalr.net;AccessKey=${FAKE_KEY};Version=1.0;" ;;
  *"--query defaultHostName"*) echo "chatdemo-func-abc123.westeurope-01.azurewebsites.net" ;;
  *"cors show"*) if [ -n "\${AZ_EXISTS:-}" ]; then echo "https://portal.azure.com"; echo "${SITE}"; fi ;;
  *"--query tenantId"*) echo "00000000-1111-2222-3333-444444444444" ;;
  *"--query systemKeys.signalr_extension"*) echo "FAKEEXTENSIONKEY" ;;
esac
exit 0
`;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: readonly string[];
  /** Each call's exact words, for checking against the real CLI's flags. */
  readonly argvs: readonly (readonly string[])[];
}

function provision(args: readonly string[], env: Readonly<Record<string, string>> = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), 'fake-az-'));
  try {
    writeFileSync(join(dir, 'az'), FAKE_AZ);
    chmodSync(join(dir, 'az'), 0o755);
    const log = join(dir, 'calls.log');
    const result = spawnSync('bash', [SCRIPT, ...args], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, AZ_LOG: log, ...env },
    });
    const calls = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    const argvs = existsSync(`${log}.argv`)
      ? readFileSync(`${log}.argv`, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split('\x1f').slice(0, -1))
      : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, argvs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The words of each `az ...` line a dry run prints (shell-quoted by printf %q), split by bash. */
function printedCommands(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('az '))
    .map((line) => {
      const words = spawnSync('bash', ['-c', `set -- ${line.slice(3)}; printf '%s\\0' "$@"`], {
        encoding: 'utf8',
      }).stdout;
      return words.split('\0').slice(0, -1);
    });
}

const PROVIDERS = ['aad', 'github', 'google', 'facebook', 'twitter', 'apple'];

/** What the real CLI cannot judge here: the authV2 extension's lines (azCommands.ts). */
const judgedByTable = (args: readonly string[]) => args[0] === 'webapp' && args[1] === 'auth';

describe('the az calls provision.sh makes are ones the real CLI accepts', () => {
  // Every provider, in a dry run and against the fake az: the commands printed and the calls made.
  const commands = PROVIDERS.flatMap((provider) => {
    const args = ['--name', 'chatdemo', '--auth-provider', provider, '--auth-client-id', 'id1'];
    const dry = provision(['--dry-run', ...args], {
      AZ_FORBIDDEN: '1',
      AUTH_CLIENT_SECRET: SECRET,
    });
    const real = provision(args, { AUTH_CLIENT_SECRET: SECRET });
    return [...printedCommands(dry.stdout), ...real.argvs];
  });
  const unique = [...new Map(commands.map((args) => [JSON.stringify(args), args])).values()];

  const forCli = unique.filter((args) => !judgedByTable(args));
  const signalr = (...flags: string[]) => [
    'signalr',
    'create',
    '-n',
    'x',
    '-g',
    'rg',
    '--sku',
    'Free_F1',
    ...flags,
  ];
  const wrong = [
    signalr('--service-mode', 'Serverless'),
    signalr('--servicemode', 'Serverless'),
    ['functionapp', 'create', '-n', 'x', '-g', 'rg'],
    signalr('--service-mode', 'Serverles'),
  ];
  // One run of the CLI judges both lists: it takes seconds to load its command table.
  let judged: ReturnType<typeof judgeWithAzureCli>;
  beforeAll(() => {
    judged = judgeWithAzureCli([...forCli, ...wrong]);
  });

  it('are accepted by the Azure CLI itself, up to its sign-in check', () => {
    expect(forCli.length).toBeGreaterThan(20);
    const refused = judged.slice(0, forCli.length).filter((verdict) => !verdict.accepted);
    expect(refused).toEqual([]);
  });

  it('refuses an unknown flag, a missing argument and a value outside the choices (the CLI judges)', () => {
    const verdicts = judged.slice(forCli.length);
    expect(verdicts.map((verdict) => verdict.accepted)).toEqual([true, false, false, false]);
    expect(verdicts[1].message).toMatch(/unrecognized arguments: --servicemode/);
    expect(verdicts[2].message).toMatch(/the following arguments are required: --storage-account/);
    expect(verdicts[3].message).toMatch(/'Serverles' is not a valid value for '--service-mode'/);
  });

  it('makes the authV2 lines with flags the extension defines (checked against its table)', () => {
    const forTable = unique.filter(judgedByTable);
    expect(forTable.length).toBeGreaterThan(PROVIDERS.length);
    expect(forTable.map(azCallProblem).filter(Boolean)).toEqual([]);
  });

  it('refuses a flag the extension lacks (the table is a real check)', () => {
    expect(
      azCallProblem([
        'webapp',
        'auth',
        'update',
        '--unauthenticated-client-action',
        'Return401',
        '--allowed-external-redirect-urls',
        'x',
      ]),
    ).toBe(
      "az webapp auth update: --unauthenticated-client-action must be one of RedirectToLoginPage, AllowAnonymous, RejectWith401, RejectWith404, not 'Return401'",
    );
    expect(azCallProblem(['webapp', 'auth', 'facebook', 'update', '--client-id', 'x'])).toBe(
      'az webapp auth facebook update: unrecognized argument --client-id',
    );
  });
});

describe('infra/provision.sh --dry-run', () => {
  const run = provision(
    ['--dry-run', '--name', 'chatdemo', '--auth-provider', 'github', '--auth-client-id', 'Iv1.abc'],
    {
      AZ_FORBIDDEN: '1',
      AUTH_CLIENT_SECRET: SECRET,
    },
  );
  const lines = run.stdout.split('\n');
  const line = (pattern: RegExp) => lines.find((l) => pattern.test(l)) ?? '';

  it('succeeds without calling az once', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([]);
  });

  it.each([
    ['SignalR created in Serverless mode', /^az signalr create .*--service-mode Serverless\b/],
    [
      'Serverless mode re-asserted on an existing service',
      /^az signalr update .*--service-mode Serverless\b/,
    ],
    [
      'a static website answering index.html, also for 404',
      /^az storage blob service-properties update .*--static-website --index-document index\.html --404-document index\.html/,
    ],
    [
      'Linux, Node 22, Functions 4, consumption plan',
      /^az functionapp create .*--consumption-plan-location westeurope --os-type Linux --runtime node --runtime-version 22 --functions-version 4\b/,
    ],
    [
      'the SignalR connection string and the node worker',
      /^az functionapp config appsettings set .*AzureSignalRConnectionString=.* FUNCTIONS_WORKER_RUNTIME=node/,
    ],
    [
      'CORS for the static site origin, no trailing slash',
      /^az functionapp cors add .*--allowed-origins https:\/\/\\<static-website-host-of-chatdemoweb\\> --output none $/,
    ],
    ['CORS credentials enabled', /^az functionapp cors credentials .*--enable true\b/],
    ['the authV2 extension', /^az extension add --name authV2 --upgrade --yes\b/],
    [
      'the SignalR webhook excluded from App Service Authentication',
      /^az webapp auth update .*--set globalValidation\.excludedPaths=\\\[\/runtime\/webhooks\/signalr\\\]/,
    ],
    [
      'the SignalR upstream to the webhook with the extension key',
      /^az signalr upstream update .*url-template=https:\/\/chatdemo-func\.azurewebsites\.net\/runtime\/webhooks\/signalr\\\?code=\\<signalr_extension-key\\>/,
    ],
    [
      'App Service Authentication on, answering 401',
      /^az webapp auth update .*--enabled true --unauthenticated-client-action RejectWith401\b/,
    ],
    [
      'the static site as the allowed external redirect URL',
      /^az webapp auth update .*--set login\.allowedExternalRedirectUrls=\\\[https:\/\/\\<static-website-host-of-chatdemoweb\\>\\\] --output none/,
    ],
    [
      'the GitHub provider with its client id',
      /^az webapp auth github update .*--client-id Iv1\.abc .*--yes/,
    ],
  ])('prints %s', (_label, pattern) => {
    expect(line(pattern)).not.toBe('');
  });

  it('prints the values the deploy workflow needs', () => {
    expect(run.stdout).toMatch(
      /FUNCTION_APP=chatdemo-func\n\s+STORAGE_ACCOUNT=chatdemoweb\n\s+AUTH_PROVIDER=github\n\s+RESOURCE_GROUP=chatdemo-rg\n/,
    );
    expect(run.stdout).toMatch(/^Function App URL: https:\/\/chatdemo-func\.azurewebsites\.net$/m);
    expect(run.stdout).toMatch(
      /^Static site URL: +https:\/\/<static-website-host-of-chatdemoweb>$/m,
    );
  });

  it('prints placeholders, never a key or the client secret', () => {
    expect(run.stdout).toContain(
      'AzureSignalRConnectionString=\\<connection-string-of-chatdemo-signalr\\>',
    );
    expect(run.stdout).toContain('--client-secret \\<AUTH_CLIENT_SECRET\\>');
    expect(run.stdout).not.toContain(SECRET);
    expect(run.stdout).not.toMatch(/AccessKey=/);
  });

  it('maps the page provider aad to the CLI provider microsoft with a v2.0 issuer', () => {
    const aad = provision(
      [
        '--dry-run',
        '--name',
        'chatdemo',
        '--auth-provider',
        'aad',
        '--auth-client-id',
        'id',
        '--auth-tenant-id',
        'contoso.onmicrosoft.com',
      ],
      { AZ_FORBIDDEN: '1' },
    );
    expect(aad.status).toBe(0);
    expect(aad.stdout).toMatch(
      /^az webapp auth microsoft update .*--client-id id --issuer https:\/\/login\.microsoftonline\.com\/contoso\.onmicrosoft\.com\/v2\.0 /m,
    );
    expect(aad.stdout).toMatch(/^\s+AUTH_PROVIDER=aad$/m);
  });

  it.each([
    [
      ['--name', 'Bad_Name'],
      "--name must be 3 to 16 lower-case letters and digits, starting with a letter (it prefixes every resource), not 'Bad_Name'.",
    ],
    [
      ['--name', 'chatdemo', '--auth-provider', 'okta'],
      "--auth-provider must be one of aad, github, google, facebook, twitter, apple, not 'okta'.",
    ],
    [['--name', 'chatdemo', '--bogus'], "unknown argument '--bogus' (see --help)."],
    [['--name'], '--name needs a value (see --help).'],
  ])('refuses %j with a clear message and calls nothing', (args, message) => {
    const bad = provision(['--dry-run', ...args], { AZ_FORBIDDEN: '1' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(`provision: ${message}\n`);
    expect(bad.calls).toEqual([]);
  });
});

describe('infra/provision.sh and the one list of upstream templates', () => {
  it('applies infra/signalr-upstream.json on Azure: every template, in order, with the app and key filled in', () => {
    // The script beside a list of two templates: what it prints follows the file.
    const dir = mkdtempSync(join(tmpdir(), 'upstream-list-'));
    try {
      writeFileSync(join(dir, 'provision.sh'), readFileSync(SCRIPT));
      writeFileSync(
        join(dir, 'signalr-upstream.json'),
        JSON.stringify({
          templates: [
            {
              urlTemplate: '%APP_URL%/first/{event}',
              hubPattern: 'chat',
              eventPattern: 'connected,disconnected',
            },
            {
              urlTemplate: '%APP_URL%/second?code=%SIGNALR_EXTENSION_KEY%',
              categoryPattern: 'messages',
            },
          ],
        }),
      );
      const result = spawnSync(
        'bash',
        [
          join(dir, 'provision.sh'),
          '--dry-run',
          '--name',
          'chatdemo',
          '--auth-provider',
          'github',
          '--auth-client-id',
          'x',
        ],
        { encoding: 'utf8', env: { ...process.env, AZ_FORBIDDEN: '1' } },
      );
      const update = result.stdout
        .split('\n')
        .find((l) => l.startsWith('az signalr upstream update'));
      expect(update).toContain(
        '--template url-template=https://chatdemo-func.azurewebsites.net/first/\\{event\\} hub-pattern=chat category-pattern=\\* event-pattern=connected\\,disconnected --template url-template=https://chatdemo-func.azurewebsites.net/second\\?code=\\<signalr_extension-key\\> hub-pattern=\\* category-pattern=messages event-pattern=\\*',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('infra/provision.sh against a fake az', () => {
  const args = ['--name', 'chatdemo', '--auth-provider', 'github', '--auth-client-id', 'Iv1.abc'];

  it('creates what is missing and wires it together, printing no key or secret', () => {
    const run = provision(args, { AUTH_CLIENT_SECRET: SECRET });
    expect(run.status).toBe(0);
    const calls = run.calls.join('\n');
    expect(calls).toMatch(/^signalr create .*--service-mode Serverless/m);
    expect(calls).toMatch(
      /^functionapp create .*--runtime node --runtime-version 22 --functions-version 4/m,
    );
    expect(calls).toContain(
      `--settings AzureSignalRConnectionString=Endpoint=https://chatdemo-signalr.service.signalr.net;AccessKey=${FAKE_KEY};Version=1.0; FUNCTIONS_WORKER_RUNTIME=node`,
    );
    // The origin as the CLI returned it, minus its trailing slash.
    expect(calls).toContain(
      `cors add --name chatdemo-func --resource-group chatdemo-rg --allowed-origins ${SITE} --output none`,
    );
    expect(calls).toContain(`--set login.allowedExternalRedirectUrls=[${SITE}] --output none`);
    expect(calls).toContain(
      `auth github update --name chatdemo-func --resource-group chatdemo-rg --client-id Iv1.abc --client-secret ${SECRET} --yes`,
    );
    expect(run.stdout).toContain(
      'Function App URL: https://chatdemo-func-abc123.westeurope-01.azurewebsites.net\n',
    );
    expect(run.stdout).toContain(`Static site URL:  ${SITE}\n`);
    expect(calls).toContain(
      'url-template=https://chatdemo-func-abc123.westeurope-01.azurewebsites.net/runtime/webhooks/signalr?code=FAKEEXTENSIONKEY',
    );
    expect(`${run.stdout}${run.stderr}`).not.toContain('FAKEEXTENSIONKEY');
    expect(`${run.stdout}${run.stderr}`).not.toContain(FAKE_KEY);
    expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET);
  });

  it('run again on existing resources, converges without re-creating anything', () => {
    const run = provision(args, { AZ_EXISTS: '1' });
    expect(run.status).toBe(0);
    const calls = run.calls.join('\n');
    // A second `signalr create` would reset a service scaled out since to one unit
    // (`group create` is the one create that is an update when the group exists).
    expect(run.calls.filter((call) => / create /.test(call))).toEqual([
      'group create --name chatdemo-rg --location westeurope --output none',
    ]);
    expect(calls).not.toMatch(/^functionapp cors add/m); // the origin is there already
    expect(calls).toMatch(/^signalr update .*--service-mode Serverless/m);
    expect(calls).toMatch(/^functionapp cors credentials .*--enable true/m);
    expect(calls).toMatch(/^webapp auth update .*--unauthenticated-client-action RejectWith401/m);
  });

  it('stops before creating anything when the CLI is signed out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signed-out-az-'));
    try {
      writeFileSync(join(dir, 'az'), '#!/bin/sh\necho "Please run az login" >&2\nexit 1\n');
      chmodSync(join(dir, 'az'), 0o755);
      const result = spawnSync('bash', [SCRIPT, ...args], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('provision: sign in first with az login.');
      expect(result.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
