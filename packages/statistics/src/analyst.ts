/**
 * An analyst's consumer, as another county system would write one: it reads the raw event stream
 * (Kafka through plain kafkajs, or the embedded log's table), with nothing of duban but the event
 * contract, folds every item's facts and prints the same statistics the scoring service serves.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 pnpm --filter @duban/statistics analyst
 *   EVENT_LOG_DATABASE_URL=postgres://… pnpm --filter @duban/statistics analyst
 */
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { TOPICS, decodeMessage } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import { foldFacts } from './facts';
import type { ItemFacts } from './facts';
import { computeStatistics, groupStatistics } from './statistics';
import type { Period, Statistics } from './statistics';

export interface Analysis {
  events: number;
  invalid: number;
  county: Statistics;
  byUnit: Record<string, Statistics>;
}

/** Folds a stream of events (in log order) into statistics, ignoring what it cannot decode. */
export function analyse(raw: Iterable<string | null>, period: Period = {}, now?: string): Analysis {
  const facts = new Map<string, ItemFacts>();
  let events = 0;
  let invalid = 0;
  for (const value of raw) {
    const decoded = decodeMessage(value);
    if (!decoded.ok) {
      invalid += 1;
      continue;
    }
    events += 1;
    const event: DubanEvent = decoded.event;
    if (!event.type.startsWith('tasks.') || !('itemId' in event.data)) continue;
    const itemId = (event.data as { itemId: string }).itemId;
    const next = foldFacts(facts.get(itemId) ?? null, event);
    if (next) facts.set(itemId, next);
  }
  const all = [...facts.values()];
  return {
    events,
    invalid,
    county: computeStatistics(all, period, now),
    byUnit: groupStatistics(all, (f) => f.assignee, period, now),
  };
}

/** Every message of the tasks topic in the embedded log, in order. */
export async function readEmbeddedLog(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ value: string }>(
      'SELECT value FROM log_record WHERE topic = $1 ORDER BY seq',
      [TOPICS.tasks],
    );
    return rows.map((r) => r.value);
  } finally {
    await client.end();
  }
}

/**
 * Every message of the tasks topic on Kafka, from the beginning up to the end as it is now, read
 * with a throwaway consumer group (a partition's order is the order per item).
 */
export async function readKafka(brokers: string[], topicPrefix = ''): Promise<string[]> {
  const kafka = new Kafka({ clientId: 'duban-analyst', brokers, logLevel: logLevel.NOTHING });
  const topic = `${topicPrefix}${TOPICS.tasks}`;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.filter((p) => p.high !== p.low).map((p) => [p.partition, BigInt(p.high)]));
  const values: string[] = [];
  if (remaining.size === 0) return values;
  const consumer = kafka.consumer({
    groupId: `duban-analyst-${Date.now()}-${Math.random().toString(16).slice(2)}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const end = remaining.get(partition);
          if (end === undefined || BigInt(message.offset) >= end) return;
          values.push(message.value?.toString('utf8') ?? '');
          if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
          if (remaining.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return values;
}

async function main(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  const url = process.env.EVENT_LOG_DATABASE_URL ?? process.env.DATABASE_URL;
  const values = brokers?.length
    ? await readKafka(brokers, process.env.KAFKA_TOPIC_PREFIX ?? '')
    : url
      ? await readEmbeddedLog(url)
      : undefined;
  if (!values) {
    console.error(
      'set KAFKA_BROKERS (with KAFKA_TOPIC_PREFIX if any) or EVENT_LOG_DATABASE_URL / DATABASE_URL',
    );
    process.exit(2);
  }
  const year = process.env.YEAR ? Number(process.env.YEAR) : undefined;
  const period = year
    ? {
        from: new Date(`${year}-01-01T00:00:00+08:00`).toISOString(),
        to: new Date(`${year + 1}-01-01T00:00:00+08:00`).toISOString(),
      }
    : {};
  console.log(JSON.stringify(analyse(values, period), null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
