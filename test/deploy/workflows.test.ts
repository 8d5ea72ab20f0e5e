import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * the GitHub workflows cannot run here, so everything about them that can be checked
 * without GitHub is: they parse, they name only scripts and files that exist, and the deploy
 * does its steps in a safe order with OIDC. `yaml` parses YAML 1.2 as GitHub does (`on` stays
 * a key, not the boolean YAML 1.1 parsers make of it) and throws on any syntax error.
 */
const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const packageScripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
  .scripts;

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Readonly<Record<string, unknown>>;
}
interface Job {
  readonly 'runs-on': string;
  readonly steps: readonly Step[];
}
interface Workflow {
  readonly on: Readonly<Record<string, unknown>>;
  readonly permissions?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string>>;
  readonly jobs: Readonly<Record<string, Job & { readonly env?: Record<string, string> }>>;
}

const load = (file: string) => parse(read(file), { uniqueKeys: true, strict: true }) as Workflow;
const stepsOf = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);
const runsOf = (workflow: Workflow) =>
  stepsOf(workflow)
    .map((step) => step.run ?? '')
    .filter((run) => run.length > 0);

/** action-validator (npm, WebAssembly): the workflow against GitHub's Actions schema. */
function validate(file: string): { status: number | null; output: string } {
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'action-validator'), [file], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const ci = load('.github/workflows/ci.yml');
const deploy = load('.github/workflows/deploy.yml');

describe.each([
  ['ci.yml', ci],
  ['deploy.yml', deploy],
])('%s', (file, workflow) => {
  it('is valid against the GitHub Actions workflow schema', () => {
    expect(validate(join('.github', 'workflows', file))).toEqual({ status: 0, output: '' });
  });

  it('runs on ubuntu-latest with Node 22 and the npm cache', () => {
    for (const job of Object.values(workflow.jobs)) {
      expect(job['runs-on']).toBe('ubuntu-latest');
      const setupNode = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
      expect(setupNode?.with).toMatchObject({ 'node-version': 22, cache: 'npm' });
    }
  });

  it('names only npm scripts that package.json has', () => {
    const named = runsOf(workflow).flatMap((run) =>
      [...run.matchAll(/\bnpm run ([\w:.-]+)/g)].map((match) => match[1]),
    );
    for (const script of named) expect(Object.keys(packageScripts)).toContain(script);
    if (runsOf(workflow).some((run) => /\bnpm test\b/.test(run)))
      expect(packageScripts).toHaveProperty('test');
  });

  it('names only repository files that exist', () => {
    const named = runsOf(workflow).flatMap((run) =>
      [...run.matchAll(/(?:^|[\s"'])((?:\.ci|infra|bench|test|local)\/[\w./-]+)/g)].map(
        (match) => match[1],
      ),
    );
    expect(named.length).toBeGreaterThan(0);
    for (const file of named)
      expect({ file, exists: existsSync(join(ROOT, file)) }).toEqual({ file, exists: true });
  });
});

describe('ci.yml', () => {
  it('runs on every push and pull request', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
  });

  it('runs exactly what .ci/run runs everywhere else', () => {
    expect(runsOf(ci)).toEqual(['bash .ci/run']);
  });
});

describe('deploy.yml', () => {
  const runs = runsOf(deploy);
  const steps = stepsOf(deploy);
  /** Index of the first step whose `run` (or `uses`) matches; -1 if none. */
  const at = (pattern: RegExp) =>
    steps.findIndex((step) => pattern.test(step.run ?? '') || pattern.test(step.uses ?? ''));

  it('runs by hand or on a v* tag, never on an ordinary push', () => {
    expect(deploy.on).toHaveProperty('workflow_dispatch');
    expect(deploy.on.push).toEqual({ tags: ['v*'] });
  });

  it('signs in to Azure with OIDC: id-token permission and the three secrets, no stored credentials', () => {
    expect(deploy.permissions?.['id-token']).toBe('write');
    const login = steps.find((step) => step.uses?.startsWith('azure/login@'));
    expect(login?.uses).toBe('azure/login@v2');
    expect(login?.with).toEqual({
      'client-id': '${{ secrets.AZURE_CLIENT_ID }}',
      'tenant-id': '${{ secrets.AZURE_TENANT_ID }}',
      'subscription-id': '${{ secrets.AZURE_SUBSCRIPTION_ID }}',
    });
    expect(read('.github/workflows/deploy.yml')).not.toMatch(
      /creds:|publish-profile|AZURE_CREDENTIALS/,
    );
  });

  it('installs, tests and builds before it publishes, then publishes with Core Tools', () => {
    const publish = at(/^func azure functionapp publish "\$FUNCTION_APP"/);
    expect(publish).toBeGreaterThan(0);
    expect(at(/^bash \.ci\/run$/)).toBeGreaterThanOrEqual(0); // npm ci, then npm test
    expect(read('.ci/run')).toMatch(/^npm ci\b[\s\S]*^npm test\b/m);
    expect(at(/^bash \.ci\/run$/)).toBeLessThan(publish);
    expect(at(/^npm run build$/)).toBeGreaterThan(at(/^bash \.ci\/run$/));
    expect(at(/^npm run build$/)).toBeLessThan(publish);
    expect(at(/^azure\/login@/)).toBeLessThan(publish);
    expect(at(/npm install --global azure-functions-core-tools@4 --unsafe-perm true/)).toBeLessThan(
      publish,
    );
  });

  it('uploads to $web only the folder the packaging script made, signed in with OIDC', () => {
    const packageRun = runs.find((run) => /bash infra\/package-page\.sh /.test(run)) ?? '';
    const folder = /bash infra\/package-page\.sh ("[^"]+"|\S+)/.exec(packageRun)?.[1];
    expect(folder).toBeDefined();
    const upload = runs.find((run) => /az storage blob upload-batch/.test(run)) ?? '';
    expect(upload).toContain('--auth-mode login');
    expect(upload).toMatch(/--destination '\$web'/);
    expect(upload).toContain(`--source ${folder}`);
    expect(at(/bash infra\/package-page\.sh/)).toBeLessThan(at(/upload-batch/));
    expect(at(/^azure\/login@/)).toBeLessThan(at(/upload-batch/));
  });

  it('uses only the repository variables and secrets the README tells a reader to set', () => {
    const text = read('.github/workflows/deploy.yml');
    const readme = read('README.md').split(/^## Deploy to Azure$/m)[1] ?? '';
    const used = [...text.matchAll(/\$\{\{ (vars|secrets)\.(\w+) \}\}/g)].map((m) => m[2]);
    expect(new Set(used)).toEqual(
      new Set([
        'FUNCTION_APP',
        'STORAGE_ACCOUNT',
        'AUTH_PROVIDER',
        'RESOURCE_GROUP',
        'AZURE_CLIENT_ID',
        'AZURE_TENANT_ID',
        'AZURE_SUBSCRIPTION_ID',
      ]),
    );
    for (const name of used) expect(readme).toContain(`\`${name}\``);
  });
});

describe('the schema check', () => {
  it('refuses a workflow GitHub would refuse (a job without runs-on)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflow-'));
    try {
      const file = join(dir, 'bad.yml');
      writeFileSync(file, read('.github/workflows/ci.yml').replace('runs-on:', 'runs_on:'));
      const { status, output } = validate(file);
      expect(status).toBe(1);
      expect(output).toContain("Additional property 'runs_on' is not allowed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
