import { REVIEW_POINTS } from '@duban/events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '@duban/testing';
import { TestNetwork, describeNetwork, deepCounty } from './harness';
import type { Transport } from './harness';

type Message = { type: string; title: string; subject: string; body: string };
type Inbox = { messages: Message[] };
type Timer = {
  itemId: string;
  kind: string;
  level: number;
  status: string;
  dueAt: string;
  firedAt: string | null;
};

const cst = (s: string) => new Date(`${s}+08:00`);
const ALL_OK = Object.fromEntries(REVIEW_POINTS.map((p) => [p, { ok: true }]));
const ORG = deepCounty([{ id: 'heji-agri', name: '河集乡农业服务中心', parentId: 'township-heji' }]);

/**
 * Issue 4's scenario on a virtual clock across real node processes: a unit ignores a petition item
 * assigned just before National Day; the 签收 chase, the overdue chase and each rung of the ladder
 * reach the right node at the right working-day time; a unit that acknowledges and closes gets
 * nothing more; the assigner's node is killed mid-ladder and no rung is skipped or sent twice.
 */
export function describeLadder(transport: Transport | { unavailable: string }, required: boolean): void {
  describeNetwork('the escalation ladder', transport, required, (transport) => {
    // Monday 28 September 2026, 09:00 Beijing time.
    const net = new TestNetwork(
      transport,
      `ladder_${transport.kind}`,
      cst('2026-09-28T09:00:00').toISOString(),
      ORG,
    );
    const inbox = async (node: string) =>
      (await net.call<Inbox>(node, 'GET', '/notifications/inbox?limit=200')).body.messages;
    const timers = async () =>
      (await net.call<{ timers: Timer[] }>('township-heji', 'GET', '/reminders/timers?limit=500')).body
        .timers;
    let ignored: string;
    let handled: string;

    /** Moves the clock to a due time and waits for the message it should bring. */
    async function at(when: string, node: string, title: string): Promise<Message> {
      net.clock.set(cst(when));
      return eventually(`${title} in ${node}’s inbox at ${when}`, async () =>
        (await inbox(node)).find((m) => m.title === title && m.subject === ignored),
      );
    }

    beforeAll(async () => {
      for (const id of ['county', 'township-heji', 'heji-agri', 'unit-001']) await net.start(id);
      const a = await net.call<{ item: { id: string; deadline: string } }>(
        'township-heji',
        'POST',
        '/tasks/items',
        {
          title: '化解张某信访积案',
          kind: 'petition',
          source: 'county-leader',
          leader: '张副县长',
          assignee: 'heji-agri',
          deadlineRule: { kind: 'working-days', days: 2 },
        },
      );
      expect(a.status).toBe(201);
      expect(a.body.item.deadline).toBe(cst('2026-09-30T17:30:00').toISOString()); // 29, 30 September
      ignored = a.body.item.id;
      const b = await net.call<{ item: { id: string } }>('county', 'POST', '/tasks/items', {
        title: '处理群众来信',
        kind: 'petition',
        assignee: 'unit-001',
        deadlineRule: { kind: 'working-days', days: 2 },
      });
      handled = b.body.item.id;
      await eventually(
        'unit-001 has its item',
        async () =>
          (await net.call<{ items: unknown[] }>('unit-001', 'GET', '/tasks/items')).body.items.length === 1,
      );
      await net.call('unit-001', 'POST', `/tasks/items/${handled}/acknowledge`);
      await net.call('unit-001', 'POST', `/tasks/items/${handled}/report`, { summary: '已答复来信人' });
      await net.call(
        'unit-001',
        'POST',
        `/tasks/items/${handled}/sign-off`,
        {},
        { person: '局长', roles: 'unit-head' },
      );
      await eventually(
        'the county has the report',
        async () =>
          (await net.call<{ item: { status: string } }>('county', 'GET', `/tasks/items/${handled}`)).body.item
            .status === 'reported',
      );
      expect(
        (
          await net.call('county', 'POST', `/tasks/items/${handled}/review`, {
            outcome: 'accepted',
            points: ALL_OK,
          })
        ).status,
      ).toBe(200);
      await eventually('the ladder is planned', async () => (await timers()).length >= 6);
    });
    afterAll(() => net.close());

    it('plans the ladder on working days around National Day', async () => {
      const planned = (await timers())
        .filter((t) => t.itemId === ignored)
        .map((t) => [`${t.kind}:${t.level}`, t.dueAt]);
      expect(planned).toEqual([
        ['acknowledgement:1', cst('2026-09-29T17:30:00').toISOString()],
        ['overdue:1', cst('2026-10-08T09:00:00').toISOString()],
        ['escalation:1', cst('2026-10-09T09:00:00').toISOString()],
        ['escalation:2', cst('2026-10-12T09:00:00').toISOString()],
        ['escalation:3', cst('2026-10-14T09:00:00').toISOString()],
        ['escalation:4', cst('2026-10-19T09:00:00').toISOString()],
      ]);
    });

    it('chases, then climbs rung by rung to the right node at the right time', async () => {
      net.clock.set(cst('2026-09-29T17:29:00'));
      await new Promise((r) => setTimeout(r, 300));
      expect(await inbox('heji-agri')).toHaveLength(1); // only the notice: nothing is due yet
      await at('2026-09-29T17:30:00', 'heji-agri', '签收催办');
      const overdue = await at('2026-10-08T09:00:00', 'heji-agri', '逾期催办通知');
      expect(overdue.body).toContain('抄送单位主要负责人');
      await at('2026-10-09T09:00:00', 'heji-agri', '督办升级（第1级：单位主要负责人）');
      await at('2026-10-12T09:00:00', 'township-heji', '督办升级（第2级：上级督查部门）');
    });

    it('survives the assigner’s node being killed mid-ladder: nothing skipped, nothing twice', async () => {
      const db = await net.stop('township-heji');
      net.clock.set(cst('2026-10-20T10:00:00')); // both remaining rungs fall due while it is down
      await new Promise((r) => setTimeout(r, 300));
      expect((await inbox('county')).filter((m) => m.subject === ignored)).toEqual([]);
      await net.start('township-heji', db);
      const leader = await eventually('the leader rung', async () =>
        (await inbox('county')).find(
          (m) => m.title === '督办升级（第3级：分包县领导）' && m.subject === ignored,
        ),
      );
      expect(leader.body).toContain('张副县长');
      await eventually('the committee rung', async () =>
        (await inbox('county')).find((m) => m.title === '督办升级（第4级：督查工作委员会）'),
      );
      await new Promise((r) => setTimeout(r, 500)); // a duplicate would show up by now
      const escalations = (await inbox('county')).filter(
        (m) => m.subject === ignored && m.type === 'reminders.item.escalated',
      );
      expect(escalations.map((m) => m.title).sort()).toEqual([
        '督办升级（第3级：分包县领导）',
        '督办升级（第4级：督查工作委员会）',
      ]);
      const fired = (await timers())
        .filter((t) => t.itemId === ignored)
        .map((t) => `${t.kind}:${t.level}:${t.status}`);
      expect(fired).toEqual([
        'acknowledgement:1:fired',
        'overdue:1:fired',
        'escalation:1:fired',
        'escalation:2:fired',
        'escalation:3:fired',
        'escalation:4:fired',
      ]);
      const unitMessages = (await inbox('heji-agri'))
        .filter((m) => m.subject === ignored)
        .map((m) => m.title)
        .sort();
      expect(unitMessages).toEqual(
        [
          '督办升级（第1级：单位主要负责人）',
          '督办通知：化解张某信访积案',
          '签收催办',
          '逾期催办通知',
        ].sort(),
      );
    });

    it('leaves the unit that acknowledged and closed alone', async () => {
      const titles = (await inbox('unit-001')).map((m) => m.type).sort();
      expect(titles).toEqual(['tasks.item.assigned', 'tasks.item.closed', 'tasks.item.reviewed']);
    });
  });
}
