import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import type { SASLOptions } from 'kafkajs';
import type { Logger } from '@duban/kit';
import { ALL_ANALYTICS_TOPICS, ALL_TOPICS } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import type { PrismaClient } from '@duban/db';
import { startConsumer } from './consumer';
import type { ConsumerObserver, EventHandler, EventVerifier, Failpoints } from './consumer';
import { EmbeddedEventLog } from './embeddedLog';
import type { EventLog, Subscription } from './eventLog';
import { KafkaEventLog } from './kafkaLog';
import { OutboxRelay } from './outbox';

export interface TransportConfig {
  /** Kafka brokers; none means the embedded log in the node's own PostgreSQL. */
  kafkaBrokers?: string[] | undefined;
  kafkaTopicPrefix?: string | undefined;
  kafkaClientId: string;
  kafkaPartitions?: number | undefined;
  kafkaReplicationFactor?: number | undefined;
  /** A secured cluster (ADR 0015): this host's principal, TLS, its group prefix, no topic creation. */
  kafkaSasl?: SASLOptions | undefined;
  kafkaSsl?: boolean | ConnectionOptions | undefined;
  kafkaGroupPrefix?: string | undefined;
  kafkaCreateTopics?: boolean | undefined;
}

export function createEventLog(
  config: TransportConfig,
  db: { pool: pg.Pool; url: string },
  logger: Logger,
): EventLog {
  if (config.kafkaBrokers && config.kafkaBrokers.length > 0) {
    return new KafkaEventLog({
      brokers: config.kafkaBrokers,
      clientId: config.kafkaClientId,
      logger,
      ...(config.kafkaTopicPrefix ? { topicPrefix: config.kafkaTopicPrefix } : {}),
      ...(config.kafkaPartitions ? { partitions: config.kafkaPartitions } : {}),
      ...(config.kafkaReplicationFactor ? { replicationFactor: config.kafkaReplicationFactor } : {}),
      ...(config.kafkaSasl ? { sasl: config.kafkaSasl } : {}),
      ...(config.kafkaSsl ? { ssl: config.kafkaSsl } : {}),
      ...(config.kafkaGroupPrefix ? { groupPrefix: config.kafkaGroupPrefix } : {}),
      ...(config.kafkaCreateTopics === false ? { createTopics: false } : {}),
    });
  }
  return new EmbeddedEventLog({ pool: db.pool, url: db.url, logger });
}

export interface DeliveryOptions {
  log: EventLog;
  prisma: PrismaClient;
  pool: pg.Pool;
  url: string;
  handlers: readonly EventHandler[];
  /** Who consumes: a node id in the distributed mode, `embedded` for the all-in-one host. */
  hostId: string;
  logger: Logger;
  failpoints?: Failpoints;
  /** Told of every consumer's applied, duplicate and dead-lettered events (the metrics). */
  observer?: ConsumerObserver;
  /**
   * Sign and chain what the relay publishes, verify what consumers receive (docs/decisions/0012).
   * Node processes always pass it; only transport tests and benchmarks of the bare pipeline leave it out.
   */
  security?: { verifier: EventVerifier; authority?: (event: DubanEvent) => string | undefined };
}

export interface Delivery {
  relay: OutboxRelay;
  subscriptions: Subscription[];
  /** Resolves once everything committed so far has been handed to the log. */
  flushed(): Promise<void>;
  healthy(): boolean;
  close(): Promise<void>;
}

/** Starts a process's side of delivery: the outbox relay and one consumer group per handler. */
export async function startDelivery(options: DeliveryOptions): Promise<Delivery> {
  const { log, logger } = options;
  await log.ensureTopics([...ALL_TOPICS, ...ALL_ANALYTICS_TOPICS]);
  const relay = new OutboxRelay({
    pool: options.pool,
    url: options.url,
    log,
    logger: logger.child({ component: 'relay' }),
    sign: options.security !== undefined,
  });
  await relay.start();
  const subscriptions: Subscription[] = [];
  try {
    for (const handler of options.handlers) {
      subscriptions.push(
        await startConsumer({
          log,
          prisma: options.prisma,
          handler,
          groupId: `${handler.name}@${options.hostId}`,
          logger: logger.child({ consumer: handler.name }),
          ...(options.failpoints ? { failpoints: options.failpoints } : {}),
          ...(options.observer ? { observer: options.observer } : {}),
          ...(options.security ? { verifier: options.security.verifier } : {}),
          ...(options.security?.authority ? { authority: options.security.authority } : {}),
        }),
      );
    }
  } catch (error) {
    await Promise.allSettled(subscriptions.map((s) => s.stop()));
    await relay.stop();
    throw error;
  }
  let failed = false;
  for (const s of subscriptions) {
    s.stopped.catch(() => {
      failed = true;
    });
  }
  return {
    relay,
    subscriptions,
    flushed: () => relay.idle(),
    healthy: () => !failed && relay.healthy,
    close: async () => {
      await Promise.allSettled(subscriptions.map((s) => s.stop()));
      await relay.stop();
    },
  };
}
