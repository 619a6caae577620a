import { randomBytes } from 'node:crypto';
import {
  ALL_TOPICS,
  EmbeddedEventLog,
  KafkaEventLog,
  OutboxRelay,
  appendToOutbox,
  createFreshDatabase,
  createPool,
  createPrisma,
  startConsumer,
} from './deps';
import type {
  AppendRecord,
  DubanEvent,
  EventLog,
  Logger,
  PrismaClient,
  SubscribeOptions,
  Subscription,
} from './deps';
import { deleteTopics } from './kafkaAdmin';
import { Scope } from './scope';
import { UsageMeter, percentile } from './stats';
import type { Usage } from './stats';
import { LagTracker, benchEvent, benchHandler, createEffectTable, newSubjects } from './workload';

export interface WriterMode {
  /** Concurrent writers, each running one transaction at a time. */
  writers: number;
  eventsPerTx: number;
  /**
   * Open-loop pacing in events per second: event k is written no earlier than k / rate seconds after the first. Unset,
   * writers go flat out, the consumer falls behind, and lag measures the backlog; paced below
   * capacity, lag is what one event costs on its way through.
   */
  ratePerSec?: number;
}

export interface PipelineOptions {
  transport: 'embedded' | 'kafka';
  mode: WriterMode;
  events: number;
  adminUrl: string;
  brokers?: string[] | undefined;
  partitions: number;
  logger: Logger;
  /** Give up on a run that makes no progress for this long. */
  stallMs: number;
  /** Keep the (key, payload) pairs the relay published, for the raw kafkajs baseline. */
  keepMessages?: boolean;
}

export interface PipelineResult {
  transport: 'embedded' | 'kafka';
  mode: WriterMode;
  events: number;
  /** First write begun → last effect committed. */
  wallMs: number;
  eventsPerSec: number;
  /** When (since the first write) the last writer transaction committed. */
  writesDoneMs: number;
  /** When the relay had published everything (it found the outbox empty after the last write). */
  outboxDrainedMs: number;
  /** Effects applied by then: what is left is the consumer's backlog, worked off with the writers gone. */
  appliedAtDrain: number;
  /** Event created (writer transaction about to begin) → its effect committed. */
  lag: { p50: number; p99: number; max: number };
  /** Time in the outbox (published_at − created_at, as PostgreSQL stamps them, ms resolution). */
  outboxWait: { p50: number; p99: number };
  relay: { appends: number; meanBatch: number; appendMs: number };
  meanPayloadBytes: number;
  /** Deliveries the inbox recognised as already applied (none expected without crashes or rebalances). */
  duplicates: number;
  usage: Usage;
  messages?: Array<{ key: string; value: string }>;
}

const WARM_UP_EVENTS = 200;

/**
 * The log the relay and the consumer share, counting appends: how many batches the relay made of
 * the stream, and how long the log took to take them.
 */
class MeasuredLog implements EventLog {
  appends = 0;
  appended = 0;
  appendMs = 0;

  constructor(private readonly inner: EventLog) {}

  get transport() {
    return this.inner.transport;
  }

  ensureTopics(topics: readonly string[]): Promise<void> {
    return this.inner.ensureTopics(topics);
  }

  async append(records: readonly AppendRecord[]): Promise<void> {
    const t0 = performance.now();
    await this.inner.append(records);
    this.appendMs += performance.now() - t0;
    this.appends += 1;
    this.appended += records.length;
  }

  subscribe(options: SubscribeOptions): Promise<Subscription> {
    return this.inner.subscribe(options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  reset(): void {
    this.appends = 0;
    this.appended = 0;
    this.appendMs = 0;
  }
}

async function write(
  prisma: PrismaClient,
  subjects: readonly string[],
  range: { from: number; count: number },
  mode: WriterMode,
  tracker: LagTracker,
): Promise<void> {
  let next = range.from;
  const end = range.from + range.count;
  const t0 = performance.now();
  const writer = async () => {
    while (next < end) {
      const first = next;
      const last = Math.min(end, first + mode.eventsPerTx);
      next = last;
      if (mode.ratePerSec) {
        const due = t0 + ((first - range.from) * 1000) / mode.ratePerSec;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const events: DubanEvent[] = [];
      for (let i = first; i < last; i++) events.push(benchEvent(subjects[i % subjects.length]!, i));
      tracker.created(events);
      await prisma.$transaction((tx) => appendToOutbox(tx, events));
    }
  };
  await Promise.all(Array.from({ length: mode.writers }, writer));
}

/**
 * Resolves when `tracker` has seen every event; rejects when the subscription dies or nothing
 * has been applied for `stallMs`, saying how far the run got.
 */
function finished(
  tracker: LagTracker,
  subscription: Subscription,
  stallMs: number,
  progress: () => Promise<string>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    let seen = -1;
    timer = setInterval(() => {
      if (tracker.applies !== seen) {
        seen = tracker.applies;
        return;
      }
      clearInterval(timer);
      void progress().then(
        (where) => reject(new Error(`no effect applied for ${stallMs} ms (${where})`)),
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    }, stallMs);
  });
  const died = subscription.stopped.then(
    () => Promise.reject(new Error('the consumer stopped before the last effect')),
    (error: unknown) => Promise.reject(new Error(`the consumer failed: ${(error as Error).message}`)),
  );
  return Promise.race([tracker.done, stalled, died]).finally(() => clearInterval(timer));
}

/**
 * One end-to-end run on a fresh database: writers append through the transactional outbox, the
 * relay publishes to the log, one consumer applies each event with one effect row in its inbox
 * transaction. Production defaults throughout (relay and log batch sizes, poll intervals).
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const { transport, mode, events, logger } = options;
  const scope = new Scope();
  try {
    const label = `bench_${transport}_${mode.eventsPerTx}${mode.ratePerSec ? `_paced${mode.ratePerSec}` : ''}`;
    const db = await createFreshDatabase(options.adminUrl, label);
    scope.defer(`drop database ${db.name}`, () => db.drop());
    const pool = createPool(db.url, { max: 5 });
    scope.defer('end the pool', () => pool.end());
    // Room for every writer plus the consumer's transaction: the run measures work, not pool waits.
    const prisma = createPrisma(db.url, { pool: { max: mode.writers + 2 } });
    scope.defer('disconnect prisma', () => prisma.$disconnect());
    await createEffectTable(prisma);

    const groupId = `bench@${label}`;
    let inner: EventLog;
    if (transport === 'kafka') {
      if (!options.brokers) throw new Error('the kafka transport needs brokers');
      const brokers = options.brokers;
      const topicPrefix = `bench.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}.`;
      inner = new KafkaEventLog({
        brokers,
        clientId: 'bench',
        logger,
        topicPrefix,
        partitions: options.partitions,
      });
      scope.defer('delete the topics and the group', () =>
        deleteTopics(brokers, topicPrefix, [groupId], logger),
      );
    } else {
      inner = new EmbeddedEventLog({ pool, url: db.url, logger });
    }
    const log = new MeasuredLog(inner);
    scope.defer('close the log', () => log.close());
    await log.ensureTopics(ALL_TOPICS);

    const relay = new OutboxRelay({ pool, url: db.url, log, logger });
    await relay.start();
    scope.defer('stop the relay', () => relay.stop());

    let tracker = new LagTracker(WARM_UP_EVENTS);
    let duplicates = 0;
    const subscription = await startConsumer({
      log,
      prisma,
      handler: benchHandler(),
      groupId,
      logger,
      observer: {
        applied: (event) => void tracker.applied(event),
        duplicate: () => void (duplicates += 1),
        deadLettered: (letter) => logger.error({ letter }, 'bench event dead-lettered'),
      },
    });
    scope.defer('stop the consumer', () => subscription.stop());

    const progress = async () => {
      const [row] = await prisma.$queryRaw<Array<{ unpublished: bigint; effects: bigint }>>`
        SELECT (SELECT count(*) FROM outbox_event WHERE published_at IS NULL) AS unpublished,
               (SELECT count(*) FROM bench_effect) AS effects`;
      return `${tracker.applies} of this phase's events applied; ${row?.unpublished} unpublished in the outbox; ${row?.effects} effect rows`;
    };

    // Connections, JIT, and (on Kafka) the consumer's group join happen here, off the clock.
    const subjects = newSubjects();
    await write(prisma, subjects, { from: 0, count: WARM_UP_EVENTS }, mode, tracker);
    await finished(tracker, subscription, Math.max(options.stallMs, 60_000), progress);
    log.reset();
    duplicates = 0;

    tracker = new LagTracker(events);
    const meter = new UsageMeter();
    const t0 = performance.now();
    let outboxDrainedMs = Number.NaN;
    let appliedAtDrain = Number.NaN;
    const writesDone = write(prisma, subjects, { from: WARM_UP_EVENTS, count: events }, mode, tracker).then(
      () => performance.now() - t0,
    );
    const drained = writesDone.then(async () => {
      await relay.idle();
      outboxDrainedMs = performance.now() - t0;
      appliedAtDrain = tracker.applies;
    });
    const [, writesDoneMs] = await Promise.all([
      finished(tracker, subscription, options.stallMs, progress),
      writesDone,
      drained,
    ]);
    const wallMs = tracker.lastAppliedAt - t0;
    const usage = meter.stop();

    const [check] = await prisma.$queryRaw<Array<{ effects: bigint; distinct_events: bigint }>>`
      SELECT count(*) AS effects, count(DISTINCT event_id) AS distinct_events FROM bench_effect`;
    const expected = BigInt(events + WARM_UP_EVENTS);
    if (check?.effects !== expected || check.distinct_events !== expected) {
      throw new Error(
        `expected ${expected} effects, one per event; found ${check?.effects} (${check?.distinct_events} distinct)`,
      );
    }
    const [outbox] = await prisma.$queryRaw<Array<{ p50: number; p99: number; bytes: number }>>`
      SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY w) AS p50,
             percentile_disc(0.99) WITHIN GROUP (ORDER BY w) AS p99,
             avg(bytes)::float8 AS bytes
        FROM (SELECT extract(epoch FROM published_at - created_at)::float8 * 1000 AS w, octet_length(payload) AS bytes
                FROM outbox_event ORDER BY id OFFSET ${WARM_UP_EVENTS}) m`;
    const messages = options.keepMessages
      ? await prisma.$queryRaw<Array<{ key: string; value: string }>>`
          SELECT key, payload AS value FROM outbox_event ORDER BY id OFFSET ${WARM_UP_EVENTS}`
      : undefined;

    return {
      transport,
      mode,
      events,
      wallMs,
      eventsPerSec: events / (wallMs / 1000),
      writesDoneMs,
      outboxDrainedMs,
      appliedAtDrain,
      lag: {
        p50: percentile(tracker.lags, 50),
        p99: percentile(tracker.lags, 99),
        max: percentile(tracker.lags, 100),
      },
      outboxWait: { p50: outbox?.p50 ?? Number.NaN, p99: outbox?.p99 ?? Number.NaN },
      relay: {
        appends: log.appends,
        meanBatch: log.appends ? log.appended / log.appends : 0,
        appendMs: log.appendMs,
      },
      meanPayloadBytes: outbox?.bytes ?? Number.NaN,
      duplicates,
      usage,
      ...(messages ? { messages } : {}),
    };
  } finally {
    await scope.close();
  }
}
