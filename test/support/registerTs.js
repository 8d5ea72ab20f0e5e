// Lets a plain `node` process load the TypeScript sources (the shared stack's process,
// test/support/stackProcess.ts), stripped by esbuild as jest's transform strips them.
const { transformSync } = require('esbuild');

require.extensions['.ts'] = (module, filename) => {
  const source = require('node:fs').readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: filename,
  });
  module._compile(code, filename);
};
