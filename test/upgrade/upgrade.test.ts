import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '@duban/bus';
import {
  backupDatabase,
  createFreshDatabase,
  createPool,
  createPrisma,
  migrate,
  migrationStatus,
  readMigrations,
  readReleases,
  restoreDatabase,
  type FreshDatabase,
} from '@duban/db';
import { testPostgres } from '@duban/testing';
import { databaseCounts, type DatabaseCounts } from '../fixtures/counts';

// A database written by release 0.1.0 (the reduced seed year through all 113 nodes, plus three
// open items), made by test/fixtures/make-0.1.0.ts. HEAD's code writes HEAD's schema, so the old
// data has to come from a file.
const FIXTURE = fileURLToPath(new URL('../fixtures/0.1.0/seed-year.duban-backup.gz', import.meta.url));
const COUNTS = new URL('../fixtures/0.1.0/counts.json', import.meta.url);

const dbs: FreshDatabase[] = [];
let expected: DatabaseCounts;
let upgraded: FreshDatabase;
let dir: string;

async function bare(prefix: string): Promise<FreshDatabase> {
  const db = await createFreshDatabase(testPostgres(), prefix, { migrate: false });
  dbs.push(db);
  return db;
}

async function auditOk(url: string): Promise<{ ok: boolean; nodes: number; records: number }> {
  const pool = createPool(url, { max: 1 });
  try {
    const report = await verifyAuditTrail(pool);
    return {
      ok: report.ok,
      nodes: report.nodes.length,
      records: report.nodes.reduce((n, r) => n + r.records, 0),
    };
  } finally {
    await pool.end();
  }
}

/** md5 of every table's rows (all columns, stable order): equal digests, equal databases. */
async function tableDigests(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND relkind = 'r'
          AND relname NOT IN ('_prisma_migrations', 'restore_record') ORDER BY relname`,
    );
    const digests: Record<string, string> = {};
    for (const { name } of tables) {
      const t = client.escapeIdentifier(name);
      const { rows } = await client.query<{ md5: string }>(
        `SELECT md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS md5 FROM ${t} x`,
      );
      digests[name] = rows[0]!.md5;
    }
    return digests;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  expected = JSON.parse(await readFile(COUNTS, 'utf8')) as DatabaseCounts;
  dir = await mkdtemp(join(tmpdir(), 'duban-upgrade-'));
});

afterAll(async () => {
  for (const db of dbs) await db.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('a county upgrades from 0.1.0 to this build', () => {
  it('keeps every item, timer, decision and audit link of a 0.1.0 database', async () => {
    const release = (await readReleases()).find((r) => r.version === '0.1.0')!;
    const released = release.migrations.map((m) => m.name);
    upgraded = await bare('upgrade_010');

    // Exactly as 0.1.0 left it: its migrations, its rows.
    const restored = await restoreDatabase(upgraded.url, FIXTURE, { migrateAfter: false });
    expect(restored.manifest.migrations.map((m) => m.name)).toEqual(released);
    expect(restored.manifest.dubanVersion).toBe('0.1.0');
    const before = await migrationStatus(upgraded.url);
    expect(before.applied.map((m) => m.name)).toEqual(released);
    const later = (await readMigrations()).map((m) => m.name).filter((n) => !released.includes(n));
    expect(before.pending).toEqual(later);
    expect(await databaseCounts(upgraded.url)).toEqual(expected);
    // The fixture is real: keys of all 113 nodes, open items with pending timers, fired ones, decisions.
    expect(expected.tables.node_key).toBe(113);
    expect(Object.keys(expected.audit).length).toBeGreaterThan(20);
    expect(expected.tables.timer).toBeGreaterThan(0);
    expect(expected.tables.timer_done).toBeGreaterThan(0);
    expect(expected.tables.decision).toBeGreaterThan(0);
    expect(expected.tables.account).toBeGreaterThan(0);

    // The upgrade: what starting this build does.
    const result = await migrate(upgraded.url);
    expect(result.applied).toEqual(later);
    expect((await migrationStatus(upgraded.url)).pending).toEqual([]);

    expect(await databaseCounts(upgraded.url)).toEqual(expected);
    expect(await auditOk(upgraded.url)).toEqual({
      ok: true,
      nodes: Object.keys(expected.audit).length,
      records: expected.tables.audit_record,
    });
    // And this build's client reads the old rows through its own models.
    const prisma = createPrisma(upgraded.url, { pool: { max: 1 } });
    try {
      expect(await prisma.item.count()).toBe(expected.tables.item);
      expect(await prisma.timer.count()).toBe(expected.tables.timer);
      expect(await prisma.timerDone.count()).toBe(expected.tables.timer_done);
      expect(await prisma.decision.count()).toBe(expected.tables.decision);
      expect(await prisma.account.count()).toBe(expected.tables.account);
    } finally {
      await prisma.$disconnect();
    }
  }, 120_000);

  it('backs the upgraded database up and restores it identically; never over data', async () => {
    const file = join(dir, 'upgraded.duban-backup.gz');
    const { manifest } = await backupDatabase(upgraded.url, file);
    expect(manifest.migrations.map((m) => m.name)).toEqual((await readMigrations()).map((m) => m.name));

    const copy = await bare('upgrade_copy');
    const result = await restoreDatabase(copy.url, file);
    expect(result.upgraded).toEqual([]);
    expect(await tableDigests(copy.url)).toEqual(await tableDigests(upgraded.url));
    expect(await databaseCounts(copy.url)).toEqual(expected);
    expect((await auditOk(copy.url)).ok).toBe(true);

    // Into a database holding data: refused, and nothing changes.
    const digests = await tableDigests(copy.url);
    await expect(restoreDatabase(copy.url, FIXTURE)).rejects.toThrow(
      /Refusing to restore into a database that holds data: account \(\d+ rows\)/,
    );
    expect(await tableDigests(copy.url)).toEqual(digests);
  }, 120_000);
});
