import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createPool } from './deps';

/** The one host the benchmark may talk to: it creates and drops databases and topics. */
export const LOOPBACK = '127.0.0.1';

export function assertLoopbackUrl(what: string, url: string): void {
  const host = new URL(url).hostname;
  if (host !== LOOPBACK) {
    throw new Error(
      `${what} points at ${host}: the benchmark only runs against ${LOOPBACK} (it creates and drops databases and topics)`,
    );
  }
}

export function assertLoopbackBrokers(brokers: readonly string[]): void {
  for (const broker of brokers) {
    const host = broker.slice(0, broker.lastIndexOf(':'));
    if (host !== LOOPBACK) {
      throw new Error(
        `Kafka broker ${broker}: the benchmark only runs against ${LOOPBACK} (it creates and deletes topics)`,
      );
    }
  }
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  kafka: string;
  os: string;
  date: string;
  /** Share of CPU busy with other work just before the benchmark, and the 1-minute load average then. */
  background: { busy: number; load1: number };
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: fall back to what Node knows
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export async function postgresVersion(adminUrl: string): Promise<string> {
  const pool = createPool(adminUrl, { max: 1 });
  try {
    const { rows } = await pool.query<{ version: string }>('SELECT version()');
    return rows[0]?.version ?? 'unknown';
  } finally {
    await pool.end();
  }
}

/** The server settings that move these numbers, since a shared server's may have been changed. */
export async function postgresSettings(adminUrl: string): Promise<string> {
  const pool = createPool(adminUrl, { max: 1 });
  try {
    const { rows } = await pool.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings
        WHERE name IN ('shared_buffers', 'synchronous_commit', 'fsync', 'wal_sync_method', 'autovacuum', 'max_connections')
        ORDER BY name`,
    );
    return rows
      .map((r) => `${r.name}=${r.unit === '8kB' ? `${(Number(r.setting) * 8) / 1024}MB` : r.setting}`)
      .join(', ');
  } finally {
    await pool.end();
  }
}

/**
 * The broker's version, read from the jar infra/kafka/kafka.sh runs (its cache layout and default
 * version). A broker from KAFKA_BROKERS is not ours to inspect: it is only labelled as external.
 */
export function kafkaVersion(source: string): string {
  const version = process.env.DUBAN_KAFKA_VERSION ?? '4.4.0';
  if (source !== 'jar') return `external broker (${source}); version not probed`;
  const cache =
    process.env.DUBAN_KAFKA_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(os.homedir(), '.cache'), 'duban', 'kafka');
  const libs = join(cache, version, 'libs');
  const jar = existsSync(libs) ? readdirSync(libs).find((f) => /^kafka_[\d.]+-.+\.jar$/.test(f)) : undefined;
  return jar
    ? `Apache Kafka ${version} (${jar}, KRaft, single node, from infra/kafka/kafka.sh)`
    : `Apache Kafka ${version} (infra/kafka/kafka.sh default)`;
}

export function describeMachine(postgres: string, kafka: string, background: Machine['background']): Machine {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    postgres,
    kafka,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    background,
  };
}
