import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, relative, sep } from 'node:path';
import { runInNewContext } from 'node:vm';

/**
 * the folder infra/package-page.sh makes is exactly what the deploy uploads to the
 * static website. It must hold no TypeScript, maps or node_modules, load nothing from another
 * host, and work from a plain static server. Needs the built page (`npm test` builds first).
 */
const ROOT = join(__dirname, '..', '..');
const CONTENT = join(ROOT, 'content');
const API = 'https://chatdemo-func.azurewebsites.net';
const CONNECT_SRC = `connect-src 'self' ${API} https://*.service.signalr.net wss://*.service.signalr.net`;

/** Hosts whose URLs a library bundle may contain without loading them: XML namespaces, and
 * documentation links inside Vue's and the SignalR client's error messages. */
const INERT_HOSTS = new Set(['www.w3.org', 'vuejs.org', 'aka.ms', 'learn.microsoft.com']);
const CDN = /unpkg\.com|jsdelivr\.net|cdnjs\.|googleapis\.com|gstatic\.com|esm\.sh|skypack\.dev/i;
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory()
      ? filesUnder(join(dir, name)).map((file) => `${name}/${file}`)
      : [name],
  );
}

function packagePage(out: string, ...args: string[]) {
  return spawnSync('bash', [join(ROOT, 'infra', 'package-page.sh'), out, ...args], {
    encoding: 'utf8',
  });
}

/** `window.CHAT_CONFIG` as a browser would see it after running the file. */
function evaluateConfig(path: string): unknown {
  const window: { CHAT_CONFIG?: unknown } = {};
  runInNewContext(readFileSync(path, 'utf8'), { window });
  return window.CHAT_CONFIG;
}

const isExternal = (url: string) => /^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(url);

describe('the page package for the static website', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'page-package-'));
  const out = join(tmp, 'site');
  const packaged = packagePage(out, API, 'github');
  const files = packaged.status === 0 ? filesUnder(out).sort() : [];
  const text = (file: string) => readFileSync(join(out, file), 'utf8');
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is made from the built page', () => {
    expect(packaged.stderr).toBe('');
    expect(packaged.status).toBe(0);
    expect(files).toEqual(expect.arrayContaining(['index.html', 'config.js']));
    expect(files.some((file) => file.startsWith('dist/') && file.endsWith('.js'))).toBe(true);
  });

  it('holds no TypeScript, source maps, node_modules, sources or build tooling', () => {
    for (const file of files) {
      expect(file).not.toMatch(/\.(ts|tsx|map|tsbuildinfo)$/);
      expect(file).not.toMatch(/(^|\/)(node_modules|src)\//);
      expect(file).not.toMatch(/(^|\/)(tsconfig[^/]*\.json|build\.js|package(-lock)?\.json)$/);
      expect(text(file)).not.toMatch(/sourceMappingURL=/);
    }
  });

  it('copies every other file unchanged from content/, and writes config.js for Azure', () => {
    for (const file of files.filter((f) => f !== 'config.js')) {
      const original = readFileSync(join(CONTENT, file), 'utf8')
        .replace(/^\/[/*]# sourceMappingURL=.*\n?/m, '')
        .replace(/connect-src [^;"]*/, CONNECT_SRC);
      expect({ file, same: text(file) === original }).toEqual({ file, same: true });
    }
    expect(evaluateConfig(join(out, 'config.js'))).toEqual({
      apiBaseUrl: API,
      authProvider: 'github',
    });
  });

  it("limits the page's connections to the Function App and Azure SignalR Service (CSP)", () => {
    const policy = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(
      text('index.html'),
    );
    expect(policy?.[1]).toContain(`${CONNECT_SRC};`);
    expect(policy?.[1]).toContain("script-src 'self';");
    expect(policy?.[1]).not.toMatch(/unsafe-(eval|inline)/);
  });

  it('leaves the checked-in config.js pointing at no external host', () => {
    const config = evaluateConfig(join(CONTENT, 'config.js')) as { apiBaseUrl: string };
    expect(typeof config.apiBaseUrl).toBe('string');
    expect(isExternal(config.apiBaseUrl)).toBe(false);
  });

  it('loads nothing from another host: relative references only, no CDN', () => {
    for (const file of files) {
      const body = text(file);
      expect({ file, cdn: CDN.exec(body)?.[0] }).toEqual({ file, cdn: undefined });
      if (file.endsWith('.html')) {
        for (const [, url] of body.matchAll(/\s(?:src|href|srcset|poster|data)="([^"]*)"/g))
          if (!url.startsWith('data:'))
            expect({ file, url, external: isExternal(url) }).toEqual({
              file,
              url,
              external: false,
            });
      }
      if (file.endsWith('.css')) {
        for (const [, url] of body.matchAll(/(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)/g))
          if (!url.startsWith('data:'))
            expect({ file, url, external: isExternal(url) }).toEqual({
              file,
              url,
              external: false,
            });
      }
      if (file.endsWith('.js') && file !== 'config.js') {
        for (const [, host] of body.matchAll(/https?:\/\/([a-z0-9.-]+\.[a-z]{2,})/gi))
          expect({ file, host, inert: INERT_HOSTS.has(host.toLowerCase()) }).toEqual({
            file,
            host,
            inert: true,
          });
      }
    }
  });

  describe('served by a plain static server', () => {
    let server: Server;
    let base = '';

    beforeAll(async () => {
      server = createServer((req, res) => {
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
        const file = normalize(join(out, path.endsWith('/') ? `${path}index.html` : path));
        if (
          !file.startsWith(out + sep) ||
          !files.includes(relative(out, file).split(sep).join('/'))
        )
          return void res.writeHead(404).end();
        res.writeHead(200, {
          'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        });
        res.end(readFileSync(file));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('answers index.html and every script and stylesheet it references, with their types', async () => {
      const index = await fetch(base);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await index.text();
      const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
      const styles = [...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*>/g)].map(
        (m) => /\bhref="([^"]+)"/.exec(m[0])?.[1] ?? '',
      );
      expect(scripts).toContain('config.js');
      expect(styles.length).toBeGreaterThan(0);
      for (const [refs, type] of [
        [scripts, 'text/javascript; charset=utf-8'],
        [styles, 'text/css; charset=utf-8'],
      ] as const) {
        for (const ref of refs) {
          const response = await fetch(new URL(ref, base));
          expect({
            ref,
            status: response.status,
            type: response.headers.get('content-type'),
          }).toEqual({ ref, status: 200, type });
          expect((await response.text()).length).toBeGreaterThan(0);
        }
      }
    });

    it('loads config.js before the bundle that reads it', async () => {
      const html = await (await fetch(base)).text();
      const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
      const bundle = scripts.findIndex((src) => src.startsWith('dist/'));
      expect(bundle).toBeGreaterThan(scripts.indexOf('config.js'));
    });
  });

  it.each([
    [`${API}/api`, 'API_BASE_URL must be an origin'],
    ['https://evil.example/"+alert(1)+"', 'API_BASE_URL must be an origin'],
    ['chatdemo-func.azurewebsites.net', 'API_BASE_URL must be an origin'],
  ])('refuses the API base URL %j, which config.js could not hold safely', (api, message) => {
    const bad = packagePage(join(tmp, 'refused'), api, 'github');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(message);
  });
});
