import { connect } from 'node:net';

/** The user id a SignalR client token names. */
export function tokenUser(accessToken: string): unknown {
  const claims = JSON.parse(
    Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8'),
  ) as Record<string, unknown>;
  return claims['asrs.s.uid'];
}

/**
 * Sends raw bytes to a server and resolves with what it answered before closing (or within
 * `timeoutMs`): for request lines no fetch client would send.
 */
export function rawRequest(
  port: number,
  bytes: string | Buffer,
  timeoutMs = 3000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

/** The status code of a raw HTTP answer, or 0 when there was none. */
export function statusOf(answer: string): number {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
  return match === null ? 0 : Number(match[1]);
}
