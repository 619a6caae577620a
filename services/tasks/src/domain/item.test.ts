import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEvent } from '@duban/events';
import { AppError } from '@duban/kit/errors';
import { decide, evolve, ITEM_STATUSES } from './item';
import type { DecideContext, ItemCommand, ItemEvent, ItemState } from './item';

const NOW = new Date('2026-03-02T01:00:00Z');
const ctx: DecideContext = {
  now: NOW,
  nodeExists: (id) => ['county', 'unit-001', 'unit-002', 'township-heji'].includes(id),
  isBelow: (above, below) => above === 'county' && below !== 'county',
};
const ITEM = '01a21969-9769-7019-bd16-894046c030b2';

function assign(overrides: Partial<Extract<ItemCommand, { type: 'assign' }>> = {}): ItemCommand {
  return {
    type: 'assign',
    itemId: ITEM,
    actor: 'county',
    assignee: 'unit-001',
    title: '推进标准化厂房建设',
    description: '',
    kind: 'annual-target',
    deadline: new Date('2026-03-31T09:00:00Z'),
    noticeNo: '督〔2026〕1号',
    ...overrides,
  };
}

function run(commands: ItemCommand[]): { state: ItemState | null; events: ItemEvent[] } {
  let state: ItemState | null = null;
  const events: ItemEvent[] = [];
  for (const command of commands) {
    const emitted = decide(state, command, ctx);
    state = emitted.reduce<ItemState | null>((s, e) => evolve(s, e), state);
    events.push(...emitted);
  }
  return { state, events };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'none';
}

describe('an item’s lifecycle', () => {
  it('walks assign → acknowledge → report → close', () => {
    const { state, events } = run([
      assign(),
      { type: 'acknowledge', actor: 'unit-001' },
      { type: 'report', actor: 'unit-001', summary: '已完成' },
      { type: 'close', actor: 'county', comment: '' },
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'tasks.item.assigned',
      'tasks.item.acknowledged',
      'tasks.item.reported',
      'tasks.item.closed',
    ]);
    expect(state).toMatchObject({ status: 'closed', revision: 4, reportSummary: '已完成' });
    expect(events.map((e) => e.to)).toEqual([['unit-001'], ['county'], ['county'], ['unit-001']]);
  });

  it('refuses what the rules forbid, naming why', () => {
    expect(codeOf(() => run([assign({ assignee: 'unit-999' })]))).toBe('item.unknown_assignee');
    expect(codeOf(() => run([assign({ deadline: new Date('2026-03-01T00:00:00Z') })]))).toBe(
      'item.deadline_in_past',
    );
    expect(codeOf(() => run([assign({ actor: 'unit-002' })]))).toBe('item.assignee_not_below');
    expect(codeOf(() => run([assign(), { type: 'acknowledge', actor: 'county' }]))).toBe('item.wrong_party');
    expect(codeOf(() => run([assign(), { type: 'close', actor: 'county', comment: '' }]))).toBe(
      'item.illegal_transition',
    );
    expect(codeOf(() => run([assign(), { type: 'report', actor: 'unit-002', summary: 'x' }]))).toBe(
      'item.wrong_party',
    );
  });

  it('lets a unit report without a separate acknowledgement (the report implies it)', () => {
    const { state } = run([assign(), { type: 'report', actor: 'unit-001', summary: '已完成' }]);
    expect(state?.status).toBe('reported');
    expect(state?.acknowledgedAt).toBe(state?.reportedAt);
  });
});

const actors = fc.constantFrom('county', 'unit-001', 'unit-002');
const command: fc.Arbitrary<ItemCommand> = fc.oneof(
  fc.constant(assign()),
  actors.map((actor) => ({ type: 'acknowledge' as const, actor })),
  fc.tuple(actors, fc.string({ minLength: 1, maxLength: 20 })).map(([actor, summary]) => ({
    type: 'report' as const,
    actor,
    summary,
  })),
  actors.map((actor) => ({ type: 'close' as const, actor, comment: '' })),
);

describe('the item state machine (property)', () => {
  it('never reaches an illegal state; every event validates; replay rebuilds the state', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 30 }), (commands) => {
        let state: ItemState | null = null;
        const events: ItemEvent[] = [];
        for (const c of commands) {
          let emitted: ItemEvent[];
          try {
            emitted = decide(state, c, ctx);
          } catch (error) {
            if (!(error instanceof AppError)) throw error; // only refusals, never crashes
            continue;
          }
          for (const e of emitted) {
            expect(decodeEvent(JSON.parse(JSON.stringify(e))).ok).toBe(true);
          }
          state = emitted.reduce<ItemState | null>((s, e) => evolve(s, e), state);
          events.push(...emitted);
        }
        if (state) {
          expect(ITEM_STATUSES).toContain(state.status);
          expect(state.revision).toBe(events.length);
          if (state.status === 'closed') expect(state.reportedAt).not.toBeNull();
        }
        const replayed = events.reduce<ItemState | null>((s, e) => evolve(s, e), null);
        expect(replayed).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });
});
