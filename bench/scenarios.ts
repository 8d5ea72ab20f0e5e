import type { FanOutResult } from '../local/clients/measureFanOut';

/** What a fan-out row must show to meet its goal; every bound is optional. */
export interface FanOutGoal {
  readonly minDeliveriesPerSecond?: number;
  readonly maxP99Ms?: number;
  /** Our p99 over the raw `ws` baseline's p99 at the same load, in the same run. */
  readonly maxP99Ratio?: number;
  /** Our deliveries per second over the baseline's. */
  readonly minThroughputRatio?: number;
}

export interface FanOutScenario {
  readonly clients: number;
  readonly postsPerSecond: number;
  readonly seconds: number;
  readonly goal: FanOutGoal;
}

/** p99 within 2x of the raw ws baseline at every load (and nothing lost, always). */
const P99_RATIO = 2;

export const FAN_OUT_SCENARIOS: readonly FanOutScenario[] = [
  { clients: 100, postsPerSecond: 100, seconds: 5, goal: { maxP99Ratio: P99_RATIO } },
  {
    clients: 1_000,
    postsPerSecond: 10,
    seconds: 10,
    goal: { maxP99Ms: 100, maxP99Ratio: P99_RATIO },
  },
  {
    clients: 1_000,
    postsPerSecond: 50,
    seconds: 6,
    goal: { minDeliveriesPerSecond: 40_000, maxP99Ms: 250, maxP99Ratio: P99_RATIO },
  },
  {
    clients: 10_000,
    postsPerSecond: 5,
    seconds: 6,
    goal: { minDeliveriesPerSecond: 40_000, maxP99Ms: 250, maxP99Ratio: P99_RATIO },
  },
  { clients: 1_000, postsPerSecond: 200, seconds: 4, goal: { minThroughputRatio: 0.5 } },
];

/**
 * Run once, unrecorded, against each server before its measured scenarios: the first scenario
 * otherwise measures a cold process (JIT, socket pools) rather than the path.
 */
export const WARM_UP: FanOutScenario = { clients: 200, postsPerSecond: 50, seconds: 3, goal: {} };

/** The goal in words, for the table. */
export function describeGoal(goal: FanOutGoal): string {
  const parts: string[] = [];
  if (goal.minDeliveriesPerSecond !== undefined)
    parts.push(`>= ${goal.minDeliveriesPerSecond.toLocaleString('en-US')}/s`);
  if (goal.maxP99Ms !== undefined) parts.push(`p99 <= ${goal.maxP99Ms} ms`);
  if (goal.maxP99Ratio !== undefined) parts.push(`p99 <= ${goal.maxP99Ratio} x raw`);
  if (goal.minThroughputRatio !== undefined)
    parts.push(`>= ${goal.minThroughputRatio} x raw deliveries/s`);
  return parts.join(', ');
}

/** Whether a measured row meets its scenario's goal; nothing may be lost or duplicated. */
export function meetsGoal(goal: FanOutGoal, ours: FanOutResult, raw: FanOutResult): boolean {
  if (ours.lost + ours.duplicates > 0) return false;
  const checks = [
    goal.minDeliveriesPerSecond === undefined ||
      ours.deliveriesPerSecond >= goal.minDeliveriesPerSecond,
    goal.maxP99Ms === undefined || ours.p99Ms <= goal.maxP99Ms,
    goal.maxP99Ratio === undefined || ours.p99Ms <= goal.maxP99Ratio * raw.p99Ms,
    goal.minThroughputRatio === undefined ||
      ours.deliveriesPerSecond >= goal.minThroughputRatio * raw.deliveriesPerSecond,
  ];
  return checks.every(Boolean);
}
