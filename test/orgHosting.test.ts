import { afterAll, describe, expect, it } from 'vitest';
import { TestSignIn } from '@duban/auth/testing';
import type { FreshDatabase } from '@duban/db';
import { allServices } from '@duban/host';
import { createLogger } from '@duban/kit';
import { OrgTree } from '@duban/org';
import { NodeProcessConfig, startNodeProcess } from '@duban/runtime';
import type { RunningNode } from '@duban/runtime';
import { eventually, freshDatabase, testPostgres } from '@duban/testing';

const TREE = new OrgTree([
  { id: 'city', name: '市委督查室', kind: 'city', parentId: null },
  { id: 'county', name: '县委督查室', kind: 'county-office', parentId: 'city' },
  { id: 'township-a', name: '甲镇', kind: 'township', parentId: 'county' },
  { id: 'unit-a', name: '甲局', kind: 'unit', parentId: 'county' },
]);
const ADMIN = { person: '管理员', roles: 'admin' };

/**
 * The embedded default (no DUBAN_NODES) serves the whole county: a unit the county adds is served
 * at once, with a key, and survives a restart; the consumer groups keep the host id the process
 * started with, so nothing is replayed (ADR 0025).
 */
describe('a unit added to the embedded host', () => {
  let db: FreshDatabase | undefined;
  let running: RunningNode | undefined;
  let url = '';
  const signIn = new TestSignIn(() => ({ url, auth: running!.ctx.auth }));
  const start = async () => {
    db ??= await freshDatabase(testPostgres(), 'org_hosting');
    running = await startNodeProcess({
      config: NodeProcessConfig.parse({
        DATABASE_URL: db.url,
        DATABASE_POOL_SIZE: '3',
        LOG_LEVEL: 'silent',
        DUBAN_DEMO_ACCOUNTS: 'off',
      }),
      services: allServices({ REMINDER_POLL_MS: 60_000 }),
      title: 'org hosting',
      org: TREE,
      logger: createLogger({ level: 'silent' }),
    });
    url = await running.app.listen({ host: '127.0.0.1', port: 0 });
  };
  const call = async <T>(node: string, method: string, path: string, body?: unknown, as?: typeof ADMIN) => {
    const r = await fetch(`${url}/nodes/${node}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(await signIn.headers(node, as)),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as T };
  };
  const served = async () =>
    (await (await fetch(`${url}/nodes`, { headers: await signIn.headers('county') })).json()) as {
      nodes: Array<{ id: string; name: string; parentId: string }>;
    };
  afterAll(async () => {
    await running?.close();
    await db?.drop().catch(() => undefined);
  });

  it('serves it at once, keeps it across a restart, and keeps its consumer groups', async () => {
    await start();
    const hostId = running!.ctx.hosted.hostId;
    expect(running!.ctx.hosted.size).toBe(3);
    const added = await call<{ unit: { id: string; status: string } }>(
      'county',
      'POST',
      '/org/changes',
      {
        kind: 'add',
        unitId: 'town-a-agri',
        name: '甲镇农业服务中心',
        unitKind: 'unit',
        parentId: 'township-a',
      },
      ADMIN,
    );
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(running!.ctx.hosted.has('town-a-agri')).toBe(true);
    expect(running!.ctx.hosted.hostId).toBe(hostId);
    expect((await served()).nodes.map((n) => n.id)).toContain('town-a-agri');
    const keys = await running!.ctx.prisma.nodeKey.count({
      where: { node: 'town-a-agri', status: 'active' },
    });
    expect(keys).toBe(1);

    // The county assigns to it; the unit's own ledger gets the item and the unit acts on it.
    const item = await call<{ item: { id: string } }>('county', 'POST', '/tasks/items', {
      title: '新单位的第一项任务',
      kind: 'annual-target',
      assignee: 'town-a-agri',
      deadlineRule: { kind: 'working-days', days: 5 },
    });
    expect(item.status, JSON.stringify(item.body)).toBe(201);
    await eventually('the new unit holds the item', async () => {
      const r = await call<{ item: { relation: string } }>(
        'town-a-agri',
        'GET',
        `/tasks/items/${item.body.item.id}`,
      );
      return r.status === 200 && r.body.item.relation === 'assignee';
    });
    expect((await call('town-a-agri', 'POST', `/tasks/items/${item.body.item.id}/acknowledge`)).status).toBe(
      200,
    );
    const renamed = await call(
      'county',
      'POST',
      '/org/changes',
      { kind: 'rename', unitId: 'town-a-agri', name: '甲镇农业农村服务中心' },
      ADMIN,
    );
    expect(renamed.status).toBe(201);
    const moved = await call(
      'county',
      'POST',
      '/org/changes',
      { kind: 'move', unitId: 'town-a-agri', parentId: 'county' },
      ADMIN,
    );
    expect(moved.status).toBe(201);
    const groupsBefore = await running!.ctx.prisma.consumerOffset.findMany({ select: { groupId: true } });

    await running!.close();
    await start();
    expect(running!.ctx.hosted.hostId).toBe(hostId);
    const node = (await served()).nodes.find((n) => n.id === 'town-a-agri');
    expect(node).toMatchObject({ name: '甲镇农业农村服务中心', parentId: 'county' });
    // Readers can still name the unit as it was when its items were given (the console does).
    expect((node as unknown as { names: Array<{ from: string | null; name: string }> }).names).toEqual([
      { from: null, name: '甲镇农业服务中心' },
      { from: expect.any(String), name: '甲镇农业农村服务中心' },
    ]);
    expect(running!.ctx.org.nameAt('town-a-agri', '2000-01-01T00:00:00Z')).toBe('甲镇农业服务中心');
    const r = await call<{ item: { status: string } }>(
      'town-a-agri',
      'GET',
      `/tasks/items/${item.body.item.id}`,
    );
    expect(r.body.item.status).toBe('acknowledged');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const groups = new Set(
      (await running!.ctx.prisma.consumerOffset.findMany({ select: { groupId: true } })).map(
        (g) => g.groupId,
      ),
    );
    expect([...groups].every((g) => g.endsWith(`@${hostId}`))).toBe(true);
    expect(groups).toEqual(new Set(groupsBefore.map((g) => g.groupId)));
  });

  it('counts a merged unit’s year under its successor, with the names it had then', async () => {
    const decided = await call('county', 'POST', '/scoring/decisions', {
      unit: 'unit-a',
      kind: 'criticism',
      body: 'office',
      reason: '工作推进迟缓',
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    const merged = await call(
      'county',
      'POST',
      '/org/changes',
      { kind: 'merge', unitId: 'unit-a', into: 'town-a-agri' },
      ADMIN,
    );
    expect(merged.status, JSON.stringify(merged.body)).toBe(201);
    type Board = { units: Array<{ unit: string; points: number; decisions: number; includes: string[] }> };
    const board = await call<Board>('county', 'GET', '/scoring/scoreboard');
    expect(board.body.units).toEqual([
      { unit: 'town-a-agri', points: -3, decisions: 1, includes: ['unit-a'] },
    ]);
    const only = await call<Board>('county', 'GET', '/scoring/scoreboard?unit=town-a-agri');
    expect(only.body.units.map((u) => u.points)).toEqual([-3]);
    type Evaluation = {
      points: number;
      includes: string[];
      entries: Array<{ unit: string; unitName: string }>;
    };
    const evaluation = await call<Evaluation>('county', 'GET', '/scoring/units/town-a-agri/evaluation');
    expect(evaluation.body).toMatchObject({ points: -3, includes: ['unit-a'] });
    expect(evaluation.body.entries).toMatchObject([{ unit: 'unit-a', unitName: '甲局' }]);
    const old = await call<{ status: string; successor: string }>(
      'county',
      'GET',
      '/scoring/units/unit-a/evaluation',
    );
    expect(old.body).toMatchObject({ status: 'merged', successor: 'town-a-agri' });
  });
});
