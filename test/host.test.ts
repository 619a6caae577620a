import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@duban/auth';
import { startHostProcess } from '@duban/testing';
import type { HostProcess } from '@duban/testing';

describe('the embedded default (`pnpm start`)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'duban-host-'));
  chmodSync(dataDir, 0o755); // the embedded server runs as the postgres user when we are root
  let host: HostProcess | undefined;
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
    host = await startHostProcess(dataDir);
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

    host = await startHostProcess(dataDir);
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
