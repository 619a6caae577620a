import type { TestProject } from 'vitest/node';
import { startKafkaServer } from './kafka';
import { startPostgresServer } from './postgres';

/**
 * Starts (or finds) the servers the integration suites share, once per run. Each test then makes
 * its own database and its own topics on them.
 */
export default async function setup(project: TestProject) {
  const postgres = await startPostgresServer();
  project.provide('postgresAdminUrl', postgres.adminUrl);
  project.provide('postgresSource', postgres.source);
  let stopKafka = async () => undefined as void;
  if (process.env.DUBAN_SKIP_KAFKA === '1') {
    project.provide('kafkaBrokers', '');
    project.provide('kafkaSource', '');
    project.provide('kafkaUnavailable', 'DUBAN_SKIP_KAFKA=1');
    project.provide('kafkaSaslBrokers', '');
    project.provide('kafkaSaslCaFile', '');
    project.provide('kafkaSaslUnavailable', 'DUBAN_SKIP_KAFKA=1');
  } else {
    try {
      const kafka = await startKafkaServer();
      stopKafka = kafka.stop;
      project.provide('kafkaBrokers', kafka.brokers.join(','));
      project.provide('kafkaSource', kafka.source);
      project.provide('kafkaUnavailable', '');
      project.provide('kafkaSaslBrokers', kafka.saslBrokers?.join(',') ?? '');
      project.provide('kafkaSaslCaFile', kafka.saslCaFile ?? '');
      project.provide(
        'kafkaSaslUnavailable',
        kafka.saslBrokers
          ? ''
          : `the ${kafka.source} broker has no SASL listener (set KAFKA_SASL_BROKERS, or let the tests start the jar broker)`,
      );
      console.log(
        `[duban tests] PostgreSQL: ${postgres.source}; Kafka: ${kafka.source} at ${kafka.brokers.join(',')}` +
          (kafka.saslBrokers
            ? `, SASL/SCRAM at ${kafka.saslBrokers.join(',')}${kafka.saslCaFile ? ' (TLS)' : ''}`
            : ''),
      );
    } catch (error) {
      project.provide('kafkaBrokers', '');
      project.provide('kafkaSource', '');
      project.provide('kafkaUnavailable', (error as Error).message);
      project.provide('kafkaSaslBrokers', '');
      project.provide('kafkaSaslCaFile', '');
      project.provide('kafkaSaslUnavailable', (error as Error).message);
      console.warn(`[duban tests] KAFKA UNAVAILABLE: ${(error as Error).message}`);
    }
  }
  return async () => {
    await stopKafka();
    await postgres.stop();
  };
}
