import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedEventLog } from '@duban/bus';
import type { EventHandler } from '@duban/bus';
import { migrate } from '@duban/db';
import type { FreshDatabase } from '@duban/db';
import { TOPICS } from '@duban/events';
import { HostedNodes, createLogger, systemClock } from '@duban/kit';
import { NodeProcessConfig, ProcessMetrics } from '@duban/runtime';
import { freshDatabase, testPostgres } from '@duban/testing';

/** The value of one series, as the registry would write it for a scrape. */
async function value(metrics: ProcessMetrics, name: string, labels: Record<string, string> = {}) {
  const metric = metrics.registry.getSingleMetric(name)!;
  const { values } = await metric.get();
  const wanted = Object.entries(labels);
  return values.find((v) => wanted.every(([k, l]) => v.labels[k] === l))?.value;
}

/** Past the exact-count limit, lag and pending timers are estimated instead of counted (ADR 0028). */
describe('metrics counts past the exact-count limit', () => {
  let db: FreshDatabase;
  let pool: pg.Pool;
  const logger = createLogger({ level: 'silent' });
  const handler: EventHandler = {
    name: 'tasks',
    topics: [TOPICS.tasks],
    accepts: () => true,
    handle: async () => {},
  };
  const metricsWith = (exactCountLimit: number) => {
    const m = new ProcessMetrics({
      config: NodeProcessConfig.parse({}),
      log: new EmbeddedEventLog({ pool, url: db.url, logger }),
      pool,
      logPool: pool,
      hosted: new HostedNodes(['county']),
      clock: systemClock,
      logger,
      exactCountLimit,
    });
    m.watch([handler], 'county');
    return m;
  };

  beforeAll(async () => {
    db = await freshDatabase(testPostgres(), 'metrics_counts');
    await migrate(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    // 30 tasks records with 20 other-topic records between them; the group has done the first 5.
    await pool.query(
      `INSERT INTO log_record (topic, key, value)
      SELECT CASE WHEN g % 5 IN (0, 1) THEN $1 ELSE $2 END, 'k', 'v' FROM generate_series(1, 50) g`,
      [TOPICS.scoring, TOPICS.tasks],
    );
    const { rows } = await pool.query<{ at: string }>(
      'SELECT seq::text AS at FROM log_record WHERE topic = $1 ORDER BY seq LIMIT 1 OFFSET 4',
      [TOPICS.tasks],
    );
    await pool.query(
      `INSERT INTO consumer_offset (group_id, topic, position) VALUES ('tasks@county', $1, $2)`,
      [TOPICS.tasks, rows[0]!.at],
    );
    await pool.query(`INSERT INTO timer (id, node_id, item_id, kind, level, round, due_at, created_at)
      SELECT gen_random_uuid(), 'county', gen_random_uuid(), 'progress', 0, 0, now() + interval '1 day', now()
        FROM generate_series(1, 40)`);
    await pool.query('ANALYZE timer');
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await db?.drop().catch(() => undefined);
  });

  it('counts exactly within the limit', async () => {
    const m = metricsWith(1000);
    expect(await value(m, 'duban_consumer_lag', { group: 'tasks@county', topic: TOPICS.tasks })).toBe(25);
    expect(await value(m, 'duban_timers_pending')).toBe(40);
    await m.close();
  });

  it('past it: the lag is the sequence distance (an upper bound), the pending timers PostgreSQL’s estimate', async () => {
    const m = metricsWith(10);
    const { rows } = await pool.query<{ last: string; position: string }>(
      `SELECT (SELECT max(seq) FROM log_record WHERE topic = $1)::text AS last,
              (SELECT position FROM consumer_offset WHERE group_id = 'tasks@county')::text AS position`,
      [TOPICS.tasks],
    );
    const distance = Number(rows[0]!.last) - Number(rows[0]!.position);
    expect(distance).toBeGreaterThan(25);
    expect(await value(m, 'duban_consumer_lag', { group: 'tasks@county', topic: TOPICS.tasks })).toBe(
      distance,
    );
    // The 40 rows are past the limit of 10: what comes back is PostgreSQL's estimate, which a
    // different figure written into pg_class shows is read rather than counted.
    await pool.query(`UPDATE pg_class SET reltuples = 123456 WHERE oid = 'timer'::regclass`);
    expect(await value(m, 'duban_timers_pending')).toBe(123456);
    await m.close();
  });
});
