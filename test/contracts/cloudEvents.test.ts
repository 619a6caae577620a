import { Kafka } from 'cloudevents';
import type { CloudEventV1, KafkaMessage } from 'cloudevents';
import { Kafka as KafkaClient, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaEventLog } from '@duban/bus';
import { CATALOGUE, TOPICS, cloudEventHeaders, cloudEventSource, uuidv7 } from '@duban/events';
import type { EventEnvelope } from '@duban/events';
import { createLogger } from '@duban/kit';
import { describeWhenAvailable, freshTopicPrefix, kafkaRequired, testKafka } from '@duban/testing';

const sample = (type: string, version: number): EventEnvelope => ({
  id: uuidv7(),
  type,
  version,
  source: 'county',
  to: ['unit-001', 'township-chengguan'],
  subject: '0193b7a2-6a7d-7000-8000-000000000001',
  time: '2026-12-07T01:02:03.456Z',
  correlationId: uuidv7(),
  causationId: null,
  data: { any: 'payload' },
  signature: 'ed25519:k1:c2lnbmF0dXJl',
});

describe('CloudEvents binary-mode headers (the Kafka protocol binding)', () => {
  it('decode with the cloudevents SDK for every type in the catalogue, duban’s fields as extensions', () => {
    for (const def of CATALOGUE) {
      const event = sample(def.type, def.version);
      const value = JSON.stringify(event);
      const record: KafkaMessage<string> = {
        headers: cloudEventHeaders(event),
        key: event.subject,
        value,
        body: value,
      };
      expect(Kafka.isEvent(record)).toBe(true);
      const decoded = Kafka.toEvent(record) as CloudEventV1<unknown>;
      expect(decoded.specversion).toBe('1.0');
      expect(decoded.id).toBe(event.id);
      expect(decoded.type).toBe(def.type);
      expect(decoded.source).toBe(cloudEventSource('county'));
      expect(decoded.subject).toBe(event.subject);
      expect(new Date(decoded.time!).toISOString()).toBe(event.time);
      expect(decoded.datacontenttype).toBe('application/json');
      expect(decoded['dubanversion']).toBe(String(def.version));
      expect(decoded['dubanto']).toBe('unit-001,township-chengguan');
      expect(decoded['dubansignature']).toBe(event.signature);
      // The value is the signed envelope itself: what duban's own consumers verify.
      expect(decoded.data).toEqual(event);
    }
  });

  it('leave out causation and signature when the envelope has none', () => {
    const headers = cloudEventHeaders({ ...sample('tasks.item.assigned', 2), signature: null });
    expect(headers).not.toHaveProperty('ce_dubancausation');
    expect(headers).not.toHaveProperty('ce_dubansignature');
  });
});

const kafka = testKafka();
describeWhenAvailable(
  'CloudEvents on the wire: a record duban published to Kafka',
  'unavailable' in kafka ? kafka.unavailable : undefined,
  kafkaRequired(),
  () => {
    const brokers = 'brokers' in kafka ? kafka.brokers : [];
    const prefix = freshTopicPrefix('cloudevents');
    const log = new KafkaEventLog({
      brokers,
      clientId: 'cloudevents-test',
      topicPrefix: prefix,
      logger: createLogger({ level: 'error', name: 'cloudevents' }),
      partitions: 1,
    });
    const client = new KafkaClient({ clientId: 'cloudevents-reader', brokers, logLevel: logLevel.NOTHING });
    const consumer = client.consumer({ groupId: `${prefix}reader` });
    afterAll(async () => {
      await consumer.disconnect().catch(() => undefined);
      await log.close();
    });

    it('is decoded by the cloudevents SDK from its headers, with the signed envelope as its data', async () => {
      await log.ensureTopics([TOPICS.tasks]);
      const event = sample('tasks.item.assigned', 3);
      await log.append([{ topic: TOPICS.tasks, key: event.subject, value: JSON.stringify(event) }]);
      await consumer.connect();
      await consumer.subscribe({ topic: `${prefix}${TOPICS.tasks}`, fromBeginning: true });
      const record = await new Promise<KafkaMessage<string>>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            const headers = Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            );
            const value = message.value?.toString('utf8') ?? '';
            resolve({ headers, key: message.key?.toString('utf8') ?? '', value, body: value });
          },
        });
      });
      expect(Kafka.isEvent(record)).toBe(true);
      const decoded = Kafka.toEvent(record) as CloudEventV1<unknown>;
      expect([decoded.id, decoded.type, decoded.source, decoded.subject]).toEqual([
        event.id,
        'tasks.item.assigned',
        cloudEventSource('county'),
        event.subject,
      ]);
      expect(decoded['dubanversion']).toBe('3');
      expect(decoded.data).toEqual(event);
    });
  },
);
