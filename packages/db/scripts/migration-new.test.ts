import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/embedded.ts';
import { migrate } from '../src/migrate.ts';
import { createFreshDatabase, type FreshDatabase } from '../src/testing.ts';
import { diffMigrationsToSchema, writeMigration } from './migration-new.ts';

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function databases(): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query<{ datname: string }>('SELECT datname FROM pg_database')).rows.map(
      (r) => r.datname,
    );
  } finally {
    await client.end();
  }
}

describe('migrations folder', () => {
  it('holds everything in prisma/schema.prisma (else: pnpm --filter @duban/db migration:new <name>)', async () => {
    expect(await diffMigrationsToSchema({ url: adminUrl })).toBe('');
  });

  it('diffs the same on the embedded PostgreSQL 18 (its NOT NULL constraints are not the engine’s business)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'duban-migration-pg18-'));
    // As root the server runs as the `postgres` user, which must reach its directory.
    await chmod(home, 0o755);
    const server = await startEmbeddedPostgres({ dataDir: join(home, 'data'), port: 0 });
    try {
      expect(await diffMigrationsToSchema({ url: server.adminUrl })).toBe('');
    } finally {
      await server.stop();
      await rm(home, { recursive: true, force: true });
    }
  }, 120_000);
});

/** The Date a `<YYYYMMDDHHMMSS>_name` directory was stamped with. */
function fromStamp(dir: string): string {
  const s = dir.split('/').at(-1)!.slice(0, 14);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}Z`;
}

describe('diffMigrationsToSchema', () => {
  let dir: string;
  let bystander: FreshDatabase;
  const header =
    'generator client {\n  provider = "prisma-client"\n  output = "./unused"\n}\ndatasource db {\n  provider = "postgresql"\n}\n';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duban-migration-new-'));
    bystander = await createFreshDatabase(adminUrl, 'db_diff_bystander', {
      migrationsDir: join(dir, 'none'),
    });
  });

  afterAll(async () => {
    await bystander.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes migrations that migrate() applies, up to a schema with no remaining diff', async () => {
    const migrationsDir = join(dir, 'migrations');
    const schemaPath = join(dir, 'schema.prisma');
    // Diffing against the bystander's URL must leave that database alone (it hosts no shadow).
    const client = new pg.Client({ connectionString: bystander.url });
    await client.connect();
    await client.query('CREATE TABLE untouched (id int)');
    await client.end();
    const target = await createFreshDatabase(adminUrl, 'db_diff_target', { migrationsDir });
    try {
      await writeFile(
        schemaPath,
        `${header}enum Status {\n  OPEN\n  GONE\n}\nmodel Thing {\n  id Int @id\n  status Status @default(OPEN)\n}\n`,
      );
      const first = await diffMigrationsToSchema({ url: bystander.url, migrationsDir, schemaPath });
      expect(first).toMatch(/CREATE TYPE "Status" AS ENUM \('OPEN', 'GONE'\)/);
      expect(first).toMatch(/CREATE TABLE "Thing"/);
      const initDir = await writeMigration(migrationsDir, 'init', first);
      // Never over an existing migration, released or not.
      await expect(
        writeMigration(migrationsDir, 'init', 'SELECT 1;', new Date(fromStamp(initDir))),
      ).rejects.toThrow(/exists already/);
      await writeFile(
        join(migrationsDir, 'released.json'),
        JSON.stringify({
          releases: [
            {
              version: '9.9.9',
              date: '2026-01-01',
              commit: 'x',
              migrations: [{ name: '20260101000000_fixed', sha256: '0' }],
            },
          ],
        }),
      );
      await expect(
        writeMigration(migrationsDir, 'fixed', 'SELECT 1;', new Date('2026-01-01T00:00:00Z')),
      ).rejects.toThrow(/is a released migration/);
      expect(await diffMigrationsToSchema({ url: bystander.url, migrationsDir, schemaPath })).toBe('');

      // Dropping an enum value: Prisma recreates the type inside BEGIN;/COMMIT;.
      await writeFile(
        schemaPath,
        `${header}enum Status {\n  OPEN\n}\nmodel Thing {\n  id Int @id\n  status Status @default(OPEN)\n  note String?\n}\n`,
      );
      const second = await diffMigrationsToSchema({ url: bystander.url, migrationsDir, schemaPath });
      expect(second).toMatch(/^BEGIN;$/m);
      // Same second twice would collide on the directory name.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await writeMigration(migrationsDir, 'drop_gone', second);

      const result = await migrate(target.url, { migrationsDir });
      expect(result.applied).toHaveLength(2);
      expect(await diffMigrationsToSchema({ url: bystander.url, migrationsDir, schemaPath })).toBe('');

      const check = new pg.Client({ connectionString: bystander.url });
      await check.connect();
      expect((await check.query("SELECT to_regclass('untouched') AS t")).rows).toEqual([{ t: 'untouched' }]);
      await check.end();
      expect((await databases()).filter((name) => name.startsWith('prisma_shadow_'))).toEqual([]);
    } finally {
      await target.drop();
    }
  });

  it('reports schema errors with their location', async () => {
    const schemaPath = join(dir, 'broken.prisma');
    await writeFile(schemaPath, `${header}model Broken {\n  id Intt @id\n}\n`);
    await expect(
      diffMigrationsToSchema({ url: adminUrl, migrationsDir: join(dir, 'none'), schemaPath }),
    ).rejects.toThrow(/Intt/);
  });
});
