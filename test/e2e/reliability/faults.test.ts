import type { Stack } from '../../../local/stack';
import { startTestStack } from '../../support/testStack';
import { Listener, postMessage, signIn } from '../../support/chatClients';
import { faults } from '../../support/faults';

/**
 * the SignalR Service goes away and comes back; the app answers 5xx while it is
 * gone, loses nothing it accepted, and its clients reconnect by themselves.
 */
jest.setTimeout(60_000);

describe('faults', () => {
  let stack: Stack;
  let alice: string;
  const tabs: Listener[] = [];

  beforeAll(async () => {
    stack = await startTestStack();
    alice = await signIn(stack.urls.api, 'alice');
  });

  afterAll(async () => {
    await Promise.all(tabs.map((tab) => tab.stop()));
    await stack?.close();
  });

  it('answers 5xx while the SignalR Service is down, and clients reconnect and receive when it is back', async () => {
    // Keep retrying every 100-250 ms for well over the outage, as the page does with back-off.
    const delays = [0, 100, ...Array<number>(100).fill(250)];
    const bob = await Listener.connect(
      stack.urls.api,
      await signIn(stack.urls.api, 'bob'),
      'bob',
      delays,
    );
    const carol = await Listener.connect(
      stack.urls.api,
      await signIn(stack.urls.api, 'carol'),
      'carol',
      delays,
    );
    tabs.push(bob, carol);
    const reconnecting = Promise.all(
      [bob, carol].map(
        (tab) => new Promise<void>((resolve) => tab.connection.onreconnecting(() => resolve())),
      ),
    );
    const reconnected = Promise.all(
      [bob, carol].map(
        (tab) => new Promise<void>((resolve) => tab.connection.onreconnected(() => resolve())),
      ),
    );

    await faults(stack).stopSignalR();
    await reconnecting;
    const duringOutage = await postMessage(
      stack.urls.api,
      alice,
      JSON.stringify({ text: 'sent during the outage' }),
    );
    expect(duringOutage.status).toBeGreaterThanOrEqual(500);
    expect(duringOutage.status).toBeLessThan(600);

    await faults(stack).startSignalR();
    await reconnected;
    expect(
      (await postMessage(stack.urls.api, alice, JSON.stringify({ text: 'after the outage' })))
        .status,
    ).toBe(202);
    await Promise.all([bob.waitForText('after the outage'), carol.waitForText('after the outage')]);
    // A message refused with 5xx was not delivered half-way either.
    expect(bob.messages.map((m) => m.text)).toEqual(['after the outage']);
  });

  it('keeps serving after a failed invocation', async () => {
    await faults(stack).stopSignalR();
    const failed = await postMessage(stack.urls.api, alice, JSON.stringify({ text: 'fails' }));
    expect(failed.status).toBe(500);
    await faults(stack).startSignalR();
    const negotiate = await fetch(`${stack.urls.api}/api/negotiate`, {
      method: 'POST',
      headers: { Cookie: alice },
    });
    expect(negotiate.status).toBe(200);
    expect(
      (await postMessage(stack.urls.api, alice, JSON.stringify({ text: 'works again' }))).status,
    ).toBe(202);
  });
});
