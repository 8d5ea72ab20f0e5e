// `npm start` and `npm run start:func`: builds, then starts the offline stack, and times both
// from the moment the command was typed, so "ready in" counts the build a person waits for too.
// Arguments (`--func`, `--verbose`) go on to local/start.ts.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const startedAt = Date.now();
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const built = spawnSync(npm, ['run', '--silent', 'build'], {
  cwd: join(__dirname, '..'),
  stdio: 'inherit',
});
if (built.status !== 0) {
  process.stderr.write('The build failed (above); nothing was started.\n');
  process.exit(built.status ?? 1);
}
process.argv.push(`--started-at=${startedAt}`, `--built-at=${Date.now()}`);
require('../dist/local/start.js');
