import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createPool, createPrisma } from '@duban/db';
import type { PrismaClient } from '@duban/db';
import { TOPICS, encodeEvent } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import { createLogger } from '@duban/kit';
import {
  CuttableProxy,
  describeWhenAvailable,
  eventually,
  freshDatabase,
  testPostgres,
} from '@duban/testing';
import { startConsumer } from '../consumer';
import type { ConsumerObserver, DeadLetter } from '../consumer';
import type { EventLog, LogMessage, Subscription } from '../eventLog';
import { OutboxRelay, appendToOutbox } from '../outbox';
import { contractHandler, createEffectTables, newSubject, sampleEvent } from './fixtures';

export interface TestDb {
  url: string;
  pool: pg.Pool;
  prisma: PrismaClient;
}

/** How the contract suite gets each transport; everything else it does through EventLog. */
export interface TransportHarness {
  readonly name: 'kafka' | 'embedded';
  /** A reason when the transport cannot be had here (the suite then fails or skips loudly). */
  unavailable(): string | undefined;
  /** Called once per test: e.g. a fresh topic prefix. */
  scope(testName: string): string;
  create(db: TestDb, scope: string): EventLog;
  /** The same log, reaching its broker (or database) through `proxyPort` instead. */
  createVia(db: TestDb, scope: string, proxyPort: number): EventLog;
  /** host:port the proxy forwards to. */
  upstream(db: TestDb): { host: string; port: number };
  /** Environment for the crashing child process. */
  childEnv(db: TestDb, scope: string): Record<string, string>;
}

export const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'error', name: 'contract' });
const CRASHING_CONSUMER = fileURLToPath(new URL('./crashingConsumer.ts', import.meta.url));
/** Crashes inside batches per transport (CONTRACT_CRASH_RUNS to try more or fewer). */
const BATCH_CRASH_RUNS = Number(process.env.CONTRACT_CRASH_RUNS ?? 100);

async function publishThroughOutbox(db: TestDb, events: readonly DubanEvent[]): Promise<void> {
  for (const event of events) await db.prisma.$transaction((tx) => appendToOutbox(tx, [event]));
}

async function effects(db: TestDb, consumer: string) {
  return db.prisma.$queryRaw<Array<{ event_id: string; subject: string; n: number }>>`
    SELECT event_id::text, subject, n FROM contract_effect WHERE consumer = ${consumer} ORDER BY at, n`;
}

async function deadLetters(
  log: EventLog,
  scope: string,
): Promise<{ letters: DeadLetter[]; stop(): Promise<void> }> {
  const letters: DeadLetter[] = [];
  const sub = await log.subscribe({
    groupId: `dead-letter-reader.${scope}`,
    topics: [TOPICS.deadLetters],
    onMessage: async (m: LogMessage) => void letters.push(JSON.parse(m.value ?? 'null') as DeadLetter),
  });
  return { letters, stop: () => sub.stop() };
}

/**
 * THE contract every EventLog implementation must keep, run against Kafka and the embedded log
 * alike: order per subject, at-least-once delivery with exactly-once effects across a crash,
 * resumption from the committed position, dead letters that do not block, and nothing lost while
 * the log is unreachable.
 */
export function describeEventLogContract(harness: TransportHarness, options: { required: boolean }): void {
  describeWhenAvailable(`EventLog contract: ${harness.name}`, harness.unavailable(), options.required, () => {
    let db: TestDb;
    let drop: () => Promise<void>;
    let scope: string;
    let log: EventLog;
    let relay: OutboxRelay;
    const closers: Array<() => Promise<void>> = [];

    beforeEach(async (ctx) => {
      const fresh = await freshDatabase(testPostgres(), `contract_${harness.name}`);
      const pool = createPool(fresh.url, { max: 5 });
      db = { url: fresh.url, pool, prisma: createPrisma(fresh.url) };
      drop = fresh.drop;
      await createEffectTables(db.prisma);
      scope = harness.scope(ctx.task.name);
      log = harness.create(db, scope);
      await log.ensureTopics(Object.values(TOPICS));
      relay = new OutboxRelay({ pool: db.pool, url: db.url, log, logger, pollMs: 200 });
      await relay.start();
    });

    afterEach(async () => {
      for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
      await relay?.stop();
      await log?.close();
      await db?.prisma.$disconnect();
      await db?.pool.end();
      await drop?.();
    });

    const consume = async (
      name: string,
      group: string,
      observer?: ConsumerObserver,
    ): Promise<Subscription> => {
      const sub = await startConsumer({
        log,
        prisma: db.prisma,
        handler: contractHandler(name),
        groupId: group,
        logger,
        ...(observer ? { observer } : {}),
      });
      closers.push(() => sub.stop());
      return sub;
    };

    it('keeps each subject’s events in order', async () => {
      const subjects = [newSubject(), newSubject(), newSubject()];
      const events = Array.from({ length: 90 }, (_, i) => sampleEvent(subjects[i % 3]!, Math.floor(i / 3)));
      await publishThroughOutbox(db, events);
      await consume('order', `order.${scope}`);
      const rows = await eventually('all 90 effects', async () => {
        const r = await effects(db, 'order');
        return r.length === 90 ? r : undefined;
      });
      for (const subject of subjects) {
        const ns = rows.filter((r) => r.subject === subject).map((r) => r.n);
        expect(ns).toEqual(Array.from({ length: 30 }, (_, i) => i));
      }
    });

    it('applies every effect exactly once when a consumer is killed between processing and committing', async () => {
      const subject = newSubject();
      const events = Array.from({ length: 40 }, (_, i) => sampleEvent(subject, i));
      await publishThroughOutbox(db, events);
      await relay.idle();
      const group = `crash.${scope}`;
      const child = spawn(process.execPath, ['--import', 'tsx', CRASHING_CONSUMER], {
        env: {
          ...process.env,
          ...harness.childEnv(db, scope),
          CRASH_DATABASE_URL: db.url,
          CRASH_KILL_AFTER: '7',
          CRASH_HANDLER: 'crash',
          CRASH_GROUP: group,
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      expect(exit.signal).toBe('SIGKILL');
      const before = await effects(db, 'crash');
      expect(before.length).toBeGreaterThanOrEqual(7); // the effects committed before the kill stay

      const duplicates: string[] = [];
      await consume('crash', group, { duplicate: (e) => void duplicates.push(e.id) });
      const after = await eventually('all 40 effects after the restart', async () => {
        const r = await effects(db, 'crash');
        return r.length >= 40 ? r : undefined;
      });
      await new Promise((r) => setTimeout(r, 500)); // a late duplicate would show up here
      const final = await effects(db, 'crash');
      expect(final).toHaveLength(40);
      expect(new Set(final.map((r) => r.event_id)).size).toBe(40);
      expect(final.map((r) => r.n)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      // The event whose position was never committed came again and was recognised.
      expect(duplicates.length).toBeGreaterThanOrEqual(1);
      expect(after.length).toBe(40);
    });

    it(`applies every effect exactly once when killed at a random point inside a batch (${BATCH_CRASH_RUNS} times)`, async () => {
      // One log and one database for every run: each run is its own consumer group over the same
      // 12 events (3 subjects), in batches of at most 4, killed at a random event: inside a batch's
      // transaction before its handler, or after a batch committed and before the log's commit.
      const subjects = [newSubject(), newSubject(), newSubject()];
      const total = 12;
      await publishThroughOutbox(
        db,
        Array.from({ length: total }, (_, i) => sampleEvent(subjects[i % 3]!, Math.floor(i / 3))),
      );
      await relay.idle();
      const runs = Array.from({ length: BATCH_CRASH_RUNS }, (_, i) => ({
        name: `batch-crash-${i}`,
        group: `batch-crash-${i}.${scope}`,
        point: Math.random() < 0.5 ? ('in-handler' as const) : ('after-commit' as const),
        at: 1 + Math.floor(Math.random() * total),
      }));
      const what = (run: (typeof runs)[number]) => `${run.name} (${run.point} at ${run.at})`;
      // Ten consumers per process, each stopped dead at its own point, then the process is killed:
      // each group is left as a kill at its point would leave it, for a tenth of the process starts.
      const perProcess = 10;
      for (let w = 0; w < runs.length; w += perProcess) {
        const wave = runs.slice(w, w + perProcess);
        const child = spawn(process.execPath, ['--import', 'tsx', CRASHING_CONSUMER], {
          env: {
            ...process.env,
            ...harness.childEnv(db, scope),
            CRASH_DATABASE_URL: db.url,
            CRASH_MAX_BATCH: '4',
            // Ten Kafka group joins on two busy cores can take a while.
            CRASH_GIVE_UP_MS: '180000',
            CRASH_RUNS: JSON.stringify(
              wave.map((run) => ({ handler: run.name, group: run.group, point: run.point, at: run.at })),
            ),
          },
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
          child.on('exit', (code, signal) => resolve({ code, signal })),
        );
        closers.push(async () => void child.kill('SIGKILL'));
        const { code, signal } = await exit;
        expect({ code, signal }, wave.map(what).join(', ')).toEqual({ code: null, signal: 'SIGKILL' });
        // Killed members of a Kafka group hold their partitions until their session expires (6 s):
        // the wave's groups recover together so that those waits overlap.
        const subs = await Promise.all(wave.map((run) => consume(run.name, run.group)));
        for (const run of wave) {
          await eventually(`${what(run)}: all ${total} effects after the restart`, async () => {
            const rows = await effects(db, run.name);
            return rows.length >= total;
          });
        }
        await Promise.all(subs.map((sub) => sub.stop()));
      }
      await new Promise((r) => setTimeout(r, 500)); // a late duplicate would show up here
      const rows = await db.prisma.$queryRaw<
        Array<{ event_id: string; subject: string; n: number; consumer: string }>
      >`
        SELECT event_id::text, subject, n, consumer FROM contract_effect
         WHERE consumer LIKE 'batch-crash-%' ORDER BY at, n`;
      for (const run of runs) {
        const mine = rows.filter((r) => r.consumer === run.name);
        expect(mine, `${what(run)}: one effect per event`).toHaveLength(total);
        expect(new Set(mine.map((r) => r.event_id)).size, `${what(run)}: none twice`).toBe(total);
        for (const subject of subjects) {
          const ns = mine.filter((r) => r.subject === subject).map((r) => r.n);
          expect(ns, `${what(run)}: order of ${subject}`).toEqual([0, 1, 2, 3]);
        }
      }
    }, 900_000);

    it('resumes a restarted consumer where it committed', async () => {
      const subject = newSubject();
      const group = `resume.${scope}`;
      await publishThroughOutbox(
        db,
        Array.from({ length: 10 }, (_, i) => sampleEvent(subject, i)),
      );
      const seen: number[] = [];
      const observer: ConsumerObserver = {
        applied: (e) => void seen.push(Number((e.data as { description: string }).description)),
        duplicate: (e) => void seen.push(-Number((e.data as { description: string }).description) - 1),
      };
      const first = await consume('resume', group, observer);
      await eventually('the first 10', () => seen.length === 10);
      await first.stop();
      await publishThroughOutbox(
        db,
        Array.from({ length: 10 }, (_, i) => sampleEvent(subject, 10 + i)),
      );
      await consume('resume', group, observer);
      await eventually('the next 10', () => seen.length >= 20);
      await new Promise((r) => setTimeout(r, 500));
      // Nothing delivered twice after a clean stop: it resumed right after the 10th.
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });

    it('dead-letters a malformed message with its reason and goes on with the ones behind it', async () => {
      const subject = newSubject();
      const group = `dead.${scope}`;
      const good = Array.from({ length: 4 }, (_, i) => sampleEvent(subject, i));
      const badSchema = { ...good[1]!, data: { ...good[1]!.data, deadline: 'next week' } };
      await log.append([
        { topic: TOPICS.tasks, key: subject, value: encodeEvent(good[0]!) },
        { topic: TOPICS.tasks, key: subject, value: '{"this is": not json' },
        { topic: TOPICS.tasks, key: subject, value: JSON.stringify(badSchema) },
        { topic: TOPICS.tasks, key: subject, value: encodeEvent(good[1]!) },
        {
          topic: TOPICS.tasks,
          key: subject,
          value: JSON.stringify({ ...good[2]!, type: 'tasks.item.teleported' }),
        },
        { topic: TOPICS.tasks, key: subject, value: encodeEvent(good[3]!) },
      ]);
      const reader = await deadLetters(log, scope);
      closers.push(reader.stop);
      await consume('dead', group);
      const rows = await eventually('the 3 good events', async () => {
        const r = await effects(db, 'dead');
        return r.length === 3 ? r : undefined;
      });
      // good[2] travelled only as the unknown type, so it is among the letters, not the effects.
      expect(rows.map((r) => r.n)).toEqual([0, 1, 3]);
      const letters = await eventually('3 dead letters', () =>
        reader.letters.length >= 3 ? reader.letters : undefined,
      );
      expect(letters.map((l) => l.code)).toEqual(['event.invalid', 'event.invalid', 'event.invalid']);
      expect(letters[0]!.reason).toMatch(/not JSON/);
      expect(letters[1]!.reason).toMatch(/^invalid tasks\.item\.assigned v3: data\.deadline: /);
      expect(letters[2]!.reason).toMatch(/unknown event type tasks\.item\.teleported/);
      expect(letters.every((l) => l.group === group && l.topic === TOPICS.tasks)).toBe(true);
    });

    it('dead-letters an event its handler keeps failing on, after retries, and goes on', async () => {
      const subject = newSubject();
      const events = Array.from({ length: 3 }, (_, i) => sampleEvent(subject, i));
      await publishThroughOutbox(db, events);
      const reader = await deadLetters(log, scope);
      closers.push(reader.stop);
      const handled: number[] = [];
      let attempts = 0;
      const sub = await startConsumer({
        log,
        prisma: db.prisma,
        groupId: `failing.${scope}`,
        logger,
        retry: { attempts: 3, baseMs: 10 },
        handler: {
          name: 'failing',
          topics: [TOPICS.tasks],
          accepts: () => true,
          async handle(event) {
            const n = Number((event.data as { description: string }).description);
            if (n === 1) {
              attempts += 1;
              throw new Error('the unit’s archive is on fire');
            }
            handled.push(n);
          },
        },
      });
      closers.push(() => sub.stop());
      await eventually('events 0 and 2', () => handled.length === 2);
      expect(handled).toEqual([0, 2]);
      expect(attempts).toBe(3);
      const letters = await eventually('the dead letter', () =>
        reader.letters.length >= 1 ? reader.letters : undefined,
      );
      expect(letters[0]!.code).toBe('handler.failed');
      expect(letters[0]!.reason).toMatch(/3 times: the unit’s archive is on fire/);
    });

    it('retries a failing event of a batch alone: the events around it apply once, in order', async () => {
      const subject = newSubject();
      const events = Array.from({ length: 6 }, (_, i) => sampleEvent(subject, i));
      // One append: on either transport the six arrive together, as one batch.
      await log.append(events.map((e) => ({ topic: TOPICS.tasks, key: subject, value: encodeEvent(e) })));
      const calls = new Map<number, number>();
      const inner = contractHandler('split');
      const sub = await startConsumer({
        log,
        prisma: db.prisma,
        groupId: `split.${scope}`,
        logger,
        retry: { attempts: 5, baseMs: 10 },
        handler: {
          ...inner,
          async handle(event, tx) {
            const n = Number((event.data as { description: string }).description);
            calls.set(n, (calls.get(n) ?? 0) + 1);
            if (n === 2 && calls.get(n)! < 3) throw new Error('the archive is busy');
            await inner.handle(event, tx);
          },
        },
      });
      closers.push(() => sub.stop());
      const rows = await eventually('all 6 effects', async () => {
        const r = await effects(db, 'split');
        return r.length === 6 ? r : undefined;
      });
      expect(rows.map((r) => r.n)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(Object.fromEntries(calls)).toEqual({ 0: 1, 1: 1, 2: 3, 3: 1, 4: 1, 5: 1 });
    });

    it('dead-letters the second copy of an event in one batch as a replay and applies the first', async () => {
      const subject = newSubject();
      const [a, b] = [sampleEvent(subject, 0), sampleEvent(subject, 1)];
      await log.append([a, a, b].map((e) => ({ topic: TOPICS.tasks, key: subject, value: encodeEvent(e!) })));
      const reader = await deadLetters(log, scope);
      closers.push(reader.stop);
      await consume('replay', `replay.${scope}`);
      const rows = await eventually('2 effects', async () => {
        const r = await effects(db, 'replay');
        return r.length === 2 ? r : undefined;
      });
      expect(rows.map((r) => r.n)).toEqual([0, 1]);
      const letters = await eventually('the replay letter', () =>
        reader.letters.length >= 1 ? reader.letters : undefined,
      );
      expect(letters.map((l) => l.code)).toEqual(['event.replayed']);
    });

    it('loses nothing published while the log is unreachable, once it returns', async () => {
      const upstream = harness.upstream(db);
      const proxy = new CuttableProxy(upstream.host, upstream.port);
      const port = await proxy.up();
      await proxy.down();
      closers.push(() => proxy.down());
      const cutLog = harness.createVia(db, scope, port);
      closers.push(() => cutLog.close());
      await relay.stop(); // only the relay behind the proxy publishes in this test
      const cutRelay = new OutboxRelay({
        pool: db.pool,
        url: db.url,
        log: cutLog,
        logger,
        pollMs: 100,
        retryMaxMs: 500,
      });
      await cutRelay.start();
      closers.push(() => cutRelay.stop());

      const subject = newSubject();
      await publishThroughOutbox(
        db,
        Array.from({ length: 20 }, (_, i) => sampleEvent(subject, i)),
      );
      await eventually('the relay to report the log unreachable', () => !cutRelay.healthy, {
        timeoutMs: 45_000,
      });
      const waiting = await db.prisma.outboxEvent.count({ where: { publishedAt: null } });
      expect(waiting).toBe(20);

      await proxy.up();
      await eventually(
        'the outbox to drain',
        async () => (await db.prisma.outboxEvent.count({ where: { publishedAt: null } })) === 0,
        {
          timeoutMs: 60_000,
        },
      );
      await consume('outage', `outage.${scope}`);
      const rows = await eventually('all 20 effects', async () => {
        const r = await effects(db, 'outage');
        return r.length === 20 ? r : undefined;
      });
      expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });
  });
}
