/**
 * Two layers, run in this order by `npm test`:
 * - unit (test/unit/, mirroring the source tree): no sockets, no Azurite, no child processes;
 *   seconds in all;
 * - integration (two workers: most of it waits on sockets): the stand-ins on real sockets (test/local/), the whole stack (test/e2e/, most
 *   of it on one shared stack started once: test/support/sharedStack.ts), and the deploy
 *   scripts and packages (test/deploy/).
 * TypeScript is stripped by esbuild (test/support/transform.js); `npm run lint` checks types.
 * @type {import('jest').Config}
 */
const common = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/support/transform.js' },
};

module.exports = {
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test/local', '<rootDir>/test/e2e', '<rootDir>/test/deploy'],
      globalSetup: '<rootDir>/test/support/globalSetup.ts',
      globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
    },
  ],
};
