import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { StaticServer } from '../../../local/static/StaticServer';

/**
 * First-load weight of the page, as a browser fetches it from the page server: the HTML, then
 * every stylesheet and script it names, each gzip-compressed as a static host would send it.
 * The budget is 60 KB (docs/security.md, "The page": Vue's template compiler no longer ships).
 */
const BUDGET_BYTES = 60 * 1024;

describe('page weight', () => {
  let server: StaticServer;
  let base: string;

  beforeAll(async () => {
    server = new StaticServer({ root: join(__dirname, '..', '..', '..', 'content'), port: 0 });
    base = `http://127.0.0.1:${await server.listen()}`;
  });

  afterAll(() => server.close());

  it('is at most 60 KB gzip for HTML, CSS and JS on first load', async () => {
    const html = await (await fetch(`${base}/`)).text();
    const assets = [...html.matchAll(/<(?:script[^>]*src|link[^>]*href)="([^"]+)"/g)]
      .map((match) => match[1])
      .filter((url) => !url.startsWith('data:'));
    expect(assets).toEqual(expect.arrayContaining(['style.css', 'config.js', 'dist/app.js']));
    let total = gzipSync(html).length;
    const rows = [`index.html ${total}`];
    for (const asset of assets) {
      const bytes = gzipSync(Buffer.from(await (await fetch(`${base}/${asset}`)).arrayBuffer()));
      total += bytes.length;
      rows.push(`${asset} ${bytes.length}`);
    }
    process.stdout.write(
      `page weight: ${total} bytes gzip on first load (${rows.join(', ')}); budget ${BUDGET_BYTES}\n`,
    );
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
