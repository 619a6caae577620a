import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checksumMatches,
  migrate,
  MigrationError,
  migrationStatus,
  sha256,
  withoutTransactionControl,
} from './migrate.ts';
import { createFreshDatabase, type FreshDatabase } from './testing.ts';

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let dir: string;
let db: FreshDatabase;
const created: string[] = [];

async function write(name: string, sql: string): Promise<void> {
  await mkdir(join(dir, name), { recursive: true });
  await writeFile(join(dir, name, 'migration.sql'), sql);
}

async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

const bookkeeping = () =>
  query<{
    migration_name: string;
    checksum: string;
    finished_at: Date | null;
    applied_steps_count: number;
    rolled_back_at: Date | null;
  }>(
    'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
  );

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duban-migrations-'));
  created.push(dir);
  // Empty folder: a bare database (plus the bookkeeping table).
  db = await createFreshDatabase(adminUrl, 'db_migrate_test', { migrationsDir: dir });
});

afterEach(async () => {
  await db.drop();
});

afterAll(async () => {
  await Promise.all(created.map((d) => rm(d, { recursive: true, force: true })));
});

describe('migrate', () => {
  it('applies migrations in name order, once, with Prisma bookkeeping', async () => {
    await write('20260102000000_second', 'ALTER TABLE a ADD COLUMN note text;');
    await write('20260101000000_first', 'CREATE TABLE a (id int PRIMARY KEY);');

    const result = await migrate(db.url, { migrationsDir: dir });

    expect(result.applied).toEqual(['20260101000000_first', '20260102000000_second']);
    const rows = await bookkeeping();
    expect(rows.map((r) => r.migration_name)).toEqual(['20260101000000_first', '20260102000000_second']);
    expect(rows[0]!.checksum).toBe(sha256('CREATE TABLE a (id int PRIMARY KEY);'));
    expect(
      rows.every(
        (r) => r.finished_at instanceof Date && r.applied_steps_count === 1 && r.rolled_back_at === null,
      ),
    ).toBe(true);
    expect(await query('SELECT id, note FROM a')).toEqual([]);
  });

  it('is idempotent and applies only what is new', async () => {
    await write('20260101000000_first', 'CREATE TABLE a (id int PRIMARY KEY);');
    await migrate(db.url, { migrationsDir: dir });

    const again = await migrate(db.url, { migrationsDir: dir });
    expect(again).toEqual({ applied: [], alreadyApplied: ['20260101000000_first'], unknown: [] });

    await write('20260103000000_third', 'CREATE TABLE c (id int);');
    const later = await migrate(db.url, { migrationsDir: dir });
    expect(later.applied).toEqual(['20260103000000_third']);
    expect(await bookkeeping()).toHaveLength(2);
  });

  it('refuses to run when an applied migration was edited, and applies nothing', async () => {
    await write('20260101000000_first', 'CREATE TABLE a (id int PRIMARY KEY);');
    await migrate(db.url, { migrationsDir: dir });
    await write('20260101000000_first', 'CREATE TABLE a (id bigint PRIMARY KEY);');
    await write('20260102000000_second', 'CREATE TABLE b (id int);');

    const error = await migrate(db.url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/changed on disk.*20260101000000_first/);
    expect(await query("SELECT to_regclass('b') AS b")).toEqual([{ b: null }]);
  });

  it('treats a CRLF checkout of the same file as unchanged', async () => {
    await write('20260101000000_first', 'CREATE TABLE a (\n  id int\n);\n');
    await migrate(db.url, { migrationsDir: dir });
    await write('20260101000000_first', 'CREATE TABLE a (\r\n  id int\r\n);\r\n');
    await expect(migrate(db.url, { migrationsDir: dir })).resolves.toMatchObject({ applied: [] });
    expect(checksumMatches('x\r\n', sha256('x\n'))).toBe(true);
  });

  it('rolls a failing migration back entirely and names it; a fixed one applies later', async () => {
    await write('20260101000000_first', 'CREATE TABLE a (id int PRIMARY KEY);');
    await write('20260102000000_broken', 'CREATE TABLE b (id int);\nINSERT INTO nowhere VALUES (1);');

    const error = await migrate(db.url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(
      /20260102000000_broken failed at line 2.*"nowhere" does not exist/,
    );
    // The first one committed on its own; the broken one left nothing.
    expect((await bookkeeping()).map((r) => r.migration_name)).toEqual(['20260101000000_first']);
    expect(await query("SELECT to_regclass('b') AS b")).toEqual([{ b: null }]);

    await write('20260102000000_broken', 'CREATE TABLE b (id int);');
    await expect(migrate(db.url, { migrationsDir: dir })).resolves.toMatchObject({
      applied: ['20260102000000_broken'],
    });
  });

  it("runs Prisma's BEGIN;/COMMIT; enum scripts and dollar-quoted bodies inside its own transaction", async () => {
    await write(
      '20260101000000_enum',
      [
        `CREATE TYPE "Status" AS ENUM ('OPEN', 'GONE');`,
        'BEGIN;',
        `CREATE TYPE "Status_new" AS ENUM ('OPEN');`,
        'DROP TYPE "Status";',
        'ALTER TYPE "Status_new" RENAME TO "Status";',
        'COMMIT;',
        'CREATE FUNCTION one() RETURNS int LANGUAGE plpgsql AS $fn$',
        'BEGIN',
        '  RETURN 1;',
        'END;',
        '$fn$;',
      ].join('\n'),
    );
    await migrate(db.url, { migrationsDir: dir });
    expect(await query('SELECT one() AS one')).toEqual([{ one: 1 }]);
    expect(await query(`SELECT enum_range(NULL::"Status")::text AS r`)).toEqual([{ r: '{OPEN}' }]);

    // A failure after the script's COMMIT line still undoes everything before it.
    await write(
      '20260102000000_atomic',
      'CREATE TABLE x (id int);\nBEGIN;\nCREATE TABLE y (id int);\nCOMMIT;\nSELECT 1/0;',
    );
    await expect(migrate(db.url, { migrationsDir: dir })).rejects.toThrow(/division by zero/);
    expect(await query("SELECT to_regclass('x') AS x, to_regclass('y') AS y")).toEqual([
      { x: null, y: null },
    ]);
  });

  it('only strips stand-alone transaction lines outside dollar quotes', () => {
    const body = 'CREATE PROCEDURE p() LANGUAGE plpgsql AS $$\nBEGIN\nCOMMIT;\nEND;\n$$;';
    expect(withoutTransactionControl(`BEGIN;\n${body}\n  commit ;\n`)).toBe(
      `-- BEGIN removed by the migration runner\n${body}\n-- commit removed by the migration runner\n`,
    );
  });

  it('refuses to run past a migration Prisma recorded as failed', async () => {
    await query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ('x', 'abc', '20250101000000_half', now())`,
    );
    await write('20260101000000_first', 'CREATE TABLE a (id int);');
    await expect(migrate(db.url, { migrationsDir: dir })).rejects.toThrow(
      /20250101000000_half are recorded as failed/,
    );
  });

  it('lets concurrent starters race safely: each migration is applied exactly once', async () => {
    await write('20260101000000_first', 'CREATE TABLE a (id int PRIMARY KEY);\nSELECT pg_sleep(0.2);');
    await write('20260102000000_second', 'INSERT INTO a VALUES (1);');
    await write('20260103000000_third', 'INSERT INTO a VALUES (2);');

    const results = await Promise.all(
      Array.from({ length: 6 }, () => migrate(db.url, { migrationsDir: dir })),
    );

    expect(results.flatMap((r) => r.applied).sort()).toEqual([
      '20260101000000_first',
      '20260102000000_second',
      '20260103000000_third',
    ]);
    expect(await query('SELECT id FROM a ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await bookkeeping()).toHaveLength(3);
  });

  it('gives up with a clear error when the lock stays taken', async () => {
    await write('20260101000000_first', 'CREATE TABLE a (id int);');
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(72707369)');
      await expect(migrate(db.url, { migrationsDir: dir, lockTimeoutMs: 300 })).rejects.toThrow(
        /Timed out after 300 ms waiting for the migration lock/,
      );
    } finally {
      await holder.end();
    }
    await expect(migrate(db.url, { migrationsDir: dir })).resolves.toMatchObject({
      applied: ['20260101000000_first'],
    });
  });

  it('refuses a database migrated by a newer build, unless told to carry on', async () => {
    await write('20260101000000_first', 'CREATE TABLE a (id int);');
    await migrate(db.url, { migrationsDir: dir });
    await rm(join(dir, '20260101000000_first'), { recursive: true });
    await expect(migrate(db.url, { migrationsDir: dir })).rejects.toThrow(
      /migrated by a newer build of duban \(migration\(s\) this build does not have: 20260101000000_first\)/,
    );
    await expect(migrate(db.url, { migrationsDir: dir, allowUnknown: true })).resolves.toEqual({
      applied: [],
      alreadyApplied: [],
      unknown: ['20260101000000_first'],
    });
    expect(await migrationStatus(db.url, { migrationsDir: dir })).toMatchObject({
      applied: [],
      pending: [],
      unknown: ['20260101000000_first'],
    });
  });

  it('applies only the migrations it is given, and reports the rest as pending', async () => {
    expect(await migrationStatus(db.url, { migrationsDir: dir })).toEqual({
      applied: [],
      pending: [],
      unknown: [],
      changed: [],
      failed: [],
    });
    await write('20260101000000_first', 'CREATE TABLE a (id int);');
    await write('20260102000000_second', 'CREATE TABLE b (id int);');
    await write('20260103000000_third', 'CREATE TABLE c (id int);');
    expect((await migrationStatus(db.url, { migrationsDir: dir })).pending).toHaveLength(3);
    expect(
      await migrate(db.url, { migrationsDir: dir, only: ['20260101000000_first', '20260103000000_third'] }),
    ).toMatchObject({ applied: ['20260101000000_first', '20260103000000_third'] });
    await expect(migrate(db.url, { migrationsDir: dir, only: ['20260109000000_nope'] })).rejects.toThrow(
      /no migration\(s\) 20260109000000_nope/,
    );
    await writeFile(join(dir, '20260101000000_first', 'migration.sql'), 'CREATE TABLE a (id bigint);');
    const status = await migrationStatus(db.url, { migrationsDir: dir });
    expect(status.applied.map((m) => m.name)).toEqual(['20260103000000_third']);
    expect(status).toMatchObject({ pending: ['20260102000000_second'], changed: ['20260101000000_first'] });
  });
});
