import { REVIEW_POINTS, TOPICS } from '@duban/events';
import type { DeadLetter, Subscription } from '@duban/bus';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '@duban/testing';
import { TestNetwork, describeNetwork } from './harness';
import type { Transport } from './harness';

type Message = { type: string; title: string; subject: string; body: string };
type Timer = { itemId: string; kind: string; level: number; status: string; dueAt: string };
type Item = {
  id: string;
  status: string;
  relation: string;
  assignee: string;
  deadline: string;
  title: string;
};
type Entry = { type: string; source: string; data: { note?: string; to?: string; orgEventId?: string } };
type OrgView = {
  nodes: Array<{ id: string; name: string; status: string; successorId: string | null }>;
  changes: Array<{ eventId: string }>;
};
type Stats = { items: number; closed: number };

const cst = (s: string) => new Date(`${s}+08:00`);
const ALL_OK = Object.fromEntries(REVIEW_POINTS.map((p) => [p, { ok: true }]));
const HEAD = { person: '主任', roles: 'unit-head' };
const A = 'unit-002'; // 县人大常委会办公室
const B = 'unit-003'; // 县政府办公室
const NOTE = '因机构调整(合并入县政府办公室)转交';

/**
 * Issue 13's merge across real node processes on a virtual clock: unit A has two open items (one
 * ignored, its ladder half climbed) when the county merges it into unit B. Both items and their
 * timers go on under B, each copy's timeline says why, the statistics count them under B, no event
 * is dead-lettered, and every node's ledger and tree agree (B's after a restart too).
 */
export function describeOrgMerge(transport: Transport | { unavailable: string }, required: boolean): void {
  describeNetwork('a unit merged with open items', transport, required, (transport) => {
    // Monday 2 November 2026, 09:00 Beijing time: no holiday in sight.
    const net = new TestNetwork(
      transport,
      `merge_${transport.kind}`,
      cst('2026-11-02T09:00:00').toISOString(),
    );
    const letters: DeadLetter[] = [];
    let reader: Subscription | undefined;
    const ids = { ignored: '', worked: '', control: '' };
    let orgEventId = '';
    let planned: string[] = [];

    const inbox = async (node: string) =>
      (await net.call<{ messages: Message[] }>(node, 'GET', '/notifications/inbox?limit=200')).body.messages;
    const timersOf = async (itemId: string) =>
      (
        await net.call<{ timers: Timer[] }>('county', 'GET', '/reminders/timers?limit=500')
      ).body.timers.filter((t) => t.itemId === itemId);
    const copy = async (node: string, itemId: string) => {
      const r = await net.call<{ item: Item; timeline: Entry[] }>(node, 'GET', `/tasks/items/${itemId}`);
      return r.status === 200 ? r.body : undefined;
    };
    const assign = async (assignee: string, title: string, kind: string) => {
      const r = await net.call<{ item: { id: string } }>('county', 'POST', '/tasks/items', {
        title,
        kind,
        leader: '张副县长',
        assignee,
        deadlineRule: { kind: 'working-days', days: 2 },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      // One at a time, as an office works: each notice reaches its unit before the next goes out
      // (the test nodes' pools are small, and a burst would only measure the machine).
      await eventually(`${assignee} holds ${title}`, async () => copy(assignee, r.body.item.id));
      return r.body.item.id;
    };
    const post = async (node: string, path: string, body: unknown = {}, as?: typeof HEAD) => {
      const r = await net.call(node, 'POST', path, body, as);
      expect(r.status, `${node} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
      return r.body;
    };
    /** Moves the clock to a due time and waits for the message it should bring. */
    const at = async (when: string, node: string, title: string, subject: string) => {
      net.clock.set(new Date(when));
      return eventually(`${title} in ${node}’s inbox at ${when}`, async () =>
        (await inbox(node)).find((m) => m.title === title && m.subject === subject),
      );
    };
    const due = (kind: string) => {
      const found = planned.find((p) => p.startsWith(`${kind}@`));
      if (!found) throw new Error(`no ${kind} timer in ${planned.join(', ')}`);
      return found.slice(kind.length + 1);
    };

    beforeAll(async () => {
      for (const id of ['county', A, B]) await net.start(id);
      reader = await net.nodes.get('county')!.running.log.subscribe({
        groupId: `dead-letter-reader.${net.name}`,
        topics: [TOPICS.deadLetters],
        onMessage: async (m) => void letters.push(JSON.parse(m.value ?? 'null') as DeadLetter),
      });
      ids.ignored = await assign(A, '化解李某信访积案', 'petition');
      ids.worked = await assign(A, '完成年度政务公开目标', 'annual-target');
      ids.control = await assign(B, '办理县长批示件', 'leader-instruction');
      await eventually(
        'A has its two items',
        async () => (await copy(A, ids.worked)) && copy(A, ids.ignored),
      );
      await post(A, `/tasks/items/${ids.worked}/acknowledge`);
      await post(A, `/tasks/items/${ids.worked}/progress`, { note: '已完成一半', percent: 50 });
      // A's unsent draft stays behind with A.
      await post(A, `/tasks/items/${ids.worked}/report`, { summary: 'A 的草稿' });
      await eventually('the ladder is planned', async () => (await timersOf(ids.ignored)).length >= 6);
      planned = (await timersOf(ids.ignored)).map((t) => `${t.kind}:${t.level}@${t.dueAt}`);
      // A ignores its item: the 签收 chase and the overdue chase reach A; then the ladder waits.
      await at(due('acknowledgement:1'), A, '签收催办', ids.ignored);
      await at(due('overdue:1'), A, '逾期催办通知', ids.ignored);
      await eventually(
        'the county saw the progress',
        async () =>
          (await copy('county', ids.worked))?.timeline.some((e) => e.type === 'tasks.item.progressed') ??
          false,
      );
      const merged = await net.call<{ eventId: string; unit: { status: string } }>(
        'county',
        'POST',
        '/org/changes',
        { kind: 'merge', unitId: A, into: B },
        { person: '管理员', roles: 'admin' },
      );
      expect(merged.status, JSON.stringify(merged.body)).toBe(201);
      expect(merged.body.unit.status).toBe('merged');
      orgEventId = merged.body.eventId;
    }, 300_000);
    afterAll(async () => {
      await reader?.stop();
      await net.close();
    });

    it('every node applies the merge to its own tree', async () => {
      for (const node of ['county', A, B]) {
        const tree = await eventually(`${node} applied the merge`, async () => {
          const r = await net.call<OrgView>(node, 'GET', '/org');
          return r.body.changes.some((c) => c.eventId === orgEventId) && r.body;
        });
        expect(tree.nodes.find((n) => n.id === A)).toMatchObject({ status: 'merged', successorId: B });
        expect(tree.nodes.find((n) => n.id === B)).toMatchObject({ status: 'active' });
      }
    });

    it('passes the open items to B, and every timeline says why', async () => {
      for (const itemId of [ids.ignored, ids.worked]) {
        const atB = await eventually('B holds the item', async () => {
          const c = await copy(B, itemId);
          return c?.item.relation === 'assignee' && c;
        });
        expect(atB.item.assignee).toBe(B);
        const transferred = atB.timeline.find((e) => e.type === 'tasks.item.transferred');
        expect(transferred?.data).toMatchObject({ note: NOTE, to: B, orgEventId });
        const atCounty = await eventually('the county’s copy names B', async () => {
          const c = await copy('county', itemId);
          return c?.item.assignee === B && c;
        });
        expect(atCounty.timeline.find((e) => e.type === 'tasks.item.transferred')?.data.note).toBe(NOTE);
        const atA = await eventually('A follows it as an observer', async () => {
          const c = await copy(A, itemId);
          return c?.item.relation === 'observer' && c;
        });
        expect(atA.item.assignee).toBe(B);
        expect(atA.timeline.at(-1)?.data.note).toBe(NOTE);
      }
      // The state carried over: acknowledged with its progress; A's unsent draft did not.
      const worked = (await copy(B, ids.worked))!.item as Item & { progress: number; draft: unknown };
      expect(worked).toMatchObject({ status: 'acknowledged', progress: 50, draft: null });
      expect((await copy(B, ids.ignored))!.item.status).toBe('assigned');
      const notice = await eventually('B is told', async () =>
        (await inbox(B)).find((m) => m.type === 'tasks.item.transferred' && m.subject === ids.ignored),
      );
      expect(notice.body).toContain(NOTE);
    });

    it('keeps the timers and the ladder going under B: no rung skipped or fired twice', async () => {
      const now = (await timersOf(ids.ignored)).map((t) => `${t.kind}:${t.level}@${t.dueAt}`);
      expect(now).toEqual(planned); // the same plan, nothing re-armed
      const unitHead = await at(due('escalation:1'), B, '督办升级（第1级：单位主要负责人）', ids.ignored);
      expect(unitHead.body).toContain('县政府办公室');
      await at(due('escalation:2'), 'county', '督办升级（第2级：上级督查部门）', ids.ignored);
      await new Promise((r) => setTimeout(r, 500)); // a duplicate would show up by now
      const escalations = async (node: string) =>
        (await inbox(node)).filter((m) => m.subject === ids.ignored && m.type === 'reminders.item.escalated');
      expect((await escalations(B)).map((m) => m.title)).toEqual(['督办升级（第1级：单位主要负责人）']);
      expect(await escalations(A)).toEqual([]);
      const chasesOfA = (await inbox(A)).filter((m) => m.subject === ids.ignored).map((m) => m.title);
      expect(chasesOfA.sort()).toEqual(['签收催办', '逾期催办通知', '督办通知：化解李某信访积案'].sort());
      const fired = (await timersOf(ids.ignored)).map((t) => `${t.kind}:${t.level}:${t.status}`);
      expect(fired).toEqual([
        'acknowledgement:1:fired',
        'overdue:1:fired',
        'escalation:1:fired',
        'escalation:2:fired',
        'escalation:3:pending',
        'escalation:4:pending',
      ]);
    });

    it('lets B finish the work: B reports, the county accepts', async () => {
      await post(B, `/tasks/items/${ids.worked}/report`, { summary: '县政府办公室已完成政务公开目标' });
      await post(B, `/tasks/items/${ids.worked}/sign-off`, {}, HEAD);
      await eventually(
        'the county has B’s report',
        async () => (await copy('county', ids.worked))?.item.status === 'reported',
      );
      await post('county', `/tasks/items/${ids.worked}/review`, { outcome: 'accepted', points: ALL_OK });
      for (const node of [B, A])
        await eventually(
          `${node} sees it closed`,
          async () => (await copy(node, ids.worked))?.item.status === 'closed',
        );
    });

    it('refuses new items for A, and bad changes, with a clear 422 that changes nothing', async () => {
      const refused = await net.call<{ error: { code: string; message: string } }>(
        'county',
        'POST',
        '/tasks/items',
        {
          title: '新事项',
          kind: 'annual-target',
          assignee: A,
          deadlineRule: { kind: 'working-days', days: 5 },
        },
      );
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('item.assignee_retired');
      expect(refused.body.error.message).toContain('县政府办公室');
      const admin = { person: '管理员', roles: 'admin' };
      const bad = async (change: unknown) => {
        const r = await net.call<{ error: { code: string } }>(
          'county',
          'POST',
          '/org/changes',
          change,
          admin,
        );
        expect(r.status).toBe(422);
        return r.body.error.code;
      };
      expect(await bad({ kind: 'merge', unitId: B, into: A })).toBe('org.successor_inactive');
      expect(await bad({ kind: 'merge', unitId: B, into: 'unit-999' })).toBe('org.unknown_successor');
      expect(await bad({ kind: 'abolish', unitId: B, successorId: null })).toBe('org.successor_required');
      expect(await bad({ kind: 'abolish', unitId: 'county', successorId: null })).toBe('org.not_a_unit');
      const tree = (await net.call<OrgView>('county', 'GET', '/org')).body;
      expect(tree.changes).toHaveLength(1);
      expect(tree.nodes.find((n) => n.id === B)?.status).toBe('active');
    });

    it('counts the items under B in the county’s statistics, consistently', async () => {
      const county = await eventually('the county’s facts follow the transfer', async () => {
        const r = await net.call<{ groups: Record<string, Stats> }>(
          'county',
          'GET',
          '/scoring/statistics?groupBy=unit',
        );
        return r.body.groups[B]?.items === 3 && r.body.groups[B]?.closed === 1 && r.body.groups;
      });
      expect(county[A]).toBeUndefined();
      const total = (await net.call<{ statistics: Stats }>('county', 'GET', '/scoring/statistics')).body
        .statistics;
      expect(total).toMatchObject({ items: 3, closed: 1 });
      expect(Object.values(county).reduce((n, s) => n + s.items, 0)).toBe(total.items);
    });

    it('loses no event: no dead letters, every ledger agrees, B’s tree survives a restart', async () => {
      expect(letters).toEqual([]);
      for (const itemId of [ids.ignored, ids.worked, ids.control]) {
        const pick = (c: { item: Item } | undefined) =>
          c && { status: c.item.status, assignee: c.item.assignee, deadline: c.item.deadline };
        const county = pick(await copy('county', itemId));
        expect(pick(await copy(B, itemId))).toEqual(county);
        if (itemId !== ids.control) expect(pick(await copy(A, itemId))).toEqual(county);
      }
      const db = await net.stop(B);
      await net.start(B, db);
      const tree = (await net.call<OrgView>(B, 'GET', '/org')).body;
      expect(tree.nodes.find((n) => n.id === A)).toMatchObject({ status: 'merged', successorId: B });
      expect((await copy(B, ids.ignored))?.item.relation).toBe('assignee');
      await new Promise((r) => setTimeout(r, 300));
      expect(letters).toEqual([]);
    });
  });
}
