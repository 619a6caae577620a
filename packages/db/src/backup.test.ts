import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase, readBackupManifest, restoreDatabase } from './backup.ts';
import { migrationStatus } from './migrate.ts';
import { createFreshDatabase, type FreshDatabase } from './testing.ts';

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// A schema of our own with what the real one has and more: a foreign key whose child sorts
// first, serial ids, jsonb, arrays, bytea, nulls, text with tabs/newlines/backslashes/CJK.
const FIRST = `
CREATE TABLE "a_child" (id BIGSERIAL PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES "z_parent"(id), note TEXT);
`;
const PARENT = `
CREATE TABLE "z_parent" (id TEXT PRIMARY KEY, doc JSONB, tags TEXT[], raw BYTEA, at TIMESTAMPTZ(3));
`;
const LATER = `ALTER TABLE "z_parent" ADD COLUMN "extra" TEXT NOT NULL DEFAULT 'later';`;

let dir: string;
let migrationsDir: string;
const dbs: FreshDatabase[] = [];

async function fresh(prefix: string, migrate = true): Promise<FreshDatabase> {
  const db = await createFreshDatabase(adminUrl, prefix, { migrationsDir, migrate });
  dbs.push(db);
  return db;
}

async function sql<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function writeMigration(name: string, text: string): Promise<void> {
  await mkdir(join(migrationsDir, name), { recursive: true });
  await writeFile(join(migrationsDir, name, 'migration.sql'), text);
}

const dump = async (url: string) => ({
  parents: await sql(url, 'SELECT * FROM z_parent ORDER BY id'),
  children: await sql(url, 'SELECT * FROM a_child ORDER BY id'),
});

let source: FreshDatabase;
let backupFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duban-backup-'));
  migrationsDir = join(dir, 'migrations');
  // The parent table is created by the second migration, the child's FK added after it.
  await writeMigration('20260101000000_parent', PARENT);
  await writeMigration('20260102000000_child', FIRST);
  source = await fresh('db_backup_source');
  const weird = 'tab\there\nnew line \\ back\\slash 督办 "quoted" \\N';
  await sql(
    source.url,
    `INSERT INTO z_parent (id, doc, tags, raw, at) VALUES
       ('p1', '{"k": [1, 2, {"x": null}]}', ARRAY['一', 'b,c', NULL], '\\x00ff10'::bytea, '2026-03-01T08:00:00.123Z'),
       ('p2', NULL, NULL, NULL, NULL),
       ($1, '"s"', '{}', ''::bytea, now())`,
    [weird],
  );
  await sql(
    source.url,
    `INSERT INTO a_child (parent_id, note)
     SELECT CASE i % 3 WHEN 0 THEN 'p1' WHEN 1 THEN 'p2' ELSE $1 END,
            CASE WHEN i % 7 = 0 THEN NULL ELSE 'note ' || i || ' ' || repeat('x', i % 50) END
       FROM generate_series(0, 2499) AS i`,
    [weird],
  );
  // A gap in the ids: the sequence is ahead of the highest row.
  await sql(source.url, "SELECT nextval('a_child_id_seq')");
  await sql(source.url, 'DELETE FROM a_child WHERE id > 2490');
  backupFile = join(dir, 'source.duban-backup');
  await backupDatabase(source.url, backupFile);
});

afterEach(async () => {
  await rm(join(migrationsDir, '20260103000000_later'), { recursive: true, force: true });
});

afterAll(async () => {
  for (const db of dbs) await db.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('backupDatabase / restoreDatabase', () => {
  it('restores into a bare database exactly what was there, sequences included', async () => {
    const manifest = await readBackupManifest(backupFile);
    expect(manifest).toMatchObject({
      format: 1,
      dubanVersion: '0.1.0',
      migrations: [{ name: '20260101000000_parent' }, { name: '20260102000000_child' }],
    });
    // The parent before the child whatever their names.
    expect(manifest.tables.map((t) => [t.name, t.rows])).toEqual([
      ['z_parent', 3],
      ['a_child', 2490],
    ]);

    const target = await fresh('db_backup_target', false);
    const result = await restoreDatabase(target.url, backupFile, { migrationsDir });
    expect(result.rows).toEqual({ z_parent: 3, a_child: 2490 });
    expect(result.upgraded).toEqual([]);
    expect(await dump(target.url)).toEqual(await dump(source.url));
    const [next] = await sql<{ id: string }>(
      target.url,
      "INSERT INTO a_child (parent_id) VALUES ('p2') RETURNING id::text",
    );
    expect(next!.id).toBe('2502');
    expect((await migrationStatus(target.url, { migrationsDir })).applied.map((m) => m.name)).toEqual([
      '20260101000000_parent',
      '20260102000000_child',
    ]);
  });

  it('restores into a database that only has the schema, then applies the newer migrations', async () => {
    const target = await fresh('db_backup_schema_only');
    await writeMigration('20260103000000_later', LATER);
    const result = await restoreDatabase(target.url, backupFile, { migrationsDir });
    expect(result.upgraded).toEqual(['20260103000000_later']);
    expect(await sql(target.url, "SELECT count(*)::int AS n FROM z_parent WHERE extra = 'later'")).toEqual([
      { n: 3 },
    ]);
  });

  it('refuses a database that holds any row, naming it, and changes nothing', async () => {
    const target = await fresh('db_backup_nonempty');
    await sql(target.url, "INSERT INTO z_parent (id) VALUES ('mine')");
    await expect(restoreDatabase(target.url, backupFile, { migrationsDir })).rejects.toThrow(
      'Refusing to restore into a database that holds data: z_parent (1 rows)',
    );
    expect(await sql(target.url, 'SELECT id FROM z_parent')).toEqual([{ id: 'mine' }]);
    expect(await sql(target.url, 'SELECT count(*)::int AS n FROM a_child')).toEqual([{ n: 0 }]);
  });

  it('refuses a database already migrated past the backup', async () => {
    await writeMigration('20260103000000_later', LATER);
    const target = await fresh('db_backup_newer');
    await expect(restoreDatabase(target.url, backupFile, { migrationsDir })).rejects.toThrow(
      /has migration\(s\) the backup predates \(20260103000000_later\)/,
    );
  });

  it('refuses a backup taken by a newer build', async () => {
    const target = await fresh('db_backup_older_build', false);
    const older = join(dir, 'older-migrations');
    await mkdir(join(older, '20260101000000_parent'), { recursive: true });
    await writeFile(join(older, '20260101000000_parent', 'migration.sql'), PARENT);
    await expect(restoreDatabase(target.url, backupFile, { migrationsDir: older })).rejects.toThrow(
      /taken by a newer build \(duban 0\.1\.0\): this build lacks migration\(s\) 20260102000000_child/,
    );
    expect(await sql(target.url, "SELECT to_regclass('z_parent')::text AS t")).toEqual([{ t: null }]);
  });

  it('refuses truncated, damaged or foreign files with one clear line, loading nothing', async () => {
    const whole = await readFile(backupFile);
    const plain = gunzipSync(whole);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['truncated.gz', whole.subarray(0, Math.floor(whole.length * 0.6)), /truncated/],
      // A complete gzip stream whose content stops half-way through the rows.
      ['cut.gz', gzipSync(plain.subarray(0, plain.length - 3000)), /truncated/],
      ['not-gzip.gz', Buffer.from('hello, not a backup'), /not gzip data or is damaged/],
      ['not-ours.gz', gzipSync(Buffer.from('PGDMP some pg_dump file')), /not a duban backup/],
    ];
    // One flipped byte inside the rows (after the manifest): the digest catches what COPY accepts.
    const flipped = Buffer.from(plain);
    const at = flipped.indexOf('note 1000');
    flipped[at + 5] = '9'.charCodeAt(0);
    cases.push(['flipped.gz', gzipSync(flipped), /digest does not match/]);
    for (const [name, bytes, expected] of cases) {
      const file = join(dir, name);
      await writeFile(file, bytes);
      const target = await fresh('db_backup_corrupt', false);
      const error = (await restoreDatabase(target.url, file, { migrationsDir }).catch(
        (e: unknown) => e,
      )) as Error;
      expect(error.message, name).toMatch(expected);
      expect(error.message, name).not.toContain('\n');
      const [exists] = await sql<{ t: string | null }>(
        target.url,
        "SELECT to_regclass('a_child')::text AS t",
      );
      const rows = exists!.t ? await sql(target.url, 'SELECT count(*)::int AS n FROM a_child') : [{ n: 0 }];
      expect(rows, name).toEqual([{ n: 0 }]);
    }
  });

  it('leaves no file behind when the backup fails', async () => {
    const file = join(dir, 'never.duban-backup');
    await expect(backupDatabase('postgres://postgres@127.0.0.1:1/nowhere', file)).rejects.toThrow();
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });
});
