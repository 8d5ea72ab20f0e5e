import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { signIn } from '../../../local/clients/signIn';
import { takeSharedStorageAccount } from '../../support/sharedStorage';

/**
 * The app killed with SIGKILL during a load of 1,000 POSTs: after a restart, every message that
 * got 202 is in history, none twice. The stack runs in a child process (built by `npm test`'s
 * build step) and storage in the run's shared Azurite (an account of its own), so the kill takes
 * the app only, as in Azure.
 */
jest.setTimeout(120_000);

const STACK = join(__dirname, '..', '..', '..', 'dist', 'local', 'stack', 'index.js');
const POSTS = 1000;
const KILL_AFTER = 300;

function startApp(storage: string): Promise<{ child: ChildProcess; api: string }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(STACK)}).startStack({ ports: { signalr: 0, frontDoor: 0, content: 0 }, logLevel: 'silent' })
        .then((s) => process.stdout.write(JSON.stringify({ api: s.urls.api }) + '\\n'));`,
    ],
    // The environment wins over local.settings.json: the app uses this test's Azurite. One user
    // sends 1,000 messages flat out, past the per-user send limit: it is off here.
    {
      env: { ...process.env, AzureWebJobsStorage: storage, ChatSendsPerMinute: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (line: Buffer) =>
      resolve({ child, api: (JSON.parse(line.toString()) as { api: string }).api }),
    );
    child.once('exit', (code) => reject(new Error(`The app exited with ${code}.`)));
  });
}

async function allHistory(api: string, cookie: string): Promise<ChatMessage[]> {
  const all: ChatMessage[] = [];
  let before = '';
  for (;;) {
    const response = await fetch(`${api}/api/messages?limit=200${before}`, {
      headers: { Cookie: cookie },
    });
    const { messages } = (await response.json()) as { messages: ChatMessage[] };
    all.unshift(...messages);
    if (messages.length < 200) return all;
    before = `&before=${messages[0].id}`;
  }
}

describe('a crash during load', () => {
  it('keeps every message that got 202, none twice', async () => {
    const storage = takeSharedStorageAccount();
    if (storage === undefined) throw new Error('Run through jest: its globalSetup starts Azurite.');
    let app = await startApp(storage);
    try {
      const cookie = await signIn(app.api, 'alice');
      const accepted: ChatMessage[] = [];
      let next = 0;
      let answered = 0;
      const killed = new Promise<void>((resolve) => app.child.once('exit', () => resolve()));
      const worker = async () => {
        while (next < POSTS) {
          const i = next++;
          try {
            const response = await fetch(`${app.api}/api/messages`, {
              method: 'POST',
              headers: { Cookie: cookie, 'Content-Type': 'application/json' },
              body: JSON.stringify({ text: `load ${i}`, clientId: `load-${i}` }),
            });
            if (response.status === 202) accepted.push((await response.json()) as ChatMessage);
          } catch {
            // The app is gone: this POST got no answer.
          }
          if (++answered === KILL_AFTER) app.child.kill('SIGKILL');
        }
      };
      await Promise.all(Array.from({ length: 25 }, worker));
      await killed;
      app = await startApp(storage);
      const history = await allHistory(app.api, await signIn(app.api, 'alice'));
      const ids = history.map((m) => m.id);
      const stored = new Set(ids);
      const lost = accepted.filter((m) => !stored.has(m.id));
      process.stdout.write(
        `crash: ${accepted.length} of ${POSTS} POSTs answered 202 before SIGKILL; after restart ${accepted.length - lost.length} of them in history, ${ids.length - stored.size} twice; ${history.length} messages in history\n`,
      );
      expect(accepted.length).toBeGreaterThan(100);
      expect(lost).toEqual([]);
      expect(stored.size).toBe(ids.length);
      expect(new Set(history.map((m) => m.text)).size).toBe(history.length);
    } finally {
      app.child.kill('SIGKILL');
    }
  });
});
