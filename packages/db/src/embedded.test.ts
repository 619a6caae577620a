import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDatabase, startEmbeddedPostgres, type RunningPostgres } from './embedded.ts';

let root: string;
const running: RunningPostgres[] = [];

async function start(dataDir: string): Promise<RunningPostgres> {
  const server = await startEmbeddedPostgres({ dataDir, port: 0 });
  running.push(server);
  return server;
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'duban-embedded-pg-'));
  // As root the server runs as the `postgres` user, which must be able to reach its data.
  await chmod(root, 0o755);
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await rm(root, { recursive: true, force: true });
});

describe('startEmbeddedPostgres', () => {
  it('starts, and keeps data across stop and start', async () => {
    const dataDir = join(root, 'keeps');
    const first = await start(dataDir);
    expect(first.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/duban$/);
    await sql(first.url, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`);
    await first.stop();
    await first.stop(); // idempotent

    const second = await start(dataDir);
    expect(await sql(second.url, 'SELECT v FROM kept')).toEqual([{ v: 'still here' }]);
    await second.stop();
  });

  it('recovers from a stale postmaster.pid whose PID now belongs to another process', async () => {
    const dataDir = join(root, 'stale');
    const server = await start(dataDir);
    const pidFile = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
    await server.stop();
    // Same file as a crash leaves, but the PID is alive (this test process): postgres alone would refuse.
    await writeFile(join(dataDir, 'postmaster.pid'), pidFile.replace(/^\d+/, String(process.pid)));

    const again = await start(dataDir);
    expect(await sql(again.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    await again.stop();
  });

  it('takes over the data of a server orphaned by a killed parent', async () => {
    const dataDir = join(root, 'orphan');
    const script = join(root, 'orphan-parent.mts');
    const embedded = fileURLToPath(new URL('./embedded.ts', import.meta.url));
    await writeFile(
      script,
      `import { startEmbeddedPostgres } from ${JSON.stringify(embedded)};\n` +
        `const s = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: 0 });\n` +
        `console.log(s.url);\nsetInterval(() => {}, 1000);\n`,
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const orphanUrl = await new Promise<string>((resolve, reject) => {
      parent.stdout.on('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      parent.on('exit', (code) => reject(new Error(`parent exited early (${code})`)));
    });
    await sql(orphanUrl, `CREATE TABLE survived (v int); INSERT INTO survived VALUES (7)`);
    const orphanPid = Number.parseInt(
      (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]!,
      10,
    );
    parent.kill('SIGKILL'); // no exit hooks run: the server keeps running, holding the directory
    await new Promise((resolve) => parent.once('exit', resolve));
    expect(isAlive(orphanPid)).toBe(true);

    const server = await start(dataDir);
    expect(isAlive(orphanPid)).toBe(false);
    expect(await sql(server.url, 'SELECT v FROM survived')).toEqual([{ v: 7 }]);
    await server.stop();
  });

  it('leaves a server alone that a live process still owns, and says how to share it', async () => {
    const dataDir = join(root, 'owned');
    const owner = await start(dataDir);
    await expect(startEmbeddedPostgres({ dataDir, port: 0 })).rejects.toThrow(
      new RegExp(`already running on .*port ${owner.port}.*DATABASE_URL=postgres://`),
    );
    expect(await sql(owner.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    await owner.stop();
  });

  it('refuses a non-empty directory that is not a PostgreSQL data directory', async () => {
    const dataDir = join(root, 'foreign');
    await rm(dataDir, { recursive: true, force: true });
    await writeFile(join(root, 'placeholder'), '');
    await expect(startEmbeddedPostgres({ dataDir: root, port: 0 })).rejects.toThrow(
      /neither empty nor a PostgreSQL data directory/,
    );
  });
});

describe('resolveDatabase', () => {
  it('uses DATABASE_URL as given and starts nothing', async () => {
    const resolved = await resolveDatabase({
      databaseUrl: 'postgres://u@db.example:5432/x',
      dataDir: join(root, 'unused'),
    });
    expect(resolved).toMatchObject({ url: 'postgres://u@db.example:5432/x', embedded: false });
    await resolved.stop();
  });

  it('starts the embedded server under dataDir without one', async () => {
    const resolved = await resolveDatabase({ dataDir: join(root, 'resolved'), port: 0 });
    try {
      expect(resolved.embedded).toBe(true);
      expect(await sql(resolved.url, 'SELECT current_database() AS db')).toEqual([{ db: 'duban' }]);
    } finally {
      await resolved.stop();
    }
  });
});
