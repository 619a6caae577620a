import { Kafka } from 'cloudevents';
import type { CloudEventV1, KafkaMessage } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, cloudEventHeaders, cloudEventSource, uuidv7 } from '@duban/events';
import type { EventEnvelope } from '@duban/events';

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
