import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ANALYTICS_TOPICS, TOPICS } from '@duban/events';
import {
  describeWhenAvailable,
  freshTopicPrefix,
  kafkaAdmin,
  kafkaRequired,
  testKafkaSasl,
} from '@duban/testing';
import { analyseAnalytics, readKafka, saslFromEnv } from './analyst';

const ITEM = '0190a000-0000-7000-8000-000000000001';
const T0 = '2026-03-02T01:00:00.000Z';
const record = (id: string, type: string, data: Record<string, unknown>) =>
  JSON.stringify({
    specversion: '1.0',
    id,
    source: 'urn:duban:node:county',
    type,
    time: T0,
    subject: ITEM,
    datacontenttype: 'application/json',
    dubanversion: type === 'tasks.item.assigned' ? 1 : 2,
    dubancounty: 'county',
    data: { itemId: ITEM, assigner: 'county', assignee: 'unit-001', ...data },
  });
const STREAM = [
  record('a0000000-0000-8000-8000-000000000001', 'tasks.item.assigned', {
    kind: 'leader-instruction',
    noticeNo: '1',
    title: 't',
    deadline: '2026-03-20T09:00:00.000Z',
    assignedAt: T0,
  }),
  record('a0000000-0000-8000-8000-000000000002', 'tasks.item.closed', {
    closedAt: '2026-03-10T09:00:00.000Z',
    by: 'psn_x',
  }),
];

describe('the analyst over the analysts’ stream', () => {
  it('folds redacted records, counting a replayed record once', () => {
    const once = analyseAnalytics(STREAM);
    expect(once.county).toMatchObject({ items: 1, closed: 1, onTimeClosureRate: 1 });
    expect(analyseAnalytics([...STREAM, STREAM[1]!, 'not json']).county).toEqual(once.county);
    expect(analyseAnalytics([...STREAM, 'not json']).invalid).toBe(1);
    expect(analyseAnalytics(STREAM, {}, undefined, 'another-county').county.items).toBe(0);
  });

  it('takes SASL from the runtime’s variables', () => {
    expect(saslFromEnv({})).toBeUndefined();
    expect(saslFromEnv({ KAFKA_SASL_USERNAME: 'analyst', KAFKA_SASL_PASSWORD: 'pw' })).toEqual({
      mechanism: 'scram-sha-512',
      username: 'analyst',
      password: 'pw',
    });
    expect(() => saslFromEnv({ KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(
      /KAFKA_SASL_MECHANISM/,
    );
  });
});

const kafka = testKafkaSasl();
describeWhenAvailable(
  'the analyst on the secured cluster',
  'unavailable' in kafka ? kafka.unavailable : undefined,
  kafkaRequired(),
  () => {
    const sasl = 'brokers' in kafka ? kafka : { brokers: [] };
    const ssl = 'caFile' in sasl && sasl.caFile ? { ca: readFileSync(sasl.caFile, 'utf8') } : undefined;
    const run = randomBytes(3).toString('hex');
    const county = { username: `an${run}-county`, password: randomBytes(12).toString('hex') };
    const analyst = { username: `an${run}-analyst`, password: randomBytes(12).toString('hex') };

    it('reads the analytics topic with its SCRAM account and is refused the raw one', async () => {
      const prefix = freshTopicPrefix('analyst');
      await kafkaAdmin(
        sasl,
        ...[
          'user',
          `${county.username}:${county.password}`,
          'user',
          `${analyst.username}:${analyst.password}`,
        ],
        ...['topics', prefix, 'node', county.username, prefix, 'analyst', analyst.username, prefix],
      );
      const producer = new Kafka({
        clientId: 'county',
        brokers: sasl.brokers,
        logLevel: logLevel.NOTHING,
        sasl: { mechanism: 'scram-sha-512', ...county },
        ...(ssl ? { ssl } : {}),
      }).producer();
      await producer.connect();
      await producer.send({
        topic: `${prefix}${ANALYTICS_TOPICS.tasks}`,
        messages: STREAM.map((value) => ({ key: ITEM, value })),
      });
      await producer.send({
        topic: `${prefix}${TOPICS.tasks}`,
        messages: [{ key: ITEM, value: '{"by":"张三"}' }],
      });
      await producer.disconnect();

      const as = {
        topicPrefix: prefix,
        sasl: { mechanism: 'scram-sha-512' as const, ...analyst },
        groupPrefix: `${prefix}${analyst.username}.`,
        ...(ssl ? { ssl } : {}),
      };
      const values = await readKafka(sasl.brokers, { ...as, topic: ANALYTICS_TOPICS.tasks });
      expect(analyseAnalytics(values).county).toEqual(analyseAnalytics(STREAM).county);
      const refused = await readKafka(sasl.brokers, { ...as, topic: TOPICS.tasks }).then(
        () => undefined,
        (e: unknown) => e as { type?: string },
      );
      expect(refused?.type).toBe('TOPIC_AUTHORIZATION_FAILED');
    }, 120_000);
  },
);
