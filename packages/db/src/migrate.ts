import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** packages/db/migrations: `<timestamp>_<name>/migration.sql`, applied in name order. */
export const defaultMigrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

// The key `prisma migrate deploy` locks too, so this runner and the native CLI (where someone
// has it) exclude each other as well as concurrent starters of this runner. Advisory locks are
// per database: migrating different databases on one server never waits.
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

export interface Migration {
  /** The directory name, e.g. `20261126120000_init`; also `migration_name` in the table. */
  name: string;
  sql: string;
  /** sha256 hex of migration.sql, as Prisma computes it. */
  checksum: string;
}

export interface MigrateOptions {
  migrationsDir?: string;
  /** How long to wait for another starter's migration run (default 5 minutes). */
  lockTimeoutMs?: number;
  /** Called once per applied migration. */
  log?: (message: string) => void;
  /**
   * Apply only these of the folder's migrations (in folder order), leaving the rest pending:
   * a restore recreates exactly the schema its backup was taken with before loading rows.
   * A name the folder lacks is an error.
   */
  only?: readonly string[];
  /**
   * Carry on when the database records migrations this build does not have (default: refuse,
   * since it was migrated by a newer build whose schema this code may not understand).
   */
  allowUnknown?: boolean;
}

export interface MigrateResult {
  /** Applied by this call, in order. */
  applied: string[];
  /** Already applied before this call. */
  alreadyApplied: string[];
  /** Recorded as applied in the database but absent from the folder (e.g. a newer release ran). */
  unknown: string[];
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function readMigrations(migrationsDir = defaultMigrationsDir): Promise<Migration[]> {
  let entries;
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    const file = join(migrationsDir, name, 'migration.sql');
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (!exists) throw new MigrationError(`Migration directory ${name} has no migration.sql (${file}).`);
    const sql = await readFile(file, 'utf8');
    migrations.push({ name, sql, checksum: sha256(sql) });
  }
  return migrations;
}

/**
 * Applies the pending migrations of `migrationsDir` to the database at `url`, recording them in
 * Prisma's `_prisma_migrations` table exactly as `prisma migrate deploy` would, so either tool
 * can take over later. Each migration runs in its own transaction: one that fails leaves no
 * trace and is retried on the next start. Safe to call from several processes at once.
 */
export async function migrate(url: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = await readMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: url, application_name: 'duban-migrate' });
  // A dropped connection also rejects the query in flight, which is what reports it; without a
  // listener the same failure would additionally crash the process as an unhandled 'error'.
  client.on('error', () => {});
  await client.connect();
  try {
    await acquireLock(client, options.lockTimeoutMs ?? 5 * 60_000);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"
       WHERE rolled_back_at IS NULL ORDER BY started_at`,
    );

    const failed = rows.filter((row) => row.finished_at === null).map((row) => row.migration_name);
    if (failed.length > 0) {
      throw new MigrationError(
        `Migration(s) ${failed.join(', ')} are recorded as failed in "_prisma_migrations" (started, never finished: ` +
          `a non-transactional run such as prisma migrate deploy died half-way). Repair the database by hand, then ` +
          `mark them rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '…' ` +
          `AND finished_at IS NULL) so they are applied again.`,
      );
    }

    const appliedChecksums = new Map(rows.map((row) => [row.migration_name, row.checksum]));
    const edited = migrations.filter((m) => {
      const recorded = appliedChecksums.get(m.name);
      return recorded !== undefined && !checksumMatches(m.sql, recorded);
    });
    if (edited.length > 0) {
      throw new MigrationError(
        `Refusing to migrate: already applied migration(s) were changed on disk since: ${edited.map((m) => m.name).join(', ')}. ` +
          `Applied migrations are immutable; restore the original migration.sql and put the change in a new migration ` +
          `(pnpm --filter @duban/db migration:new <name>).`,
      );
    }

    const local = new Set(migrations.map((m) => m.name));
    const result: MigrateResult = {
      applied: [],
      alreadyApplied: migrations.filter((m) => appliedChecksums.has(m.name)).map((m) => m.name),
      unknown: [...appliedChecksums.keys()].filter((name) => !local.has(name)),
    };
    if (result.unknown.length > 0 && !options.allowUnknown) {
      throw new MigrationError(
        `Refusing to run: the database was migrated by a newer build of duban (migration(s) this build does not have: ` +
          `${result.unknown.join(', ')}). Run that build, or restore a backup taken with this one.`,
      );
    }
    const only = options.only === undefined ? undefined : new Set(options.only);
    const missing = [...(only ?? [])].filter((name) => !local.has(name));
    if (missing.length > 0) {
      throw new MigrationError(`This build has no migration(s) ${missing.join(', ')}.`);
    }
    for (const migration of migrations) {
      if (appliedChecksums.has(migration.name)) continue;
      if (only && !only.has(migration.name)) continue;
      await applyOne(client, migration);
      result.applied.push(migration.name);
      options.log?.(`applied migration ${migration.name}`);
    }
    return result;
  } finally {
    // Ending the session releases the advisory lock, on every path.
    await client.end().catch(() => {});
  }
}

export interface MigrationStatus {
  /** Recorded as applied and present in this build unchanged, in the order they were applied. */
  applied: Array<{ name: string; checksum: string; finishedAt: Date }>;
  /** In this build, not yet applied: `migrate()` applies these. */
  pending: string[];
  /** Applied, but this build has no such migration: a newer build migrated the database. */
  unknown: string[];
  /** Applied with a checksum other than this build's file: someone edited a released migration. */
  changed: string[];
  /** Started and never finished (a non-transactional tool died half-way). */
  failed: string[];
}

/**
 * What `migrate()` would find, without changing anything (not even creating the bookkeeping
 * table): for `pnpm duban db status` and for a restore's checks.
 */
export async function migrationStatus(
  url: string,
  options: Pick<MigrateOptions, 'migrationsDir'> = {},
): Promise<MigrationStatus> {
  const migrations = await readMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: url, application_name: 'duban-migrate-status' });
  client.on('error', () => {});
  await client.connect();
  try {
    return statusOf(migrations, await appliedRows(client));
  } finally {
    await client.end().catch(() => {});
  }
}

/** The rows of `_prisma_migrations`, none when the table does not exist yet. */
export async function appliedRows(client: pg.ClientBase): Promise<AppliedRow[]> {
  const { rows: exists } = await client.query<{ t: string | null }>(
    `SELECT to_regclass('"_prisma_migrations"')::text AS t`,
  );
  if (!exists[0]?.t) return [];
  const { rows } = await client.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"
     WHERE rolled_back_at IS NULL ORDER BY started_at, migration_name`,
  );
  return rows;
}

export function statusOf(migrations: readonly Migration[], rows: readonly AppliedRow[]): MigrationStatus {
  const byName = new Map(migrations.map((m) => [m.name, m]));
  const recorded = new Set(rows.map((r) => r.migration_name));
  const status: MigrationStatus = { applied: [], pending: [], unknown: [], changed: [], failed: [] };
  for (const row of rows) {
    const local = byName.get(row.migration_name);
    if (row.finished_at === null) status.failed.push(row.migration_name);
    else if (!local) status.unknown.push(row.migration_name);
    else if (!checksumMatches(local.sql, row.checksum)) status.changed.push(row.migration_name);
    else
      status.applied.push({ name: row.migration_name, checksum: row.checksum, finishedAt: row.finished_at });
  }
  for (const m of migrations) if (!recorded.has(m.name)) status.pending.push(m.name);
  return status;
}

export interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

// Prisma's own DDL for the table, so `prisma migrate status/deploy` accept a database we migrated.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

async function acquireLock(client: pg.Client, timeoutMs: number): Promise<void> {
  // lock_timeout also bounds advisory lock waits; it is reset at once so that it cannot cut
  // short the migrations' own lock waits.
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') {
      throw new MigrationError(
        `Timed out after ${timeoutMs} ms waiting for the migration lock (pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})): ` +
          `another process is migrating this database, or a session holding the lock is stuck (see pg_locks).`,
      );
    }
    throw error;
  } finally {
    await client.query('RESET lock_timeout');
  }
}

async function applyOne(client: pg.Client, migration: Migration): Promise<void> {
  const script = withoutTransactionControl(migration.sql);
  await client.query('BEGIN');
  try {
    const startedAt = new Date();
    await client.query(script);
    // A COMMIT the stripping missed would have ended our transaction early, leaving the rest of
    // the script and the bookkeeping non-atomic: say so rather than carry on silently.
    if (client.getTransactionStatus() !== 'T') {
      throw new MigrationError(
        `Migration ${migration.name} ended the runner's transaction itself (COMMIT/ROLLBACK inside the script). ` +
          `Remove transaction control from migration.sql: every migration already runs in its own transaction.`,
      );
    }
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, $4, clock_timestamp(), 1)`,
      [randomUUID(), migration.checksum, migration.name, startedAt],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    if (error instanceof MigrationError) throw error;
    const pgError = error as pg.DatabaseError;
    const where = pgError.position ? ` at ${lineAndColumn(script, Number(pgError.position))}` : '';
    throw new MigrationError(
      `Migration ${migration.name} failed${where}: ${pgError.message}${pgError.detail ? ` (${pgError.detail})` : ''}. ` +
        `Nothing of it was applied.`,
      { cause: error },
    );
  }
}

/**
 * Prisma writes `BEGIN;` … `COMMIT;` lines into some generated migrations (e.g. recreating an
 * enum to drop a value). Inside our per-migration transaction they would commit half-way, so
 * those stand-alone lines are dropped: our transaction gives the atomicity they asked for.
 * Dollar-quoted bodies (functions, DO blocks) are left alone. The checksum covers the file as is.
 */
export function withoutTransactionControl(sql: string): string {
  return sql.replace(
    /(\$([A-Za-z_]*)\$[\s\S]*?\$\2\$)|^[ \t]*(BEGIN|START TRANSACTION|COMMIT)[ \t]*;[ \t]*$/gim,
    (match, dollarQuoted: string | undefined, _tag, statement: string | undefined) =>
      dollarQuoted ?? `-- ${statement ?? match} removed by the migration runner`,
  );
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Line-ending agnostic, like Prisma: a checkout with CRLF endings is not an edit. */
export function checksumMatches(sql: string, checksum: string): boolean {
  return [sql, sql.replaceAll('\r\n', '\n'), sql.replaceAll('\r\n', '\n').replaceAll('\n', '\r\n')].some(
    (variant) => sha256(variant) === checksum,
  );
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position - 1).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}
