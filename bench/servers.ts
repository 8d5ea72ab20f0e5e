import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import type { MemoryMessage, ReadyMessage, ServerRole } from './serverProcess';

/** A server under test in its own child process (bench/serverProcess.ts). */
export interface ServerProcess {
  readonly ready: ReadyMessage;
  memory(): Promise<MemoryMessage>;
  close(): Promise<void>;
}

export function startServer(role: ServerRole): Promise<ServerProcess> {
  const child: ChildProcess = fork(join(__dirname, 'serverProcess.js'), [role], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`The ${role} server exited with code ${code} before it was ready.`)),
    );
    child.once('message', (ready: ReadyMessage) => {
      child.removeAllListeners('exit');
      resolve({
        ready,
        memory: () =>
          new Promise((resolveMemory) => {
            child.once('message', (message: MemoryMessage) => resolveMemory(message));
            child.send({ type: 'memory' });
          }),
        close: () =>
          new Promise((resolveClose) => {
            child.once('exit', () => resolveClose());
            child.send({ type: 'close' });
          }),
      });
    });
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/** POSTs JSON over one keep-alive pool; resolves with the status and body text. */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function closeAgent(): void {
  agent.destroy();
}
