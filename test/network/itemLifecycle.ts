import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '@duban/testing';
import { TestNetwork, describeNetwork, deepCounty } from './harness';
import type { Transport } from './harness';
import { REVIEW_POINTS } from '@duban/events';

type Item = {
  id: string;
  status: string;
  relation: string;
  assignee: string;
  parentId: string | null;
  progress: number | null;
  deadline: string;
  returnCount: number;
  extensionCount: number;
  reopenCount: number;
  pendingExtension: { requestId: string } | null;
  revision: number;
};

const DAY = 24 * 3600_000;
const POINTS = REVIEW_POINTS;
const allOk = Object.fromEntries(POINTS.map((p) => [p, { ok: true }]));
const factsWrong = { ...allOk, factsAndProcedure: { ok: false, comment: '数据与台账不符' } };
const HEAD = { person: '站长', roles: 'unit-head' };

// Three units below two townships (乡镇站所), under the demo county.
const ORG = deepCounty([
  { id: 'heji-agri', name: '河集乡农业服务中心', parentId: 'township-heji' },
  { id: 'heji-water', name: '河集乡水利站', parentId: 'township-heji' },
  { id: 'chengguan-city', name: '城关镇城建办', parentId: 'township-chengguan' },
]);
const UNITS = ['heji-agri', 'heji-water', 'chengguan-city'] as const;

/**
 * The scenario across six node processes: an annual target decomposed by the county to two
 * townships and by them to three units; one report returned twice then accepted, one extension,
 * one reopened item; at the end the county's ledger and each unit's own ledger agree.
 */
export function describeItemLifecycle(
  transport: Transport | { unavailable: string },
  required: boolean,
): void {
  describeNetwork('an annual target through the network', transport, required, (transport) => {
    const net = new TestNetwork(transport, `life_${transport.kind}`, '2026-03-02T01:00:00Z', ORG);
    const call = <T>(
      node: string,
      method: 'GET' | 'POST',
      path: string,
      body?: unknown,
      as?: { person: string; roles: string },
    ) => net.call<T>(node, method, path, body, as);
    const ok = async <T>(
      node: string,
      path: string,
      body: unknown = {},
      as?: { person: string; roles: string },
    ) => {
      const r = await call<T>(node, 'POST', path, body, as);
      if (r.status >= 300) throw new Error(`${node} POST ${path} → ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const item = async (node: string, id: string) =>
      (await call<{ item: Item }>(node, 'GET', `/tasks/items/${id}`)).body.item;
    const until = (what: string, node: string, id: string, check: (i: Item) => boolean) =>
      eventually(what, async () => {
        const r = await call<{ item?: Item }>(node, 'GET', `/tasks/items/${id}`);
        return r.body.item && check(r.body.item) ? r.body.item : undefined;
      });
    const at = (days: number) => new Date(net.clock.now().getTime() + days * DAY).toISOString();
    const ids: Record<string, string> = {};

    const report = async (node: string, id: string, summary: string, assigner: string) => {
      await ok(node, `/tasks/items/${id}/report`, { summary });
      await ok(node, `/tasks/items/${id}/sign-off`, {}, HEAD);
      await until(`${assigner} has the report on ${id}`, assigner, id, (i) => i.status === 'reported');
    };
    const review = (node: string, id: string, outcome: string, extra: object = {}) =>
      ok(node, `/tasks/items/${id}/review`, { outcome, points: allOk, ...extra });

    beforeAll(async () => {
      for (const id of ['county', 'township-heji', 'township-chengguan', ...UNITS]) await net.start(id);
    });
    afterAll(() => net.close());

    it('decomposes the target: county → 2 townships → 3 units', async () => {
      const plan = await ok<{ item: Item }>('county', '/tasks/items', {
        title: '2026年高标准农田建设',
        kind: 'annual-target',
        source: 'annual-plan',
        mustSupervise: ['annual-target'],
        leader: '张副县长',
        assignee: 'county',
        deadline: at(300),
      });
      expect(plan.item).toMatchObject({ relation: 'own', status: 'acknowledged' });
      ids.plan = plan.item.id;
      for (const [key, township] of [
        ['heji', 'township-heji'],
        ['chengguan', 'township-chengguan'],
      ] as const) {
        const sub = await ok<{ item: Item }>('county', '/tasks/items', {
          title: `高标准农田建设（${township}）`,
          kind: 'annual-target',
          source: 'annual-plan',
          leader: '张副县长',
          assignee: township,
          deadline: at(200),
          parentId: ids.plan,
        });
        ids[key] = sub.item.id;
        await until(`${township} receives its part`, township, sub.item.id, (i) => i.status === 'assigned');
        await ok(township, `/tasks/items/${sub.item.id}/acknowledge`);
      }
      for (const [unit, parent] of [
        ['heji-agri', 'heji'],
        ['heji-water', 'heji'],
        ['chengguan-city', 'chengguan'],
      ] as const) {
        const township = parent === 'heji' ? 'township-heji' : 'township-chengguan';
        const sub = await ok<{ item: Item }>(township, '/tasks/items', {
          title: `高标准农田建设任务（${unit}）`,
          kind: 'annual-target',
          assignee: unit,
          deadline: at(100),
          parentId: ids[parent],
        });
        ids[unit] = sub.item.id;
        await until(`${unit} receives its task`, unit, sub.item.id, (i) => i.status === 'assigned');
        await ok(unit, `/tasks/items/${sub.item.id}/acknowledge`);
      }
      // A unit may not split what it was not given; the county sees the whole tree below it.
      const subtree = await eventually('the county sees all six items', async () => {
        const r = await call<{ items: Item[] }>('county', 'GET', '/tasks/items?scope=subtree&limit=50');
        return r.body.items.length === 6 ? r.body.items : undefined;
      });
      expect(
        subtree
          .filter((i) => i.relation === 'observer')
          .map((i) => i.assignee)
          .sort(),
      ).toEqual([...UNITS].sort());
      const own = await call<{ items: Item[] }>('county', 'GET', '/tasks/items?limit=50');
      expect(own.body.items).toHaveLength(3);
    });

    it('returns a report twice with coded reasons, then accepts it', async () => {
      const id = ids['heji-agri']!;
      for (let round = 1; round <= 2; round++) {
        await report('heji-agri', id, `第${round}次报告`, 'township-heji');
        await ok('township-heji', `/tasks/items/${id}/review`, {
          outcome: 'returned',
          points: factsWrong,
          reasons: ['facts-or-procedure'],
          comment: '数据不实',
        });
        await until(
          'the unit sees the return',
          'heji-agri',
          id,
          (i) => i.status === 'returned' && i.returnCount === round,
        );
      }
      await report('heji-agri', id, '第3次报告（已核实）', 'township-heji');
      await review('township-heji', id, 'accepted');
      await until('the unit sees the closure', 'heji-agri', id, (i) => i.status === 'closed');
    });

    it('extends one deadline on request', async () => {
      const id = ids['heji-water']!;
      const before = await item('heji-water', id);
      await ok('heji-water', `/tasks/items/${id}/extension`, {
        newDeadline: at(130),
        reason: '汛期施工受阻',
      });
      const pending = await until(
        'the township sees the request',
        'township-heji',
        id,
        (i) => i.pendingExtension !== null,
      );
      await ok(
        'township-heji',
        `/tasks/items/${id}/extension/${pending.pendingExtension!.requestId}/decision`,
        { approve: true, comment: '同意延期' },
      );
      const after = await until(
        'the unit sees the new deadline',
        'heji-water',
        id,
        (i) => i.extensionCount === 1,
      );
      expect(new Date(after.deadline).getTime() - new Date(before.deadline).getTime()).toBe(30 * DAY);
      await report('heji-water', id, '已完成', 'township-heji');
      await review('township-heji', id, 'accepted');
      // Both parts closed: the township's part shows 100% at the county.
      await until('the county sees heji’s derived progress', 'county', ids.heji!, (i) => i.progress === 100);
    });

    it('reopens a closed item (复查复议) and closes it again', async () => {
      const id = ids['chengguan-city']!;
      await report('chengguan-city', id, '已完成', 'township-chengguan');
      await review('township-chengguan', id, 'accepted');
      await until('chengguan’s part at 100%', 'county', ids.chengguan!, (i) => i.progress === 100);
      await ok('township-chengguan', `/tasks/items/${id}/reopen`, { reason: '群众反映仍有撂荒地块' });
      await until('the unit sees it reopened', 'chengguan-city', id, (i) => i.status === 'reopened');
      await until('chengguan’s part falls back', 'county', ids.chengguan!, (i) => i.progress === 0);
      await report('chengguan-city', id, '已复耕', 'township-chengguan');
      await review('township-chengguan', id, 'accepted');
      await until('chengguan’s part at 100% again', 'county', ids.chengguan!, (i) => i.progress === 100);
    });

    it('closes the townships’ parts and with them the county’s plan', async () => {
      for (const [key, township] of [
        ['heji', 'township-heji'],
        ['chengguan', 'township-chengguan'],
      ] as const) {
        await report(township, ids[key]!, '本乡镇任务全部完成', 'county');
        await review('county', ids[key]!, 'accepted');
      }
      const plan = await until('the plan closes itself', 'county', ids.plan!, (i) => i.status === 'closed');
      expect(plan.progress).toBe(100);
    });

    it('holds a joint meeting on a multi-unit item whose decisions become sub-items', async () => {
      const lead = await ok<{ item: Item }>('county', '/tasks/items', {
        title: '县城区黑臭水体治理',
        kind: 'project',
        source: 'meeting',
        assignee: 'township-chengguan',
        coUnits: ['township-heji'],
        deadline: at(90),
      });
      await until(
        'the co-unit follows the item',
        'township-heji',
        lead.item.id,
        (i) => i.relation === 'co-unit',
      );
      const meeting = await ok<{ subItems: Item[] }>('county', `/tasks/items/${lead.item.id}/meetings`, {
        attendees: ['township-chengguan', 'township-heji'],
        minutes: '明确牵头单位和配合单位分工',
        decisions: [
          { title: '完成截污管网改造', kind: 'project', assignee: 'township-chengguan', deadline: at(60) },
          { title: '完成上游河道清淤', kind: 'project', assignee: 'township-heji', deadline: at(45) },
        ],
      });
      expect(meeting.subItems.map((i) => [i.assignee, i.parentId])).toEqual([
        ['township-chengguan', lead.item.id],
        ['township-heji', lead.item.id],
      ]);
      await until(
        'the co-unit receives its part',
        'township-heji',
        meeting.subItems[1]!.id,
        (i) => i.relation === 'assignee',
      );
      const parent = await call<{ subItems: Item[]; timeline: Array<{ type: string }> }>(
        'county',
        'GET',
        `/tasks/items/${lead.item.id}`,
      );
      expect(parent.body.subItems).toHaveLength(2);
      expect(parent.body.timeline.map((e) => e.type)).toEqual(['tasks.item.assigned', 'tasks.meeting.held']);
      const bad = await call<{ error: { code: string } }>(
        'township-heji',
        'POST',
        `/tasks/items/${lead.item.id}/meetings`,
        { attendees: ['township-heji'] },
      );
      expect([bad.status, bad.body.error.code]).toEqual([403, 'item.wrong_party']);
    });

    it('ends with the county’s ledger and each unit’s own ledger in agreement', async () => {
      const fields = (i: Item) => ({
        id: i.id,
        status: i.status,
        deadline: i.deadline,
        returnCount: i.returnCount,
        extensionCount: i.extensionCount,
        reopenCount: i.reopenCount,
        parentId: i.parentId,
      });
      for (const unit of UNITS) {
        const own = await call<{ items: Item[] }>(unit, 'GET', '/tasks/items');
        expect(own.body.items).toHaveLength(1);
        const theirs = await until(
          `the county’s copy of ${unit}’s item caught up`,
          'county',
          ids[unit]!,
          // The unit's copy also holds its own drafts, which never leave it: compare what both know.
          (i) => i.status === 'closed',
        );
        expect(fields(theirs)).toEqual(fields(own.body.items[0]!));
        expect(theirs.relation).toBe('observer');
      }
      expect((await item('heji-agri', ids['heji-agri']!)).returnCount).toBe(2);
      expect((await item('heji-water', ids['heji-water']!)).extensionCount).toBe(1);
      expect((await item('chengguan-city', ids['chengguan-city']!)).reopenCount).toBe(1);
      const closed = await call<{ items: Item[] }>(
        'county',
        'GET',
        '/tasks/items?scope=subtree&status=closed&limit=50',
      );
      expect(closed.body.items).toHaveLength(6);
    });
  });
}
