import type { Usage } from '../stats';
import type { Lateness, Plan } from './workload';

export type EngineName = 'current' | 'raw' | 'pg-boss';

export interface EngineRun {
  engine: EngineName;
  /** One line on how the engine was set up (batch, workers, poll). */
  setup: string;
  plan: Plan;
  /** Pending when the burst fell due: the rest of the spread plus the burst. */
  pendingAtBurst: number;
  /** Bulk scheduling: all timers inserted, ms; and timers per second. */
  scheduleMs: number;
  scheduleRate: number;
  /** Lead between the start of scheduling and the first due time (from a calibration insert). */
  leadMs: number;
  /** Lateness of the spread timers, and of the burst timers. */
  spread: Lateness;
  burst: Lateness;
  /** Burst instant → last burst timer fired, ms. */
  burstMs: number;
  /** Burst timers per second while the burst was worked off. */
  burstRate: number;
  /** Every timer fired (false: the run stalled or hit its deadline; the lateness covers what fired). */
  complete: boolean;
  fired: number;
  duplicates: number;
  /** pg_database_size right after scheduling and ANALYZE, bytes. */
  dbBytes: number;
  usage: Usage;
  wallMs: number;
  /** Scheduling ended less than 1 s before the first due time (see leadOverrun). */
  leadOverrun: boolean;
}

export interface CommonOptions {
  adminUrl: string;
  plan: Plan;
  /** Claim batch (ours, raw) / fetch batchSize (pg-boss). */
  batchSize: number;
  workers: number;
  /** Give up when nothing fired for this long after timers were due. */
  stallMs: number;
  log?: (line: string) => void;
}

export const CALIBRATION_ROWS = 20_000;
/** Lead = calibrated insert time × this + LEAD_EXTRA_MS: a bigger table inserts slower than the calibration. */
export const LEAD_FACTOR = Number(process.env.BENCH_TIMERS_LEAD_FACTOR ?? '') || 1.2;
export const LEAD_EXTRA_MS = 8_000;

/** How long past its window (and burst) a run may go on before the rest counts as not fired. */
export const CAP_MS = (Number(process.env.BENCH_TIMERS_CAP_S ?? '') || 120) * 1000;

/**
 * Waits until every timer fired; or no timer fired for `stallMs` past the window; or the window
 * plus CAP_MS has passed (an engine that falls behind would otherwise run for an hour). Resolves
 * true when complete; the timers not fired by then count as infinitely late.
 */
export async function waitForFiring(
  fired: () => number,
  done: Promise<void>,
  windowEnd: number,
  stallMs: number,
): Promise<boolean> {
  let last = fired();
  let lastChange = Date.now();
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    await new Promise((r) => setTimeout(r, 250));
    const now = Date.now();
    const n = fired();
    if (n !== last) {
      last = n;
      lastChange = now;
    }
    if (finished) break;
    if (now > windowEnd && now - Math.max(lastChange, windowEnd) > stallMs) return false;
    if (now > windowEnd + CAP_MS) return false;
  }
  return true;
}

/**
 * Whether scheduling ended less than 1 s before the first due time (the calibration underestimated
 * the insert): the run goes on, but its first timers may be late for reasons not the engine's.
 */
export function leadOverrun(dueStart: number): boolean {
  return dueStart - Date.now() < 1000;
}
