import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dockerAvailable } from './docker';

const run = promisify(execFile);
const KAFKA_SCRIPT = fileURLToPath(new URL('../../../infra/kafka/kafka.sh', import.meta.url));

export interface KafkaServer {
  brokers: string[];
  /**
   * The SCRAM-SHA-512 listener of a broker with ACLs (ADR 0015), when there is one: from
   * KAFKA_SASL_BROKERS, or the jar broker, which tests start with KAFKA_SECURITY=sasl.
   */
  saslBrokers?: string[];
  /** The PEM certificate to trust when that listener is SASL_SSL (KAFKA_SASL_CA_FILE). */
  saslCaFile?: string;
  source: 'env' | 'testcontainers' | 'jar';
  stop(): Promise<void>;
}

/**
 * A real Kafka broker for tests, in this order: KAFKA_BROKERS from the environment; a
 * testcontainers Kafka when Docker is reachable; else the broker from Apache Kafka's jars
 * (infra/kafka/kafka.sh, Java 17 + Maven). Throws with the reason when none can be had.
 */
export async function startKafkaServer(): Promise<KafkaServer> {
  const fromEnv = process.env.KAFKA_BROKERS;
  if (fromEnv) {
    const sasl = process.env.KAFKA_SASL_BROKERS;
    const ca = process.env.KAFKA_SASL_CA_FILE;
    return {
      brokers: brokerList(fromEnv),
      ...(sasl ? { saslBrokers: brokerList(sasl) } : {}),
      ...(sasl && ca ? { saslCaFile: ca } : {}),
      source: 'env',
      stop: async () => undefined,
    };
  }
  if (await dockerAvailable()) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer('confluentinc/cp-kafka:8.0.0').withKraft().start();
    return {
      brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`],
      source: 'testcontainers',
      stop: async () => void (await container.stop()),
    };
  }
  const port = String(19_092 + (process.pid % 500) * 2);
  // Secured, with the plaintext listener kept for every other suite: its (loopback-only)
  // anonymous principal is a super user, so those suites see no ACLs.
  const env = {
    ...process.env,
    KAFKA_PORT: port,
    KAFKA_CONTROLLER_PORT: String(Number(port) + 1),
    KAFKA_SECURITY: 'sasl',
    KAFKA_SASL_PORT: String(Number(port) + 10_000),
    DUBAN_KAFKA_HOME: `/tmp/duban-kafka-test-${port}`,
  };
  try {
    const { stdout } = await run('bash', [KAFKA_SCRIPT, 'start'], { env, timeout: 600_000 });
    const value = (name: string) =>
      stdout
        .split('\n')
        .find((l) => l.startsWith(`${name}=`))
        ?.slice(name.length + 1);
    const brokers = brokerList(value('KAFKA_BROKERS') ?? `127.0.0.1:${port}`);
    const sasl = value('KAFKA_SASL_BROKERS');
    const ca = value('KAFKA_SASL_CA_FILE');
    return {
      brokers,
      ...(sasl ? { saslBrokers: brokerList(sasl) } : {}),
      ...(sasl && ca ? { saslCaFile: ca } : {}),
      source: 'jar',
      stop: async () => void (await run('bash', [KAFKA_SCRIPT, 'stop'], { env, timeout: 60_000 })),
    };
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(
      `no Kafka broker: KAFKA_BROKERS is unset, Docker is unreachable, and the jar broker failed: ${e.stderr?.trim() || e.message}`,
      { cause: error },
    );
  }
}

function brokerList(s: string): string[] {
  return s
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/**
 * Runs `infra/kafka/kafka.sh admin OP...` (users, topics, ACLs: KafkaSecurity.java) against a
 * secured broker, as its SCRAM admin (KAFKA_ADMIN_USERNAME / KAFKA_ADMIN_PASSWORD, default
 * admin / admin-secret, as kafka.sh formats the jar broker).
 */
export async function kafkaAdmin(
  sasl: { brokers: readonly string[]; caFile?: string | undefined },
  ...ops: string[]
): Promise<void> {
  await run('bash', [KAFKA_SCRIPT, 'admin', ...ops], {
    env: {
      ...process.env,
      KAFKA_ADMIN_BOOTSTRAP: sasl.brokers.join(','),
      ...(sasl.caFile ? { KAFKA_ADMIN_CA_FILE: sasl.caFile } : {}),
    },
    timeout: 120_000,
  });
}

/** A topic prefix no other test uses: fresh topics per test on a shared broker. */
export function freshTopicPrefix(name: string): string {
  return `test.${name.replace(/[^a-zA-Z0-9]+/g, '-')}.${randomBytes(4).toString('hex')}.`;
}
