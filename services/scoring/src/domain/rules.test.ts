import { describe, expect, it } from 'vitest';
import { AppError } from '@duban/kit/errors';
import { DEFAULT_RULES, decideAppeal, recordDecision } from './rules';
import type { DecideContext, DecisionCommand, PriorDecision, ScoringRules } from './rules';

const ctx: DecideContext = {
  now: new Date('2026-06-01T02:00:00Z'),
  year: 2026,
  rules: DEFAULT_RULES,
  mayDecide: true,
  unitIsBelow: true,
  inForce: new Set(),
};
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
const kinds = (events: ReturnType<typeof recordDecision>) =>
  events.map((e) => (e.type === 'scoring.sanction.imposed' ? e.data.kind : e.type));

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
    expect(kinds(recordDecision(criticism(), prior(), ctx))).toEqual(['scoring.decision.recorded']);
    expect(kinds(recordDecision(criticism(), prior('criticism'), ctx))).toEqual([
      'scoring.decision.recorded',
      'admonishment',
    ]);
    const third = recordDecision(criticism('committee'), prior('criticism', 'criticism'), {
      ...ctx,
      inForce: new Set(['admonishment']),
    });
    expect(kinds(third)).toEqual(['scoring.decision.recorded', 'unit-award-ineligible']);
    const sanction = third[1];
    expect(sanction?.type === 'scoring.sanction.imposed' && sanction.data.decisionIds).toHaveLength(3);
  });

  it('does not count commendations, and never imposes a sanction that is in force', () => {
    expect(recordDecision(criticism(), prior('commendation', 'commendation'), ctx)).toHaveLength(1);
    const inForce = { ...ctx, inForce: new Set(['admonishment', 'unit-award-ineligible'] as const) };
    expect(recordDecision(criticism(), prior('criticism', 'criticism', 'criticism'), inForce)).toHaveLength(
      1,
    );
    expect(recordDecision({ ...criticism(), kind: 'commendation' }, prior('criticism'), ctx)).toHaveLength(1);
  });

  it('commends and criticises the same unit independently', () => {
    const after = recordDecision(criticism(), prior('commendation', 'criticism', 'commendation'), ctx);
    expect(kinds(after)).toEqual(['scoring.decision.recorded', 'admonishment']);
  });

  it('follows the year’s rules as data', () => {
    const strict: ScoringRules = {
      points: { commendation: { committee: 4, office: 2 }, criticism: { committee: -6, office: -4 } },
      thresholds: { admonishment: 1, 'unit-award-ineligible': 2 },
    };
    const [recorded, sanction] = recordDecision(criticism(), [], { ...ctx, rules: strict });
    expect(recorded?.type === 'scoring.decision.recorded' && recorded.data.points).toBe(-4);
    expect(sanction?.type === 'scoring.sanction.imposed' && sanction.data.kind).toBe('admonishment');
  });

  it('lets only the deciding bodies decide, and only about units below them', () => {
    expect(() => recordDecision(criticism(), [], { ...ctx, mayDecide: false })).toThrow(AppError);
    expect(() => recordDecision(criticism(), [], { ...ctx, unitIsBelow: false })).toThrow(/not a unit under/);
  });
});

describe('appeals', () => {
  const appeal = {
    id: '01a2196b-0000-7000-8000-000000000001',
    decisionId: '00000000-0000-7000-8000-000000000001',
    unit: 'unit-002',
    year: 2026,
    status: 'pending' as const,
  };
  const input = { comment: '经复核，逾期系上级调整时限所致', decider: 'county', by: '督查室' };

  it('reverses a decision and lifts the sanction it no longer supports, leaving history intact', () => {
    const events = decideAppeal(
      appeal,
      { ...input, upheld: false },
      prior('criticism', 'criticism'),
      [{ id: '01a2196b-0000-7000-8000-0000000000a1', kind: 'admonishment' }],
      { now: ctx.now, rules: DEFAULT_RULES },
    );
    expect(events.map((e) => e.type)).toEqual([
      'scoring.appeal.decided',
      'scoring.decision.reversed',
      'scoring.sanction.lifted',
    ]);
  });

  it('keeps a sanction the remaining criticisms still support', () => {
    const events = decideAppeal(
      appeal,
      { ...input, upheld: false },
      prior('criticism', 'criticism', 'criticism'),
      [
        { id: '01a2196b-0000-7000-8000-0000000000a1', kind: 'admonishment' },
        { id: '01a2196b-0000-7000-8000-0000000000a2', kind: 'unit-award-ineligible' },
      ],
      { now: ctx.now, rules: DEFAULT_RULES },
    );
    expect(
      events.map((e) => (e.type === 'scoring.sanction.lifted' ? `lifted:${e.data.kind}` : e.type)),
    ).toEqual(['scoring.appeal.decided', 'scoring.decision.reversed', 'lifted:unit-award-ineligible']);
  });

  it('upholds without touching anything, and decides once', () => {
    expect(
      decideAppeal(appeal, { ...input, upheld: true }, prior('criticism'), [], {
        now: ctx.now,
        rules: DEFAULT_RULES,
      }).map((e) => e.type),
    ).toEqual(['scoring.appeal.decided']);
    expect(() =>
      decideAppeal({ ...appeal, status: 'upheld' }, { ...input, upheld: false }, [], [], {
        now: ctx.now,
        rules: DEFAULT_RULES,
      }),
    ).toThrow(/decided already/);
  });
});
