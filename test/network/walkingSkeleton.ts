import { REVIEW_POINTS } from '@duban/events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '@duban/testing';
import { TestNetwork, describeNetwork } from './harness';
import type { Transport } from './harness';

type Item = { id: string; status: string; assignee: string; noticeNo: string; deadline: string };
type Inbox = {
  unread: number;
  messages: Array<{ type: string; title: string; body: string; subject: string }>;
};

const HOUR = 3600_000;
const ALL_OK = Object.fromEntries(REVIEW_POINTS.map((p) => [p, { ok: true }]));

/**
 * The walking skeleton across real node processes: assign, acknowledge, report, close; a chase and
 * an escalation for a unit that ignores its item; a criticism, a second one and the sanction it
 * brings; each node's inbox; a node restarted keeps its ledger.
 */
export function describeWalkingSkeleton(
  transport: Transport | { unavailable: string },
  required: boolean,
): void {
  describeNetwork('whole network', transport, required, (transport) => {
    // Monday 2 March 2026, 09:00 Beijing time.
    const net = new TestNetwork(transport, `net_${transport.kind}`, '2026-03-02T01:00:00Z');
    const get = <T>(node: string, path: string) => net.call<T>(node, 'GET', path);
    const post = <T>(node: string, path: string, body: unknown = {}) => net.call<T>(node, 'POST', path, body);
    let ignoredItem: Item;
    let handledItem: Item;

    beforeAll(async () => {
      for (const id of ['county', 'unit-001', 'unit-002']) await net.start(id);
    });
    afterAll(() => net.close());

    it('delivers an assignment into the unit’s own ledger', async () => {
      const deadline = new Date(net.clock.now().getTime() + 48 * HOUR).toISOString();
      const a = await post<{ item: Item }>('county', '/tasks/items', {
        title: '推进产业集聚区标准化厂房建设',
        kind: 'annual-target',
        deadline,
        assignee: 'unit-001',
      });
      expect(a.status).toBe(201);
      handledItem = a.body.item;
      expect(handledItem.noticeNo).toBe('督〔2026〕1号');
      const b = await post<{ item: Item }>('county', '/tasks/items', {
        title: '整改信访积案',
        kind: 'petition',
        deadline,
        assignee: 'unit-002',
      });
      expect(b.status).toBe(201);
      ignoredItem = b.body.item;

      const received = await eventually('the item in unit-001’s ledger', async () => {
        const r = await get<{ items: Item[] }>('unit-001', '/tasks/items');
        return r.body.items.find((i) => i.id === handledItem.id);
      });
      expect(received).toMatchObject({ status: 'assigned', assignee: 'unit-001', noticeNo: '督〔2026〕1号' });
      const other = await get<{ items: Item[] }>('unit-002', `/tasks/items`);
      await eventually('the item in unit-002’s ledger', async () =>
        (await get<{ items: Item[] }>('unit-002', '/tasks/items')).body.items.some(
          (i) => i.id === ignoredItem.id,
        ),
      );
      expect(other.status).toBe(200);
    });

    it('walks acknowledge → report → close across both ledgers', async () => {
      expect((await post('unit-001', `/tasks/items/${handledItem.id}/acknowledge`)).status).toBe(200);
      await eventually(
        'county sees the acknowledgement',
        async () =>
          (await get<{ item: Item }>('county', `/tasks/items/${handledItem.id}`)).body.item.status ===
          'acknowledged',
      );
      const draft = await post('unit-001', `/tasks/items/${handledItem.id}/report`, {
        summary: '已完成标准化厂房主体工程',
      });
      expect(draft.status).toBe(200);
      // The draft goes nowhere until the unit's head signs it off (一把手签字).
      const byHandler = await net.call<{ error: { code: string } }>(
        'unit-001',
        'POST',
        `/tasks/items/${handledItem.id}/sign-off`,
        {},
        { person: '李科员', roles: 'unit-handler' },
      );
      expect(byHandler.status).toBe(403);
      expect(byHandler.body.error.code).toBe('auth.role_required');
      const signed = await net.call(
        'unit-001',
        'POST',
        `/tasks/items/${handledItem.id}/sign-off`,
        {},
        { person: '王局长', roles: 'unit-head' },
      );
      expect(signed.status).toBe(200);
      await eventually(
        'county sees the report',
        async () =>
          (await get<{ item: Item }>('county', `/tasks/items/${handledItem.id}`)).body.item.status ===
          'reported',
      );
      const review = await post('county', `/tasks/items/${handledItem.id}/review`, {
        outcome: 'accepted',
        points: ALL_OK,
        comment: '审核通过',
      });
      expect(review.status).toBe(200);
      await eventually(
        'unit-001 sees the closure',
        async () =>
          (await get<{ item: Item }>('unit-001', `/tasks/items/${handledItem.id}`)).body.item.status ===
          'closed',
      );
      const timeline = await get<{ timeline: Array<{ type: string; source: string }> }>(
        'county',
        `/tasks/items/${handledItem.id}`,
      );
      expect(timeline.body.timeline.map((e) => e.type)).toEqual([
        'tasks.item.assigned',
        'tasks.item.acknowledged',
        'tasks.item.reported',
        'tasks.item.reviewed',
        'tasks.item.closed',
      ]);
    });

    it('chases the unit that ignores its item, then escalates to the unit’s parent', async () => {
      // Assigned Monday 2 March 09:00, due Wednesday 09:00 (petition policy: ladder graces 1, 2, 2, 3).
      net.clock.advance(48 * HOUR + 60_000); // Wednesday 09:01: the 签收 chase (Tuesday 17:30) went out
      const chased = await eventually('the acknowledgement chase in unit-002’s inbox', async () => {
        const r = await get<Inbox>('unit-002', '/notifications/inbox');
        return r.body.messages.find((m) => m.type === 'reminders.item.chased');
      });
      expect(chased).toMatchObject({ title: '签收催办', subject: ignoredItem.id });

      net.clock.advance(24 * HOUR); // Thursday 09:01: the formal overdue chase, copied to the head
      await eventually('the overdue chase', async () => {
        const r = await get<Inbox>('unit-002', '/notifications/inbox');
        return r.body.messages.find((m) => m.title === '逾期催办通知');
      });
      const early = await get<Inbox>('county', '/notifications/inbox');
      expect(early.body.messages.some((m) => m.type === 'reminders.item.escalated')).toBe(false);

      net.clock.advance(6 * 24 * HOUR); // Wednesday 11 March: the unit's head (Fri), then the county (Tue)
      const escalated = await eventually('the escalation in the county’s inbox', async () => {
        const r = await get<Inbox>('county', '/notifications/inbox');
        return r.body.messages.find((m) => m.type === 'reminders.item.escalated');
      });
      expect(escalated.title).toBe('督办升级（第2级：上级督查部门）');
      expect(escalated.body).toContain('县人大常委会办公室'); // unit-002's name
      expect(escalated.subject).toBe(ignoredItem.id);

      // The unit that reported and was closed is never chased.
      const unit1 = await get<Inbox>('unit-001', '/notifications/inbox');
      expect(unit1.body.messages.map((m) => m.type).sort()).toEqual([
        'tasks.item.assigned',
        'tasks.item.closed',
        'tasks.item.reviewed',
      ]);
      const timers = await get<{
        timers: Array<{ itemId: string; status: string; kind: string; level: number }>;
      }>('county', '/reminders/timers?limit=500');
      expect(
        timers.body.timers.filter((t) => t.itemId === handledItem.id).every((t) => t.status === 'cancelled'),
      ).toBe(true);
      expect(
        timers.body.timers
          .filter((t) => t.itemId === ignoredItem.id && t.status === 'fired')
          .map((t) => `${t.kind}:${t.level}`),
      ).toEqual(['acknowledgement:1', 'overdue:1', 'escalation:1', 'escalation:2']);
    });

    it('records criticisms and imposes the admonishment at the second in a year', async () => {
      const first = await post<{ decision: { points: number }; sanctions: unknown[] }>(
        'county',
        '/scoring/decisions',
        {
          unit: 'unit-002',
          kind: 'criticism',
          body: 'office',
          reason: '信访积案逾期未办结',
          itemIds: [ignoredItem.id],
        },
      );
      expect(first.status).toBe(201);
      expect(first.body.decision.points).toBe(-3);
      expect(first.body.sanctions).toEqual([]);
      const second = await post<{ decision: { points: number }; sanctions: Array<{ kind: string }> }>(
        'county',
        '/scoring/decisions',
        {
          unit: 'unit-002',
          kind: 'criticism',
          body: 'committee',
          reason: '催办后仍未报送办结报告',
          itemIds: [ignoredItem.id],
        },
      );
      expect(second.body.decision.points).toBe(-5);
      expect(second.body.sanctions.map((s) => s.kind)).toEqual(['admonishment']);

      const mirrored = await eventually('the sanction in unit-002’s own ledger', async () => {
        const r = await get<{ sanctions: Array<{ kind: string }> }>('unit-002', '/scoring/sanctions');
        return r.body.sanctions.length === 1 ? r.body.sanctions : undefined;
      });
      expect(mirrored[0]!.kind).toBe('admonishment');
      const board = await get<{ units: Array<{ unit: string; points: number }> }>(
        'county',
        '/scoring/scoreboard?year=2026',
      );
      expect(board.body.units).toEqual([{ unit: 'unit-002', points: -8, decisions: 2 }]);
      const inbox = await eventually('the sanction in unit-002’s inbox', async () => {
        const r = await get<Inbox>('unit-002', '/notifications/inbox');
        return r.body.messages.some((m) => m.type === 'scoring.sanction.imposed') ? r.body : undefined;
      });
      expect(inbox.messages.map((m) => m.title)).toEqual(
        expect.arrayContaining(['诫勉谈话', '通报批评（-5分）', '通报批评（-3分）', '逾期催办通知']),
      );
    });

    it('refuses bad input with a machine-readable code and changes nothing', async () => {
      const before = (await get<{ items: Item[] }>('county', '/tasks/items')).body.items.length;
      const bad = await post<{ error: { code: string; issues?: Array<{ path: string }> } }>(
        'county',
        '/tasks/items',
        {
          title: '',
          kind: 'picnic',
          deadline: 'tomorrow',
          assignee: 'unit-001',
        },
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('request.invalid');
      expect(bad.body.error.issues?.map((i) => i.path).sort()).toEqual([
        'body.deadline',
        'body.kind',
        'body.title',
      ]);
      const unknown = await post<{ error: { code: string } }>('county', '/tasks/items', {
        title: '无此单位',
        kind: 'project',
        deadline: new Date(net.clock.now().getTime() + HOUR).toISOString(),
        assignee: 'unit-999',
      });
      expect(unknown.status).toBe(422);
      expect(unknown.body.error.code).toBe('item.unknown_assignee');
      const past = await post<{ error: { code: string } }>('county', '/tasks/items', {
        title: '过期',
        kind: 'project',
        deadline: '2020-01-01T00:00:00Z',
        assignee: 'unit-001',
      });
      expect(past.body.error.code).toBe('item.deadline_in_past');
      const twice = await post<{ error: { code: string } }>(
        'county',
        `/tasks/items/${handledItem.id}/review`,
        { outcome: 'accepted', points: ALL_OK },
      );
      expect(twice.status).toBe(409);
      expect(twice.body.error.code).toBe('item.illegal_transition');
      const wrongParty = await post<{ error: { code: string } }>(
        'county',
        `/tasks/items/${ignoredItem.id}/acknowledge`,
      );
      expect(wrongParty.status).toBe(403);
      expect(wrongParty.body.error.code).toBe('item.wrong_party');
      const notHosted = await net.call<{ error: { code: string } }>(
        'county',
        'GET',
        '/../../nodes/unit-001/tasks/items',
      );
      expect(notHosted.status).toBe(404);
      expect((await get<{ items: Item[] }>('county', '/tasks/items')).body.items.length).toBe(before);
    });

    it('keeps a node’s ledger across a restart', async () => {
      const db = await net.stop('unit-001');
      await net.start('unit-001', db);
      const r = await get<{ items: Item[] }>('unit-001', '/tasks/items');
      expect(r.body.items.map((i) => [i.id, i.status])).toEqual([[handledItem.id, 'closed']]);
      expect(r.body.items[0]).toMatchObject({ relation: 'assignee', reportedAt: expect.any(String) });
      // The ledger row leaves the report out (ADR 0019); the item page has it, as signed off.
      const page = await get<{ item: Item }>('unit-001', `/tasks/items/${handledItem.id}`);
      expect(page.body.item).toMatchObject({ relation: 'assignee', report: { signedOffBy: '王局长' } });
    });
  });
}
