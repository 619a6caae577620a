// duban's own backup format (ADR 0023): one consistent snapshot of a node's database, written as
// a gzipped stream of frames, so neither side holds a table in memory and no pg_dump of the
// server's major version is needed.
//
//   file    = gzip( MAGIC frame* )
//   frame   = kind (1 byte) | payload length (uint32, big-endian) | payload
//   'M'     the manifest (JSON, BackupManifest); always the first frame
//   'T'     a table starts (payload: its name); its rows follow as
//   'D'     chunks of `COPY … TO STDOUT` text-format output, then
//   'E'     the table ends (payload: its row count, decimal)
//   'Z'     the end (payload: sha256 hex of every uncompressed byte before this frame)
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import {
  appliedRows,
  migrate,
  migrationStatus,
  readMigrations,
  checksumMatches,
  type MigrateOptions,
} from './migrate.ts';

export const BACKUP_FORMAT = 1;
const MAGIC = Buffer.from('DUBAN-BACKUP\n', 'latin1');
const FRAME_HEADER = 5;

export interface BackupManifest {
  format: number;
  /** The duban version that wrote the backup. */
  dubanVersion: string;
  /** The snapshot's time (the server's clock at the start of the backup's transaction). */
  createdAt: string;
  /** `server_version` of the source. */
  postgres: string;
  /** The applied migrations of the source, in the order they were applied. */
  migrations: Array<{ name: string; checksum: string }>;
  /** In restore order (a table after the tables its foreign keys point at). */
  tables: Array<{ name: string; columns: string[]; rows: number }>;
  /** Sequences' positions, so restored serial ids continue rather than collide. */
  sequences: Array<{ name: string; lastValue: string; isCalled: boolean }>;
}

export class BackupError extends Error {
  override name = 'BackupError';
}

const dbPackage = new URL('../package.json', import.meta.url);

/** The version this build writes into a backup's manifest (every package.json carries the release). */
export async function dubanVersion(): Promise<string> {
  return (JSON.parse(await readFile(dbPackage, 'utf8')) as { version: string }).version;
}

export interface BackupResult {
  manifest: BackupManifest;
  /** Size of the written file (compressed). */
  bytes: number;
}

/**
 * Writes a consistent backup of the database at `url` to `file` (replaced only once the backup
 * is complete): every table of the schema but Prisma's migration bookkeeping, which the manifest
 * carries instead. Writers are not blocked: the snapshot is one REPEATABLE READ READ ONLY
 * transaction.
 */
export async function backupDatabase(url: string, file: string): Promise<BackupResult> {
  const client = await connect(url, 'duban-backup');
  const partial = `${file}.partial-${process.pid}`;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const manifest = await readManifest(client);
    const out = createWriteStream(partial);
    await pipeline(Readable.from(frames(client, manifest)), createGzip(), out);
    await client.query('COMMIT');
    await rename(partial, file);
    return { manifest, bytes: out.bytesWritten };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

async function readManifest(client: pg.Client): Promise<BackupManifest> {
  const { rows: info } = await client.query<{ now: Date; version: string }>(
    `SELECT now() AS now, current_setting('server_version') AS version`,
  );
  const migrations = (await appliedRows(client))
    .filter((r) => r.finished_at !== null)
    .map((r) => ({ name: r.migration_name, checksum: r.checksum }));
  const tables = await tablesInRestoreOrder(client);
  const withCounts: BackupManifest['tables'] = [];
  for (const table of tables) {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${client.escapeIdentifier(table.name)}`,
    );
    withCounts.push({ ...table, rows: Number(rows[0]!.n) });
  }
  const sequences: BackupManifest['sequences'] = [];
  for (const name of await sequenceNames(client)) {
    const { rows } = await client.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value::text, is_called FROM ${client.escapeIdentifier(name)}`,
    );
    sequences.push({ name, lastValue: rows[0]!.last_value, isCalled: rows[0]!.is_called });
  }
  return {
    format: BACKUP_FORMAT,
    dubanVersion: await dubanVersion(),
    createdAt: info[0]!.now.toISOString(),
    postgres: info[0]!.version,
    migrations,
    tables: withCounts,
    sequences,
  };
}

async function* frames(client: pg.Client, manifest: BackupManifest): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  const emit = (kind: string, payload: Buffer): Buffer => {
    const header = Buffer.alloc(FRAME_HEADER);
    header.write(kind, 0, 'latin1');
    header.writeUInt32BE(payload.length, 1);
    const frame = Buffer.concat([header, payload]);
    hash.update(frame);
    return frame;
  };
  hash.update(MAGIC);
  yield MAGIC;
  yield emit('M', Buffer.from(JSON.stringify(manifest), 'utf8'));
  for (const table of manifest.tables) {
    yield emit('T', Buffer.from(table.name, 'utf8'));
    const copy = client.query(copyStreams.to(`COPY ${tableWithColumns(client, table)} TO STDOUT`));
    for await (const chunk of copy) yield emit('D', chunk as Buffer);
    // Same snapshot as the count: a difference means the snapshot did not hold.
    if (copy.rowCount !== table.rows)
      throw new BackupError(`${table.name}: counted ${table.rows} rows but copied ${copy.rowCount}`);
    yield emit('E', Buffer.from(String(copy.rowCount), 'latin1'));
  }
  const digest = Buffer.from(hash.digest('hex'), 'latin1');
  const header = Buffer.alloc(FRAME_HEADER);
  header.write('Z', 0, 'latin1');
  header.writeUInt32BE(digest.length, 1);
  yield Buffer.concat([header, digest]);
}

// ---------------------------------------------------------------------------------------------
// Restore
// ---------------------------------------------------------------------------------------------

export interface RestoreOptions extends Pick<MigrateOptions, 'migrationsDir' | 'log'> {
  /**
   * After the rows, apply this build's newer migrations too (default true). The upgrade test
   * turns it off to look at the database exactly as the backup's release left it.
   */
  migrateAfter?: boolean;
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** Rows loaded per table (equal to the manifest's counts, else the restore failed). */
  rows: Record<string, number>;
  /** This build's migrations applied after the rows (the upgrade from the backup's version). */
  upgraded: string[];
}

/**
 * Loads a backup into the EMPTY database at `url`: applies exactly the backup's migrations,
 * copies the rows back in one transaction, checks the counts and the file's digest before
 * committing, then applies this build's newer migrations. A database holding any row is refused
 * before anything is changed.
 */
export async function restoreDatabase(
  url: string,
  file: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const reader = new FrameReader(file);
  try {
    const first = await reader.next();
    if (first?.kind !== 'M') throw corrupt(file, 'it does not start with a manifest');
    const manifest = parseManifest(file, first.payload);
    await checkMigrations(manifest, options.migrationsDir);
    await checkTarget(url, manifest, options.migrationsDir);

    await migrate(url, {
      ...options,
      only: manifest.migrations.map((m) => m.name),
    });
    const rows = await loadRows(url, file, reader, manifest);

    const upgraded =
      options.migrateAfter === false
        ? []
        : (
            await migrate(url, {
              ...(options.migrationsDir === undefined ? {} : { migrationsDir: options.migrationsDir }),
              ...(options.log === undefined ? {} : { log: options.log }),
            })
          ).applied;
    await recordRestore(url, manifest, rows);
    return { manifest, rows, upgraded };
  } finally {
    reader.close();
  }
}

function parseManifest(file: string, payload: Buffer): BackupManifest {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(payload.toString('utf8')) as BackupManifest;
  } catch {
    throw corrupt(file, 'its manifest is not JSON');
  }
  if (manifest.format !== BACKUP_FORMAT)
    throw new BackupError(
      `${file} is a backup in format ${String(manifest.format)}; this build reads format ${BACKUP_FORMAT} (written by duban ${String(manifest.dubanVersion)}).`,
    );
  return manifest;
}

/** The backup's schema must be one this build can recreate exactly. */
async function checkMigrations(manifest: BackupManifest, migrationsDir: string | undefined): Promise<void> {
  const local = new Map((await readMigrations(migrationsDir)).map((m) => [m.name, m]));
  const unknown = manifest.migrations.filter((m) => !local.has(m.name)).map((m) => m.name);
  if (unknown.length > 0)
    throw new BackupError(
      `The backup was taken by a newer build (duban ${manifest.dubanVersion}): this build lacks migration(s) ${unknown.join(', ')}. Restore it with that build or a later one.`,
    );
  const changed = manifest.migrations
    .filter((m) => !checksumMatches(local.get(m.name)!.sql, m.checksum))
    .map((m) => m.name);
  if (changed.length > 0)
    throw new BackupError(
      `The backup's migration(s) ${changed.join(', ')} differ from this build's (checksum): it was taken from a database migrated with edited migrations.`,
    );
}

async function checkTarget(url: string, manifest: BackupManifest, migrationsDir?: string): Promise<void> {
  // Data first: of the two refusals, that is the one an operator must hear.
  const client = await connect(url, 'duban-restore');
  try {
    const found = await nonEmptyTables(client);
    if (found.length > 0)
      throw new BackupError(
        `Refusing to restore into a database that holds data: ${found.map((t) => `${t.name} (${t.rows} rows)`).join(', ')}. Restore into a new, empty database.`,
      );
  } finally {
    await client.end().catch(() => {});
  }
  const status = await migrationStatus(url, migrationsDir === undefined ? {} : { migrationsDir });
  const inBackup = new Set(manifest.migrations.map((m) => m.name));
  const beyond = [
    ...status.applied.map((m) => m.name),
    ...status.unknown,
    ...status.changed,
    ...status.failed,
  ].filter((name) => !inBackup.has(name));
  if (beyond.length > 0)
    throw new BackupError(
      `Refusing to restore: the target database has migration(s) the backup predates (${beyond.join(', ')}). Restore into a new, empty database.`,
    );
}

async function nonEmptyTables(client: pg.ClientBase): Promise<Array<{ name: string; rows: number }>> {
  const found: Array<{ name: string; rows: number }> = [];
  for (const { name } of await tablesInRestoreOrder(client)) {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${client.escapeIdentifier(name)}`,
    );
    const n = Number(rows[0]!.n);
    if (n > 0) found.push({ name, rows: n });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

async function loadRows(
  url: string,
  file: string,
  reader: FrameReader,
  manifest: BackupManifest,
): Promise<Record<string, number>> {
  const client = await connect(url, 'duban-restore');
  const loaded: Record<string, number> = {};
  let broken = false;
  try {
    await client.query('BEGIN');
    // As a superuser: no triggers and no foreign-key checks while loading, so rows go back exactly
    // as they were. Otherwise the manifest's table order satisfies the foreign keys.
    const { rows: su } = await client.query<{ su: boolean }>(
      `SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user`,
    );
    if (su[0]?.su) await client.query(`SET LOCAL session_replication_role = replica`);
    const tables = new Map(manifest.tables.map((t) => [t.name, t]));
    for (const t of manifest.tables)
      await client.query(`LOCK TABLE ${client.escapeIdentifier(t.name)} IN ACCESS EXCLUSIVE MODE`);
    // Again under the locks: nobody wrote between the check and now.
    const found = await nonEmptyTables(client);
    if (found.length > 0)
      throw new BackupError(
        `Refusing to restore: rows appeared meanwhile in ${found.map((t) => t.name).join(', ')}.`,
      );

    for (;;) {
      const frame = await reader.next();
      if (!frame) throw corrupt(file, 'it ends without its end frame (truncated?)');
      if (frame.kind === 'Z') {
        if (frame.payload.toString('latin1') !== reader.digestBeforeLast)
          throw corrupt(file, 'its digest does not match its content');
        if ((await reader.next()) !== undefined) throw corrupt(file, 'it has data after its end frame');
        break;
      }
      if (frame.kind !== 'T') throw corrupt(file, `expected a table, found a '${frame.kind}' frame`);
      const name = frame.payload.toString('utf8');
      const table = tables.get(name);
      if (!table || name in loaded)
        throw corrupt(file, `it has rows for ${name}, which its manifest does not list`);
      const copy = client.query(copyStreams.from(`COPY ${tableWithColumns(client, table)} FROM STDIN`));
      let copyError: unknown;
      copy.on('error', (error: unknown) => (copyError ??= error));
      let end: Frame | undefined;
      try {
        for (;;) {
          const data = await reader.next();
          if (!data || data.kind !== 'D') {
            end = data;
            break;
          }
          if (copyError) throw copyError;
          if (!copy.write(data.payload)) await once(copy, 'drain');
        }
        if (end?.kind !== 'E') throw corrupt(file, `the rows of ${name} end abruptly (truncated?)`);
        copy.end();
        await once(copy, 'finish');
      } catch (error) {
        // The session is in the middle of a COPY: ending it is what rolls everything back.
        broken = true;
        copy.destroy();
        throw error;
      }
      const inFile = Number(end.payload.toString('latin1'));
      if (copy.rowCount !== table.rows || inFile !== table.rows)
        throw corrupt(file, `${name} has ${copy.rowCount} rows where its manifest says ${table.rows}`);
      loaded[name] = copy.rowCount;
    }
    const missing = manifest.tables.filter((t) => !(t.name in loaded)).map((t) => t.name);
    if (missing.length > 0) throw corrupt(file, `it lacks the rows of ${missing.join(', ')}`);

    for (const s of manifest.sequences) {
      await client.query('SELECT setval($1::regclass, $2::bigint, $3)', [
        client.escapeIdentifier(s.name),
        s.lastValue,
        s.isCalled,
      ]);
    }
    // Count what is there now, independently of what COPY reported.
    for (const t of manifest.tables) {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${client.escapeIdentifier(t.name)}`,
      );
      if (Number(rows[0]!.n) !== t.rows)
        throw new BackupError(
          `${t.name} holds ${rows[0]!.n} rows after the restore, its manifest says ${t.rows}.`,
        );
    }
    await client.query('COMMIT');
    return loaded;
  } catch (error) {
    if (!broken) await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

async function recordRestore(
  url: string,
  manifest: BackupManifest,
  rows: Record<string, number>,
): Promise<void> {
  const client = await connect(url, 'duban-restore');
  try {
    // Absent when the restore stopped at a release before the table existed (migrateAfter: false).
    const { rows: t } = await client.query<{ t: string | null }>(
      `SELECT to_regclass('restore_record')::text AS t`,
    );
    if (!t[0]?.t) return;
    await client.query(
      `INSERT INTO restore_record (id, backup_created_at, backup_version, migrations, row_counts)
       VALUES ($1, $2, $3, $4, $5)`,
      [randomUUID(), manifest.createdAt, manifest.dubanVersion, manifest.migrations.map((m) => m.name), rows],
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Reads a backup's manifest without touching any database (`pnpm duban restore --inspect`). */
export async function readBackupManifest(file: string): Promise<BackupManifest> {
  const reader = new FrameReader(file);
  try {
    const first = await reader.next();
    if (first?.kind !== 'M') throw corrupt(file, 'it does not start with a manifest');
    return parseManifest(file, first.payload);
  } finally {
    reader.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The file
// ---------------------------------------------------------------------------------------------

interface Frame {
  kind: string;
  payload: Buffer;
}

/** Pulls frames off the gunzipped file; never more than one chunk plus one frame in memory. */
class FrameReader {
  private readonly input: ReturnType<typeof createReadStream>;
  private readonly chunks: AsyncIterator<Buffer>;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly hash = createHash('sha256');
  private started = false;
  /** sha256 hex of every byte before the frame `next()` returned last. */
  digestBeforeLast = '';

  constructor(private readonly file: string) {
    this.input = createReadStream(file);
    const gunzip = createGunzip();
    this.input.on('error', (error) => gunzip.destroy(error));
    this.chunks = this.input.pipe(gunzip)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async fill(bytes: number): Promise<boolean> {
    while (this.buffer.length < bytes) {
      let next: IteratorResult<Buffer>;
      try {
        next = await this.chunks.next();
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        if (e.code === 'ENOENT') throw new BackupError(`${this.file}: no such file`);
        if (e.code === 'Z_BUF_ERROR') throw corrupt(this.file, 'it is truncated');
        if (e.code?.startsWith('Z_'))
          throw corrupt(this.file, `it is not gzip data or is damaged (${e.message})`);
        throw error;
      }
      if (next.done) return false;
      this.buffer = this.buffer.length === 0 ? next.value : Buffer.concat([this.buffer, next.value]);
    }
    return true;
  }

  private take(bytes: number): Buffer {
    const out = this.buffer.subarray(0, bytes);
    this.buffer = this.buffer.subarray(bytes);
    return out;
  }

  async next(): Promise<Frame | undefined> {
    if (!this.started) {
      this.started = true;
      if (!(await this.fill(MAGIC.length)) || !this.buffer.subarray(0, MAGIC.length).equals(MAGIC))
        throw corrupt(this.file, 'it is not a duban backup (no DUBAN-BACKUP header)');
      this.hash.update(this.take(MAGIC.length));
    }
    if (!(await this.fill(FRAME_HEADER))) {
      if (this.buffer.length > 0) throw corrupt(this.file, 'it ends in the middle of a frame (truncated?)');
      return undefined;
    }
    const length = this.buffer.readUInt32BE(1);
    if (!(await this.fill(FRAME_HEADER + length)))
      throw corrupt(this.file, 'it ends in the middle of a frame (truncated?)');
    const frame = this.take(FRAME_HEADER + length);
    this.digestBeforeLast = this.hash.copy().digest('hex');
    this.hash.update(frame);
    return { kind: frame.toString('latin1', 0, 1), payload: frame.subarray(FRAME_HEADER) };
  }

  close(): void {
    this.input.destroy();
  }
}

function corrupt(file: string, why: string): BackupError {
  return new BackupError(`${file} is not a usable duban backup: ${why}.`);
}

// ---------------------------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------------------------

async function connect(url: string, application: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: application });
  client.on('error', () => {});
  await client.connect();
  return client;
}

function tableWithColumns(client: pg.ClientBase, table: { name: string; columns: string[] }): string {
  return `${client.escapeIdentifier(table.name)} (${table.columns.map((c) => client.escapeIdentifier(c)).join(', ')})`;
}

/**
 * The schema's ordinary tables but `_prisma_migrations`, each after those its foreign keys
 * reference (name order otherwise), with their stored columns (generated ones are recomputed).
 */
async function tablesInRestoreOrder(
  client: pg.ClientBase,
): Promise<Array<{ name: string; columns: string[] }>> {
  const { rows: tables } = await client.query<{ oid: number; name: string; columns: string[] }>(
    `SELECT c.oid::int AS oid, c.relname AS name,
            array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT c.relispartition
        AND c.relname <> '_prisma_migrations'
      GROUP BY c.oid, c.relname
      ORDER BY c.relname`,
  );
  const { rows: edges } = await client.query<{ child: number; parent: number }>(
    `SELECT conrelid::int AS child, confrelid::int AS parent FROM pg_constraint
      WHERE contype = 'f' AND conrelid <> confrelid`,
  );
  const parents = new Map<number, Set<number>>();
  for (const e of edges) {
    if (!parents.has(e.child)) parents.set(e.child, new Set());
    parents.get(e.child)!.add(e.parent);
  }
  const ordered: Array<{ name: string; columns: string[] }> = [];
  const done = new Set<number>();
  const visiting = new Set<number>();
  const byOid = new Map(tables.map((t) => [t.oid, t]));
  const visit = (oid: number) => {
    if (done.has(oid) || visiting.has(oid) || !byOid.has(oid)) return;
    visiting.add(oid);
    for (const parent of parents.get(oid) ?? []) visit(parent);
    visiting.delete(oid);
    done.add(oid);
    const t = byOid.get(oid)!;
    ordered.push({ name: t.name, columns: t.columns });
  };
  for (const t of tables) visit(t.oid);
  return ordered;
}

async function sequenceNames(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'S' ORDER BY c.relname`,
  );
  return rows.map((r) => r.name);
}
