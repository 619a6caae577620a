import { randomUUID } from 'node:crypto';
import { percentile } from '../stats';
import type { Usage } from '../stats';
import type { EngineName, EngineRun } from './common';

/** The 113 node ids of the demo county's shape: the scheduler claims with `node_id = ANY(hosted)`. */
export const NODE_IDS: readonly string[] = [
  'county',
  ...Array.from({ length: 20 }, (_, i) => `township-${String(i + 1).padStart(2, '0')}`),
  ...Array.from({ length: 92 }, (_, i) => `unit-${String(i + 1).padStart(3, '0')}`),
];

export interface Plan {
  /** Timers spread uniformly over the window. */
  spread: number;
  /** Timers due at one instant (the end-of-day cluster). */
  burst: number;
  spanMs: number;
  /** The burst instant, as an offset into the window. */
  burstOffsetMs: number;
}

/**
 * Offsets (ms into the window) of every timer, in a shuffled order: timers are created in an order
 * unrelated to when they fall due, so the table's physical order does not follow due_at.
 * Index k < spread is spread timer k; k ≥ spread is a burst timer.
 */
export function shuffledOrder(plan: Plan): Uint32Array {
  const total = plan.spread + plan.burst;
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

export function offsetOf(plan: Plan, k: number): number {
  return k < plan.spread ? Math.floor((k * plan.spanMs) / plan.spread) : plan.burstOffsetMs;
}

/** Spread timers still pending when the burst falls due (plus the burst itself). */
export function pendingAtBurst(plan: Plan): number {
  // offsets are monotone in k: find how many spread timers fall due at or before the burst
  let lo = 0;
  let hi = plan.spread;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsetOf(plan, mid) <= plan.burstOffsetMs) lo = mid + 1;
    else hi = mid;
  }
  return plan.spread - lo + plan.burst;
}

export function newItemId(): string {
  return randomUUID();
}

/**
 * Firing instants, kept apart for the spread timers and the burst. Lateness = the instant the timer
 * was known fired − its due time (ms, system clock on both sides).
 */
export class FiringLog {
  readonly spread: Float64Array;
  readonly burst: Float64Array;
  spreadCount = 0;
  burstCount = 0;
  lastBurstFiredAt = Number.NaN;
  lastFiredAt = Number.NaN;
  /** Fired more than once (must stay 0: both engines claim exactly once). */
  duplicates = 0;
  private readonly expected: number;
  private resolveDone!: () => void;
  readonly done: Promise<void>;

  constructor(
    private readonly plan: Plan,
    readonly burstAt: number,
  ) {
    this.spread = new Float64Array(plan.spread);
    this.burst = new Float64Array(plan.burst);
    this.expected = plan.spread + plan.burst;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get count(): number {
    return this.spreadCount + this.burstCount;
  }

  fired(dueMs: number, isBurst: boolean, at: number): void {
    if (isBurst) {
      if (this.burstCount >= this.plan.burst) {
        this.duplicates++;
        return;
      }
      this.burst[this.burstCount++] = at - dueMs;
      this.lastBurstFiredAt = at;
    } else {
      if (this.spreadCount >= this.plan.spread) {
        this.duplicates++;
        return;
      }
      this.spread[this.spreadCount++] = at - dueMs;
    }
    this.lastFiredAt = at;
    if (this.count === this.expected) this.resolveDone();
  }
}

export interface Lateness {
  p50: number;
  p99: number;
  max: number;
}

/** Percentiles over all `values.length` timers: those not fired (past `count`) count as infinitely late. */
export function lateness(values: Float64Array, count: number): Lateness {
  if (values.length === 0) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(values).fill(Number.POSITIVE_INFINITY, count).sort();
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p99: at(99), max: sorted[sorted.length - 1]! };
}

export { percentile };

/** Resolves after `ms`, or at once when `wake()` is called. */
export class Sleeper {
  private wakeUp: (() => void) | undefined;
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }
  wake(): void {
    this.wakeUp?.();
  }
}

/** What an engine's run measured, from its firing log: the same arithmetic for every engine. */
export function engineRun(input: {
  engine: EngineName;
  setup: string;
  plan: Plan;
  log: FiringLog;
  burstAt: number;
  scheduleMs: number;
  leadMs: number;
  complete: boolean;
  dbBytes: number;
  usage: Usage;
  started: number;
  leadOverrun: boolean;
}): EngineRun {
  const { plan, log, burstAt, scheduleMs } = input;
  const burstMs = log.burstCount === plan.burst ? log.lastBurstFiredAt - burstAt : Number.POSITIVE_INFINITY;
  return {
    engine: input.engine,
    setup: input.setup,
    plan,
    pendingAtBurst: pendingAtBurst(plan),
    scheduleMs,
    scheduleRate: ((plan.spread + plan.burst) / scheduleMs) * 1000,
    leadMs: input.leadMs,
    spread: lateness(log.spread, log.spreadCount),
    burst: lateness(log.burst, log.burstCount),
    burstMs,
    burstRate: Number.isFinite(burstMs) ? log.burstCount / (burstMs / 1000) : Number.NaN,
    complete: input.complete && log.count === plan.spread + plan.burst,
    fired: log.count,
    duplicates: log.duplicates,
    dbBytes: input.dbBytes,
    usage: input.usage,
    wallMs: performance.now() - input.started,
    leadOverrun: input.leadOverrun,
  };
}
