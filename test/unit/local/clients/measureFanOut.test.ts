import { HubMethod } from '../../../../lib/hub';
import { sequenceReader } from '../../../../local/clients/hubClients';
import { FanOutTracker, measureFanOut } from '../../../../local/clients/measureFanOut';

/** The benchmark's figures are only as good as its counting: lost, duplicates and latency. */
describe('FanOutTracker', () => {
  it('counts deliveries, duplicates and per-message completion', () => {
    const tracker = new FanOutTracker(2, 2);
    tracker.sentAt[0] = performance.now();
    tracker.onDelivery(0);
    expect(tracker.latencies).toHaveLength(0);
    tracker.onDelivery(0);
    expect(tracker.latencies).toHaveLength(1);
    tracker.onDelivery(0);
    expect(tracker.duplicates).toBe(1);
    tracker.onDelivery(7);
    expect(tracker.deliveries).toBe(2);
  });
});

describe('sequenceReader', () => {
  it('finds every sequence number in a frame of several hub records', () => {
    const seen: number[] = [];
    const read = sequenceReader({ onDelivery: (sequence) => seen.push(sequence) });
    const record = (n: number) =>
      JSON.stringify({
        type: 1,
        target: HubMethod.NewMessage,
        arguments: [{ text: `seq ${n} xx` }],
      });
    read(`${record(3)}\u001e${record(12)}\u001e{"type":6}\u001e`);
    expect(seen).toEqual([3, 12]);
  });
});

describe('measureFanOut', () => {
  it('reports losses and failed posts when not every client receives every message', async () => {
    const tracker = new FanOutTracker(4, 3);
    const result = await measureFanOut(tracker, {
      clients: 3,
      postsPerSecond: 1000,
      durationMs: 4,
      drainMs: 50,
      post: async (text) => {
        const sequence = Number(text.split(' ')[1]);
        // Message 1 is refused; message 2 reaches only two of the three clients.
        if (sequence === 1) return 500;
        for (let client = 0; client < (sequence === 2 ? 2 : 3); client++)
          tracker.onDelivery(sequence);
        return 202;
      },
    });
    expect(result).toEqual(
      expect.objectContaining({ clients: 3, messages: 4, failedPosts: 1, lost: 4, duplicates: 0 }),
    );
    expect(result.p50Ms).toBeGreaterThanOrEqual(0);
  });

  it('reports no loss when every client receives every message', async () => {
    const tracker = new FanOutTracker(5, 2);
    const result = await measureFanOut(tracker, {
      clients: 2,
      postsPerSecond: 1000,
      durationMs: 5,
      drainMs: 1000,
      post: async (text) => {
        const sequence = Number(text.split(' ')[1]);
        setImmediate(() => {
          tracker.onDelivery(sequence);
          tracker.onDelivery(sequence);
        });
        return 202;
      },
    });
    expect(result).toEqual(expect.objectContaining({ lost: 0, duplicates: 0, failedPosts: 0 }));
    expect(result.deliveriesPerSecond).toBeGreaterThan(0);
  });
});
