// Bundles the TypeScript functions into one file, dist/functions.js, dependencies included
// (@azure/data-tables and what it needs), so the published package carries no node_modules and
// the storage client once: every function.json names it as its scriptFile with its own
// entryPoint (the folder's name), and the Node worker loads it once per instance for all of
// them (a script is a module, cached: azure-functions-nodejs-worker, LegacyFunctionLoader). A
// function with another scriptFile is bundled into that file alone; one written in plain
// JavaScript (no scriptFile: the host runs its index.js) is left as it is. Runs after tsc in
// `npm run build`; test/deploy/publishPackage.test.ts measures the result.
const { build } = require('esbuild');
const { existsSync, readFileSync, readdirSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const SHARED = resolve(root, 'dist', 'functions.js');

const functions = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'function.json')))
  .map((entry) => {
    const config = JSON.parse(readFileSync(join(root, entry.name, 'function.json'), 'utf8'));
    return {
      name: entry.name,
      entryPoint: config.entryPoint,
      entry: join(root, entry.name, 'index.ts'),
      outfile: config.scriptFile && resolve(root, entry.name, config.scriptFile),
    };
  })
  .filter(({ entry, outfile }) => outfile && existsSync(entry));

const options = {
  bundle: true,
  platform: 'node',
  target: ['node20'],
  format: 'cjs',
  minify: true,
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
};

const shared = functions.filter(({ outfile }) => outfile === SHARED);
for (const { name, entryPoint } of shared)
  if (entryPoint !== name) {
    console.error(
      `${name}/function.json: a function in dist/functions.js needs "entryPoint": "${name}".`,
    );
    process.exit(1);
  }
const contents = shared
  .map(
    ({ name, entry }) =>
      `export { default as ${name} } from './${relative(root, entry).replace(/\\/g, '/').replace(/\.ts$/, '')}';`,
  )
  .join('\n');

Promise.all([
  ...(shared.length > 0
    ? [build({ ...options, stdin: { contents, resolveDir: root, loader: 'ts' }, outfile: SHARED })]
    : []),
  ...functions
    .filter(({ outfile }) => outfile !== SHARED)
    .map(({ entry, outfile }) => build({ ...options, entryPoints: [entry], outfile })),
]).catch(() => process.exit(1));
