import { describe, expect, it } from 'vitest';
import { AppError } from '@duban/kit/errors';
import { recordDecision } from './rules';
import type { DecisionCommand, PriorDecision } from './rules';

const ctx = { now: new Date('2026-06-01T02:00:00Z'), year: 2026, mayDecide: true, unitIsBelow: true };
const criticism = (body: 'office' | 'committee' = 'office'): DecisionCommand => ({
  decider: 'county',
  unit: 'unit-002',
  kind: 'criticism',
  body,
  reason: '逾期未办结',
  itemIds: [],
});
const prior = (...kinds: Array<'criticism' | 'commendation'>): PriorDecision[] =>
  kinds.map((kind, i) => ({ id: `00000000-0000-7000-8000-00000000000${i}`, kind }));

describe('scoring rules', () => {
  it('scores ±5 for the committee and ±3 for its office', () => {
    const points = (kind: 'criticism' | 'commendation', body: 'office' | 'committee') => {
      const [e] = recordDecision({ ...criticism(body), kind }, [], ctx);
      return e?.type === 'scoring.decision.recorded' ? e.data.points : NaN;
    };
    expect([points('commendation', 'committee'), points('commendation', 'office')]).toEqual([5, 3]);
    expect([points('criticism', 'committee'), points('criticism', 'office')]).toEqual([-5, -3]);
  });

  it('imposes the admonishment at the 2nd criticism and the unit’s ineligibility at the 3rd', () => {
    expect(recordDecision(criticism(), prior(), ctx).map((e) => e.type)).toEqual([
      'scoring.decision.recorded',
    ]);
    const second = recordDecision(criticism(), prior('criticism'), ctx);
    expect(second.map((e) => (e.type === 'scoring.sanction.imposed' ? e.data.kind : e.type))).toEqual([
      'scoring.decision.recorded',
      'admonishment',
    ]);
    const third = recordDecision(criticism('committee'), prior('criticism', 'criticism'), ctx);
    expect(third.map((e) => (e.type === 'scoring.sanction.imposed' ? e.data.kind : e.type))).toEqual([
      'scoring.decision.recorded',
      'unit-award-ineligible',
    ]);
    const sanction = third[1];
    expect(sanction?.type === 'scoring.sanction.imposed' && sanction.data.decisionIds).toHaveLength(3);
  });

  it('does not count commendations toward sanctions, nor sanction twice', () => {
    expect(recordDecision(criticism(), prior('commendation', 'commendation'), ctx)).toHaveLength(1);
    expect(recordDecision(criticism(), prior('criticism', 'criticism', 'criticism'), ctx)).toHaveLength(1);
    expect(recordDecision({ ...criticism(), kind: 'commendation' }, prior('criticism'), ctx)).toHaveLength(1);
  });

  it('lets only the deciding bodies decide, and only about units below them', () => {
    expect(() => recordDecision(criticism(), [], { ...ctx, mayDecide: false })).toThrow(AppError);
    expect(() => recordDecision(criticism(), [], { ...ctx, unitIsBelow: false })).toThrow(/not a unit under/);
  });
});
