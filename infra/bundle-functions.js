// Bundles each TypeScript function (a folder with function.json, an index.ts and a scriptFile)
// into the one file its scriptFile names, dependencies included (@azure/data-tables and what it
// needs), so the published package carries no node_modules: every cold start on the
// consumption plan loads less. A function written in plain JavaScript (no scriptFile: the host
// runs its index.js) is left as it is. Runs after tsc in `npm run build`;
// test/deploy/publishPackage.test.ts measures the result.
const { build } = require('esbuild');
const { existsSync, readFileSync, readdirSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');

const functions = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'function.json')))
  .map((entry) => {
    const config = JSON.parse(readFileSync(join(root, entry.name, 'function.json'), 'utf8'));
    return {
      entry: join(root, entry.name, 'index.ts'),
      outfile: config.scriptFile && resolve(root, entry.name, config.scriptFile),
    };
  })
  .filter(({ entry, outfile }) => outfile && existsSync(entry));

Promise.all(
  functions.map(({ entry, outfile }) =>
    build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      target: ['node20'],
      format: 'cjs',
      minify: true,
      keepNames: true,
      sourcemap: true,
      logLevel: 'warning',
    }),
  ),
).catch(() => process.exit(1));
