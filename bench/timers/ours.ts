/**
 * duban's durable timer engine on the real `timer` table of a fresh, migrated database.
 *
 * - `current`: TimerScheduler as it is (services/reminders/src/scheduler.ts) with the product's
 *   defaults (SCHEDULER_DEFAULTS: loops, batch, poll), sleeping until the next due time,
 *   timerRepository.claimDue (move the due timers to timer_done in one statement) and nextDue (the
 *   very functions, through Prisma, in one interactive transaction), the indexes of the migrations.
 * - `raw`: the same statements (CLAIM_DUE_SQL, NEXT_DUE_SQL) on raw pg connections, `workers` loops
 *   (one connection each) and batches of `batchSize`: what Prisma and the product's defaults cost.
 *
 * Both leave out what a fired timer does (the ladder step, the outbox event): the handler only notes
 * when the timer fired. That isolates the scheduler; the outbox write is the pipeline bench's.
 */
import { SCHEDULER_DEFAULTS } from '../../services/reminders/src/config.ts';
import {
  CLAIM_DUE_SQL,
  NEXT_DUE_SQL,
  timerRepository,
} from '../../services/reminders/src/repositories/timers.ts';
import { createFreshDatabase, createPool, createPrisma, uuidv7 } from '../deps';
import type { Pool } from '../deps';
import { Scope } from '../scope';
import { UsageMeter } from '../stats';
import { CALIBRATION_ROWS, LEAD_EXTRA_MS, LEAD_FACTOR, leadOverrun, waitForFiring } from './common';
import type { CommonOptions, EngineRun } from './common';
import { FiringLog, NODE_IDS, Sleeper, engineRun, newItemId, offsetOf, shuffledOrder } from './workload';
import type { Plan } from './workload';

/** The product's scheduler settings (REMINDER_POLL_MS, REMINDER_BATCH, REMINDER_LOOPS defaults). */
export const CURRENT = SCHEDULER_DEFAULTS;

/** The product's own statements (timerRepository runs the same text through Prisma). */
export { CLAIM_DUE_SQL, NEXT_DUE_SQL };

const INSERT_SQL = (table: string) => `
  INSERT INTO ${table} (id, node_id, item_id, kind, level, round, due_at, created_at)
  SELECT id, node_id, item_id, 'overdue', level, 1, to_timestamp(due_ms / 1000.0), now()
    FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::float8[], $5::int[]) AS u(id, node_id, item_id, due_ms, level)
  ON CONFLICT DO NOTHING`;

const CHUNK = 5_000;

/** Inserts timers in shuffled order, `parallel` chunks at a time; returns ms taken. */
async function insertTimers(
  pool: Pool,
  table: string,
  plan: Plan,
  base: number,
  order: Uint32Array,
  parallel: number,
): Promise<number> {
  const started = Date.now();
  let next = 0;
  const sql = INSERT_SQL(table);
  const inserter = async () => {
    for (;;) {
      const from = next;
      if (from >= order.length) return;
      next = Math.min(order.length, from + CHUNK);
      const ids: string[] = [];
      const nodes: string[] = [];
      const items: string[] = [];
      const due: number[] = [];
      const levels: number[] = [];
      const now = Date.now();
      for (let i = from; i < next; i++) {
        const k = order[i]!;
        ids.push(uuidv7(now));
        nodes.push(NODE_IDS[k % NODE_IDS.length]!);
        items.push(newItemId());
        due.push(base + offsetOf(plan, k));
        // level 1 marks a burst timer (a spread timer may fall due at the burst instant too)
        levels.push(k >= plan.spread ? 1 : 0);
      }
      await pool.query(sql, [ids, nodes, items, due, levels]);
    }
  };
  await Promise.all(Array.from({ length: parallel }, inserter));
  return Date.now() - started;
}

/** How long inserting every timer will take, from inserting CALIBRATION_ROWS into a copy of the table. */
async function calibrate(pool: Pool, plan: Plan): Promise<number> {
  await pool.query('CREATE TABLE timer_calibration (LIKE timer INCLUDING ALL)');
  try {
    const sample: Plan = { ...plan, spread: CALIBRATION_ROWS, burst: 0 };
    const ms = await insertTimers(
      pool,
      'timer_calibration',
      sample,
      Date.now() + 3_600_000,
      shuffledOrder(sample),
      2,
    );
    return (ms / CALIBRATION_ROWS) * (plan.spread + plan.burst);
  } finally {
    await pool.query('DROP TABLE timer_calibration');
  }
}

export interface OursOptions extends CommonOptions {
  variant: 'current' | 'raw';
}

export async function runOurs(options: OursOptions): Promise<EngineRun> {
  const { plan, variant } = options;
  const say = options.log ?? (() => {});
  const scope = new Scope();
  const started = performance.now();
  try {
    const db = await createFreshDatabase(options.adminUrl, `bench_timers_${variant}`);
    scope.defer(`drop ${db.name}`, () => db.drop());
    const pool = createPool(db.url, { max: Math.max(3, options.workers + 1) });
    scope.defer('close the pool', () => pool.end());

    const meter = new UsageMeter();
    const estimate = await calibrate(pool, plan);
    const leadMs = Math.round(estimate * LEAD_FACTOR + LEAD_EXTRA_MS);
    const base = Date.now() + leadMs;
    const burstAt = base + plan.burstOffsetMs;
    say(
      `${variant}: scheduling ${(plan.spread + plan.burst).toLocaleString('en-US')} timers, first due in ${(leadMs / 1000).toFixed(1)} s`,
    );
    const scheduleMs = await insertTimers(pool, 'timer', plan, base, shuffledOrder(plan), 2);
    await pool.query('ANALYZE timer');
    const overrun = leadOverrun(base);
    const { rows: sizeRows } = await pool.query<{ size: string }>(
      'SELECT pg_database_size(current_database())::text AS size',
    );
    const dbBytes = Number(sizeRows[0]!.size);
    say(
      `${variant}: scheduled in ${(scheduleMs / 1000).toFixed(1)} s; database ${(dbBytes / 2 ** 20).toFixed(0)} MiB; firing`,
    );

    const log = new FiringLog(plan, burstAt);
    const record = (rows: ReadonlyArray<{ dueAt: Date; level: number }>, at: number) => {
      for (const r of rows) log.fired(r.dueAt.getTime(), r.level === 1, at);
    };
    let running = true;
    const sleepers: Sleeper[] = [];
    let loops: Array<Promise<void>>;
    let setup: string;

    if (variant === 'current') {
      setup = `TimerScheduler as is: ${CURRENT.loops} loops, batch ${CURRENT.batchSize}, sleep until the next due time (≤ ${CURRENT.pollMs} ms); Prisma interactive transaction with timerRepository.claimDue (due timers moved to timer_done in one statement); pending-only timer table, index (due_at, id)`;
      const prisma = createPrisma(db.url, { pool: { max: CURRENT.loops + 1 } });
      scope.defer('disconnect Prisma', () => prisma.$disconnect());
      // services/reminders/src/scheduler.ts, run() and fireDue(), without the ladder and the outbox.
      const fireDue = async (): Promise<number> => {
        const now = new Date();
        const due = await prisma.$transaction(async (tx) => {
          return timerRepository.claimDue(tx, NODE_IDS, now, CURRENT.batchSize);
        });
        record(due, Date.now());
        return due.length;
      };
      loops = Array.from({ length: CURRENT.loops }, async () => {
        const sleeper = new Sleeper();
        sleepers.push(sleeper);
        while (running) {
          const fired = await fireDue();
          if (fired >= CURRENT.batchSize) continue;
          const next = await timerRepository.nextDue(prisma, NODE_IDS);
          const wait = next ? next.getTime() - Date.now() : CURRENT.pollMs;
          if (wait > 0) await sleeper.sleep(Math.min(CURRENT.pollMs, wait));
          else if (fired === 0) await sleeper.sleep(5);
        }
      });
    } else {
      setup = `${options.workers} loops, batch ≤ ${options.batchSize}, the product's claim statement (CLAIM_DUE_SQL) on raw pg, sleep until min(due_at) (≤ 1 s)`;
      loops = Array.from({ length: options.workers }, async () => {
        const sleeper = new Sleeper();
        sleepers.push(sleeper);
        const client = await pool.connect();
        // A checked-out client's connection error (server restart) would otherwise be an unhandled
        // 'error' event that kills the process before the databases are dropped; the next query fails.
        const onError = () => {};
        client.on('error', onError);
        try {
          while (running) {
            const now = Date.now();
            await client.query('BEGIN');
            let rows: Array<{ due_at: Date; level: number }>;
            try {
              ({ rows } = await client.query<{ due_at: Date; level: number }>(CLAIM_DUE_SQL, [
                new Date(now),
                NODE_IDS,
                options.batchSize,
              ]));
              // The product's handler (ladder step, outbox event) would run here, in the same transaction.
              await client.query('COMMIT');
            } catch (error) {
              await client.query('ROLLBACK').catch(() => {});
              throw error;
            }
            const at = Date.now();
            for (const r of rows) log.fired(r.due_at.getTime(), r.level === 1, at);
            if (rows.length === options.batchSize) continue;
            const { rows: next } = await client.query<{ next: Date | null }>(NEXT_DUE_SQL, [NODE_IDS]);
            const nextDue = next[0]?.next?.getTime();
            if (nextDue === undefined) await sleeper.sleep(1000);
            else await sleeper.sleep(Math.min(1000, nextDue - Date.now()));
          }
        } finally {
          client.off('error', onError);
          client.release();
        }
      });
    }

    const windowEnd = base + plan.spanMs;
    let loopError: unknown;
    const allLoops = Promise.all(loops).catch((error: unknown) => {
      loopError = error;
      running = false;
    });
    const complete = await Promise.race([
      waitForFiring(() => log.count, log.done, Math.max(windowEnd, burstAt), options.stallMs),
      allLoops.then(() => false),
    ]);
    running = false;
    for (const s of sleepers) s.wake();
    await allLoops;
    if (loopError) throw loopError;
    return engineRun({
      engine: variant,
      setup,
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
