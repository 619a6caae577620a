import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, type MigrateOptions } from './migrate.ts';

export interface FreshDatabase {
  url: string;
  name: string;
  /** Drops the database, closing any connections still open to it. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named database on the server of `adminUrl` (any database there the user
 * may connect to, usually `/postgres`) and migrates it. For integration tests: one per test
 * file or suite, dropped afterwards, so parallel test files never share state.
 */
export async function createFreshDatabase(
  adminUrl: string,
  namePrefix: string,
  options: Pick<MigrateOptions, 'migrationsDir' | 'only'> & {
    /** false: leave it bare (no tables at all), e.g. as a restore's target. */
    migrate?: boolean;
  } = {},
): Promise<FreshDatabase> {
  const name = databaseName(namePrefix);
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  const parsed = new URL(adminUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const drop = () =>
    withAdmin(adminUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
    ).then(() => {});
  try {
    const { migrate: wanted, ...migrateOptions } = options;
    if (wanted !== false) await migrate(url, migrateOptions);
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  return { url, name, drop };
}

function databaseName(prefix: string): string {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'test';
  // Identifiers are cut at 63 bytes: keep the unique suffix whole.
  return `${clean.slice(0, 40)}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
