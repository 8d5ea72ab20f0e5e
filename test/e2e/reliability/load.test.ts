import { HubMethod } from '../../../lib/hub';
import WebSocket from 'ws';
import { closeClients, hubTarget, openClients } from '../../../local/clients/hubClients';
import type { Stack } from '../../../local/stack';
import { startTestStack } from '../../support/testStack';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { postMessage, signIn } from '../../support/chatClients';

/**
 * 1,000 clients (100 users with 10 connections each) and 1,000 mixed public and
 * private messages from 10 concurrent senders through the full path (npm run bench measures
 * volume; this checks what must hold under load). Every message must reach
 * exactly the right connections, exactly once, in each sender's order.
 */
const USERS = 100;
const CLIENTS = 1_000;
const SENDERS = 10;
const PER_SENDER = 100;
/** The wait fails once no delivery has arrived for this long. */
const STALL_MS = 15_000;

interface Sent {
  readonly text: string;
  readonly sender: string;
  readonly recipient?: string;
}

// Bounded: about 6 s alone on two idle cores; CI machines share theirs.
jest.setTimeout(240_000);

describe('load', () => {
  let stack: Stack;
  let sockets: WebSocket[] = [];

  afterAll(async () => {
    await closeClients(sockets);
    await stack?.close();
  });

  it('delivers 1,000 mixed messages to 1,000 clients exactly once, in order, losing none', async () => {
    // Message delivery under load; presence (upstream) is tested on its own (test/e2e/presence).
    // Measures delivery, not the per-user send limit (its own tests: test/unit/SendMessage,
    // test/e2e/reliability/floods): a few users send far faster than people do.
    stack = await startTestStack({ upstream: false, settings: { ChatSendsPerMinute: '0' } });
    const users = Array.from({ length: USERS }, (_, i) => `user${i}`);
    const cookies = await Promise.all(users.map((user) => signIn(stack.urls.api, user)));
    const infos = await Promise.all(
      cookies.map(
        async (cookie) =>
          (await (
            await fetch(`${stack.urls.api}/api/negotiate`, {
              method: 'POST',
              headers: { Cookie: cookie },
            })
          ).json()) as { url: string; accessToken: string },
      ),
    );

    // What each connection received, in order, as "sender:seq".
    const received: string[][] = Array.from({ length: CLIENTS }, () => []);
    let deliveries = 0;
    let onDelivery: (() => void) | undefined;
    sockets = await openClients(
      CLIENTS,
      50,
      (index) => hubTarget(infos[index % USERS]),
      (index) => (frame) => {
        for (const record of frame.split('\u001e')) {
          if (record.length === 0) continue;
          const message = JSON.parse(record) as {
            type: number;
            target?: string;
            arguments?: ChatMessage[];
          };
          if (message.type !== 1 || message.target !== HubMethod.NewMessage) continue;
          received[index].push(message.arguments![0].text);
          deliveries++;
          onDelivery?.();
        }
      },
    );

    const sent: Sent[] = [];
    const accepted: ChatMessage[] = [];
    await Promise.all(
      Array.from({ length: SENDERS }, async (_, s) => {
        for (let k = 0; k < PER_SENDER; k++) {
          const recipient = k % 20 === 0 ? undefined : users[(s * 7 + k * 13) % USERS];
          const message: Sent = { text: `${users[s]}:${k}`, sender: users[s], recipient };
          sent.push(message);
          const result = await postMessage(
            stack.urls.api,
            cookies[s],
            JSON.stringify({ text: message.text, recipient: recipient ?? null }),
          );
          if (result.status !== 202)
            throw new Error(
              `POST ${message.text} answered ${result.status}: ${JSON.stringify(result.json)}`,
            );
          accepted.push(result.json as ChatMessage);
        }
      }),
    );
    // Every POST was accepted as sent: its own id, its sender, its text, its recipient.
    expect(new Set(accepted.map((m) => m.id)).size).toBe(SENDERS * PER_SENDER);
    const summary = (m: { sender: string; text: string; recipient?: string }) =>
      `${m.sender}>${m.recipient ?? '*'}:${m.text}`;
    expect(accepted.map(summary).sort()).toEqual(sent.map(summary).sort());

    const expectedFor = (user: string) =>
      sent.filter((m) => m.recipient === undefined || m.recipient === user || m.sender === user);
    const expectedTotal = Array.from(
      { length: CLIENTS },
      (_, index) => expectedFor(users[index % USERS]).length,
    ).reduce((a, b) => a + b, 0);
    // Wait while deliveries keep coming: a slow machine takes longer, a lost message stalls.
    // A client the service closed (no keep-alive, too far behind) can never catch up: fail now.
    await new Promise<void>((resolve, reject) => {
      let lastCount = deliveries;
      let lastProgressAt = Date.now();
      const watch = setInterval(() => {
        if (deliveries !== lastCount) [lastCount, lastProgressAt] = [deliveries, Date.now()];
        else if (Date.now() - lastProgressAt > STALL_MS) fail(`No delivery for ${STALL_MS} ms`);
      }, 1_000);
      const fail = (reason: string) => {
        clearInterval(watch);
        onDelivery = undefined;
        reject(new Error(`${reason}; ${deliveries} of ${expectedTotal} deliveries arrived.`));
      };
      const closed = sockets.findIndex((socket) => socket.readyState !== WebSocket.OPEN);
      if (closed >= 0) return fail(`Client ${closed} was closed before all messages were sent`);
      for (const [index, socket] of sockets.entries())
        socket.once('close', () => fail(`Client ${index} was closed by the service`));
      onDelivery = () => {
        if (deliveries < expectedTotal) return;
        clearInterval(watch);
        onDelivery = undefined;
        resolve();
      };
      onDelivery();
    });

    let lost = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let misdelivered = 0;
    for (let index = 0; index < CLIENTS; index++) {
      const user = users[index % USERS];
      const expected = new Set(expectedFor(user).map((m) => m.text));
      const seen = new Set<string>();
      const lastSeq = new Map<string, number>();
      for (const text of received[index]) {
        if (!expected.has(text)) misdelivered++;
        if (seen.has(text)) duplicates++;
        seen.add(text);
        const [sender, seq] = text.split(':');
        if ((lastSeq.get(sender) ?? -1) >= Number(seq)) outOfOrder++;
        lastSeq.set(sender, Number(seq));
      }
      for (const text of expected) if (!seen.has(text)) lost++;
    }
    process.stdout.write(
      `load: ${CLIENTS} clients, ${sent.length} messages (${sent.filter((m) => !m.recipient).length} public), ${deliveries} deliveries, lost ${lost}, duplicates ${duplicates}, misdelivered ${misdelivered}, out of order ${outOfOrder}\n`,
    );
    expect({ lost, duplicates, misdelivered, outOfOrder, deliveries }).toEqual({
      lost: 0,
      duplicates: 0,
      misdelivered: 0,
      outOfOrder: 0,
      deliveries: expectedTotal,
    });
  });
});
