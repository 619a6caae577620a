import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ANALYTICS_TOPICS, ALL_TOPICS, ANALYTICS_TOPICS, TOPICS } from '@duban/events';
import { createLogger } from '@duban/kit';
import {
  describeWhenAvailable,
  eventually,
  freshTopicPrefix,
  kafkaAdmin,
  kafkaRequired,
  testKafkaSasl,
} from '@duban/testing';
import type { LogMessage } from './eventLog';
import { KafkaEventLog } from './kafkaLog';

// ADR 0015 against a REAL broker with a SCRAM-SHA-512 listener and ACLs (StandardAuthorizer):
// users, topics and ACLs come from the same admin step an operator runs (kafka.sh admin).

const kafka = testKafkaSasl();
const reason = 'unavailable' in kafka ? kafka.unavailable : undefined;
const required = kafkaRequired();
// The refusals below make kafkajs log errors; LOG_LEVEL=error shows them.
const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', name: 'kafka-security' });

/** The error and everything it wraps (kafkajs nests protocol errors in retry errors). */
function errorChain(error: unknown): Array<{ name?: string; type?: string; code?: number }> {
  const out: Array<{ name?: string; type?: string; code?: number }> = [];
  let e: unknown = error;
  while (e && typeof e === 'object' && !out.includes(e)) {
    out.push(e);
    const next = e as { cause?: unknown; originalError?: unknown };
    e = next.cause ?? next.originalError;
  }
  return out;
}

async function refusal(
  promise: Promise<unknown>,
): Promise<Array<{ name?: string; type?: string; code?: number }>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the broker should have refused').toBeDefined();
  return errorChain(error);
}

describe('kafka.sh admin knows the domain topics', () => {
  it('KafkaSecurity.java lists exactly ALL_TOPICS', () => {
    const source = readFileSync(new URL('../../../infra/kafka/KafkaSecurity.java', import.meta.url), 'utf8');
    const listed = /DEFAULT_TOPICS\s*=\s*"([^"]+)"/.exec(source.replace(/"\s*\+\s*"/g, ''))?.[1];
    expect(listed?.split(',')).toEqual([...ALL_TOPICS]);
  });

  it('KafkaSecurity.java and compose-init.sh list exactly ALL_ANALYTICS_TOPICS', () => {
    const source = readFileSync(new URL('../../../infra/kafka/KafkaSecurity.java', import.meta.url), 'utf8');
    const listed = /DEFAULT_ANALYTICS_TOPICS\s*=\s*"([^"]+)"/.exec(source.replace(/"\s*\+\s*"/g, ''))?.[1];
    expect(listed?.split(',')).toEqual([...ALL_ANALYTICS_TOPICS]);
    const init = readFileSync(new URL('../../../infra/kafka/compose-init.sh', import.meta.url), 'utf8');
    expect(/^ANALYTICS_TOPICS="([^"]+)"/m.exec(init)?.[1]?.split(' ')).toEqual([...ALL_ANALYTICS_TOPICS]);
  });
});

describeWhenAvailable('Kafka SASL/SCRAM and ACLs', reason, required, () => {
  const sasl = 'brokers' in kafka ? kafka : { brokers: [] };
  const { brokers } = sasl;
  // A SASL_SSL listener (KAFKA_SASL_CA_FILE): the clients trust its certificate.
  const ssl = 'caFile' in sasl && sasl.caFile ? { ca: readFileSync(sasl.caFile, 'utf8') } : undefined;
  // Fresh principals per run: a broker shared by several runs keeps its users.
  const run = randomBytes(3).toString('hex');
  const county = { username: `sec${run}-county`, password: randomBytes(12).toString('hex') };
  const township = { username: `sec${run}-township`, password: randomBytes(12).toString('hex') };
  const analyst = { username: `sec${run}-analyst`, password: randomBytes(12).toString('hex') };
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    await kafkaAdmin(
      sasl,
      ...[county, township, analyst].flatMap((u) => ['user', `${u.username}:${u.password}`]),
    );
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  /** A host's event log as the runtime builds it for a SASL principal (config.ts kafkaSecurity). */
  function logAs(
    principal: { username: string; password: string },
    prefix: string,
    groupPrefix = `${principal.username}.`,
  ): KafkaEventLog {
    const log = new KafkaEventLog({
      brokers,
      clientId: `duban-${principal.username}`,
      logger,
      topicPrefix: prefix,
      sasl: { mechanism: 'scram-sha-512', ...principal },
      groupPrefix,
      createTopics: false,
      sessionTimeoutMs: 6000,
      ...(ssl ? { ssl } : {}),
    });
    closers.push(() => log.close());
    return log;
  }

  async function consume(log: KafkaEventLog, groupId: string, topic: string = TOPICS.tasks) {
    const seen: LogMessage[] = [];
    const sub = await log.subscribe({
      groupId,
      topics: [topic],
      onMessage: async (m) => void seen.push(m),
    });
    closers.push(() => sub.stop());
    return { seen, sub };
  }

  it('an authorised host principal appends and consumes with its own group', async () => {
    const prefix = freshTopicPrefix('sasl-ok');
    await kafkaAdmin(sasl, 'topics', prefix, 'node', county.username, prefix);
    const log = logAs(county, prefix);
    await log.ensureTopics(ALL_TOPICS); // sees the admin's topics, creates nothing
    await log.append([{ topic: TOPICS.tasks, key: 'item-1', value: '{"n":1}' }]);
    const { seen } = await consume(log, 'tasks@county');
    await eventually('the message back', () => seen.length === 1);
    expect(seen[0]).toMatchObject({ topic: TOPICS.tasks, key: 'item-1', value: '{"n":1}' });
  });

  it("a node authenticating as another node's principal is refused", async () => {
    const prefix = freshTopicPrefix('sasl-forged');
    await kafkaAdmin(sasl, 'topics', prefix, 'node', township.username, prefix);
    // The county's own password, the township's name: SCRAM fails before any ACL is looked at.
    const forged = logAs({ username: township.username, password: county.password }, prefix);
    const chain = await refusal(forged.append([{ topic: TOPICS.tasks, key: 'x', value: 'forged' }]));
    expect(chain.map((e) => e.name)).toContain('KafkaJSSASLAuthenticationError');
  });

  it('a principal writing a topic it has no WRITE ACL for is refused', async () => {
    const own = freshTopicPrefix('sasl-own');
    const other = freshTopicPrefix('sasl-other');
    // The township may use both prefixes' topics; the county only its own.
    await kafkaAdmin(
      sasl,
      ...['topics', own, 'topics', other],
      ...['node', county.username, own, 'node', township.username, other],
    );
    const log = logAs(county, other);
    const chain = await refusal(log.append([{ topic: TOPICS.tasks, key: 'x', value: 'intrusion' }]));
    expect(chain).toContainEqual(expect.objectContaining({ type: 'TOPIC_AUTHORIZATION_FAILED', code: 29 }));
    // Nor may it create a topic of its own, under its own prefix.
    const stray = logAs(county, own);
    const created = await refusal(stray.append([{ topic: 'duban.stray', key: null, value: 'x' }]));
    expect(created).toContainEqual(expect.objectContaining({ type: 'TOPIC_AUTHORIZATION_FAILED' }));
    // And it does not even see the other deployment's topics.
    await expect(log.ensureTopics(ALL_TOPICS)).rejects.toThrow(/missing or not visible/);
  });

  it("consuming with another host's group is refused", async () => {
    const prefix = freshTopicPrefix('sasl-group');
    await kafkaAdmin(
      sasl,
      ...['topics', prefix, 'node', county.username, prefix, 'node', township.username, prefix],
    );
    await logAs(county, prefix).append([{ topic: TOPICS.tasks, key: 'item-3', value: '{"n":3}' }]);
    // The township uses its group: the broker finds it a coordinator and serves it.
    const mine = await consume(logAs(township, prefix), 'tasks@township');
    await eventually('the township reads it', () => mine.seen.length === 1);
    await mine.sub.stop();
    // The county may read the topics, but not under the township's group names: it would move
    // the township's committed offsets past events the township never applied. The broker
    // answers its FindCoordinator with GROUP_AUTHORIZATION_FAILED (code 30), which kafkajs
    // 2.2.4 reports as "coordinator not found" (cluster/index.js drops the broker's error).
    const log = logAs(county, prefix, `${township.username}.`);
    const { sub, seen } = await consume(log, 'tasks@township');
    const chain = await refusal(sub.stopped);
    expect(chain.map((e) => e.name)).toEqual(['KafkaJSGroupCoordinatorNotFound']);
    expect(seen).toEqual([]);
  });

  it('the analyst reads the analytics topics with its own groups, is refused the raw topics, and cannot write', async () => {
    const prefix = freshTopicPrefix('sasl-analyst');
    await kafkaAdmin(
      sasl,
      ...['topics', prefix, 'node', county.username, prefix, 'analyst', analyst.username, prefix],
    );
    // The county's host writes both (its projector publishes the analytics records).
    await logAs(county, prefix).append([
      { topic: TOPICS.tasks, key: 'item-2', value: '{"by":"张三"}' },
      { topic: ANALYTICS_TOPICS.tasks, key: 'item-2', value: '{"specversion":"1.0"}' },
    ]);
    const log = logAs(analyst, prefix);
    const { seen } = await consume(log, 'statistics@analyst', ANALYTICS_TOPICS.tasks);
    await eventually('the analyst reads it', () => seen.length === 1);
    expect(seen.map((m) => [m.topic, m.value])).toEqual([[ANALYTICS_TOPICS.tasks, '{"specversion":"1.0"}']]);
    const rawSeen: LogMessage[] = [];
    const raw = await refusal(
      log
        .subscribe({
          groupId: 'raw@analyst',
          topics: [TOPICS.tasks],
          onMessage: async (m) => void rawSeen.push(m),
        })
        .then((sub) => {
          closers.push(() => sub.stop());
          return sub.stopped;
        }),
    );
    expect(raw).toContainEqual(expect.objectContaining({ type: 'TOPIC_AUTHORIZATION_FAILED', code: 29 }));
    expect(rawSeen).toEqual([]);
    const chain = await refusal(log.append([{ topic: TOPICS.tasks, key: 'x', value: 'analyst writes' }]));
    // With WRITE on no topic at all, the idempotent producer is refused its producer id (KIP-679)
    // before it can send anything.
    expect(chain).toContainEqual(expect.objectContaining({ type: 'CLUSTER_AUTHORIZATION_FAILED', code: 31 }));
  });
});
