import { describe, inject, it } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    postgresSource: string;
    kafkaBrokers: string;
    kafkaSource: string;
    kafkaUnavailable: string;
    kafkaSaslBrokers: string;
    kafkaSaslCaFile: string;
    kafkaSaslUnavailable: string;
  }
}

/** The PostgreSQL server the global setup found or started. */
export function testPostgres(): string {
  return inject('postgresAdminUrl');
}

/**
 * The Kafka brokers the global setup found or started. Without any, Kafka suites fail with the
 * reason in CI (and wherever DUBAN_REQUIRE_KAFKA=1), and are skipped loudly elsewhere.
 */
export function testKafka(): { brokers: string[] } | { unavailable: string } {
  const brokers = inject('kafkaBrokers');
  if (brokers) return { brokers: brokers.split(',') };
  return { unavailable: inject('kafkaUnavailable') || 'no Kafka broker' };
}

/** The SCRAM listener of a broker with ACLs (ADR 0015), or why there is none. */
export function testKafkaSasl(): { brokers: string[]; caFile?: string } | { unavailable: string } {
  const brokers = inject('kafkaSaslBrokers');
  const caFile = inject('kafkaSaslCaFile');
  if (brokers) return { brokers: brokers.split(','), ...(caFile ? { caFile } : {}) };
  return { unavailable: inject('kafkaSaslUnavailable') || 'no SASL/SCRAM Kafka broker' };
}

export function kafkaRequired(): boolean {
  return process.env.CI === 'true' || process.env.DUBAN_REQUIRE_KAFKA === '1';
}

/**
 * A suite that needs what a machine may lack (a Kafka broker, a browser): it runs when that is
 * there; when it is not, it fails with the reason where it is required (CI) and is skipped with a
 * loud warning elsewhere, never silently.
 */
export function describeWhenAvailable(
  title: string,
  unavailable: string | undefined,
  required: boolean,
  body: () => void,
): void {
  if (!unavailable) {
    describe(title, body);
  } else if (required) {
    describe(title, () => {
      it('has what it needs', () => {
        throw new Error(`required here but unavailable: ${unavailable}`);
      });
    });
  } else {
    console.warn(`\n[duban] SKIPPING "${title}": ${unavailable}\n`);
    describe.skip(`${title} (unavailable: ${unavailable})`, () => {
      it('cannot run here', () => undefined);
    });
  }
}
