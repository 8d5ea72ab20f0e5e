import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startStack } from '../../../local/stack';
import { postMessage, signIn } from '../../support/chatClients';
import { rawRequest, statusOf } from '../../support/rawHttp';
import { startTestStack } from '../../support/testStack';
import { faults } from '../../support/faults';

/** The one-command stack: ports, the page's generated settings, clear start-up errors. */
describe('startStack', () => {
  it('serves the page and settings that point it at the front door on the host it was loaded from', async () => {
    const stack = await startTestStack();
    try {
      const apiPort = new URL(stack.urls.api).port;
      const page = await fetch(`${stack.urls.page}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const viaLocalhost = await (
        await fetch(stack.urls.page.replace('127.0.0.1', 'localhost') + '/config.js')
      ).text();
      expect(viaLocalhost).toBe(
        `window.CHAT_CONFIG = {"apiBaseUrl":"http://localhost:${apiPort}","authProvider":"aad"};\n`,
      );
      // Sent as written (fetch would resolve the dots before sending): each reaches the page
      // server's guard, which keeps every file under content/.
      const get = async (target: string) =>
        statusOf(
          await rawRequest(
            Number(new URL(stack.urls.page).port),
            `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          ),
        );
      expect(await get('/index.html')).toBe(200);
      for (const target of [
        '/../package.json',
        '/..%2fpackage.json',
        '/%2e%2e%2fpackage.json',
        '/src/..%2f..%2fpackage.json',
        '/..%5cpackage.json',
      ])
        expect([target, await get(target)]).toEqual([target, 404]);
      // The page's own origin is allowed by CORS even on a dynamic port.
      const preflight = await fetch(`${stack.urls.api}/api/negotiate`, {
        method: 'OPTIONS',
        headers: { Origin: stack.urls.page, 'Access-Control-Request-Method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe(stack.urls.page);
    } finally {
      await stack.close();
      await stack.close();
    }
  });

  it('keeps stacks on one Azurite apart, each with its own account, and stops no storage it did not start', async () => {
    // The integration suites' stacks share one Azurite (test/support/sharedStorage.ts).
    const first = await startTestStack();
    const second = await startTestStack();
    try {
      expect(first.storageConnectionString).not.toBe(second.storageConnectionString);
      const cookie = await signIn(first.urls.api, 'alice');
      expect(
        (await postMessage(first.urls.api, cookie, JSON.stringify({ text: 'only here' }))).status,
      ).toBe(202);
      const read = async (api: string) =>
        (await (
          await fetch(`${api}/api/messages`, { headers: { Cookie: await signIn(api, 'alice') } })
        ).json()) as { messages: { text: string }[] };
      expect((await read(first.urls.api)).messages.map((m) => m.text)).toEqual(['only here']);
      expect((await read(second.urls.api)).messages).toEqual([]);
      // An outage test on such a stack fails loudly instead of stopping nothing.
      expect(second.azurite).toBeUndefined();
      await expect(faults(second).stopStorage()).rejects.toThrow(/storage it did not start/);
      expect(() => faults(second).pauseStorage()).toThrow(/storage it did not start/);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('names the port that is already in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      await expect(
        startStack({
          ports: { signalr: 0, frontDoor: port, content: 0, storage: 0 },
          storageLocation: null,
          logLevel: 'silent',
        }),
      ).rejects.toThrow(
        `Port ${port} (front door) is already in use: stop whatever holds it, then try again.`,
      );
      await expect(
        startStack({
          ports: { signalr: 0, frontDoor: 0, content: 0, storage: port },
          storageLocation: null,
          logLevel: 'silent',
        }),
      ).rejects.toThrow(
        `Port ${port} (Azurite Table service) is already in use: stop whatever holds it, then try again.`,
      );
    } finally {
      blocker.close();
    }
  });

  it('explains how to get Core Tools when start:func cannot find func, and leaves nothing running', async () => {
    const path = process.env.PATH;
    process.env.PATH = mkdtempSync(join(tmpdir(), 'no-func-'));
    try {
      await expect(
        startStack({
          ports: { signalr: 0, frontDoor: 0, content: 0, storage: 0 },
          storageLocation: null,
          logLevel: 'silent',
          functionsHost: 'func',
        }),
      ).rejects.toThrow(
        'Azure Functions Core Tools (func) are not installed. Install them with "npm install --global azure-functions-core-tools@4"',
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it('reports a storage emulator ended by a signal at once, and still stops completely', async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((line) => {
      errors.push(String(line));
      return true;
    });
    const stack = await startStack({
      ports: { signalr: 0, frontDoor: 0, content: 0, storage: 0 },
      storageLocation: null,
      logLevel: 'error',
    });
    const signalrPort = Number(new URL(stack.urls.signalr).port);
    try {
      const pid = stack.azurite!.pid!;
      // What a terminal's Ctrl-C or a process manager's SIGTERM to the group does to it.
      process.kill(pid, 'SIGTERM');
      for (;;) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await stack.close();
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('')).toContain(
      'Azurite (Table Storage) ended unexpectedly (signal SIGTERM)',
    );
    // Everything it held is free again: the next start can have its ports.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(signalrPort, '127.0.0.1', resolve);
    });
    probe.close();
    // Well inside the stack's 15 s deadline per stand-in: it stopped because Azurite's end was
    // noticed, not because the stack gave up waiting.
  }, 10_000);
});
