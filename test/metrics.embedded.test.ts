import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSignIn } from '@duban/auth/testing';
import type { EventHandler } from '@duban/bus';
import type { FreshDatabase } from '@duban/db';
import { TOPICS, createEvent, encodeEvent } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import { allServices } from '@duban/host';
import { createLogger } from '@duban/kit';
import { COLLECT_TIMEOUT_MS, LETTER_CODE, NodeProcessConfig, runCli, startNodeProcess } from '@duban/runtime';
import type { RunningNode, ServiceModule } from '@duban/runtime';
import { eventually, freshDatabase, testPostgres } from '@duban/testing';
import { scrape, valueOf } from './metricsScrape';
import { startSingleHost } from './singleHost';
import type { SingleHost } from './singleHost';
import type { Families } from './metricsScrape';

const DAY = 24 * 3600_000;
const RELAY_LOCK = 0x6f757462; // the relay's advisory lock (packages/bus/src/outbox.ts)

/** A consumer whose handler fails while `broken`: a transient failure that a replay then gets past. */
function flakyService(): ServiceModule & { broken: boolean; applied: DubanEvent[] } {
  const service = {
    name: 'flaky',
    broken: false,
    applied: [] as DubanEvent[],
    register: () => undefined,
    handlers: (): EventHandler[] => [
      {
        name: 'flaky',
        topics: [TOPICS.tasks],
        accepts: (e) => e.type === 'tasks.item.assigned',
        handle: async (event) => {
          if (service.broken) throw new Error('the mail relay is down');
          service.applied.push(event);
        },
      },
    ],
  };
  return service;
}

describe('/metrics of a host process, and pnpm duban dead-letters', () => {
  let db: FreshDatabase;
  let host: RunningNode;
  let url: string;
  let admin: pg.Pool;
  /** Holds the notifications consumer's group, so that it stands by while lag builds up. */
  let groupHolder: pg.Client;
  const flaky = flakyService();
  const signIn = new TestSignIn(() => ({ url, auth: host.ctx.auth }));
  const get = async (path: string) =>
    fetch(`${url}/nodes/county${path}`, { headers: await signIn.headers('county') });
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${url}/nodes/county${path}`, {
      method: 'POST',
      headers: { ...(await signIn.headers('county')), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.status >= 300) throw new Error(`POST ${path} → ${r.status} ${await r.text()}`);
    return (await r.json()) as { item: { id: string } };
  };
  const assign = (title: string) =>
    post('/tasks/items', {
      title,
      kind: 'annual-target',
      deadline: new Date(Date.now() + 20 * DAY).toISOString(),
      assignee: 'unit-001',
    });
  const metrics = (): Promise<Families> => scrape(`${url}/metrics`);
  const cli = async (...args: string[]) => {
    const lines: string[] = [];
    const code = await runCli(['dead-letters', ...args], (l) => lines.push(l), { DATABASE_URL: db.url });
    return { code, out: lines.join('\n') };
  };
  /** The dead letters of one code on the log, with the event id of the message when it was one. */
  const lettersOf = async (code: string) =>
    (
      await admin.query<{ seq: string; value: string }>(
        `SELECT seq::text AS seq, value FROM log_record
          WHERE topic = $1 AND substring(value from $3) = $2 ORDER BY log_record.seq`,
        [TOPICS.deadLetters, code, LETTER_CODE],
      )
    ).rows.map((r) => {
      const letter = JSON.parse(r.value) as { group: string; value: string | null };
      let event: string | undefined;
      try {
        event = (JSON.parse(letter.value ?? 'null') as { id?: string } | null)?.id;
      } catch {
        event = undefined;
      }
      return { seq: r.seq, group: letter.group, event };
    });

  beforeAll(async () => {
    db = await freshDatabase(testPostgres(), 'metrics');
    admin = new pg.Pool({ connectionString: db.url, max: 2 });
    // The host migrates the database; the group lock needs no table, so take it first.
    groupHolder = new pg.Client({ connectionString: db.url });
    await groupHolder.connect();
    await groupHolder.query('SELECT pg_advisory_lock(hashtext($1))', ['duban.group:notifications@county']);
    host = await startNodeProcess({
      config: NodeProcessConfig.parse({
        DATABASE_URL: db.url,
        DUBAN_NODES: 'county',
        DATABASE_POOL_SIZE: '3',
        LOG_LEVEL: 'silent',
      }),
      services: [...allServices({ REMINDER_POLL_MS: 60_000 }), flaky],
      title: 'metrics',
      logger: createLogger({ level: 'silent' }),
    });
    url = await host.app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);

  afterAll(async () => {
    await groupHolder?.end().catch(() => undefined);
    await host?.close();
    await admin?.end();
    await db?.drop().catch(() => undefined);
  });

  it('counts requests by route pattern, method and status class, with default process metrics', async () => {
    expect((await get('/tasks/items')).status).toBe(200);
    expect((await get('/tasks/items')).status).toBe(200);
    expect(
      (await fetch(`${url}/no/such/route/123`, { headers: await signIn.headers('county') })).status,
    ).toBe(404);
    const m = await metrics();
    expect(m.get('duban_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    const items = { method: 'GET', route: '/nodes/:nodeId/tasks/items', status_class: '2xx' };
    expect(valueOf(m, 'duban_http_request_duration_seconds_count', items)).toBeGreaterThanOrEqual(2);
    expect(valueOf(m, 'duban_http_request_duration_seconds_bucket', { ...items, le: '+Inf' })).toBe(
      valueOf(m, 'duban_http_request_duration_seconds_count', items),
    );
    expect(valueOf(m, 'duban_http_request_duration_seconds_sum', items)).toBeGreaterThan(0);
    expect(
      valueOf(m, 'duban_http_request_duration_seconds_count', {
        method: 'GET',
        route: 'unmatched',
        status_class: '4xx',
      }),
    ).toBe(1);
    // Never a raw URL: no route label carries a concrete node id or path segment.
    const routes = m.get('duban_http_request_duration_seconds_count')!.metrics.map((s) => s.labels.route!);
    expect(routes).toContain('/nodes/:nodeId/tasks/items');
    expect(routes.filter((r) => r.includes('county') || r.includes('123'))).toEqual([]);
    expect(m.has('process_cpu_user_seconds_total')).toBe(true);
    expect(m.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('shows consumer lag rising while a group stands by, and falling once it catches up; timers pending', async () => {
    const lag = (m: Families, group: string) =>
      valueOf(m, 'duban_consumer_lag', { group, topic: TOPICS.tasks, partition: '0' });
    await assign('整治县城违法建设');
    await host.delivery.flushed();
    const first = await eventually('the held group lags', async () => {
      const m = await metrics();
      return (lag(m, 'notifications@county') ?? 0) >= 1 && m;
    });
    const before = lag(first, 'notifications@county')!;
    await assign('完成高标准农田建设');
    await host.delivery.flushed();
    await eventually(
      'its lag grows',
      async () => (lag(await metrics(), 'notifications@county') ?? 0) > before,
    );
    // A running group is not behind.
    await eventually('tasks@county keeps up', async () => lag(await metrics(), 'tasks@county') === 0);
    // Reminders armed for the county's two assignments.
    expect(valueOf(await metrics(), 'duban_timers_pending', {})).toBeGreaterThanOrEqual(2);
    expect(valueOf(await metrics(), 'duban_timers_lateness_seconds', {})).toBe(0);

    await groupHolder.query('SELECT pg_advisory_unlock(hashtext($1))', ['duban.group:notifications@county']);
    await eventually('the group catches up', async () => lag(await metrics(), 'notifications@county') === 0, {
      timeoutMs: 30_000,
    });
  });

  it('shows the outbox depth and its oldest row’s age while the relay cannot publish', async () => {
    expect(valueOf(await metrics(), 'duban_outbox_pending', {})).toBe(0);
    const relayHolder = await admin.connect();
    try {
      await relayHolder.query('SELECT pg_advisory_lock($1)', [RELAY_LOCK]);
      await assign('清理河道');
      await assign('修缮校舍');
      await new Promise((r) => setTimeout(r, COLLECT_WAIT_MS));
      const m = await metrics();
      expect(valueOf(m, 'duban_outbox_pending', {})).toBeGreaterThanOrEqual(2);
      expect(valueOf(m, 'duban_outbox_oldest_pending_age_seconds', {})).toBeGreaterThanOrEqual(1);
    } finally {
      await relayHolder.query('SELECT pg_advisory_unlock($1)', [RELAY_LOCK]);
      relayHolder.release();
    }
    await eventually(
      'the outbox drains',
      async () => valueOf(await metrics(), 'duban_outbox_pending', {}) === 0,
      {
        timeoutMs: 20_000,
      },
    );
    expect(valueOf(await metrics(), 'duban_outbox_oldest_pending_age_seconds', {})).toBe(0);
  });

  it('counts dead letters by code; the CLI lists, shows and replays a forged one, which stays dead', async () => {
    // Whoever can append to the log can put bytes on the dead-letter topic too: they break nothing.
    await host.log.append([
      { topic: TOPICS.deadLetters, key: null, value: 'not a letter' },
      { topic: TOPICS.deadLetters, key: null, value: '{"group":"tasks@nowhere","code":' },
    ]);
    // Bytes that are no event at all, and an unsigned "closure" in the county's name.
    await host.log.append([{ topic: TOPICS.tasks, key: 'junk', value: 'not an event' }]);
    const item = await assign('伪造测试');
    const forged = createEvent({
      type: 'tasks.item.closed',
      source: 'county',
      to: ['unit-001'],
      subject: item.item.id,
      time: new Date(),
      data: {
        itemId: item.item.id,
        assigner: 'county',
        assignee: 'unit-001',
        closedAt: new Date().toISOString(),
        comment: '伪造的办结',
        by: 'county:督查室',
      },
    });
    await host.log.append([{ topic: TOPICS.tasks, key: forged.subject, value: encodeEvent(forged) }]);
    const counted = await eventually('both dead-lettered and counted', async () => {
      const m = await metrics();
      return (
        (valueOf(m, 'duban_dead_letters', { code: 'event.invalid' }) ?? 0) >= 1 &&
        (valueOf(m, 'duban_dead_letters', { code: 'event.signature-invalid' }) ?? 0) >= 1 &&
        m
      );
    });
    const invalid = await lettersOf('event.invalid');
    expect(
      valueOf(counted, 'duban_metrics_collector_errors_total', { collector: 'dead_letters' }),
    ).toBeUndefined();
    expect(counted.get('duban_dead_letters')!.metrics.map((s) => s.labels.code)).not.toContain('unknown');
    expect(valueOf(counted, 'duban_dead_letters', { code: 'event.invalid' })).toBe(invalid.length);
    // The in-process counter agrees per group.
    for (const l of invalid)
      expect(valueOf(counted, 'duban_dead_lettered_total', { group: l.group, code: 'event.invalid' })).toBe(
        1,
      );
    expect(valueOf(counted, 'duban_dead_letter_topic_records', {})).toBeGreaterThanOrEqual(
      invalid.length + 1,
    );

    const forgedLetters = (await lettersOf('event.signature-invalid')).filter((l) => l.event === forged.id);
    expect(forgedLetters.length).toBeGreaterThanOrEqual(1);
    const id = forgedLetters[0]!.seq;
    const listed = await cli('list', '--code', 'event.signature-invalid');
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(`${id}  `);
    expect(listed.out).not.toContain('event.invalid ');
    // Newest first, by the log's order (numbers, not text).
    const all = (await cli('list', '--limit', '500')).out.split('\n').map((l) => Number(l.split(' ')[0]));
    expect(all.length).toBeGreaterThan(2);
    expect(all).toEqual([...all].sort((a, b) => b - a));
    expect(all[0]).toBe(Math.max(...(await lettersOf('event.invalid')).map((l) => Number(l.seq)), ...all));
    const shown = await cli('show', id);
    expect(shown.code).toBe(0);
    const letter = JSON.parse(shown.out) as { code: string; reason: string; topic: string; value: string };
    expect(letter).toMatchObject({ code: 'event.signature-invalid', topic: TOPICS.tasks });
    expect(letter.reason).toMatch(/not signed/);
    expect(JSON.parse(letter.value)).toMatchObject({ id: forged.id });

    const before = (await lettersOf('event.signature-invalid')).length;
    const replayed = await cli('replay', id, '--by', '测试员');
    expect(replayed).toMatchObject({ code: 0 });
    // Verified anew, refused anew, with the same code; the item stays open.
    await eventually(
      'the replayed forgery is dead-lettered again',
      async () =>
        (await lettersOf('event.signature-invalid')).filter((l) => l.event === forged.id).length >
        forgedLetters.length,
    );
    expect((await lettersOf('event.signature-invalid')).length).toBeGreaterThan(before);
    const closed = await admin.query(`SELECT 1 FROM item WHERE id = $1 AND status = 'closed'`, [
      item.item.id,
    ]);
    expect(closed.rowCount).toBe(0);

    const again = await cli('replay', id);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/refused: .* was replayed already .*by 测试员/);
    // Another group's letter of the same message is the same message: refused too.
    if (forgedLetters[1]) expect((await cli('replay', forgedLetters[1].seq)).code).toBe(1);
    expect((await cli('show', id)).out).toContain('"replayed_by": "测试员"');
    const forcedReplay = await cli('replay', id, '--force');
    expect(forcedReplay.code).toBe(0);
    const { rows } = await admin.query<{ forced: boolean }>(
      'SELECT forced FROM dead_letter_replay WHERE letter_id = $1 ORDER BY id',
      [id],
    );
    expect(rows.map((r) => r.forced)).toEqual([false, true]);
  });

  it('replays a letter that failed for a transient handler error: now it applies', async () => {
    flaky.broken = true;
    const { item } = await assign('临时故障');
    const failed = await eventually(
      'the flaky handler gives up and dead-letters it',
      async () => (await lettersOf('handler.failed')).find((l) => l.group === 'flaky@county'),
      { timeoutMs: 30_000 },
    );
    expect(flaky.applied.map((e) => e.subject)).not.toContain(item.id);
    flaky.broken = false;
    expect((await cli('replay', failed.seq)).code).toBe(0);
    await eventually('the replayed event applied', () => flaky.applied.some((e) => e.subject === item.id));
    expect(
      valueOf(await metrics(), 'duban_dead_lettered_total', {
        group: 'flaky@county',
        code: 'handler.failed',
      }),
    ).toBe(1);
  });

  it('answers a scrape within its deadline when a table is locked, leaving those series out', async () => {
    await new Promise((r) => setTimeout(r, COLLECT_WAIT_MS));
    const locker = await admin.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE outbox_event IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const m = await metrics();
      expect(Date.now() - started).toBeLessThan(COLLECT_TIMEOUT_MS + 1500);
      expect(m.get('duban_outbox_pending')!.metrics).toEqual([]);
      // The failure is counted once the scrape's counters were written: the next scrape shows it.
      const next = await metrics();
      expect(next.get('duban_outbox_pending')!.metrics).toEqual([]);
      expect(
        valueOf(next, 'duban_metrics_collector_errors_total', { collector: 'outbox' }),
      ).toBeGreaterThanOrEqual(1);
      // The other collectors answered.
      expect(valueOf(m, 'duban_timers_pending', {})).toBeGreaterThanOrEqual(1);
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    await eventually(
      'the outbox series is back',
      async () => valueOf(await metrics(), 'duban_outbox_pending', {}) === 0,
    );
  });

  it('reports each hosted node’s audit chain head and the deliveries not yet sent', async () => {
    await host.delivery.flushed();
    await new Promise((r) => setTimeout(r, COLLECT_WAIT_MS));
    const { rows } = await admin.query<{ seq: string; hash: string }>(
      `SELECT seq::text AS seq, hash FROM audit_record WHERE node = 'county' ORDER BY audit_record.seq DESC LIMIT 1`,
    );
    const m = await metrics();
    expect(valueOf(m, 'duban_audit_chain_seq', { node: 'county' })).toBe(Number(rows[0]!.seq));
    expect(valueOf(m, 'duban_audit_chain_head_info', { node: 'county', hash: rows[0]!.hash })).toBe(1);

    await admin.query(
      `INSERT INTO notification_delivery
         (id, node_id, dedupe_key, event_type, kind, subject, recipient, channel, address, title, body,
          status, attempts, next_attempt_at, created_at)
       VALUES (gen_random_uuid(), 'county', 'metrics-test-1', 'tasks.item.assigned', 'event', 's', 'p', 'email',
               'a@example.cn', 't', 'b', 'dead', 8, now(), now()),
              (gen_random_uuid(), 'county', 'metrics-test-2', 'tasks.item.assigned', 'event', 's', 'p', 'sms',
               '13800000000', 't', 'b', 'pending', 2, now() + interval '1 hour', now())`,
    );
    await new Promise((r) => setTimeout(r, COLLECT_WAIT_MS));
    const after = await metrics();
    expect(valueOf(after, 'duban_notification_deliveries', { status: 'dead', channel: 'email' })).toBe(1);
    expect(valueOf(after, 'duban_notification_deliveries_retrying', { channel: 'sms' })).toBe(1);
  });
});

describe('/metrics guarded by DUBAN_METRICS_TOKEN', () => {
  let single: SingleHost;
  let url: string;
  const TOKEN = 'scrape-token-0123456789';
  beforeAll(async () => {
    single = await startSingleHost('metrics_token', ['county'], { env: { DUBAN_METRICS_TOKEN: TOKEN } });
    url = await single.host.app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(async () => single?.close());

  it('answers 401 without the token or with another, and the metrics with it', async () => {
    const none = await fetch(`${url}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('metrics.token_required');
    expect(
      (await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
    ).toBe(401);
    const m = await scrape(`${url}/metrics`, { authorization: `Bearer ${TOKEN}` });
    expect(valueOf(m, 'duban_outbox_pending', {})).toBe(0);
    // A person's sign-in is not the scrape token.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

/** Longer than the collectors' cache, so the next scrape queries afresh. */
const COLLECT_WAIT_MS = 1600;
