import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@duban/auth';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'services/host/src/main.ts');

interface Host {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** Starts the README's main job exactly as `pnpm start` does, on a data folder of its own. */
async function startHost(dataDir: string): Promise<Host> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DUBAN_DATA_DIR: dataDir,
    PORT: '0',
    EMBEDDED_POSTGRES_PORT: '0',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
  };
  delete env.DATABASE_URL; // the embedded default: no database, no broker given
  delete env.KAFKA_BROKERS;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start in 90 s: ${stderr}`)), 90_000);
    void exited.then((code) => reject(new Error(`host exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { api?: string };
      if (entry.api) {
        clearTimeout(timer);
        resolve(entry.api);
      }
    });
  });
  return { child, url, exited };
}

describe('the embedded default (`pnpm start`)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'duban-host-'));
  chmodSync(dataDir, 0o755); // the embedded server runs as the postgres user when we are root
  let host: Host | undefined;
  afterAll(async () => {
    host?.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Signs in with a demo account (README), as a person at the console would. */
  const signIn = async (login: string): Promise<Record<string, string>> => {
    const r = await fetch(`${host!.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password: DEMO_PASSWORD }),
    });
    expect(r.status).toBe(200);
    return { authorization: `Bearer ${((await r.json()) as { accessToken: string }).accessToken}` };
  };

  it('serves the 113 demo nodes to its demo accounts, and keeps every item across a restart', async () => {
    host = await startHost(dataDir);
    expect((await fetch(`${host.url}/nodes`)).status).toBe(401);
    // The web console is served with the API, without a token (its API calls carry one).
    const root = await fetch(`${host.url}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/console/']);
    const page = await fetch(`${host.url}/console/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('督办');
    const office = await signIn('office');
    const township = await signIn('chengguan');
    const nodes = (await (await fetch(`${host.url}/nodes`, { headers: office })).json()) as {
      transport: string;
      nodes: Array<{ id: string }>;
    };
    expect(nodes.transport).toBe('embedded');
    expect(nodes.nodes).toHaveLength(113);
    expect((await fetch(`${host.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${host.url}/docs/json`)).status).toBe(200);

    const created = await fetch(`${host.url}/nodes/county/tasks/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...office },
      body: JSON.stringify({
        title: '全县秸秆禁烧督查',
        kind: 'major-event',
        deadline: '2099-06-30T09:00:00Z',
        assignee: 'township-chengguan',
      }),
    });
    expect(created.status).toBe(201);
    const { item } = (await created.json()) as { item: { id: string } };
    // The township's own ledger receives it through the embedded log.
    for (let i = 0; ; i++) {
      const r = (await (
        await fetch(`${host.url}/nodes/township-chengguan/tasks/items`, { headers: township })
      ).json()) as {
        items: Array<{ id: string }>;
      };
      if (r.items.some((x) => x.id === item.id)) break;
      if (i > 200) throw new Error('the item never reached the township');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    host.child.kill('SIGTERM');
    expect(await host.exited).toBe(0); // a graceful stop

    host = await startHost(dataDir);
    // The signing secret lives in the host's database: a token from before the restart still works.
    const again = (await (
      await fetch(`${host.url}/nodes/township-chengguan/tasks/items`, { headers: township })
    ).json()) as {
      items: Array<{ id: string }>;
    };
    expect(again.items.map((x) => x.id)).toEqual([item.id]);
    host.child.kill('SIGTERM');
    expect(await host.exited).toBe(0);
    host = undefined;
  }, 240_000);
});
