/**
 * An analyst's consumer, as another county system would write one: it reads the analysts' stream
 * (the redacted CloudEvents on duban.analytics.tasks: docs/analysts.md), through plain kafkajs with
 * the analyst's SASL/SCRAM account or from the embedded log's table, with nothing of duban but the
 * event contract, folds every item's facts and prints the same statistics the scoring service serves.
 *
 *   KAFKA_BROKERS=127.0.0.1:9094 KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_SASL_USERNAME=analyst \
 *     KAFKA_SASL_PASSWORD=… pnpm --filter @duban/statistics analyst
 *   EVENT_LOG_DATABASE_URL=postgres://… pnpm --filter @duban/statistics analyst
 *
 * `analyse` over the raw domain stream stays for the county's own checks (it needs the node
 * principal's access, which an analyst does not have).
 */
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import type { SASLOptions } from 'kafkajs';
import pg from 'pg';
import { ANALYTICS_TOPICS, TOPICS, decodeMessage } from '@duban/events';
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

/** The county's and each unit's statistics from the folded facts: one definition for both streams. */
function summarise(
  facts: Map<string, ItemFacts>,
  events: number,
  invalid: number,
  period: Period,
  now: string | undefined,
): Analysis {
  const all = [...facts.values()];
  return {
    events,
    invalid,
    county: computeStatistics(all, period, now),
    byUnit: groupStatistics(all, (f) => f.assignee, period, now),
  };
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
  return summarise(facts, events, invalid, period, now);
}

/**
 * Folds the analysts' stream (CloudEvents JSON, in log order) into statistics. Only the public
 * fields are read (item ids, units, kinds, times, outcomes), which is why the classification keeps
 * them; a record seen twice (a replay) counts once; `county` keeps one county's records.
 */
export function analyseAnalytics(
  raw: Iterable<string | null>,
  period: Period = {},
  now?: string,
  county?: string,
): Analysis {
  const facts = new Map<string, ItemFacts>();
  const seen = new Set<string>();
  let events = 0;
  let invalid = 0;
  for (const value of raw) {
    let record: {
      id?: unknown;
      type?: unknown;
      dubanversion?: unknown;
      dubancounty?: unknown;
      data?: unknown;
    };
    try {
      record = JSON.parse(value ?? '') as typeof record;
    } catch {
      invalid += 1;
      continue;
    }
    if (typeof record.id !== 'string' || typeof record.type !== 'string' || typeof record.data !== 'object') {
      invalid += 1;
      continue;
    }
    if (seen.has(record.id) || (county !== undefined && record.dubancounty !== county)) continue;
    seen.add(record.id);
    events += 1;
    const data = record.data as { itemId?: unknown } | null;
    if (!record.type.startsWith('tasks.') || typeof data?.itemId !== 'string') continue;
    // The redacted payload lacks the dropped fields, none of which the facts read.
    const event = { type: record.type, version: record.dubanversion, data } as unknown as DubanEvent;
    const next = foldFacts(facts.get(data.itemId) ?? null, event);
    if (next) facts.set(data.itemId, next);
  }
  return summarise(facts, events, invalid, period, now);
}

/** Every message of a topic (default: the raw tasks topic) in the embedded log, in order. */
export async function readEmbeddedLog(url: string, topic: string = TOPICS.tasks): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ value: string }>(
      'SELECT value FROM log_record WHERE topic = $1 ORDER BY seq',
      [topic],
    );
    return rows.map((r) => r.value);
  } finally {
    await client.end();
  }
}

/** SASL/SCRAM from the environment, named as the runtime's config names them. */
export function saslFromEnv(env: NodeJS.ProcessEnv = process.env): SASLOptions | undefined {
  const username = env.KAFKA_SASL_USERNAME;
  if (username === undefined) return undefined;
  const password = env.KAFKA_SASL_PASSWORD ?? '';
  const mechanism = env.KAFKA_SASL_MECHANISM ?? 'scram-sha-512';
  if (mechanism === 'scram-sha-512' || mechanism === 'scram-sha-256' || mechanism === 'plain')
    return { mechanism, username, password } as SASLOptions;
  throw new Error(`KAFKA_SASL_MECHANISM must be scram-sha-512, scram-sha-256 or plain, not ${mechanism}`);
}

export interface KafkaReadOptions {
  topicPrefix?: string;
  /** Default: the raw tasks topic (the county's own check); an analyst reads ANALYTICS_TOPICS.tasks. */
  topic?: string;
  sasl?: SASLOptions;
  /** The analyst ACL allows groups under its own name only (`<prefix><principal>.`). */
  groupPrefix?: string;
  /** A SASL_SSL listener: e.g. `{ ca }` with the cluster's PEM certificate. */
  ssl?: { ca: string };
}

/**
 * Every message of a topic on Kafka, from the beginning up to the end as it is now, read with a
 * throwaway consumer group (a partition's order is the order per item).
 */
export async function readKafka(
  brokers: string[],
  options: KafkaReadOptions | string = {},
): Promise<string[]> {
  const o: KafkaReadOptions = typeof options === 'string' ? { topicPrefix: options } : options;
  const topicPrefix = o.topicPrefix ?? '';
  const kafka = new Kafka({
    clientId: 'duban-analyst',
    brokers,
    logLevel: logLevel.NOTHING,
    ...(o.sasl ? { sasl: o.sasl } : {}),
    ...(o.ssl ? { ssl: o.ssl } : {}),
  });
  const topic = `${topicPrefix}${o.topic ?? TOPICS.tasks}`;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.filter((p) => p.high !== p.low).map((p) => [p.partition, BigInt(p.high)]));
  const values: string[] = [];
  if (remaining.size === 0) return values;
  const consumer = kafka.consumer({
    groupId: `${o.groupPrefix ?? 'duban-analyst-'}${Date.now()}-${Math.random().toString(16).slice(2)}`,
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
  const topicPrefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
  const sasl = saslFromEnv();
  const values = brokers?.length
    ? await readKafka(brokers, {
        topicPrefix,
        topic: ANALYTICS_TOPICS.tasks,
        ...(sasl ? { sasl, groupPrefix: `${topicPrefix}${process.env.KAFKA_SASL_USERNAME}.` } : {}),
        ...(process.env.KAFKA_SSL_CA_FILE
          ? { ssl: { ca: readFileSync(process.env.KAFKA_SSL_CA_FILE, 'utf8') } }
          : {}),
      })
    : url
      ? await readEmbeddedLog(url, ANALYTICS_TOPICS.tasks)
      : undefined;
  if (!values) {
    console.error(
      'set KAFKA_BROKERS (with KAFKA_TOPIC_PREFIX and KAFKA_SASL_* if any) or EVENT_LOG_DATABASE_URL / DATABASE_URL',
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
  console.log(JSON.stringify(analyseAnalytics(values, period, undefined, process.env.COUNTY), null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
