/**
 * The durable timer benchmark (issue 4): N deadlines spread over minutes plus a burst due at one
 * instant, fired by duban's timer engine (as the product runs it, and its claim statement on raw
 * pg) and by pg-boss on the same PostgreSQL in the same run. Lateness = the instant a timer was known fired − its due time.
 *
 *   npx tsx bench/timers.ts
 *
 *   BENCH_TIMERS_SIZES=100000,1000000   timers spread over the window, one run per size and engine
 *   BENCH_TIMERS_BURST=100000           timers due at one instant, a quarter into the window
 *   BENCH_TIMERS_SPAN_S                 the window, seconds (default max(60, N / 4000): 100k → 60 s, 1M → 250 s)
 *   BENCH_TIMERS_BATCH=5000             claim batch (raw) and pg-boss batchSize
 *   BENCH_TIMERS_WORKERS=2              claim loops (raw) and pg-boss work() workers
 *   BENCH_TIMERS_ENGINES=current,raw,pg-boss
 *   BENCH_TIMERS_STALL_S=60             give up on a run when nothing fired for this long past its window
 *   BENCH_TIMERS_CAP_S=120              stop a run this long past its window; what has not fired counts as not fired
 *   BENCH_TIMERS_JSON=path             also write the raw results there (JSON; Infinity as null)
 *   BENCH_TIMERS_DOC=1                  write the results into docs/benchmarks.md (only a full default run does)
 *   DATABASE_URL                        this server (127.0.0.1 only) instead of finding/starting one
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startPostgresServer } from './deps';
import { assertLoopbackUrl, describeMachine, postgresSettings, postgresVersion } from './machine';
import type { Machine } from './machine';
import { RESULTS_MARKER, markdown, text } from './report';
import type { Table } from './report';
import { Scope, closeScopesOnSignals } from './scope';
import { backgroundBusy, MiB, positiveInt } from './stats';
import { CAP_MS } from './timers/common';
import type { EngineName, EngineRun } from './timers/common';
import { CLAIM_DUE_SQL, CURRENT, NEXT_DUE_SQL, runOurs } from './timers/ours';
import { PGBOSS_POLLING_INTERVAL_S, pgBossVersion, runPgBoss } from './timers/pgboss';
import type { Plan } from './timers/workload';

export const TIMERS_START = '<!-- bench:timers:start -->';
export const TIMERS_END = '<!-- bench:timers:end -->';
const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

export const GOALS = { p99Ms: 100, burstMs: 2000, pending: 1_000_000 } as const;

export interface TimersBenchOptions {
  adminUrl: string;
  sizes: number[];
  burst: number;
  /** Window for a size, ms. */
  spanMs?: (spread: number) => number;
  batchSize?: number;
  workers?: number;
  engines?: EngineName[];
  stallMs?: number;
  log?: (line: string) => void;
  /** For the report: where PostgreSQL came from, and the machine's load before the run. */
  source?: string;
  background?: Machine['background'];
}

export interface TimersBenchResult {
  machine: Machine;
  source: string;
  sizes: number[];
  burst: number;
  batchSize: number;
  workers: number;
  pgBoss: string;
  /** The server settings that move these numbers (shared_buffers above all). */
  pgSettings: string;
  runs: EngineRun[];
  totalMs: number;
}

export const defaultSpanMs = (spread: number): number => Math.max(60, Math.round(spread / 4000)) * 1000;

export async function runTimersBench(options: TimersBenchOptions): Promise<TimersBenchResult> {
  assertLoopbackUrl('PostgreSQL', options.adminUrl);
  const started = performance.now();
  const batchSize = options.batchSize ?? 5000;
  const workers = options.workers ?? 2;
  const engines = options.engines ?? ['current', 'raw', 'pg-boss'];
  const stallMs = options.stallMs ?? 60_000;
  const log = options.log ?? ((line: string) => console.log(`[bench:timers] ${line}`));
  const pgVersion = await postgresVersion(options.adminUrl);
  const pgSettings = await postgresSettings(options.adminUrl);
  const runs: EngineRun[] = [];
  for (const spread of options.sizes) {
    const spanMs = (options.spanMs ?? defaultSpanMs)(spread);
    const plan: Plan = { spread, burst: options.burst, spanMs, burstOffsetMs: Math.round(spanMs / 4) };
    for (const engine of engines) {
      const common = { adminUrl: options.adminUrl, plan, batchSize, workers, stallMs, log };
      const run =
        engine === 'pg-boss' ? await runPgBoss(common) : await runOurs({ ...common, variant: engine });
      runs.push(run);
      log(
        `${engine} N=${spread.toLocaleString('en-US')}: lateness p50 ${fmtMs(run.spread.p50)} p99 ${fmtMs(run.spread.p99)} max ${fmtMs(run.spread.max)} ms; burst fired in ${fmtMs(run.burstMs)} ms${run.complete ? '' : ` (INCOMPLETE: ${run.fired} fired)`}`,
      );
    }
  }
  return {
    machine: describeMachine(
      pgVersion,
      'not used',
      options.background ?? { busy: Number.NaN, load1: os.loadavg()[0]! },
    ),
    source: options.source ?? 'given',
    sizes: options.sizes,
    burst: options.burst,
    batchSize,
    workers,
    pgBoss: pgBossVersion(),
    pgSettings,
    runs,
    totalMs: performance.now() - started,
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
function fmtMs(n: number): string {
  if (n === Number.POSITIVE_INFINITY) return 'not fired';
  if (!Number.isFinite(n)) return '–';
  return n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US');
}
const sec = (ms: number) =>
  ms === Number.POSITIVE_INFINITY
    ? 'not all fired'
    : Number.isFinite(ms)
      ? (ms / 1000).toFixed(ms < 10_000 ? 2 : 1)
      : '–';
const mib = (bytes: number) => int(bytes / MiB);

const ENGINE_LABEL: Record<EngineName, string> = {
  current: 'duban, current scheduler',
  raw: 'duban, same claim on raw pg',
  'pg-boss': 'pg-boss',
};

function resultsTable(result: TimersBenchResult): Table {
  return {
    head: [
      'N spread + burst',
      'engine',
      'window s',
      'pending at burst',
      'scheduled/s',
      'lateness p50 ms',
      'p99 ms',
      'max ms',
      'burst fired in s',
      'burst p99 ms',
      'burst timers/s',
      'peak RSS MiB',
      'DB MiB',
    ],
    rows: result.runs.map((r) => [
      `${int(r.plan.spread)} + ${int(r.plan.burst)}`,
      ENGINE_LABEL[r.engine] +
        (r.complete ? '' : ` (stopped with ${int(r.fired)} of ${int(r.plan.spread + r.plan.burst)} fired)`) +
        (r.duplicates ? ` (${r.duplicates} duplicates!)` : '') +
        (r.leadOverrun ? ' (scheduling overran the lead)' : ''),
      sec(r.plan.spanMs),
      int(r.pendingAtBurst),
      int(r.scheduleRate),
      fmtMs(r.spread.p50),
      fmtMs(r.spread.p99),
      fmtMs(r.spread.max),
      sec(r.burstMs),
      fmtMs(r.burst.p99),
      int(r.burstRate),
      `${mib(r.usage.peakRss)} (from ${mib(r.usage.startRss)})`,
      mib(r.dbBytes),
    ]),
    align: ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  };
}

export interface GoalVerdict {
  spread: number;
  engine: EngineName;
  p99: boolean;
  burst: boolean;
  aheadP99: boolean | undefined;
  aheadBurst: boolean | undefined;
}

/** The issue's goals, checked for every run of ours at the largest size (≥ 1,000,000 when run at full size). */
export function goalVerdicts(result: TimersBenchResult): GoalVerdict[] {
  const largest = Math.max(...result.sizes);
  const at = result.runs.filter((r) => r.plan.spread === largest);
  const boss = at.find((r) => r.engine === 'pg-boss');
  return at
    .filter((r) => r.engine !== 'pg-boss')
    .map((r) => ({
      spread: largest,
      engine: r.engine,
      p99: r.complete && r.spread.p99 < GOALS.p99Ms,
      burst: r.complete && r.burstMs < GOALS.burstMs,
      aheadP99: boss ? r.spread.p99 < boss.spread.p99 : undefined,
      aheadBurst: boss ? r.burstMs < boss.burstMs : undefined,
    }));
}

const yes = (b: boolean | undefined) => (b === undefined ? 'not measured' : b ? 'pass' : 'FAIL');

function goalLines(result: TimersBenchResult): string[] {
  const largest = Math.max(...result.sizes);
  const lines = goalVerdicts(result).map(
    (g) =>
      `${ENGINE_LABEL[g.engine]} at ${int(g.spread)}: p99 lateness < ${GOALS.p99Ms} ms ${yes(g.p99)}; burst fired in < ${sec(GOALS.burstMs)} s ${yes(g.burst)}; p99 ahead of pg-boss ${yes(g.aheadP99)}; burst ahead of pg-boss ${yes(g.aheadBurst)}`,
  );
  if (largest < GOALS.pending)
    lines.push(
      `(the goals are stated for ${int(GOALS.pending)} pending; this run's largest size is ${int(largest)})`,
    );
  return lines;
}

function machineLines(result: TimersBenchResult): string[] {
  const m = result.machine;
  const busy = Number.isFinite(m.background.busy) ? `${(m.background.busy * 100).toFixed(0)}%` : '–';
  return [
    `CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGiB.toFixed(1)} GiB; ${m.os}`,
    `Node ${m.node}; ${m.postgres} (${result.source}; ${result.pgSettings}); pg-boss ${result.pgBoss}`,
    `Date: ${m.date}; other work on the machine just before the run: CPU ${busy} busy, load average ${m.background.load1.toFixed(2)}`,
  ];
}

export function renderTimersText(result: TimersBenchResult): string {
  return [
    '',
    ...machineLines(result),
    `whole run ${sec(result.totalMs)} s`,
    '',
    text(resultsTable(result)),
    '',
    ...goalLines(result),
    '',
  ].join('\n');
}

function setups(result: TimersBenchResult): string[] {
  const seen = new Map<EngineName, string>();
  for (const r of result.runs) if (!seen.has(r.engine)) seen.set(r.engine, r.setup);
  return [...seen].map(([engine, setup]) => `**${ENGINE_LABEL[engine]}**: ${setup}`);
}

export function renderTimersMarkdown(result: TimersBenchResult): string {
  return [
    '## Durable timers (`bench/timers.ts`)',
    '',
    '<!-- Generated by `npx tsx bench/timers.ts`: everything between the bench:timers markers is replaced on each full run. -->',
    '',
    'What it measures (issue 4): N deadlines due uniformly over a window of minutes, plus a burst of timers all due at one',
    'instant a quarter into the window (real deadlines cluster at the end of the working day), scheduled in one bulk',
    'insert before the window opens, then fired in real time (system clock). Each engine gets its own fresh database on',
    'the same PostgreSQL server, one after the other in the same process.',
    '',
    '- **Lateness** = the instant the timer was known fired − its due time. For duban, after the transaction that claimed',
    '  it and moved it to timer_done committed; for pg-boss, when its handler was called (after pg-boss committed the job as',
    '  active). "Lateness" columns are the spread timers; "burst p99" is the burst timers.',
    '- **Burst fired in** = the burst instant → the last burst timer fired; **burst timers/s** = the burst over that time',
    "  (the engine's firing throughput flat out). **Scheduled/s** = the bulk insert rate (2 connections, 5,000 per statement).",
    '- **The handler does nothing** but note the instant: no ladder step, no outbox event. This isolates the scheduler;',
    '  the outbox write per fired timer is what the pipeline bench measures. In the product each fired timer also reads',
    '  its tracked item and appends an event in the same transaction, so real batches take longer.',
    '- **Peak RSS** is the bench process (both engines run in it; the lateness arrays are 8 bytes a timer). **DB MiB** is',
    '  `pg_database_size` after scheduling. After the bulk insert the bench runs `ANALYZE` (what autovacuum would do within',
    '  a minute), for both engines.',
    `- A run stops ${CAP_MS / 1000} s (\`BENCH_TIMERS_CAP_S\`) after its window and burst; timers not fired by then count as infinitely`,
    '  late ("not fired" in a percentile means more than that share of timers had not fired).',
    '- The window is max(60 s, N / 4,000 timers a second): 100,000 over 60 s, 1,000,000 over 250 s, so that a full run',
    '  fits on a 2-core machine in about half an hour.',
    '',
    `### Results of ${result.machine.date.slice(0, 10)}`,
    '',
    ...machineLines(result).map((l) => `- ${l}`),
    `- Burst ${int(result.burst)}; claim batch / batchSize ${int(result.batchSize)}; ${result.workers} workers; whole run ${sec(result.totalMs)} s`,
    ...setups(result).map((l) => `- ${l}`),
    '',
    markdown(resultsTable(result)),
    '',
    '### Goals',
    '',
    ...goalLines(result).map((l) => `- ${l}`),
    '',
    '### The scheduler the product runs',
    '',
    'Until 2026-11-27 the claim ordered by `(due_at, id)` on a `(status, due_at)` index: PostgreSQL sorted each group of',
    'equal `due_at` by `id` before `LIMIT`, so every claim of a batch re-read and re-sorted the whole remaining burst',
    '(quadratic in its size), and a 250 ms poll added up to 250 ms to every timer. Then the claim walked a partial index',
    "`(due_at, id) WHERE status = 'pending'` and marked the rows fired, an UPDATE that changes an indexed column and so",
    'inserted an entry into every index of the table for each fired timer, the widest of them at a random place.',
    'Now the `timer` table holds pending timers only, and firing moves a timer to `timer_done` (ADR 0020):',
    'a DELETE adds no index entry, and `timer_done` has one index. On 1,000,000 pending and a 100,000 burst, claiming the',
    'burst went from 42,900 to 80,600 timers a second on raw pg (same server, same data, one after the other).',
    '',
    '```sql',
    '-- timerRepository.claimDue: the move, in the transaction of the ladder step and its events',
    CLAIM_DUE_SQL.trim().replace(/\n\s{2}/g, '\n') + ';',
    '',
    '-- timerRepository.nextDue, for the loop to sleep until the next due time',
    `${NEXT_DUE_SQL};`,
    '```',
    '',
    `${CURRENT.loops} loops (REMINDER_LOOPS) share the work through SKIP LOCKED. Each claims up to the batch (${CURRENT.batchSize}, REMINDER_BATCH); if the batch came back full, it claims again at once;`,
    `else sleep until \`min(due_at)\`, at most ${CURRENT.pollMs} ms (REMINDER_POLL_MS) so timers scheduled meanwhile are seen.`,
    "`raw` runs the same statements on raw pg connections, with the bench's loops and batch.",
    `pg-boss 10 cannot poll faster than every ${PGBOSS_POLLING_INTERVAL_S} s, and after each batch a worker`,
    'waits out the rest of its polling interval.',
    '',
  ].join('\n');
}

/**
 * Writes the section between the bench:timers markers in docs/benchmarks.md, above the
 * `<!-- bench:results -->` marker: bench/report.ts's writeDoc keeps everything above that marker,
 * so `pnpm bench` leaves this section alone (and this leaves its results alone).
 */
export async function writeTimersSection(path: string, section: string): Promise<void> {
  let current: string;
  try {
    current = await readFile(path, 'utf8');
  } catch {
    current = '# Benchmarks\n\n';
  }
  const block = `${TIMERS_START}\n${section.trim()}\n${TIMERS_END}\n`;
  const start = current.indexOf(TIMERS_START);
  const end = current.indexOf(TIMERS_END);
  if (start >= 0 && end > start)
    current = current.slice(0, start) + current.slice(end + TIMERS_END.length).replace(/^\n/, '');
  const at = current.indexOf(RESULTS_MARKER);
  const next =
    at >= 0 ? `${current.slice(0, at)}${block}\n${current.slice(at)}` : `${current.trimEnd()}\n\n${block}`;
  await writeFile(path, next);
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_TIMERS_SIZES ?? '100000,1000000').split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0) throw new Error(`BENCH_TIMERS_SIZES: ${s} is not a positive integer`);
    return n;
  });
  const burst = positiveInt('BENCH_TIMERS_BURST', 100_000);
  const spanS = process.env.BENCH_TIMERS_SPAN_S ? positiveInt('BENCH_TIMERS_SPAN_S', 60) : undefined;
  const engines = (process.env.BENCH_TIMERS_ENGINES ?? 'current,raw,pg-boss').split(',').map((e) => e.trim());
  for (const e of engines)
    if (!(e in ENGINE_LABEL)) throw new Error(`BENCH_TIMERS_ENGINES: unknown engine ${e}`);
  const scope = new Scope();
  try {
    const postgres = await startPostgresServer();
    scope.defer('stop PostgreSQL', () => postgres.stop());
    assertLoopbackUrl('PostgreSQL', postgres.adminUrl);
    const background = { busy: await backgroundBusy(), load1: os.loadavg()[0]! };
    console.log(
      `[bench:timers] background: CPU ${(background.busy * 100).toFixed(0)}% busy, load average ${background.load1.toFixed(2)}`,
    );
    const result = await runTimersBench({
      adminUrl: postgres.adminUrl,
      sizes,
      burst,
      ...(spanS ? { spanMs: () => spanS * 1000 } : {}),
      batchSize: positiveInt('BENCH_TIMERS_BATCH', 5000),
      workers: positiveInt('BENCH_TIMERS_WORKERS', 2),
      engines: engines as EngineName[],
      stallMs: positiveInt('BENCH_TIMERS_STALL_S', 60) * 1000,
      source: postgres.source,
      background,
    });
    console.log(renderTimersText(result));
    if (process.env.BENCH_TIMERS_JSON) {
      await writeFile(process.env.BENCH_TIMERS_JSON, JSON.stringify(result, null, 2));
      console.log(`[bench:timers] raw results written to ${process.env.BENCH_TIMERS_JSON}`);
    }
    const full =
      engines.length === 3 &&
      Math.max(...sizes) >= GOALS.pending &&
      burst >= 100_000 &&
      !process.env.BENCH_TIMERS_SPAN_S;
    if (process.env.BENCH_TIMERS_DOC === '1' || (full && process.env.BENCH_TIMERS_DOC !== '0')) {
      await writeTimersSection(DOC, renderTimersMarkdown(result));
      console.log(`[bench:timers] results written to ${DOC}`);
    } else {
      console.log(
        '[bench:timers] partial run: docs/benchmarks.md left as it was (BENCH_TIMERS_DOC=1 to write anyway)',
      );
    }
  } finally {
    await scope.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  closeScopesOnSignals();
  main().then(
    () => {
      process.exitCode = 0;
    },
    (error: unknown) => {
      console.error('[bench:timers] failed:', error);
      process.exitCode = 1;
    },
  );
}
