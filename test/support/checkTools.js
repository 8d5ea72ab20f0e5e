// The Debian packages `npm test` needs beyond npm's, in one list: `npm test` runs this first and
// stops at once, naming the one command that installs what is missing; .ci/run installs what
// `--missing` prints. Plain JavaScript: it runs before anything is built.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');

const TOOLS = [
  {
    command: 'chromium-headless-shell',
    debianPackage: 'chromium-headless-shell',
    usedBy: 'the browser tests',
  },
  { command: 'shellcheck', debianPackage: 'shellcheck', usedBy: 'the shell script check' },
  { command: 'az', debianPackage: 'azure-cli', usedBy: 'the deploy tests' },
];

// Another system's Chromium, named by CHROMIUM_PATH, stands in for Debian's headless shell.
const present = (command) =>
  command === 'chromium-headless-shell' && process.env.CHROMIUM_PATH
    ? existsSync(process.env.CHROMIUM_PATH)
    : spawnSync('/bin/sh', ['-c', `command -v ${command}`]).status === 0;
const missing = TOOLS.filter(({ command }) => !present(command));

if (process.argv.includes('--missing')) {
  process.stdout.write(missing.map((tool) => tool.debianPackage).join(' '));
} else if (missing.length > 0) {
  const packages = missing.map((tool) => tool.debianPackage).join(' ');
  process.stderr.write(
    [
      `npm test needs ${missing.map((tool) => `${tool.command} (${tool.usedBy})`).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed. Install with:`,
      '',
      `  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages}`,
      '',
      'then run npm test again. Not on Debian or Ubuntu: install Chromium, ShellCheck and the Azure',
      "CLI with your system's package manager, and set CHROMIUM_PATH to Chromium's executable.",
      '',
    ].join('\n'),
  );
  process.exit(1);
}
