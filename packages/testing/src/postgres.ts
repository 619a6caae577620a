import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createFreshDatabase, startEmbeddedPostgres } from '@duban/db';
import type { FreshDatabase } from '@duban/db';
import { dockerAvailable } from './docker';

export interface PostgresServer {
  /** URL of a database on the server where the user may CREATE DATABASE. */
  adminUrl: string;
  source: 'env' | 'testcontainers' | 'local' | 'embedded';
  stop(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A PostgreSQL server for tests, in this order: DATABASE_URL from the environment; a
 * testcontainers PostgreSQL when Docker is reachable; a local server on 127.0.0.1:5432; else an
 * embedded PostgreSQL from npm in a temporary folder.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) return { adminUrl: fromEnv, source: 'env', stop: async () => undefined };
  if (await dockerAvailable()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:17-alpine').start();
    return {
      adminUrl: container.getConnectionUri(),
      source: 'testcontainers',
      stop: async () => void (await container.stop()),
    };
  }
  if (await reachable(LOCAL_POSTGRES_URL))
    return { adminUrl: LOCAL_POSTGRES_URL, source: 'local', stop: async () => undefined };
  const running = await startEmbeddedPostgres({
    dataDir: join(tmpdir(), `duban-test-pg-${process.pid}`),
    port: 0,
  });
  return { adminUrl: running.adminUrl, source: 'embedded', stop: running.stop };
}

/** A fresh, migrated database for one test file or suite; drop it afterwards. */
export function freshDatabase(adminUrl: string, name: string): Promise<FreshDatabase> {
  return createFreshDatabase(adminUrl, `t_${name}`);
}
