import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@duban/auth';
import { startHostProcess } from '@duban/testing';
import type { HostProcess } from '@duban/testing';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// What the production image holds (infra/docker/Dockerfile): the compiled host and only the
// production dependencies, written by the same three commands, then started as the image does.
describe('the production build (pnpm build, pnpm deploy:prod, prune)', () => {
  const work = mkdtempSync(join(tmpdir(), 'duban-prod-'));
  const deploy = join(work, 'app');
  const dataDir = join(work, 'data');
  let host: HostProcess | undefined;

  beforeAll(async () => {
    chmodSync(work, 0o755); // the embedded server runs as the postgres user when we are root
    await run(process.execPath, [join(ROOT, 'infra/build/build.mjs')], { cwd: ROOT });
    await run('pnpm', ['run', '--silent', 'deploy:prod', deploy], { cwd: ROOT, maxBuffer: 64 * 2 ** 20 });
    await run(process.execPath, [join(ROOT, 'infra/build/prune.mjs'), deploy], { cwd: ROOT });
  }, 300_000);
  afterAll(() => {
    host?.child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('holds no development tooling', () => {
    for (const tool of [
      'tsx',
      'typescript',
      'vitest',
      'esbuild',
      'eslint',
      'prettier',
      'prisma',
      '@prisma/studio-core',
    ])
      expect(existsSync(join(deploy, 'node_modules', tool)), tool).toBe(false);
    for (const entry of ['host', 'tasks', 'reminders', 'scoring', 'notifications', 'analytics', 'duban'])
      expect(existsSync(join(deploy, 'dist', `${entry}.mjs`)), entry).toBe(true);
  });

  it('runs the compiled host on plain node: migrations, the API, sign-in and the console', async () => {
    host = await startHostProcess(dataDir, { args: [join(deploy, 'dist/host.mjs')], cwd: deploy });
    expect((await fetch(`${host.url}/readyz`)).status).toBe(200);
    for (const path of [
      '/console/',
      '/console/vendor/preact.mjs',
      '/console/vendor/htm.mjs',
      '/console/vendor/echarts.mjs',
    ])
      expect((await fetch(`${host.url}${path}`)).status, path).toBe(200);
    const login = await fetch(`${host.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'office', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    // The default organisation (examples/suixian/org.yaml) ships with the build.
    const served = (await (await fetch(`${host.url}/nodes`, { headers })).json()) as { nodes: unknown[] };
    expect(served.nodes).toHaveLength(113);
    const created = await fetch(`${host.url}/nodes/county/tasks/items`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        title: '编译版本冒烟测试',
        kind: 'annual-target',
        deadline: new Date(Date.now() + 20 * 86_400_000).toISOString(),
        assignee: 'unit-001',
      }),
    });
    expect(created.status).toBe(201);
    const ledger = (await (await fetch(`${host.url}/nodes/county/tasks/items`, { headers })).json()) as {
      items: Array<{ title: string }>;
    };
    expect(ledger.items.map((i) => i.title)).toContain('编译版本冒烟测试');
  });
});
