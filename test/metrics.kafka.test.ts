import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestSignIn } from '@duban/auth/testing';
import type { FreshDatabase } from '@duban/db';
import { TOPICS } from '@duban/events';
import { allServices } from '@duban/host';
import { createLogger } from '@duban/kit';
import { NodeProcessConfig, runCli, startNodeProcess } from '@duban/runtime';
import type { RunningNode } from '@duban/runtime';
import {
  describeWhenAvailable,
  eventually,
  freshDatabase,
  freshTopicPrefix,
  kafkaRequired,
  testKafka,
  testPostgres,
} from '@duban/testing';
import { scrape } from './metricsScrape';
import type { Families } from './metricsScrape';

const DAY = 24 * 3600_000;
const kafka = testKafka();

describeWhenAvailable(
  '/metrics and pnpm duban dead-letters on Kafka',
  'unavailable' in kafka ? kafka.unavailable : undefined,
  kafkaRequired(),
  () => {
    const brokers = 'brokers' in kafka ? kafka.brokers : [];
    const prefix = freshTopicPrefix('metrics');
    let db: FreshDatabase;
    let host: RunningNode;
    let url: string;
    let admin: pg.Pool;
    const env = () => ({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
    });
    const start = async () => {
      host = await startNodeProcess({
        config: NodeProcessConfig.parse({
          ...env(),
          DUBAN_NODES: 'county',
          DATABASE_POOL_SIZE: '3',
          LOG_LEVEL: 'silent',
        }),
        services: allServices({ REMINDER_POLL_MS: 60_000 }),
        title: 'metrics-kafka',
        logger: createLogger({ level: 'silent' }),
      });
      url = await host.app.listen({ host: '127.0.0.1', port: 0 });
    };
    const signIn = new TestSignIn(() => ({ url, auth: host.ctx.auth }));
    const assign = async (title: string) => {
      const r = await fetch(`${url}/nodes/county/tasks/items`, {
        method: 'POST',
        headers: { ...(await signIn.headers('county')), 'content-type': 'application/json' },
        body: JSON.stringify({
          title,
          kind: 'annual-target',
          deadline: new Date(Date.now() + 20 * DAY).toISOString(),
          assignee: 'unit-001',
        }),
      });
      expect(r.status).toBe(201);
    };
    const metrics = (): Promise<Families> => scrape(`${url}/metrics`);
    /** A group's lag on duban.tasks, summed over the topic's partitions (each has its own series). */
    const lag = (m: Families, group: string) => {
      const series = m
        .get('duban_consumer_lag')!
        .metrics.filter((s) => s.labels.group === group && s.labels.topic === TOPICS.tasks);
      return series.length === 0 ? undefined : series.reduce((sum, s) => sum + Number(s.value), 0);
    };
    const cli = async (...args: string[]) => {
      const lines: string[] = [];
      const code = await runCli(['dead-letters', ...args], (l) => lines.push(l), env());
      return { code, out: lines.join('\n') };
    };
    const sum = (m: Families, name: string, labels: Record<string, string>) =>
      (m.get(name)?.metrics ?? [])
        .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((total, s) => total + Number(s.value), 0);

    beforeAll(async () => {
      db = await freshDatabase(testPostgres(), 'metrics_kafka');
      admin = new pg.Pool({ connectionString: db.url, max: 1 });
      await start();
    }, 180_000);
    afterAll(async () => {
      await host?.close();
      await admin?.end();
      await db?.drop().catch(() => undefined);
    });

    it('reports lag per partition from the broker: it rises while a group is stopped and falls once it catches up', async () => {
      await assign('整治县城违法建设');
      await host.delivery.flushed();
      await eventually(
        'notifications@county is caught up',
        async () => lag(await metrics(), 'notifications@county') === 0,
        {
          timeoutMs: 60_000,
        },
      );
      const partitions = (await metrics())
        .get('duban_consumer_lag')!
        .metrics.filter((s) => s.labels.group === 'notifications@county' && s.labels.topic === TOPICS.tasks)
        .map((s) => s.labels.partition)
        .sort();
      expect(partitions).toEqual(['0', '1', '2', '3', '4', '5']);

      await host.delivery.subscriptions.find((s) => s.groupId === 'notifications@county')!.stop();
      await assign('完成高标准农田建设');
      await assign('清理河道');
      await host.delivery.flushed();
      await eventually(
        'the stopped group lags by the two new assignments',
        async () => (lag(await metrics(), 'notifications@county') ?? 0) >= 2,
      );
      // The groups still running keep up.
      await eventually('tasks@county is caught up', async () => lag(await metrics(), 'tasks@county') === 0);

      // The same host again (same database, same groups): the group resumes from its committed offsets.
      await host.close();
      await start();
      await eventually(
        'the group catches up after the restart',
        async () => lag(await metrics(), 'notifications@county') === 0,
        {
          timeoutMs: 60_000,
        },
      );
    });

    it('counts dead letters by code; the CLI reads them from the topic and replays one, once', async () => {
      const records = async () => sum(await metrics(), 'duban_dead_letter_topic_records', {});
      const before = await records();
      await host.log.append([{ topic: TOPICS.tasks, key: 'junk', value: 'not an event' }]);
      const m = await eventually('the junk is dead-lettered and counted', async () => {
        const m = await metrics();
        return sum(m, 'duban_dead_lettered_total', { code: 'event.invalid' }) >= 4 && m;
      });
      // One letter per consumer group of duban.tasks on this host.
      expect(sum(m, 'duban_dead_lettered_total', { group: 'tasks@county', code: 'event.invalid' })).toBe(1);
      await eventually('the topic holds them', async () => (await records()) >= before + 4);

      const listed = await cli('list', '--code', 'event.invalid');
      expect(listed.code).toBe(0);
      const rows = listed.out.split('\n');
      expect(rows.length).toBeGreaterThanOrEqual(4);
      expect(rows.every((r) => / {2}event\.invalid {2}/.test(r))).toBe(true);
      const id = rows.find((r) => r.includes('tasks@county'))!.split(' ')[0]!;
      expect(id).toMatch(/^\d+:\d+$/);
      const shown = JSON.parse((await cli('show', id)).out) as { code: string; group: string; value: string };
      expect(shown).toMatchObject({ code: 'event.invalid', group: 'tasks@county', value: 'not an event' });

      const dead = await records();
      expect((await cli('replay', id, '--by', 'ops')).code).toBe(0);
      // Still not an event: every group on the topic sets it aside again.
      await eventually('the replay is dead-lettered again', async () => (await records()) >= dead + 4, {
        timeoutMs: 60_000,
      });
      const again = await cli('replay', id);
      expect(again.code).toBe(1);
      expect(again.out).toMatch(/refused: .* was replayed already .*by ops/);
      const { rows: replays } = await admin.query<{ transport: string; letter_id: string }>(
        'SELECT transport, letter_id FROM dead_letter_replay',
      );
      expect(replays).toEqual([{ transport: 'kafka', letter_id: id }]);
    }, 120_000);
  },
);
