import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import { parse } from 'yaml';

/** Issue 8: what of the Azure deployment can be checked without Azure. */
const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  jobs: Record<
    string,
    { steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] }
  >;
}

function runLines(workflow: Workflow): string[] {
  return Object.values(workflow.jobs).flatMap((job) =>
    job.steps.map((step) => step.run ?? '').filter((run) => run.length > 0),
  );
}

describe('GitHub workflows', () => {
  const ci = parse(read('.github/workflows/ci.yml')) as Workflow;
  const deploy = parse(read('.github/workflows/deploy.yml')) as Workflow;

  it.each([
    ['ci.yml', ci],
    ['deploy.yml', deploy],
  ])('%s names only npm scripts and files that exist', (_name, workflow) => {
    for (const line of runLines(workflow)) {
      for (const [, script] of line.matchAll(/npm run ([\w:-]+)/g))
        expect(scripts).toHaveProperty([script]);
      for (const [, file] of line.matchAll(/bash ([\w./-]+)/g))
        expect(existsSync(join(ROOT, file))).toBe(true);
    }
  });

  it('CI runs the same script as every other CI run, on Node 22', () => {
    expect(runLines(ci)).toEqual(['bash .ci/run']);
    expect(
      ci.jobs.test.steps.find((step) => step.uses?.startsWith('actions/setup-node'))?.with?.[
        'node-version'
      ],
    ).toBe(22);
  });

  it('deploy tests and builds before it publishes, signs in with OIDC, and uploads only the packaged page', () => {
    const lines = runLines(deploy);
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    expect(at(/bash \.ci\/run/)).toBeGreaterThanOrEqual(0);
    expect(at(/npm run build/)).toBeLessThan(at(/func azure functionapp publish "\$FUNCTION_APP"/));
    expect(at(/bash \.ci\/run/)).toBeLessThan(at(/func azure functionapp publish/));
    expect(deploy.permissions?.['id-token']).toBe('write');
    const login = Object.values(deploy.jobs)[0].steps.find((step) =>
      step.uses?.startsWith('azure/login'),
    );
    expect(login?.with).toEqual({
      'client-id': '${{ secrets.AZURE_CLIENT_ID }}',
      'tenant-id': '${{ secrets.AZURE_TENANT_ID }}',
      'subscription-id': '${{ secrets.AZURE_SUBSCRIPTION_ID }}',
    });
    expect(lines[at(/upload-batch/)]).toMatch(/--source site\b/);
    expect(at(/infra\/package-page\.sh site /)).toBeLessThan(at(/upload-batch/));
  });
});

describe('infra/provision.sh --dry-run', () => {
  const binDir = mkdtempSync(join(tmpdir(), 'fake-az-'));
  const marker = join(binDir, 'az-was-called');
  writeFileSync(join(binDir, 'az'), `#!/bin/sh\ntouch "${marker}"\nexit 1\n`);
  chmodSync(join(binDir, 'az'), 0o755);
  const result = spawnSync(
    'bash',
    [
      join(ROOT, 'infra', 'provision.sh'),
      '--dry-run',
      '--name',
      'chatdemo',
      '--auth-provider',
      'github',
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH}` },
    },
  );
  const printed = `${result.stdout}${result.stderr}`;

  it('succeeds without calling az', () => {
    expect(result.status).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    ['SignalR in Serverless mode', /az signalr create .*--service-mode Serverless/],
    ['a static website', /--static-website --index-document index\.html/],
    [
      'Functions 4 on Node 22, Linux',
      /az functionapp create .*--os-type Linux --runtime node --runtime-version 22 --functions-version 4/,
    ],
    ['the SignalR connection string setting', /appsettings set .*AzureSignalRConnectionString=/],
    [
      'CORS for the static site origin',
      /cors add .*--allowed-origins https:\/\/chatdemoweb\.z6\.web\.core\.windows\.net(\s|$)/m,
    ],
    ['CORS credentials enabled', /az functionapp cors credentials .*--enable true/],
    ['Return401', /az webapp auth update .*--action Return401/],
    [
      'the static site as an allowed redirect',
      /--allowed-external-redirect-urls https:\/\/chatdemoweb\.z6\.web\.core\.windows\.net/,
    ],
    [
      'the values the deploy workflow needs',
      /FUNCTION_APP=chatdemo-func\n\s+STORAGE_ACCOUNT=chatdemoweb/,
    ],
  ])('prints %s', (_label, pattern) => {
    expect(printed).toMatch(pattern);
  });

  it('refuses a bad name with a clear message', () => {
    const bad = spawnSync(
      'bash',
      [join(ROOT, 'infra', 'provision.sh'), '--dry-run', '--name', 'Bad_Name'],
      { encoding: 'utf8' },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--name must be 3 to 16 lower-case letters and digits');
  });
});

describe('shell scripts', () => {
  it('pass shellcheck', () => {
    const files = [
      '.ci/run',
      'bench/run.sh',
      ...readdirSync(join(ROOT, 'infra'))
        .filter((f) => f.endsWith('.sh'))
        .map((f) => `infra/${f}`),
    ];
    expect(() => execFileSync('shellcheck', files, { cwd: ROOT, encoding: 'utf8' })).not.toThrow();
  });
});

describe('the page bundle that would be uploaded', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'site-')), 'site');
  execFileSync(
    'bash',
    [
      join(ROOT, 'infra', 'package-page.sh'),
      out,
      'https://chatdemo-func.azurewebsites.net',
      'github',
    ],
    { encoding: 'utf8' },
  );
  const files = (function walk(dir: string): string[] {
    return readdirSync(dir).flatMap((name) =>
      statSync(join(dir, name)).isDirectory()
        ? walk(join(dir, name))
        : [relative(out, join(dir, name))],
    );
  })(out);

  it('holds only the deployable files, with the Azure settings written', () => {
    expect(files.sort()).toEqual(['config.js', 'dist/app.js', 'index.html', 'style.css']);
    expect(readFileSync(join(out, 'config.js'), 'utf8')).toBe(
      'window.CHAT_CONFIG = { apiBaseUrl: "https://chatdemo-func.azurewebsites.net", authProvider: "github" };\n',
    );
  });

  it('has no TypeScript, node_modules, source map or CDN reference', () => {
    for (const file of files) {
      expect(extname(file)).not.toMatch(/^\.(ts|map)$/);
      expect(file).not.toContain('node_modules');
      if (file === 'config.js') continue;
      const text = readFileSync(join(out, file), 'utf8');
      expect(text).not.toMatch(/<script[^>]+src="https?:/);
      expect(text).not.toMatch(/<link[^>]+href="https?:/);
      expect(text).not.toMatch(/(?:cdn|unpkg|jsdelivr|cdnjs|googleapis)\./i);
    }
  });

  describe('served by a plain static server', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        const file = join(out, (req.url ?? '/') === '/' ? 'index.html' : (req.url ?? '').slice(1));
        if (!file.startsWith(out) || !existsSync(file)) return void res.writeHead(404).end();
        const types: Record<string, string> = {
          '.html': 'text/html',
          '.js': 'text/javascript',
          '.css': 'text/css',
        };
        res
          .writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' })
          .end(readFileSync(file));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('answers index.html and every script and stylesheet it references, with relative URLs only', async () => {
      const html = await (await fetch(`${base}/`)).text();
      const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
        .map((m) => m[1])
        .filter((ref) => !ref.startsWith('data:'));
      expect(refs.sort()).toEqual(['config.js', 'dist/app.js', 'style.css']);
      for (const ref of refs) {
        const response = await fetch(`${base}/${ref}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe(
          ref.endsWith('.css') ? 'text/css' : 'text/javascript',
        );
      }
    });
  });
});
