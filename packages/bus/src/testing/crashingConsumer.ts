/**
 * A consumer process that is killed (SIGKILL: no cleanup, no offset commit) at chosen points.
 * Spawned by the contract suite to prove that a crash neither loses nor duplicates an effect.
 *
 * One consumer (`CRASH_HANDLER`, `CRASH_GROUP`) killed at one point:
 * - `CRASH_KILL_AFTER=n`: right after the effects of its nth event committed (before the log
 *   commits the batch's position);
 * - `CRASH_KILL_IN_HANDLER=n`: inside a batch's transaction, just before the nth handler call.
 *
 * Or several (`CRASH_RUNS`, a JSON array of { handler, group, point, at } with point
 * `after-commit` or `in-handler`): each consumer stops dead at its own point (its failpoint never
 * returns, so nothing of it runs any further) and, once all have, the process SIGKILLs itself: each
 * group is left exactly as a kill at its point would leave it, for the price of one process start.
 *
 * `CRASH_MAX_BATCH` caps the batch size. A process that is not killed within `CRASH_GIVE_UP_MS`
 * exits with code 3, so a test waiting for the kill cannot hang.
 */
import { createPool, createPrisma } from '@duban/db';
import { createLogger } from '@duban/kit';
import { startConsumer } from '../consumer';
import type { Failpoints } from '../consumer';
import type { EventLog } from '../eventLog';
import { contractHandler } from './fixtures';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const optional = (name: string): number | undefined =>
  process.env[name] ? Number(process.env[name]) : undefined;

interface Run {
  handler: string;
  group: string;
  point: 'after-commit' | 'in-handler';
  at: number;
}

const url = env('CRASH_DATABASE_URL');
const maxBatch = optional('CRASH_MAX_BATCH');
const progress = new Map<string, number>();
setTimeout(
  () => {
    // Say which consumers never reached their points, and how far they got.
    console.error(`crashing consumer gave up: ${JSON.stringify(Object.fromEntries(progress))}`);
    process.exit(3);
  },
  optional('CRASH_GIVE_UP_MS') ?? 60_000,
).unref();
const runs: Run[] = process.env.CRASH_RUNS
  ? (JSON.parse(process.env.CRASH_RUNS) as Run[])
  : [
      {
        handler: env('CRASH_HANDLER'),
        group: env('CRASH_GROUP'),
        point: process.env.CRASH_KILL_IN_HANDLER ? 'in-handler' : 'after-commit',
        at: Number(process.env.CRASH_KILL_IN_HANDLER ?? env('CRASH_KILL_AFTER')),
      },
    ];

const logger = createLogger({ level: 'warn', name: 'crashing-consumer' });
// Room for every consumer's transactions (on Kafka, one per partition in flight) while some are
// held open at their points: a consumer starved of connections would dead-letter instead.
const prisma = createPrisma(url, { pool: { max: 3 * runs.length + 2 } });
const pool = createPool(url);
// Only the transport in use is loaded: the suite starts this process many times.
const log: EventLog =
  env('CRASH_TRANSPORT') === 'kafka'
    ? new (await import('../kafkaLog')).KafkaEventLog({
        brokers: env('CRASH_KAFKA_BROKERS').split(','),
        clientId: 'crashing-consumer',
        topicPrefix: env('CRASH_TOPIC_PREFIX'),
        sessionTimeoutMs: 6000,
        logger,
      })
    : new (await import('../embeddedLog')).EmbeddedEventLog({ pool, url, logger });

let stopped = 0;
const stop = (): Promise<void> => {
  stopped += 1;
  if (stopped === runs.length) process.kill(process.pid, 'SIGKILL');
  return new Promise<void>(() => undefined);
};

for (const run of runs) {
  let count = 0;
  progress.set(run.group, 0);
  const reached = (): Promise<void> | undefined => {
    progress.set(run.group, ++count);
    if (count !== run.at) return undefined;
    progress.delete(run.group);
    return stop();
  };
  const failpoints: Failpoints =
    run.point === 'in-handler' ? { beforeHandle: reached } : { afterEffects: reached };
  await startConsumer({
    log,
    prisma,
    handler: contractHandler(run.handler),
    groupId: run.group,
    logger,
    ...(maxBatch ? { maxBatch } : {}),
    failpoints,
  });
}
