import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@duban/kit';
import { NodeProcessConfig, kafkaSecurity } from './config';

const brokers = { KAFKA_BROKERS: '127.0.0.1:9094' };

describe('Kafka security config (ADR 0015)', () => {
  it('a principal gets SCRAM-SHA-512, groups under its name and no topic creation', () => {
    const config = parseConfig(NodeProcessConfig, {
      ...brokers,
      KAFKA_SASL_USERNAME: 'township-heji',
      KAFKA_SASL_PASSWORD: 'pw',
    });
    expect(kafkaSecurity(config)).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'township-heji', password: 'pw' },
      groupPrefix: 'township-heji.',
      createTopics: false,
    });
  });

  it('without SASL nothing changes: topics are created, groups keep their names', () => {
    expect(kafkaSecurity(parseConfig(NodeProcessConfig, brokers))).toEqual({ createTopics: true });
    expect(kafkaSecurity(parseConfig(NodeProcessConfig, { ...brokers, KAFKA_SSL: '1' }))).toEqual({
      ssl: true,
      createTopics: true,
    });
  });

  it.each([
    [{ ...brokers, KAFKA_SASL_USERNAME: 'county' }, 'KAFKA_SASL_PASSWORD: required with KAFKA_SASL_USERNAME'],
    [{ ...brokers, KAFKA_SASL_PASSWORD: 'pw' }, 'KAFKA_SASL_USERNAME: required with KAFKA_SASL_PASSWORD'],
    [
      { ...brokers, KAFKA_SASL_MECHANISM: 'scram-sha-512' },
      'KAFKA_SASL_MECHANISM: needs KAFKA_SASL_USERNAME',
    ],
    [{ ...brokers, KAFKA_SASL_USERNAME: 'a.b', KAFKA_SASL_PASSWORD: 'pw' }, 'KAFKA_SASL_USERNAME: letters'],
    [{ KAFKA_SASL_USERNAME: 'county', KAFKA_SASL_PASSWORD: 'pw' }, 'set without KAFKA_BROKERS'],
    [{ ...brokers, KAFKA_SSL: 'yes' }, 'KAFKA_SSL'],
  ])('half a secured configuration is refused at start: %o', (env, message) => {
    expect(() => parseConfig(NodeProcessConfig, env)).toThrow(ConfigError);
    expect(() => parseConfig(NodeProcessConfig, env)).toThrow(message);
  });
});
