/**
 * pg-boss (10.x, the last line that runs on Node 20) on the same PostgreSQL server, in its own fresh
 * database: the same timers as jobs with `startAfter` = the due time, bulk-created with
 * `boss.insert()` (its API for many jobs in one statement), worked by `workers` × `boss.work()` (in
 * 10.x each call adds one polling worker; `teamSize`/`localConcurrency` do not exist there) with
 * `batchSize` and the minimum `pollingIntervalSeconds` (0.5). A job counts as fired when its handler
 * is called (after pg-boss's fetch committed it as active).
 */
import { createRequire } from 'node:module';
import PgBoss from 'pg-boss';
import { createFreshDatabase } from '../deps';
import { Scope } from '../scope';
import { UsageMeter } from '../stats';
import { CALIBRATION_ROWS, LEAD_EXTRA_MS, LEAD_FACTOR, leadOverrun, waitForFiring } from './common';
import type { CommonOptions, EngineRun } from './common';
import { FiringLog, engineRun, offsetOf, shuffledOrder } from './workload';
import type { Plan } from './workload';

/** pg-boss's floor (POLICY.MIN_POLLING_INTERVAL_MS = 500 in 10.x). */
export const PGBOSS_POLLING_INTERVAL_S = 0.5;
const QUEUE = 'bench-timers';
const CHUNK = 5_000;

interface JobData {
  /** due, epoch ms */
  d: number;
  /** 1 for a burst timer */
  b: number;
}

async function insertJobs(
  boss: PgBoss,
  queue: string,
  plan: Plan,
  base: number,
  order: Uint32Array,
  parallel: number,
): Promise<number> {
  const started = Date.now();
  let next = 0;
  const inserter = async () => {
    for (;;) {
      const from = next;
      if (from >= order.length) return;
      next = Math.min(order.length, from + CHUNK);
      const jobs: Array<PgBoss.JobInsert<JobData>> = [];
      for (let i = from; i < next; i++) {
        const k = order[i]!;
        const due = base + offsetOf(plan, k);
        jobs.push({ name: queue, data: { d: due, b: k >= plan.spread ? 1 : 0 }, startAfter: new Date(due) });
      }
      await boss.insert(jobs);
    }
  };
  await Promise.all(Array.from({ length: parallel }, inserter));
  return Date.now() - started;
}

export async function runPgBoss(options: CommonOptions): Promise<EngineRun> {
  const { plan } = options;
  const say = options.log ?? (() => {});
  const scope = new Scope();
  const started = performance.now();
  try {
    const db = await createFreshDatabase(options.adminUrl, 'bench_timers_pgboss');
    scope.defer(`drop ${db.name}`, () => db.drop());
    // Cron off (none used); maintenance and state monitoring stay at their defaults.
    const boss = new PgBoss({ connectionString: db.url, max: options.workers + 3, schedule: false });
    let bossError: unknown;
    boss.on('error', (error) => (bossError ??= error));
    await boss.start();
    scope.defer('stop pg-boss', () => boss.stop({ graceful: false, wait: true, timeout: 5_000 }));

    const meter = new UsageMeter();
    await boss.createQueue('bench-calibration');
    const sample: Plan = { ...plan, spread: CALIBRATION_ROWS, burst: 0 };
    const calibrationMs = await insertJobs(
      boss,
      'bench-calibration',
      sample,
      Date.now() + 3_600_000,
      shuffledOrder(sample),
      2,
    );
    // 10.x's deleteQueue refuses a queue that still holds jobs: purge them first.
    await boss.purgeQueue('bench-calibration');
    await boss.deleteQueue('bench-calibration');
    const estimate = (calibrationMs / CALIBRATION_ROWS) * (plan.spread + plan.burst);
    const leadMs = Math.round(estimate * LEAD_FACTOR + LEAD_EXTRA_MS);

    await boss.createQueue(QUEUE);
    const base = Date.now() + leadMs;
    const burstAt = base + plan.burstOffsetMs;
    say(
      `pg-boss: scheduling ${(plan.spread + plan.burst).toLocaleString('en-US')} jobs, first due in ${(leadMs / 1000).toFixed(1)} s`,
    );
    const scheduleMs = await insertJobs(boss, QUEUE, plan, base, shuffledOrder(plan), 2);
    await boss.getDb().executeSql('ANALYZE pgboss.job', []);
    const overrun = leadOverrun(base);
    const { rows: sizeRows } = await boss
      .getDb()
      .executeSql('SELECT pg_database_size(current_database())::text AS size', []);
    const dbBytes = Number((sizeRows[0] as { size: string }).size);
    say(
      `pg-boss: scheduled in ${(scheduleMs / 1000).toFixed(1)} s; database ${(dbBytes / 2 ** 20).toFixed(0)} MiB; firing`,
    );

    const log = new FiringLog(plan, burstAt);
    for (let w = 0; w < options.workers; w++) {
      await boss.work<JobData>(
        QUEUE,
        { batchSize: options.batchSize, pollingIntervalSeconds: PGBOSS_POLLING_INTERVAL_S },
        async (jobs) => {
          const at = Date.now();
          for (const job of jobs) log.fired(job.data.d, job.data.b === 1, at);
        },
      );
    }
    const complete = await waitForFiring(
      () => log.count,
      log.done,
      Math.max(base + plan.spanMs, burstAt),
      options.stallMs,
    );
    await boss.offWork(QUEUE);
    if (bossError) throw bossError;
    return engineRun({
      engine: 'pg-boss',
      setup: `pg-boss ${pgBossVersion()}: ${options.workers} × work({ batchSize: ${options.batchSize}, pollingIntervalSeconds: ${PGBOSS_POLLING_INTERVAL_S} }), insert() in chunks of ${CHUNK}`,
      plan,
      log,
      burstAt,
      scheduleMs,
      leadMs,
      complete,
      dbBytes,
      usage: meter.stop(),
      started,
      leadOverrun: overrun,
    });
  } finally {
    await scope.close();
  }
}

/** The installed pg-boss version (its package.json has no exports map). */
export function pgBossVersion(): string {
  const version = (createRequire(import.meta.url)('pg-boss/package.json') as { version: string }).version;
  return version;
}
