import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import {
  backupDatabase,
  migrate,
  migrationStatus,
  resolveDatabase,
  restoreDatabase,
  type BackupManifest,
} from '@duban/db';

/** The node's database for an operator's command, and how to let go of it. */
export interface NodeDatabase {
  url: string;
  /** For messages: the URL without its password, and where it came from. */
  label: string;
  stop(): Promise<void>;
}

/** A database problem the CLI reports as one line (exit 1), never a stack trace. */
export class DatabaseCliError extends Error {}

/**
 * DATABASE_URL when set; else the embedded PostgreSQL of DUBAN_DATA_DIR (default .duban): reached
 * on its port while the host runs, started for the command while it does not. Only a restore may
 * create the embedded database; the other commands refuse a data directory that does not exist.
 */
export async function openNodeDatabase(
  env: NodeJS.ProcessEnv,
  options: { create?: boolean; cwd?: string } = {},
): Promise<NodeDatabase> {
  if (env.DATABASE_URL) {
    return { url: env.DATABASE_URL, label: redact(env.DATABASE_URL), stop: async () => {} };
  }
  const port = Number(env.EMBEDDED_POSTGRES_PORT ?? 54329);
  const dataDir = join(resolve(options.cwd ?? process.cwd(), env.DUBAN_DATA_DIR ?? '.duban'), 'pg');
  const running = `postgres://postgres:postgres@127.0.0.1:${port}/duban`;
  const serving = await servedDataDir(running);
  if (serving !== undefined) {
    // Another checkout's (or another DUBAN_DATA_DIR's) server on the same port is not ours.
    if (serving !== null && resolve(serving) !== dataDir)
      throw new DatabaseCliError(
        `port ${port} serves the embedded database of ${serving}, not ${dataDir}: stop that one or set EMBEDDED_POSTGRES_PORT`,
      );
    return {
      url: running,
      label: `the running embedded database (${redact(running)})`,
      stop: async () => {},
    };
  }
  if (!options.create && !existsSync(join(dataDir, 'PG_VERSION')))
    throw new DatabaseCliError(
      `no database: DATABASE_URL is not set and there is no embedded one in ${dataDir} (set DUBAN_DATA_DIR?)`,
    );
  const db = await resolveDatabase({ dataDir, port });
  return { url: db.url, label: `the embedded database in ${dataDir}`, stop: db.stop };
}

/** `pnpm duban db status|migrate`, `backup --out FILE`, `restore FILE`. Returns the exit code. */
export async function runDbCommand(
  command: 'db status' | 'db migrate' | 'backup' | 'restore',
  args: { file?: string | undefined },
  out: (line: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const db = await openNodeDatabase(env, { create: command === 'restore' });
  try {
    return await withReadableErrors(db.label, () => run(command, args, db, out));
  } finally {
    await db.stop();
  }
}

async function run(
  command: 'db status' | 'db migrate' | 'backup' | 'restore',
  args: { file?: string | undefined },
  db: NodeDatabase,
  out: (line: string) => void,
): Promise<number> {
  switch (command) {
    case 'db status': {
      const s = await migrationStatus(db.url);
      out(`database: ${db.label}`);
      for (const m of s.applied) out(`  applied  ${m.name}  (${m.finishedAt.toISOString()})`);
      for (const name of s.pending) out(`  pending  ${name}`);
      for (const name of s.unknown)
        out(`  unknown  ${name}  (applied by a newer build; this build refuses to run)`);
      for (const name of s.changed)
        out(`  changed  ${name}  (edited since it was applied; this build refuses to run)`);
      for (const name of s.failed) out(`  failed   ${name}  (started, never finished; repair by hand)`);
      const blocked = s.unknown.length + s.changed.length + s.failed.length > 0;
      out(
        blocked
          ? 'this build cannot run on this database (see above).'
          : s.pending.length > 0
            ? `${s.pending.length} pending: \`pnpm duban db migrate\` (or starting duban) applies them; back up first.`
            : 'up to date.',
      );
      return blocked ? 1 : 0;
    }
    case 'db migrate': {
      const result = await migrate(db.url, { log: (line) => out(line) });
      out(
        result.applied.length > 0
          ? `${db.label}: applied ${result.applied.length} migration(s); ${result.alreadyApplied.length} were applied before.`
          : `${db.label}: nothing to apply (${result.alreadyApplied.length} migrations applied).`,
      );
      return 0;
    }
    case 'backup': {
      const file = resolve(args.file!);
      const { manifest, bytes } = await backupDatabase(db.url, file);
      out(`backed up ${db.label} to ${file} (${bytes} bytes): ${summary(manifest)}`);
      return 0;
    }
    case 'restore': {
      const file = resolve(args.file!);
      const result = await restoreDatabase(db.url, file, { log: (line) => out(line) });
      out(`restored ${file} into ${db.label}: ${summary(result.manifest)}`);
      out(
        result.upgraded.length > 0
          ? `then upgraded it with ${result.upgraded.join(', ')}.`
          : 'no newer migrations to apply.',
      );
      return 0;
    }
  }
}

function summary(m: BackupManifest): string {
  const rows = m.tables.reduce((n, t) => n + t.rows, 0);
  return `${rows} rows in ${m.tables.length} tables, snapshot of ${m.createdAt} by duban ${m.dubanVersion}, migrations up to ${m.migrations.at(-1)?.name ?? '(none)'}`;
}

/** Connection failures as one line naming the database; everything else passes through. */
async function withReadableErrors<T>(label: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { errors?: Array<{ code?: string }> };
    const code = e.code ?? e.errors?.find((inner) => inner.code)?.code;
    if (code && NETWORK.has(code)) throw new DatabaseCliError(`cannot reach ${label} (${code})`);
    if (code === '28P01' || code === '28000')
      throw new DatabaseCliError(`${label} refused the sign-in: ${e.message}`);
    if (code === '3D000') throw new DatabaseCliError(`${label}: ${e.message}`);
    throw error;
  }
}

const NETWORK = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
]);

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(DATABASE_URL, unparsable)';
  }
}

/** The data directory of the server at `url`: undefined when unreachable, null when it will not say. */
async function servedDataDir(url: string): Promise<string | null | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch {
    await client.end().catch(() => undefined);
    return undefined;
  }
  try {
    const { rows } = await client.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
    return rows[0]?.dir ?? null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}
