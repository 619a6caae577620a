import { readFileSync } from 'node:fs';

/** Nearest-rank percentile of `values` (need not be sorted), p in 0..100. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Usage {
  /** Highest resident set size seen while sampling, bytes. */
  peakRss: number;
  /** RSS when sampling began: runs share one process, so a later run starts from what earlier ones left. */
  startRss: number;
  /** This process's CPU time over the wall time, in cores (2.0 = both cores of a 2-core machine). */
  processCores: number;
  /** Share of all the machine's CPU time that was busy (this process, PostgreSQL, the broker, anything else). */
  machineBusy: number;
}

/**
 * Samples RSS while a run is going, and brackets it with CPU counters. Sampling rather than a single
 * reading because the peak comes and goes with batches and garbage collection.
 */
export class UsageMeter {
  private readonly startRss = process.memoryUsage.rss();
  private peakRss = this.startRss;
  private readonly timer: NodeJS.Timeout;
  private readonly cpu0 = process.cpuUsage();
  private readonly machine0 = machineTicks();
  private readonly t0 = performance.now();

  constructor(intervalMs = 50) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    // A meter left behind must not keep the process alive.
    this.timer.unref();
  }

  private sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
  }

  stop(): Usage {
    this.sample();
    clearInterval(this.timer);
    const wallUs = (performance.now() - this.t0) * 1000;
    const cpu = process.cpuUsage(this.cpu0);
    const machine1 = machineTicks();
    const total = machine1.total - this.machine0.total;
    const idle = machine1.idle - this.machine0.idle;
    return {
      peakRss: this.peakRss,
      startRss: this.startRss,
      processCores: wallUs > 0 ? (cpu.user + cpu.system) / wallUs : 0,
      machineBusy: total > 0 ? 1 - idle / total : Number.NaN,
    };
  }
}

/**
 * How busy the machine is with other work, sampled over `ms` before the benchmark starts: on a shared
 * machine this is what the results have to be read against.
 */
export async function backgroundBusy(ms = 3000): Promise<number> {
  const before = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineTicks();
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : Number.NaN;
}

/** Aggregate CPU ticks from /proc/stat (idle + iowait count as idle). */
function machineTicks(): { total: number; idle: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    return { total, idle: (ticks[3] ?? 0) + (ticks[4] ?? 0) };
  } catch {
    return { total: 0, idle: 0 };
  }
}

export const MiB = 1024 * 1024;

/** A positive integer setting from the environment (`1_000_000` reads as 1000000), or the fallback. */
export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${raw}: expected a positive integer`);
  return n;
}
