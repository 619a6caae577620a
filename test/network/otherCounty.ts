import { fileURLToPath } from 'node:url';
import { REVIEW_POINTS } from '@duban/events';
import { loadOrgFile } from '@duban/org';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '@duban/testing';
import { TestNetwork, describeNetwork } from './harness';
import type { Transport } from './harness';

type Item = {
  id: string;
  status: string;
  title: string;
  assigner: string;
  assignee: string;
  noticeNo: string;
  deadline: string;
};
type Inbox = { messages: Array<{ type: string; title: string; body: string; subject: string }> };

const HOUR = 3600_000;
const ALL_OK = Object.fromEntries(REVIEW_POINTS.map((p) => [p, { ok: true }]));
/** A county made up for the test (ADR 0024): other ids, other names, no city above it. */
export const WUTONG_ORG = fileURLToPath(new URL('../fixtures/wutong/org.yaml', import.meta.url));
const OFFICE = 'wutong-office';
const UNIT = 'unit-wt-water';

// The people of the made-up county: accounts created in each node's own database, signed in for real.
const STAFF = { person: '梧桐县督查室 林主任', roles: 'office-staff' };
const HANDLER = { person: '水利局 承办人 马科员', roles: 'unit-handler' };
const HEAD = { person: '水利局 一把手 郭局长', roles: 'unit-head' };

/**
 * Another county than the demo, loaded from its own org.yaml: an item goes the whole way through
 * its network (assign → 签收 → report → the head's sign-off → accepted) and the office's ledger
 * and the unit's agree.
 */
export function describeOtherCounty(transport: Transport | { unavailable: string }, required: boolean): void {
  describeNetwork('a second county from its org.yaml', transport, required, (transport) => {
    const org = loadOrgFile(WUTONG_ORG, 'test/fixtures/wutong/org.yaml');
    // Monday 2 March 2026, 09:00 Beijing time.
    const net = new TestNetwork(transport, `wutong_${transport.kind}`, '2026-03-02T01:00:00Z', org);
    let item: Item;

    beforeAll(async () => {
      for (const id of [OFFICE, UNIT]) await net.start(id);
    });
    afterAll(() => net.close());

    it('serves the nodes of its own file', async () => {
      expect(org.size).toBe(9);
      expect(org.all().some((n) => n.id === 'county' || n.kind === 'city')).toBe(false);
      const nodes = await fetch(`${net.nodes.get(OFFICE)!.url}/nodes`, {
        headers: await net.signIn.headers(OFFICE, STAFF),
      });
      expect(await nodes.json()).toMatchObject({
        nodes: [{ id: OFFICE, name: '梧桐县县委督查室', kind: 'county-office', leader: '县委副书记 林志远' }],
      });
    });

    it('walks assign → 签收 → report → sign-off → accept, and both ledgers agree', async () => {
      const deadline = new Date(net.clock.now().getTime() + 5 * 24 * HOUR).toISOString();
      const assigned = await net.call<{ item: Item }>(
        OFFICE,
        'POST',
        '/tasks/items',
        { title: '汛前水库除险加固', kind: 'annual-target', deadline, assignee: UNIT },
        STAFF,
      );
      expect(assigned.status).toBe(201);
      item = assigned.body.item;
      expect(item).toMatchObject({ assigner: OFFICE, assignee: UNIT, status: 'assigned' });

      const notice = await eventually('the assignment in the unit’s inbox', async () => {
        const r = await net.call<Inbox>(UNIT, 'GET', '/notifications/inbox', undefined, HANDLER);
        return r.body.messages.find((m) => m.type === 'tasks.item.assigned');
      });
      expect(notice.body).toContain(`梧桐县县委督查室交办事项（${item.noticeNo}）`);

      const status = (node: string) =>
        net
          .call<{ item: Item }>(
            node,
            'GET',
            `/tasks/items/${item.id}`,
            undefined,
            node === OFFICE ? STAFF : HANDLER,
          )
          .then((r) => r.body.item.status);
      expect((await net.call(UNIT, 'POST', `/tasks/items/${item.id}/acknowledge`, {}, HANDLER)).status).toBe(
        200,
      );
      await eventually('the office sees 签收', async () => (await status(OFFICE)) === 'acknowledged');
      const draft = await net.call(
        UNIT,
        'POST',
        `/tasks/items/${item.id}/report`,
        { summary: '3 座病险水库除险加固完成，已通过验收' },
        HANDLER,
      );
      expect(draft.status).toBe(200);
      expect((await net.call(UNIT, 'POST', `/tasks/items/${item.id}/sign-off`, {}, HEAD)).status).toBe(200);
      await eventually('the office sees the report', async () => (await status(OFFICE)) === 'reported');
      const review = await net.call(
        OFFICE,
        'POST',
        `/tasks/items/${item.id}/review`,
        { outcome: 'accepted', points: ALL_OK, comment: '审核通过' },
        STAFF,
      );
      expect(review.status).toBe(200);
      await eventually('the unit sees the closure', async () => (await status(UNIT)) === 'closed');

      const ledger = async (node: string) =>
        (
          await net.call<{ items: Item[] }>(
            node,
            'GET',
            '/tasks/items',
            undefined,
            node === OFFICE ? STAFF : HANDLER,
          )
        ).body.items.map((i) => [i.id, i.status, i.title, i.assigner, i.assignee, i.noticeNo, i.deadline]);
      const atOffice = await ledger(OFFICE);
      expect(atOffice).toEqual([
        [item.id, 'closed', '汛前水库除险加固', OFFICE, UNIT, item.noticeNo, item.deadline],
      ]);
      expect(await ledger(UNIT)).toEqual(atOffice);
      const page = await net.call<{
        timeline: Array<{ type: string }>;
        item: { report: { signedOffBy: string } };
      }>(OFFICE, 'GET', `/tasks/items/${item.id}`, undefined, STAFF);
      expect(page.body.item.report.signedOffBy).toBe(HEAD.person);
      expect(page.body.timeline.map((e) => e.type)).toEqual([
        'tasks.item.assigned',
        'tasks.item.acknowledged',
        'tasks.item.reported',
        'tasks.item.reviewed',
        'tasks.item.closed',
      ]);
    });

    it('refuses a node the file does not have', async () => {
      const r = await net.call<{ error: { code: string } }>(
        OFFICE,
        'POST',
        '/tasks/items',
        {
          title: '演示县的单位不在本县',
          kind: 'project',
          deadline: new Date(net.clock.now().getTime() + HOUR).toISOString(),
          assignee: 'unit-001',
        },
        STAFF,
      );
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('item.unknown_assignee');
    });
  });
}
