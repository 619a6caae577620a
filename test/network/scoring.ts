import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '@duban/testing';
import { TestNetwork, describeNetwork } from './harness';
import type { Transport } from './harness';

const cst = (s: string) => new Date(`${s}+08:00`);
type Decision = { id: string; points: number; year: number; reversedAt: string | null };
type Sanction = { id: string; kind: string; year: number; liftedAt: string | null };
type Evaluation = {
  points: number;
  awardEligible: boolean;
  entries: Array<{
    decisionId: string;
    points: number;
    recordedPoints: number;
    eventId: string;
    reversed: unknown;
  }>;
};

/**
 * Issue 5's rules across real node processes: criticisms on either side of New Year, the sanction at
 * the second in one year, an appeal that reverses it and lifts the sanction on both ledgers, and a
 * proposal to criticise raised by the ladder's committee rung, accepted by the office.
 */
export function describeScoring(transport: Transport | { unavailable: string }, required: boolean): void {
  describeNetwork('scoring across the network', transport, required, (transport) => {
    const net = new TestNetwork(
      transport,
      `score_${transport.kind}`,
      cst('2026-12-31T20:00:00').toISOString(),
    );
    const post = async <T>(
      node: string,
      path: string,
      body: unknown,
      as?: { person: string; roles: string },
    ) => {
      const r = await net.call<T>(node, 'POST', path, body, as);
      if (r.status >= 300) throw new Error(`${node} POST ${path} → ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const get = async <T>(node: string, path: string) => (await net.call<T>(node, 'GET', path)).body;
    const criticise = (unit: string, body: 'office' | 'committee', reason: string) =>
      post<{
        decision: { decisionId: string; year: number; points: number };
        sanctions: Array<{ kind: string }>;
      }>('county', '/scoring/decisions', { unit, kind: 'criticism', body, reason });

    beforeAll(async () => {
      for (const id of ['county', 'unit-002', 'unit-003']) await net.start(id);
    });
    afterAll(() => net.close());

    it('counts criticisms per year: New Year’s Eve and New Year’s Day do not add up', async () => {
      net.clock.set(cst('2026-12-31T22:00:00'));
      const eve = await criticise('unit-002', 'office', '年底督办事项未办结');
      expect(eve.decision.year).toBe(2026);
      net.clock.set(cst('2027-01-01T08:00:00'));
      const newYear = await criticise('unit-002', 'office', '新年督办事项未签收');
      expect(newYear.decision.year).toBe(2027);
      expect(newYear.sanctions).toEqual([]); // the first of 2027
      const second = await criticise('unit-002', 'committee', '多次催办仍未落实');
      expect(second.sanctions.map((s) => s.kind)).toEqual(['admonishment']);
      const mirrored = await eventually('the sanction in unit-002’s ledger', async () => {
        const r = await get<{ sanctions: Sanction[] }>('unit-002', '/scoring/sanctions?year=2027');
        return r.sanctions.length === 1 ? r.sanctions : undefined;
      });
      expect(mirrored[0]).toMatchObject({ kind: 'admonishment', liftedAt: null });
    });

    it('reverses a decision on appeal and lifts the sanction on both ledgers, history intact', async () => {
      const decisions = await eventually('unit-002’s 2027 decisions', async () => {
        const r = await get<{ decisions: Decision[] }>('unit-002', '/scoring/decisions?year=2027');
        return r.decisions.length === 2 ? r.decisions : undefined;
      });
      const appealed = decisions[1]!;
      const filed = await post<{ appeal: { appealId: string } }>(
        'unit-002',
        `/scoring/decisions/${appealed.id}/appeal`,
        { reason: '逾期系上级调整时限所致' },
        { person: '局长', roles: 'unit-head' },
      );
      await eventually(
        'the appeal at the county',
        async () =>
          (await get<{ appeals: unknown[] }>('county', '/scoring/appeals?status=pending')).appeals.length ===
          1,
      );
      await post(
        'county',
        `/scoring/appeals/${filed.appeal.appealId}/decision`,
        { upheld: false, comment: '申诉成立' },
        { person: '督查委员', roles: 'committee-member' },
      );
      for (const node of ['county', 'unit-002']) {
        const sanctions = await eventually(`the lifted sanction at ${node}`, async () => {
          const r = await get<{ sanctions: Sanction[] }>(node, '/scoring/sanctions?year=2027&unit=unit-002');
          return r.sanctions[0]?.liftedAt ? r.sanctions : undefined;
        });
        expect(sanctions).toHaveLength(1);
        const evaluation = await eventually(`the evaluation at ${node}`, async () => {
          const e = await get<Evaluation>(node, '/scoring/units/unit-002/evaluation?year=2027');
          return e.entries.some((x) => x.reversed) ? e : undefined;
        });
        expect(evaluation.points).toBe(-3); // -3 stands, the -5 was reversed
        expect(evaluation.entries.map((e) => [e.recordedPoints, e.points])).toEqual([
          [-3, -3],
          [-5, 0],
        ]);
        expect(evaluation.entries.every((e) => e.eventId)).toBe(true);
      }
      const appeals = await get<{ appeals: Array<{ status: string }> }>('unit-002', '/scoring/appeals');
      expect(appeals.appeals.map((a) => a.status)).toEqual(['reversed']);
    });

    it('refuses decisions from the wrong body and appeals by another unit', async () => {
      const r = await net.call<{ error: { code: string } }>(
        'county',
        'POST',
        '/scoring/decisions',
        { unit: 'unit-003', kind: 'criticism', body: 'committee', reason: 'x' },
        { person: '科员', roles: 'office-staff' },
      );
      expect([r.status, r.body.error.code]).toEqual([403, 'scoring.not_a_deciding_body']);
      const fromUnit = await net.call<{ error: { code: string } }>('unit-003', 'POST', '/scoring/decisions', {
        unit: 'unit-002',
        kind: 'criticism',
        body: 'office',
        reason: 'x',
      });
      expect(fromUnit.status).toBe(403);
      const decisions = await get<{ decisions: Decision[] }>(
        'county',
        '/scoring/decisions?unit=unit-002&year=2027',
      );
      const foreign = await net.call<{ error: { code: string } }>(
        'unit-003',
        'POST',
        `/scoring/decisions/${decisions.decisions[0]!.id}/appeal`,
        { reason: '替别人申诉' },
      );
      expect([foreign.status, foreign.body.error.code]).toEqual([404, 'decision.not_found']);
    });

    it('turns the ladder’s committee rung into a proposal the office accepts', async () => {
      // 2027's official calendar is not in the base data yet: the county's admin adds it; every node applies it.
      const amended = await post<{ version: string }>(
        'county',
        '/reminders/calendar/amendments',
        {
          id: 'state-council-2027',
          name: '国务院办公厅关于2027年部分节假日安排的通知（测试用）',
          source: 'state-council',
          coversYear: 2027,
          days: [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }],
        },
        { person: 'admin', roles: 'admin' },
      );
      await eventually(
        'unit-003 applied the amendment',
        async () =>
          (await get<{ version: string }>('unit-003', '/reminders/calendar')).version === amended.version,
      );
      const { item } = await post<{ item: { id: string; deadline: string } }>('county', '/tasks/items', {
        title: '整改环保督察反馈问题',
        kind: 'hotline',
        assignee: 'unit-003',
        deadlineRule: { kind: 'working-days', days: 1 },
      });
      expect(item.deadline).toBe(cst('2027-01-04T17:30:00').toISOString()); // 1 January off, then the weekend
      net.clock.set(cst('2027-02-26T10:00:00')); // long past every rung
      const proposal = await eventually('a pending proposal at the county', async () => {
        const r = await get<{ proposals: Array<{ id: string; itemId: string; unit: string }> }>(
          'county',
          '/scoring/proposals?status=pending',
        );
        return r.proposals[0];
      });
      expect(proposal).toMatchObject({ itemId: item.id, unit: 'unit-003' });
      await post('county', `/scoring/proposals/${proposal.id}/decision`, {
        accept: true,
        body: 'office',
        comment: '采纳',
      });
      const evaluation = await eventually('the criticism in unit-003’s evaluation', async () => {
        const e = await get<Evaluation>('unit-003', '/scoring/units/unit-003/evaluation?year=2027');
        return e.entries.length === 1 ? e : undefined;
      });
      expect(evaluation.points).toBe(-3);
      const decided = await get<{ proposals: Array<{ status: string; decisionId: string }> }>(
        'county',
        '/scoring/proposals',
      );
      expect(decided.proposals[0]).toMatchObject({
        status: 'accepted',
        decisionId: evaluation.entries[0]!.decisionId,
      });
    });
  });
}
