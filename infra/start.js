// `npm start` and `npm run start:func`: builds, then starts the offline stack, and times both
// from the moment the command was typed, so "ready in" counts the build a person waits for too.
// Arguments (`--func`, `--verbose`, `--any-ports`, `--in-memory`) go on to local/start.ts;
// `--no-build` starts what was built last. package.json runs it with `exec`, so npm's own
// process is this one's parent, with no shell between that would keep a Ctrl-C from it.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const startedAt = Date.now();
// Core Tools are looked for first: without them `--func` can do nothing, so it says so before
// it builds or starts anything.
if (
  process.argv.includes('--func') &&
  spawnSync('func', ['--version'], { stdio: 'ignore' }).status !== 0
) {
  process.stderr.write(
    'Azure Functions Core Tools (func) are not installed. Install them with "npm install --global azure-functions-core-tools@4" (it downloads a binary, so it needs internet access), or use "npm start", which needs no Core Tools.\n',
  );
  process.exit(1);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const built = process.argv.includes('--no-build')
  ? { status: 0 }
  : spawnSync(npm, ['run', '--silent', 'build'], { cwd: join(__dirname, '..'), stdio: 'inherit' });
if (built.status !== 0) {
  process.stderr.write('The build failed (above); nothing was started.\n');
  process.exit(built.status ?? 1);
}
process.argv.push(`--started-at=${startedAt}`, `--built-at=${Date.now()}`);
require('../dist/local/start.js');
