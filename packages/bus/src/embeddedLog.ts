import pg from 'pg';
import type { Logger } from '@duban/kit';
import { DEFAULT_MAX_BATCH, batchCallback } from './eventLog';
import type { AppendRecord, EventLog, LogMessage, SubscribeOptions, Subscription } from './eventLog';

/** The advisory lock every append takes, so that `seq` order is commit order (see decision 0004). */
const APPEND_LOCK = 0x64756261; // 'duba'
const CHANNEL = 'duban_log';

export interface EmbeddedLogOptions {
  /** The pool that reaches the log's tables (log_record, consumer_offset). */
  pool: pg.Pool;
  /** The same server's URL: each subscription keeps one connection of its own to LISTEN on. */
  url: string;
  logger: Logger;
  /** Rows read per fetch; they go to the consumer in batches of its `maxBatch`. */
  batchSize?: number;
  /** Wake-ups come by NOTIFY; this poll only covers a notification lost with a dropped connection. */
  pollMs?: number;
}

/**
 * The embedded event log: PostgreSQL tables behind the same interface as Kafka, for one machine
 * with no broker. One global sequence (no partitions): order per key holds because order holds
 * for everything. A group is consumed by one member at a time (a session advisory lock);
 * a second member waits as a hot standby.
 */
export class EmbeddedEventLog implements EventLog {
  readonly transport = 'embedded' as const;
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly options: EmbeddedLogOptions) {}

  async ensureTopics(): Promise<void> {
    // Topics are a column here: nothing to create.
  }

  async append(records: readonly AppendRecord[]): Promise<void> {
    if (records.length === 0) return;
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
      await client.query(
        `INSERT INTO log_record (topic, key, value)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
        [records.map((r) => r.topic), records.map((r) => r.key), records.map((r) => r.value)],
      );
      await client.query(`SELECT pg_notify('${CHANNEL}', '')`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const subscription = new EmbeddedSubscription(this.options, options);
    this.subscriptions.add(subscription);
    void subscription.stopped.finally(() => this.subscriptions.delete(subscription)).catch(() => undefined);
    await subscription.start();
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
  }
}

class EmbeddedSubscription implements Subscription {
  readonly groupId: string;
  readonly stopped: Promise<void>;
  private resolveStopped!: () => void;
  private rejectStopped!: (error: unknown) => void;
  private running = true;
  private wake: (() => void) | undefined;
  private pendingWake = false;
  private client: pg.Client | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly log: EmbeddedLogOptions,
    private readonly options: SubscribeOptions,
  ) {
    this.groupId = options.groupId;
    this.stopped = new Promise<void>((resolve, reject) => {
      this.resolveStopped = resolve;
      this.rejectStopped = reject;
    });
    // A subscription that dies is reported through `stopped`; do not crash the process for it here.
    this.stopped.catch(() => undefined);
  }

  async start(): Promise<void> {
    this.loop = this.run().then(
      () => this.resolveStopped(),
      (error: unknown) => {
        this.log.logger.error({ err: error, group: this.groupId }, 'embedded subscription stopped');
        this.rejectStopped(error);
      },
    );
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.log.url });
    client.on('error', () => undefined); // surfaced by the next query instead
    await client.connect();
    client.on('notification', () => this.signal());
    await client.query(`LISTEN ${CHANNEL}`);
    return client;
  }

  private signal(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.pendingWake = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const pollMs = this.log.pollMs ?? 1000;
    const batchSize = this.log.batchSize ?? 500;
    const lockKey = `duban.group:${this.groupId}`;
    const onBatch = batchCallback(this.options);
    const maxBatch = this.options.maxBatch ?? DEFAULT_MAX_BATCH;
    try {
      this.client = await this.connect();
      // One member per group: wait as a standby while another holds the group.
      while (this.running) {
        const { rows } = await this.client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
          [lockKey],
        );
        if (rows[0]?.locked) break;
        await this.sleep(pollMs);
      }
      while (this.running) {
        const messages = await this.fetch(this.client, batchSize);
        if (messages.length === 0) {
          await this.sleep(pollMs);
          continue;
        }
        // A batch is a range of the sequence; its position is committed once its effects are.
        for (let start = 0; start < messages.length && this.running; start += maxBatch) {
          const batch = messages.slice(start, start + maxBatch);
          await onBatch(batch);
          const committed = new Map<string, string>();
          for (const message of batch) committed.set(message.topic, message.position);
          await this.commit(this.client, committed);
        }
      }
    } finally {
      await this.client?.end().catch(() => undefined);
    }
  }

  private async fetch(client: pg.Client, limit: number): Promise<LogMessage[]> {
    const topics = [...this.options.topics];
    const { rows } = await client.query<{ seq: string; topic: string; key: string | null; value: string }>(
      `SELECT r.seq::text AS seq, r.topic, r.key, r.value
         FROM unnest($1::text[]) AS t(topic)
         LEFT JOIN consumer_offset o ON o.group_id = $2 AND o.topic = t.topic
         CROSS JOIN LATERAL (
           SELECT seq, topic, key, value FROM log_record
            WHERE topic = t.topic AND seq > COALESCE(o.position, 0)
            ORDER BY seq LIMIT $3
         ) r
        ORDER BY r.seq
        LIMIT $3`,
      [topics, this.groupId, limit],
    );
    return rows.map((r) => ({ topic: r.topic, partition: 0, position: r.seq, key: r.key, value: r.value }));
  }

  private async commit(client: pg.Client, positions: Map<string, string>): Promise<void> {
    if (positions.size === 0) return;
    await client.query(
      `INSERT INTO consumer_offset (group_id, topic, position, updated_at)
       SELECT $1, t, p, now() FROM unnest($2::text[], $3::bigint[]) AS u(t, p)
       ON CONFLICT (group_id, topic) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
      [this.groupId, [...positions.keys()], [...positions.values()]],
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }
}
