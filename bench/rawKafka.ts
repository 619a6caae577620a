import { randomBytes } from 'node:crypto';
import { Partitioners, TOPICS } from './deps';
import type { Logger } from './deps';
import { deleteTopics, kafkaClient } from './kafkaAdmin';
import { Scope } from './scope';
import { UsageMeter, percentile } from './stats';
import type { Usage } from './stats';

export interface RawKafkaOptions {
  brokers: string[];
  partitions: number;
  messages: ReadonlyArray<{ key: string; value: string }>;
  /** Messages per sendBatch: the relay's batch size, so the producer side is like for like. */
  batchSize: number;
  logger: Logger;
  stallMs: number;
}

export interface RawKafkaResult {
  events: number;
  /** First sendBatch begun → last message handed to eachBatch. */
  wallMs: number;
  eventsPerSec: number;
  producedMs: number;
  /** Producer's CreateTime → eachBatch on the consumer (ms resolution). */
  lag: { p50: number; p99: number; max: number };
  usage: Usage;
}

/**
 * The ceiling for the Kafka pipeline: the same messages (bytes and keys), the same partition count
 * and producer settings as KafkaEventLog (idempotent, one request in flight, acks=-1), but no
 * database on either side. One consumer reads them all with eachBatch and kafkajs's own commits.
 */
export async function runRawKafka(options: RawKafkaOptions): Promise<RawKafkaResult> {
  const { brokers, messages, logger } = options;
  const scope = new Scope();
  try {
    const prefix = `bench.raw.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}.`;
    const topic = `${prefix}${TOPICS.tasks}`;
    const groupId = `bench-raw.${prefix}`;
    const kafka = kafkaClient(brokers, 'bench-raw', logger);
    scope.defer('delete the topic and the group', () => deleteTopics(brokers, prefix, [groupId], logger));

    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: options.partitions, replicationFactor: 1 }],
      });
    } finally {
      await admin.disconnect();
    }

    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    scope.defer('disconnect the producer', () => producer.disconnect());

    let received = 0;
    let expected = 1;
    let lastAt = Number.NaN;
    let lags: number[] = [];
    let reached: () => void = () => undefined;
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
    await consumer.connect();
    scope.defer('disconnect the consumer', () => consumer.disconnect());
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) lags.push(now - Number(m.timestamp));
        received += batch.messages.length;
        lastAt = performance.now();
        if (received >= expected) reached();
      },
    });

    const all = (n: number) =>
      new Promise<void>((resolve, reject) => {
        expected = n;
        let seen = -1;
        const timer = setInterval(() => {
          if (received === seen) {
            clearInterval(timer);
            reject(
              new Error(`raw kafkajs: no message consumed for ${options.stallMs} ms (${received} of ${n})`),
            );
          }
          seen = received;
        }, options.stallMs);
        reached = () => {
          clearInterval(timer);
          resolve();
        };
        if (received >= n) reached();
      });

    const send = (batch: Array<{ key: string; value: string }>) =>
      producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch }] });

    // One message off the clock: the consumer joins its group and every connection is open.
    await Promise.all([all(1), send(messages.slice(0, 1))]);
    received = 0;
    lags = [];

    const meter = new UsageMeter();
    const t0 = performance.now();
    const produce = async () => {
      for (let i = 0; i < messages.length; i += options.batchSize)
        await send(messages.slice(i, i + options.batchSize));
      return performance.now() - t0;
    };
    const [, producedMs] = await Promise.all([all(messages.length), produce()]);
    const wallMs = lastAt - t0;
    const usage = meter.stop();
    return {
      events: messages.length,
      wallMs,
      eventsPerSec: messages.length / (wallMs / 1000),
      producedMs,
      lag: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: percentile(lags, 100) },
      usage,
    };
  } finally {
    await scope.close();
  }
}
