// Jest's TypeScript transform: esbuild strips the types, file by file, and nothing more. Types
// are checked once, for the whole tree, by `tsc -p test` in `npm run lint`; checking them again
// per file in every test run was most of the suite's start-up time.
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: filename,
    });
    return { code, map };
  },
};
