import type { ConnectionOptions } from 'node:tls';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Admin, Consumer, KafkaConfig, Producer, SASLOptions } from 'kafkajs';
import type { Logger } from '@duban/kit';
import { ANALYTICS_TOPIC_PREFIX, TOPICS, cloudEventHeaders } from '@duban/events';
import type { EventEnvelope } from '@duban/events';
import { DEFAULT_MAX_BATCH, batchCallback } from './eventLog';
import type { AppendRecord, EventLog, LogMessage, SubscribeOptions, Subscription } from './eventLog';
import { TOPIC_READY_TIMEOUT_MS, waitForLeaders } from './kafkaTopics';

export interface KafkaLogOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Prepended to every topic name: tests get fresh topics, a county can share a cluster. */
  topicPrefix?: string;
  partitions?: number;
  replicationFactor?: number;
  /** SCRAM (or PLAIN) credentials of this host's principal on a secured cluster (ADR 0015). */
  sasl?: SASLOptions;
  /** TLS to the brokers: `true` with the system CAs, or Node's TLS options (e.g. `ca`). */
  ssl?: boolean | ConnectionOptions;
  /**
   * Between the topic prefix and the group id of every consumer group: on a secured cluster the
   * principal may only use groups that start with `<topicPrefix><principal>.` (ADR 0015).
   */
  groupPrefix?: string;
  /**
   * Whether ensureTopics creates missing topics (default). A secured cluster's principals may not
   * create topics: the admin step does, and ensureTopics only checks they are there.
   */
  createTopics?: boolean;
  /** How long a connection attempt may take before the broker counts as unreachable. */
  connectionTimeoutMs?: number;
  /**
   * How long the group waits for a silent member before giving its partitions to another: the time a
   * crashed consumer's work stays unassigned. The broker's minimum is 6 s.
   */
  sessionTimeoutMs?: number;
  /**
   * How many partitions one subscription works on at once (kafkajs's
   * `partitionsConsumedConcurrently`; default 6). Order is only promised per key, i.e. per
   * partition, so partitions need not wait for each other.
   */
  partitionsConsumedConcurrently?: number;
}

/**
 * The Kafka transport. Topics by domain keyed by subject (one item's events stay in one partition);
 * an idempotent producer with one request in flight so a retry can neither duplicate nor reorder;
 * manual offset commits after the consumer's effects are committed (at-least-once delivery,
 * exactly-once effects through the inbox).
 */
export class KafkaEventLog implements EventLog {
  readonly transport = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private producing: Promise<Producer> | undefined;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private readonly prefix: string;

  constructor(private readonly options: KafkaLogOptions) {
    this.prefix = options.topicPrefix ?? '';
    const logger = options.logger.child({ component: 'kafkajs' });
    const config: KafkaConfig = {
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }) => {
          const { message, ...extra } = log;
          if (level <= logLevel.ERROR) logger.error(extra, message);
          else if (level === logLevel.WARN) logger.warn(extra, message);
          else logger.debug(extra, message);
        },
      ...(options.sasl ? { sasl: options.sasl } : {}),
      ...(options.ssl ? { ssl: options.ssl } : {}),
    };
    this.kafka = new Kafka(config);
  }

  get concurrency(): number {
    return this.options.partitionsConsumedConcurrently ?? 6;
  }

  physical(topic: string): string {
    return `${this.prefix}${topic}`;
  }

  logical(topic: string): string {
    return topic.startsWith(this.prefix) ? topic.slice(this.prefix.length) : topic;
  }

  /** The group id on the cluster; the inbox keeps using the logical one. */
  physicalGroup(groupId: string): string {
    return `${this.prefix}${this.options.groupPrefix ?? ''}${groupId}`;
  }

  /**
   * kafkajs 2.2.4 reports the broker's GROUP_AUTHORIZATION_FAILED (from FindCoordinator) as
   * "Failed to find group coordinator": on a secured cluster, name the likelier cause.
   */
  explainCrash(groupId: string, error: Error): void {
    if (this.options.sasl && error.name === 'KafkaJSGroupCoordinatorNotFound') {
      this.options.logger.error(
        { group: this.physicalGroup(groupId), mechanism: this.options.sasl.mechanism },
        'no group coordinator: on a secured cluster this usually means the principal has no READ ACL ' +
          'for this group (its groups must start with <topic prefix><principal>.)',
      );
    }
  }

  async ensureTopics(topics: readonly string[]): Promise<void> {
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.map((t) => this.physical(t)).filter((t) => !existing.has(t));
      if (missing.length === 0) return;
      if (this.options.createTopics === false) {
        // A principal without DESCRIBE on a topic does not see it either: same remedy.
        throw new Error(
          `Kafka topics missing or not visible to this principal: ${missing.join(', ')}; ` +
            'create them and grant the ACLs first (infra/kafka/README.md, "Secured broker")',
        );
      }
      await admin.createTopics({
        // kafkajs's own wait gives up on an answer that only means "not yet" (kafkaTopics.ts).
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.options.partitions ?? 6,
          replicationFactor: this.options.replicationFactor ?? 1,
        })),
      });
      await waitForLeaders(admin, missing, TOPIC_READY_TIMEOUT_MS);
    } finally {
      await admin.disconnect();
    }
  }

  private getProducer(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.producing ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      this.producer = producer;
      return producer;
    })().finally(() => {
      this.producing = undefined;
    });
    return this.producing;
  }

  async append(records: readonly AppendRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.getProducer();
    const byTopic = new Map<
      string,
      { key: string | null; value: string; headers: Record<string, string> }[]
    >();
    for (const r of records) {
      const topic = this.physical(r.topic);
      const list = byTopic.get(topic) ?? [];
      list.push({ key: r.key, value: r.value, headers: recordHeaders(r) });
      byTopic.set(topic, list);
    }
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      // A producer that lost its broker can stay wedged; the next append starts a fresh one.
      this.producer = undefined;
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const consumer = this.kafka.consumer({
      // Groups carry the topic prefix too: two deployments sharing a cluster never share a group.
      groupId: this.physicalGroup(options.groupId),
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 100,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    const subscription = new KafkaSubscription(consumer, options, this);
    this.subscriptions.add(subscription);
    void subscription.stopped.finally(() => this.subscriptions.delete(subscription)).catch(() => undefined);
    await subscription.start();
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}

class KafkaSubscription implements Subscription {
  readonly groupId: string;
  readonly stopped: Promise<void>;
  private resolveStopped!: () => void;
  private rejectStopped!: (error: unknown) => void;
  private settled = false;

  constructor(
    private readonly consumer: Consumer,
    private readonly options: SubscribeOptions,
    private readonly log: KafkaEventLog,
  ) {
    this.groupId = options.groupId;
    this.stopped = new Promise<void>((resolve, reject) => {
      this.resolveStopped = resolve;
      this.rejectStopped = reject;
    });
    this.stopped.catch(() => undefined);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics.map((t) => this.log.physical(t)),
      fromBeginning: true,
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      if (!event.payload.restart) {
        this.log.explainCrash(this.groupId, event.payload.error);
        this.fail(event.payload.error);
      }
    });
    const onBatch = batchCallback(this.options);
    const maxBatch = this.options.maxBatch ?? DEFAULT_MAX_BATCH;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.log.concurrency,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const topic = this.log.logical(batch.topic);
        // A fetch can bring a thousand messages of a partition: they go to the consumer in slices,
        // each committed once its effects are, so a crash redelivers at most one slice.
        for (let start = 0; start < batch.messages.length; start += maxBatch) {
          if (!isRunning() || isStale()) break;
          const slice = batch.messages.slice(start, start + maxBatch);
          const messages: LogMessage[] = slice.map((message) => ({
            topic,
            partition: batch.partition,
            position: message.offset,
            key: message.key?.toString('utf8') ?? null,
            value: message.value?.toString('utf8') ?? null,
          }));
          try {
            await onBatch(messages);
          } catch (error) {
            // Stop the member without committing the failed slice: it will be delivered again.
            this.fail(error);
            throw error;
          }
          const last = slice[slice.length - 1]!.offset;
          resolveOffset(last);
          await this.commit(batch.topic, batch.partition, last);
          await heartbeat();
        }
      },
    });
  }

  private async commit(topic: string, partition: number, offset: string | undefined): Promise<void> {
    if (offset === undefined) return;
    await this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(offset) + 1n).toString() }]);
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    // Leave the group in the background; the consumer must not be awaited from inside its own batch.
    setImmediate(() => {
      this.consumer.disconnect().then(
        () => this.rejectStopped(error),
        () => this.rejectStopped(error),
      );
    });
  }

  async stop(): Promise<void> {
    if (!this.settled) {
      this.settled = true;
      await this.consumer.disconnect().catch(() => undefined);
      this.resolveStopped();
    }
    await this.stopped.catch(() => undefined);
  }
}

/**
 * The CloudEvents Kafka protocol binding on every record, so standard tools read duban's topics:
 * a domain event gets the binary-mode `ce_*` headers (its value stays the signed envelope); an
 * analytics record is already a structured-mode CloudEvent (ADR 0031); a dead letter is plain JSON.
 * A value that is no envelope gets no `ce_*` headers: its consumers dead-letter it anyway.
 */
function recordHeaders(record: AppendRecord): Record<string, string> {
  if (record.topic.startsWith(ANALYTICS_TOPIC_PREFIX))
    return { 'content-type': 'application/cloudevents+json; charset=UTF-8' };
  if (record.topic === TOPICS.deadLetters) return { 'content-type': 'application/json' };
  try {
    const value = JSON.parse(record.value) as Partial<EventEnvelope> | null;
    if (
      value &&
      typeof value.id === 'string' &&
      typeof value.type === 'string' &&
      typeof value.source === 'string' &&
      typeof value.time === 'string' &&
      typeof value.subject === 'string' &&
      typeof value.version === 'number' &&
      Array.isArray(value.to) &&
      typeof value.correlationId === 'string'
    )
      return cloudEventHeaders(value as EventEnvelope);
  } catch {
    // Not JSON: the consumers dead-letter it; nothing to describe.
  }
  return {};
}
