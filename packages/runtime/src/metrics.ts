import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { KafkaEventLog } from '@duban/bus';
import type { ConsumerObserver, EventHandler, EventLog } from '@duban/bus';
import { TOPICS } from '@duban/events';
import { AppError } from '@duban/kit';
import type { Clock, HostedNodes, HttpApp, Logger, RequestSample } from '@duban/kit';
import type { NodeProcessConfig } from './config';
import { KafkaAdmin } from './kafkaAdmin';

/**
 * Every metric a duban process exposes at /metrics (docs/decisions/0028). Gauges about the database
 * and the log are computed when Prometheus scrapes, from the tables and the broker themselves: no
 * loop polls them, and a process that is not scraped pays nothing.
 */
export const METRIC_NAMES = [
  'duban_http_request_duration_seconds',
  'duban_consumer_lag',
  'duban_outbox_pending',
  'duban_outbox_oldest_pending_age_seconds',
  'duban_dead_letters',
  'duban_dead_lettered_total',
  'duban_dead_letter_topic_records',
  'duban_timers_pending',
  'duban_timers_due',
  'duban_timers_lateness_seconds',
  'duban_notification_deliveries',
  'duban_notification_deliveries_retrying',
  'duban_audit_chain_seq',
  'duban_audit_chain_head_info',
  'duban_metrics_collector_errors_total',
] as const;

/** A scrape's collectors answer within this, or their series are left out of that scrape. */
export const COLLECT_TIMEOUT_MS = 2000;
/** Two scrapes this close together (two Prometheus servers, a dashboard refresh) share one query. */
export const COLLECT_CACHE_MS = 1500;

/**
 * Counting is exact up to this many rows; above it a scrape would spend most of a second counting
 * (1,000,000 timers: 0.4 s on the reference machine), so it reports a cheap estimate instead.
 */
export const EXACT_COUNT_LIMIT = 100_000;

/**
 * The group and the code of a dead letter as the consumers write it (JSON.stringify of DeadLetter:
 * `{"group":…,"code":…,…}`), as PostgreSQL regular expressions.
 */
export const LETTER_GROUP = '^\\{"group":"((?:[^"\\\\]|\\\\.)*)"';
export const LETTER_CODE = '^\\{"group":"(?:[^"\\\\]|\\\\.)*","code":"([^"\\\\]*)"';

/** Delivery statuses still in play; `sent` and `digested` rows are history and are not counted. */
const OPEN_DELIVERY_STATUSES = ['held', 'pending', 'sending', 'dead'];

export interface ProcessMetricsOptions {
  config: NodeProcessConfig;
  log: EventLog;
  /** The node's database (outbox, timers, deliveries, audit). */
  pool: pg.Pool;
  /** The embedded log's database (log_record, consumer_offset): the node's own unless shared. */
  logPool: pg.Pool;
  hosted: HostedNodes;
  clock: Clock;
  logger: Logger;
  /** Rows counted exactly before an estimate is used (default EXACT_COUNT_LIMIT; tests lower it). */
  exactCountLimit?: number;
}

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/**
 * One query (or broker round trip) behind one or more gauges: at most one in flight, its answer
 * reused for COLLECT_CACHE_MS, and a scrape waits for it at most COLLECT_TIMEOUT_MS (a slow broker
 * or a locked table cannot hang the scrape; it drops those series and counts the error).
 */
class Source<T> {
  private value: { at: number; data: T } | undefined;
  private inflight: Promise<T> | undefined;

  constructor(
    readonly name: string,
    private readonly load: () => Promise<T>,
    private readonly onError: (name: string, error: unknown) => void,
  ) {}

  async get(): Promise<T | undefined> {
    if (this.value && Date.now() - this.value.at < COLLECT_CACHE_MS) return this.value.data;
    this.inflight ??= this.load()
      .then((data) => {
        this.value = { at: Date.now(), data };
        return data;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.inflight,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${this.name} took over ${COLLECT_TIMEOUT_MS} ms`)),
            COLLECT_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      this.onError(this.name, error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The metrics of one process: its registry, the HTTP and consumer hooks, and the /metrics route. */
export class ProcessMetrics {
  readonly registry = new Registry();
  private readonly http: Histogram<'method' | 'route' | 'status_class'>;
  private readonly deadLettered: Counter<'group' | 'code'>;
  private readonly errors: Counter<'collector'>;
  private readonly kafka: KafkaAdmin | undefined;
  private consumers: Array<{ group: string; topics: readonly string[] }> = [];
  private readonly exactCountLimit: number;

  constructor(private readonly options: ProcessMetricsOptions) {
    const { registry } = this;
    this.exactCountLimit = options.exactCountLimit ?? EXACT_COUNT_LIMIT;
    collectDefaultMetrics({ register: registry });
    this.kafka =
      options.log instanceof KafkaEventLog
        ? new KafkaAdmin(options.config, `duban-metrics-${options.hosted.hostId}`)
        : undefined;

    this.http = new Histogram({
      name: 'duban_http_request_duration_seconds',
      help: 'HTTP requests answered, by method, route pattern (never the raw URL) and status class',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: 'duban_dead_lettered_total',
      help: 'Messages this process’s consumers dead-lettered since it started, by group and code',
      labelNames: ['group', 'code'],
      registers: [registry],
    });
    this.errors = new Counter({
      name: 'duban_metrics_collector_errors_total',
      help: 'Scrapes in which a collector failed or timed out, its series left out (counted from the next scrape on)',
      labelNames: ['collector'],
      registers: [registry],
    });
    const onError = (name: string, error: unknown) => {
      this.errors.inc({ collector: name });
      options.logger.warn({ err: error, collector: name }, 'metrics collector failed');
      if (name === 'lag' || name === 'dead_letters') void this.kafka?.reset();
    };

    const lag = new Source('lag', () => this.lag(), onError);
    this.gauge(
      'duban_consumer_lag',
      'Messages on the log not yet consumed, per group, topic and partition',
      ['group', 'topic', 'partition'],
      async () => lag.get(),
    );

    const outbox = new Source('outbox', () => this.outbox(), onError);
    this.gauge('duban_outbox_pending', 'Outbox rows not yet published to the log', [], async () => {
      const o = await outbox.get();
      return o && [{ labels: {}, value: o.pending }];
    });
    this.gauge(
      'duban_outbox_oldest_pending_age_seconds',
      'Age of the oldest unpublished outbox row (0 when none)',
      [],
      async () => {
        const o = await outbox.get();
        return o && [{ labels: {}, value: o.oldestAgeSeconds }];
      },
    );

    const letters = new Source('dead_letters', () => this.deadLetters(), onError);
    this.gauge(
      'duban_dead_letters',
      'Dead letters on the embedded log written by this process’s consumer groups, by code (embedded log only)',
      ['code'],
      async () => (await letters.get())?.byCode,
    );
    this.gauge(
      'duban_dead_letter_topic_records',
      'Records on the dead-letter topic, from every host (Kafka: retained records)',
      [],
      async () => {
        const l = await letters.get();
        return l && [{ labels: {}, value: l.topicRecords }];
      },
    );

    const timers = new Source('timers', () => this.timers(), onError);
    this.gauge('duban_timers_pending', 'Reminder timers not yet fired or cancelled', [], async () => {
      const t = await timers.get();
      return t && [{ labels: {}, value: t.pending }];
    });
    this.gauge(
      'duban_timers_due',
      'Pending timers already due, not yet fired (counted up to one more than the exact-count limit, 100,000)',
      [],
      async () => {
        const t = await timers.get();
        return t && [{ labels: {}, value: t.due }];
      },
    );
    this.gauge(
      'duban_timers_lateness_seconds',
      'How long the oldest due pending timer has been due (0 when none is due)',
      [],
      async () => {
        const t = await timers.get();
        return t && [{ labels: {}, value: t.latenessSeconds }];
      },
    );

    const deliveries = new Source('deliveries', () => this.deliveries(), onError);
    this.gauge(
      'duban_notification_deliveries',
      'Notification deliveries not yet sent, by status (held, pending, sending, dead) and channel',
      ['status', 'channel'],
      async () => (await deliveries.get())?.byStatus,
    );
    this.gauge(
      'duban_notification_deliveries_retrying',
      'Pending deliveries that failed at least once and wait for their next attempt, by channel',
      ['channel'],
      async () => (await deliveries.get())?.retrying,
    );

    const audit = new Source('audit', () => this.audit(), onError);
    this.gauge(
      'duban_audit_chain_seq',
      'Sequence number of the head of each hosted node’s audit chain',
      ['node'],
      async () => (await audit.get())?.map((a) => ({ labels: { node: a.node }, value: a.seq })),
    );
    this.gauge(
      'duban_audit_chain_head_info',
      'The head hash of each hosted node’s audit chain (value 1; the hash is the label)',
      ['node', 'hash'],
      async () => (await audit.get())?.map((a) => ({ labels: { node: a.node, hash: a.hash }, value: 1 })),
    );
  }

  /** The consumer groups whose lag is reported: one per handler, named as startDelivery names them. */
  watch(handlers: readonly EventHandler[], hostId: string): void {
    this.consumers = handlers.map((h) => ({ group: `${h.name}@${hostId}`, topics: h.topics }));
  }

  /** For startDelivery's consumers. */
  readonly observer: ConsumerObserver = {
    deadLettered: (letter) => this.deadLettered.inc({ group: letter.group, code: letter.code }),
  };

  /** For createHttpApp's onResponse. */
  readonly observeRequest = (sample: RequestSample): void => {
    this.http.observe(
      {
        method: sample.method,
        // Unmatched URLs (404s, scanners) all share one label value: the label set stays bounded.
        route: sample.route ?? 'unmatched',
        status_class: `${Math.floor(sample.statusCode / 100)}xx`,
      },
      sample.seconds,
    );
  };

  /** GET /metrics, public like /healthz unless DUBAN_METRICS_TOKEN asks for a bearer token. */
  mount(app: HttpApp): void {
    const token = this.options.config.DUBAN_METRICS_TOKEN;
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (token !== undefined && request.headers.authorization !== `Bearer ${token}`)
        throw new AppError(
          'unauthenticated',
          'metrics.token_required',
          'GET /metrics needs the metrics bearer token',
        );
      const body = await this.registry.metrics();
      return reply.type(this.registry.contentType).send(body);
    });
  }

  async close(): Promise<void> {
    await this.kafka?.close();
  }

  private gauge(
    name: string,
    help: string,
    labelNames: readonly string[],
    samples: () => Promise<Sample[] | undefined>,
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        // Series that disappeared (a node's head moved) go too.
        this.reset();
        const found = await samples();
        // A collector that failed leaves its series out: an unlabelled gauge would read 0, which
        // looks healthy (an empty outbox) exactly when nobody can tell.
        if (found === undefined && labelNames.length === 0) this.remove();
        for (const s of found ?? []) this.set(s.labels, s.value);
      },
    });
  }

  private async lag(): Promise<Sample[]> {
    const pairs = this.consumers.flatMap((c) => c.topics.map((topic) => ({ group: c.group, topic })));
    if (pairs.length === 0) return [];
    const { log } = this.options;
    if (log instanceof KafkaEventLog) {
      const admin = await this.kafka!.get();
      const topics = [...new Set(pairs.map((p) => p.topic))];
      const heads = new Map<string, Array<{ partition: number; high: string; low: string }>>();
      await Promise.all(
        topics.map(async (t) => heads.set(t, await admin.fetchTopicOffsets(log.physical(t)))),
      );
      const samples: Sample[] = [];
      for (const c of this.consumers) {
        const committed = await admin.fetchOffsets({
          groupId: log.physicalGroup(c.group),
          topics: c.topics.map((t) => log.physical(t)),
        });
        for (const entry of committed) {
          const topic = log.logical(entry.topic);
          const partitions = new Map(entry.partitions.map((p) => [p.partition, p.offset]));
          for (const head of heads.get(topic) ?? []) {
            const offset = partitions.get(head.partition);
            // No commit yet: the group starts from the beginning, so all that is retained is behind.
            const from = offset === undefined || offset === '-1' ? head.low : offset;
            samples.push({
              labels: { group: c.group, topic, partition: String(head.partition) },
              value: Math.max(0, Number(BigInt(head.high) - BigInt(from))),
            });
          }
        }
      }
      return samples;
    }
    // The embedded log has one global sequence: a group's lag on a topic is the topic's records
    // after the group's committed position (partition 0, as the log reports it to consumers),
    // counted up to EXACT_COUNT_LIMIT; further behind, the sequence distance to the topic's last
    // record (an upper bound: other topics' records in between count too).
    const { rows } = await this.options.logPool.query<{ group_id: string; topic: string; lag: string }>(
      `SELECT p.group_id, p.topic,
              CASE WHEN c.n > $3
                   THEN (SELECT max(seq) FROM log_record r WHERE r.topic = p.topic) - COALESCE(o.position, 0)
                   ELSE c.n END AS lag
         FROM unnest($1::text[], $2::text[]) AS p(group_id, topic)
         LEFT JOIN consumer_offset o ON o.group_id = p.group_id AND o.topic = p.topic
         CROSS JOIN LATERAL (
           SELECT count(*) AS n FROM (
             SELECT 1 FROM log_record r WHERE r.topic = p.topic AND r.seq > COALESCE(o.position, 0) LIMIT $3 + 1
           ) behind
         ) c`,
      [pairs.map((p) => p.group), pairs.map((p) => p.topic), this.exactCountLimit],
    );
    return rows.map((r) => ({
      labels: { group: r.group_id, topic: r.topic, partition: '0' },
      value: Number(r.lag),
    }));
  }

  private async outbox(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const { rows } = await this.options.pool.query<{ pending: string; oldest: Date | null }>(
      `SELECT count(*) AS pending, min(created_at) AS oldest FROM outbox_event WHERE published_at IS NULL`,
    );
    const oldest = rows[0]?.oldest;
    return {
      pending: Number(rows[0]?.pending ?? 0),
      // Wall-clock time: created_at is the database's now(), not the (possibly virtual) process clock.
      oldestAgeSeconds: oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0,
    };
  }

  private async deadLetters(): Promise<{ byCode: Sample[] | undefined; topicRecords: number }> {
    const { log } = this.options;
    if (log instanceof KafkaEventLog) {
      const admin = await this.kafka!.get();
      const offsets = await admin.fetchTopicOffsets(log.physical(TOPICS.deadLetters));
      const records = offsets.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
      // Codes would take reading the topic: on Kafka they come from duban_dead_lettered_total.
      return { byCode: undefined, topicRecords: records };
    }
    // Read with patterns, not a jsonb cast: anyone who can append to the log can put bytes on the
    // dead-letter topic too, and one row that is not JSON would fail every scrape's cast.
    const { rows } = await this.options.logPool.query<{ code: string | null; grp: string | null; n: string }>(
      `SELECT substring(value from $2) AS code, substring(value from $3) AS grp, count(*) AS n
         FROM log_record WHERE topic = $1 GROUP BY 1, 2`,
      [TOPICS.deadLetters, LETTER_CODE, LETTER_GROUP],
    );
    const groups = new Set(this.consumers.map((c) => c.group));
    const byCode = new Map<string, number>();
    for (const r of rows)
      if (r.grp !== null && groups.has(r.grp))
        byCode.set(r.code ?? 'unknown', (byCode.get(r.code ?? 'unknown') ?? 0) + Number(r.n));
    return {
      byCode: [...byCode].map(([code, value]) => ({ labels: { code }, value })),
      topicRecords: rows.reduce((sum, r) => sum + Number(r.n), 0),
    };
  }

  private async timers(): Promise<{ pending: number; due: number; latenessSeconds: number }> {
    const now = this.options.clock.now();
    const { rows } = await this.options.pool.query<{ pending: string; due: string; oldest: Date | null }>(
      // Exact while the table is small; PostgreSQL's row estimate (kept by autovacuum) once it is large.
      `SELECT (SELECT CASE WHEN c.reltuples > $2 THEN c.reltuples::bigint ELSE (SELECT count(*) FROM timer) END
                 FROM pg_class c WHERE c.oid = 'timer'::regclass) AS pending,
              (SELECT count(*) FROM (SELECT 1 FROM timer WHERE due_at <= $1 LIMIT $2 + 1) d) AS due,
              (SELECT min(due_at) FROM timer) AS oldest`,
      [now, this.exactCountLimit],
    );
    const oldest = rows[0]?.oldest;
    return {
      pending: Number(rows[0]?.pending ?? 0),
      due: Number(rows[0]?.due ?? 0),
      // The scheduler's clock, not the wall's: a virtual clock's timers are late by its time.
      latenessSeconds: oldest && oldest <= now ? (now.getTime() - oldest.getTime()) / 1000 : 0,
    };
  }

  private async deliveries(): Promise<{ byStatus: Sample[]; retrying: Sample[] }> {
    const { rows } = await this.options.pool.query<{
      status: string;
      channel: string;
      n: string;
      retrying: string;
    }>(
      `SELECT status, channel, count(*) AS n, count(*) FILTER (WHERE status = 'pending' AND attempts > 0) AS retrying
         FROM notification_delivery WHERE status = ANY($1::text[]) GROUP BY status, channel`,
      [OPEN_DELIVERY_STATUSES],
    );
    const retrying = new Map<string, number>();
    for (const r of rows) retrying.set(r.channel, (retrying.get(r.channel) ?? 0) + Number(r.retrying));
    return {
      byStatus: rows.map((r) => ({ labels: { status: r.status, channel: r.channel }, value: Number(r.n) })),
      retrying: [...retrying].map(([channel, value]) => ({ labels: { channel }, value })),
    };
  }

  private async audit(): Promise<Array<{ node: string; seq: number; hash: string }>> {
    // One index probe per hosted node (the primary key is (node, seq)).
    const { rows } = await this.options.pool.query<{ node: string; seq: string; hash: string }>(
      `SELECT n.node, h.seq::text AS seq, h.hash
         FROM unnest($1::text[]) AS n(node)
         CROSS JOIN LATERAL (
           SELECT seq, hash FROM audit_record a WHERE a.node = n.node ORDER BY seq DESC LIMIT 1
         ) h`,
      [this.options.hosted.list()],
    );
    return rows.map((r) => ({ node: r.node, seq: Number(r.seq), hash: r.hash }));
  }
}
