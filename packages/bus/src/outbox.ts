import type pg from 'pg';
import type { Logger } from '@duban/kit';
import { ANALYTICS_TOPIC_PREFIX, encodeEvent, topicOf } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import type { TransactionClient } from '@duban/db';
import type { EventLog } from './eventLog';
import { appendAudit } from './audit';
import type { AuditEntry } from './audit';
import { SigningKeys } from './keyStore';
import { signPayload } from './signing';

const OUTBOX_CHANNEL = 'duban_outbox';
const RELAY_LOCK = 0x6f757462; // 'outb'

/**
 * Writes events into the outbox inside the caller's transaction: they exist exactly when the state
 * change that produced them commits. Writers of one subject are serialised (a transaction-scoped
 * advisory lock per subject), so outbox order per subject is commit order.
 */
/**
 * Serialises writers of one subject until the transaction ends. Take it before reading state that
 * a decision depends on (e.g. a unit's criticisms this year); appendToOutbox takes it again, harmlessly.
 */
export async function lockSubject(tx: TransactionClient, subject: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${subject}))`;
}

export async function appendToOutbox(tx: TransactionClient, events: readonly DubanEvent[]): Promise<void> {
  if (events.length === 0) return;
  const subjects = [...new Set(events.map((e) => e.subject))].sort();
  if (subjects.length === 1) await lockSubject(tx, subjects[0]!);
  // Many subjects (a burst of timers firing together): one statement takes every lock, in the same
  // sorted order as everyone else, so two writers never wait on each other crosswise.
  else
    await tx.$executeRaw`SELECT count(pg_advisory_xact_lock(hashtext(s)))
      FROM (SELECT s FROM unnest(${subjects}::text[]) AS s ORDER BY s) AS sorted`;
  await tx.outboxEvent.createMany({
    data: events.map((e) => ({
      eventId: e.id,
      topic: topicOf(e.type),
      key: e.subject,
      payload: encodeEvent(e),
    })),
  });
  await tx.$executeRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`;
}

/**
 * A record that is not a duban event: the analysts' redacted CloudEvents (ADR 0031). It goes out
 * through the same outbox, so it exists exactly when the transaction that produced it commits, and
 * only on an analytics topic: the relay publishes it as it stands, neither signed nor chained into
 * the audit trail (it is not an envelope, and what it says is already in the signed events).
 */
export interface OutboxRecord {
  /** Unique like an event id (outbox_event.event_id): the record's own CloudEvents id. */
  id: string;
  topic: string;
  key: string;
  payload: string;
}

export async function appendRecordsToOutbox(
  tx: TransactionClient,
  records: readonly OutboxRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const stray = records.find((r) => !r.topic.startsWith(ANALYTICS_TOPIC_PREFIX));
  if (stray) throw new Error(`outbox records go to analytics topics only, not ${stray.topic}`);
  await tx.outboxEvent.createMany({
    data: records.map((r) => ({ eventId: r.id, topic: r.topic, key: r.key, payload: r.payload })),
    skipDuplicates: true,
  });
  await tx.$executeRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`;
}

export interface RelayOptions {
  pool: pg.Pool;
  url: string;
  log: EventLog;
  logger: Logger;
  batchSize?: number;
  /** Fallback poll; commits wake the relay through NOTIFY. */
  pollMs?: number;
  /** Back-off bounds while the log is unreachable. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /**
   * Sign every event with its source node's active key (node_key) and chain it into that node's
   * audit trail, in the transaction that marks it published. Off only for transport tests whose
   * sources have no keys.
   */
  sign?: boolean;
}

/**
 * Publishes committed outbox rows to the log in id order. One relay publishes at a time per
 * database (an advisory lock), so several processes may run one safely. A crash after the log took a
 * batch but before it was marked published republishes that batch: consumers de-duplicate by event id.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;
  private idleWaiters: Array<() => void> = [];
  private lastError: unknown;
  private readonly keys = new SigningKeys();

  constructor(private readonly options: RelayOptions) {}

  get healthy(): boolean {
    return this.running && this.lastError === undefined;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen().catch((error: unknown) =>
      this.options.logger.warn({ err: error }, 'relay could not LISTEN; polling only'),
    );
    this.loop = this.run();
  }

  private async listen(): Promise<void> {
    const { default: pgModule } = await import('pg');
    const client = new pgModule.Client({ connectionString: this.options.url });
    client.on('error', () => undefined);
    await client.connect();
    client.on('notification', () => this.kick());
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = client;
  }

  kick(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  private wait(ms: number): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(), ms);
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.pendingWake = false;
        resolve();
      };
      this.wakeUp = finish;
    });
  }

  private async run(): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    const retryMin = this.options.retryMinMs ?? 200;
    const retryMax = this.options.retryMaxMs ?? 5000;
    let backoff = retryMin;
    while (this.running) {
      try {
        const published = await this.publishBatch();
        if (this.lastError !== undefined) this.options.logger.info('relay publishing again');
        this.lastError = undefined;
        backoff = retryMin;
        if (published === 0) {
          this.notifyIdle();
          await this.wait(pollMs);
        }
      } catch (error) {
        if (this.lastError === undefined)
          this.options.logger.warn({ err: error }, 'relay cannot publish; retrying');
        this.lastError = error;
        await this.wait(backoff);
        backoff = Math.min(backoff * 2, retryMax);
      }
    }
    this.notifyIdle();
  }

  /** Publishes one batch; returns how many rows it published (0: nothing pending, or another relay holds the lock). */
  async publishBatch(): Promise<number> {
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows: lock } = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1) AS ok',
        [RELAY_LOCK],
      );
      if (!lock[0]?.ok) {
        await client.query('ROLLBACK');
        return 0;
      }
      const { rows } = await client.query<{ id: string; topic: string; key: string; payload: string }>(
        // Order by the bigint column, not the text alias of it ("10" sorts before "9").
        `SELECT o.id::text AS id, o.topic, o.key, o.payload FROM outbox_event o
          WHERE o.published_at IS NULL ORDER BY o.id LIMIT $1`,
        [this.options.batchSize ?? 500],
      );
      if (rows.length === 0) {
        await client.query('ROLLBACK');
        return 0;
      }
      const values = this.options.sign ? await this.signAndChain(client, rows) : rows.map((r) => r.payload);
      await this.options.log.append(rows.map((r, i) => ({ topic: r.topic, key: r.key, value: values[i]! })));
      await client.query('UPDATE outbox_event SET published_at = now() WHERE id = ANY($1::bigint[])', [
        rows.map((r) => r.id),
      ]);
      await client.query('COMMIT');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Signs each row with its source's active key and appends it to that node's audit chain. Signing
   * here rather than at appendToOutbox keeps every service's write path unchanged and makes the
   * relay (one per database, under its lock) the single writer of both the key switch and the chain,
   * so outbox order, signing key and chain order cannot disagree (docs/decisions/0012, 0013).
   */
  private async signAndChain(
    client: pg.PoolClient,
    rows: ReadonlyArray<{ topic: string; payload: string }>,
  ): Promise<string[]> {
    const envelopes = rows.map((r) =>
      r.topic.startsWith(ANALYTICS_TOPIC_PREFIX)
        ? undefined
        : (JSON.parse(r.payload) as {
            id: string;
            type: string;
            source: string;
            time: string;
            data: unknown;
          }),
    );
    const sources = envelopes.flatMap((e) => (e ? [e.source] : []));
    const keys = await this.keys.active(client, [...new Set(sources)]);
    const audit: AuditEntry[] = [];
    const values: string[] = [];
    for (const [i, envelope] of envelopes.entries()) {
      if (!envelope) {
        values.push(rows[i]!.payload);
        continue;
      }
      let key = keys.get(envelope.source);
      const rotation =
        envelope.type === 'security.key.rotated'
          ? (envelope.data as { keyId: string; previousKeyId: string; previousValidUntil: string })
          : undefined;
      // A rotation is announced under the key everyone trusts now; the successor signs what follows.
      if (rotation) key = await this.keys.byId(client, rotation.previousKeyId);
      if (!key) {
        // Fail closed: an unsigned event would be dead-lettered by every consumer, i.e. lost.
        throw new Error(`no signing key for ${envelope.source} (event ${envelope.id}); run pnpm duban keys`);
      }
      const value = signPayload(rows[i]!.payload, key);
      values.push(value);
      audit.push({ node: envelope.source, eventId: envelope.id, type: envelope.type, payload: value });
      if (rotation) {
        await client.query(
          `UPDATE node_key SET status = 'retired', retired_at = $2, valid_until = $3
            WHERE key_id = $1 AND node = $4`,
          [rotation.previousKeyId, envelope.time, rotation.previousValidUntil, envelope.source],
        );
        await client.query(
          `UPDATE node_key SET status = 'active', valid_from = $2 WHERE key_id = $1 AND node = $3`,
          [rotation.keyId, envelope.time, envelope.source],
        );
        const next = await this.keys.byId(client, rotation.keyId);
        if (next) keys.set(envelope.source, next);
        else keys.delete(envelope.source);
      }
    }
    await appendAudit(client, audit);
    return values;
  }

  /** Resolves once the relay has found nothing left to publish (tests and graceful shutdown). */
  idle(): Promise<void> {
    this.kick();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }
}
