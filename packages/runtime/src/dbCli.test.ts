import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreshDatabase, readMigrations, startEmbeddedPostgres, type FreshDatabase } from '@duban/db';
import { testPostgres } from '@duban/testing';
import { runCli } from './cli';

const dbs: FreshDatabase[] = [];
let dir: string;

async function bare(prefix: string): Promise<FreshDatabase> {
  const db = await createFreshDatabase(testPostgres(), prefix, { migrate: false });
  dbs.push(db);
  return db;
}

async function cli(argv: string[], url: string): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runCli(argv, (line) => lines.push(line), { DATABASE_URL: url });
  return { code, lines };
}

async function sql(url: string, text: string): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duban-db-cli-'));
});

afterAll(async () => {
  for (const db of dbs) await db.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('pnpm duban db status | db migrate | backup | restore', () => {
  it('shows what is pending, applies it, backs up and restores into an empty database only', async () => {
    const names = (await readMigrations()).map((m) => m.name);
    const db = await bare('cli_db_source');
    const before = await cli(['db', 'status'], db.url);
    expect(before.code).toBe(0);
    expect(
      before.lines.filter((l) => l.trim().startsWith('pending')).map((l) => l.trim().split(/\s+/)[1]),
    ).toEqual(names);

    const migrated = await cli(['db', 'migrate'], db.url);
    expect(migrated.lines).toEqual([
      ...names.map((n) => `applied migration ${n}`),
      `${db.url}: applied ${names.length} migration(s); 0 were applied before.`,
    ]);
    expect((await cli(['db', 'migrate'], db.url)).lines.at(-1)).toMatch(/nothing to apply/);
    const after = await cli(['db', 'status'], db.url);
    expect(after.lines.filter((l) => l.trim().startsWith('applied'))).toHaveLength(names.length);
    expect(after.lines.at(-1)).toBe('up to date.');

    await sql(
      db.url,
      `INSERT INTO account (id, node_id, login, display_name, roles, password_hash, created_at, updated_at)
       VALUES (gen_random_uuid(), 'county', 'wang', '王科员', ARRAY['office-staff'], 'x', now(), now())`,
    );
    const file = join(dir, 'node.duban-backup.gz');
    const backup = await cli(['backup', '--out', file], db.url);
    expect(backup.lines[0]).toMatch(/^backed up .* \(\d+ bytes\): 1 rows in \d+ tables/);

    const target = await bare('cli_db_target');
    const restored = await cli(['restore', file], target.url);
    expect(restored.code).toBe(0);
    expect(await sql(target.url, 'SELECT login, display_name FROM account')).toEqual([
      { login: 'wang', display_name: '王科员' },
    ]);
    // A second time the target holds data: refused, naming it.
    await expect(cli(['restore', file], target.url)).rejects.toThrow(
      /Refusing to restore into a database that holds data: account \(1 rows\), restore_record \(1 rows\)/,
    );
  });

  it('refuses, in one line, a database from a newer build and one it cannot reach', async () => {
    const db = await bare('cli_db_newer');
    await cli(['db', 'migrate'], db.url);
    await sql(
      db.url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
       VALUES (gen_random_uuid()::text, 'x', '29991231000000_from_the_future', now(), 1)`,
    );
    const status = await cli(['db', 'status'], db.url);
    expect(status.code).toBe(1);
    expect(status.lines).toContain(
      '  unknown  29991231000000_from_the_future  (applied by a newer build; this build refuses to run)',
    );
    await expect(cli(['db', 'migrate'], db.url)).rejects.toThrow(
      /migrated by a newer build of duban \(migration\(s\) this build does not have: 29991231000000_from_the_future\)/,
    );

    // The real command, as an operator runs it: one line on stderr, exit 1, no stack trace.
    const bin = fileURLToPath(new URL('./bin/duban.ts', import.meta.url));
    const run = promisify(execFile);
    const failed = (await run('pnpm', ['exec', 'tsx', bin, 'db', 'status'], {
      env: { ...process.env, DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/nowhere' },
    }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toBe(
      'duban: cannot reach postgres://postgres:***@127.0.0.1:1/nowhere (ECONNREFUSED)',
    );
  }, 60_000);

  it('without DATABASE_URL: the embedded database of DUBAN_DATA_DIR while it runs, never another one', async () => {
    const home = await mkdtemp(join(tmpdir(), 'duban-db-cli-embedded-'));
    // As root the server runs as the `postgres` user, which must reach its directory.
    await chmod(home, 0o755);
    const server = await startEmbeddedPostgres({ dataDir: join(home, 'data', 'pg'), port: 0 });
    try {
      const env = { DUBAN_DATA_DIR: join(home, 'data'), EMBEDDED_POSTGRES_PORT: String(server.port) };
      const lines: string[] = [];
      expect(await runCli(['db', 'migrate'], (l) => lines.push(l), env)).toBe(0);
      expect(lines.at(-1)).toMatch(
        /^the running embedded database \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/duban\): applied/,
      );
      await expect(
        runCli(['db', 'status'], () => {}, { ...env, DUBAN_DATA_DIR: join(home, 'elsewhere') }),
      ).rejects.toThrow(`port ${server.port} serves the embedded database of ${join(home, 'data', 'pg')}`);
    } finally {
      await server.stop();
    }
    await expect(
      runCli(['backup', '--out', join(home, 'x.gz')], () => {}, {
        DUBAN_DATA_DIR: join(home, 'nothing'),
        EMBEDDED_POSTGRES_PORT: String(server.port),
      }),
    ).rejects.toThrow(
      `no database: DATABASE_URL is not set and there is no embedded one in ${join(home, 'nothing', 'pg')}`,
    );
    await rm(home, { recursive: true, force: true });
  }, 120_000);
});
