import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REVIEW_POINTS, decodeEvent } from '@duban/events';
import type { ReviewPoints } from '@duban/events';
import { ROLES } from '@duban/kit/actor';
import type { Actor, Role } from '@duban/kit/actor';
import { AppError } from '@duban/kit/errors';
import { ITEM_STATUSES, decide, evolve, trafficLight } from './item';
import type { AssignInput, DecideContext, ItemCommand, ItemEvent, ItemState } from './item';

const NOW = new Date('2026-03-02T01:00:00Z');
const ITEM = '01a21969-9769-7019-bd16-894046c030b2';
const NODES = ['county', 'unit-001', 'unit-002', 'township-heji'];

const actor = (node: string, roles: readonly Role[] = ROLES, person = `${node}:someone`): Actor => ({
  node,
  person,
  roles,
});
const ctxFor = (a: Actor, now = NOW): DecideContext => ({
  now,
  actor: a,
  nodeExists: (id) => NODES.includes(id),
  isBelow: (above, below) => above === 'county' && below !== 'county',
});

const allOk = (): ReviewPoints =>
  Object.fromEntries(REVIEW_POINTS.map((p) => [p, { ok: true, comment: '' }])) as ReviewPoints;
const failing = (point: (typeof REVIEW_POINTS)[number]): ReviewPoints => ({
  ...allOk(),
  [point]: { ok: false, comment: '事实不清' },
});

function assign(overrides: Partial<AssignInput> = {}): ItemCommand {
  return {
    type: 'assign',
    itemId: ITEM,
    assignee: 'unit-001',
    title: '推进标准化厂房建设',
    description: '',
    kind: 'annual-target',
    source: 'annual-plan',
    mustSupervise: ['annual-target'],
    priority: 'normal',
    leader: '张副县长',
    responsiblePerson: null,
    coUnits: [],
    deadline: new Date('2026-03-31T09:00:00Z'),
    ackDeadline: null,
    noticeNo: '督〔2026〕1号',
    caseRef: null,
    calendarVersion: null,
    deadlineRule: null,
    deadlineProvisional: false,
    parent: null,
    ...overrides,
  };
}

type Step = [Actor, ItemCommand];
const county = actor('county', ['office-staff']);
const handler = actor('unit-001', ['unit-handler']);
const head = actor('unit-001', ['unit-head']);

function run(steps: Step[]): { state: ItemState | null; events: ItemEvent[] } {
  let state: ItemState | null = null;
  const events: ItemEvent[] = [];
  for (const [a, command] of steps) {
    const emitted = decide(state, command, ctxFor(a));
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

const signedReport: Step[] = [
  [handler, { type: 'draft-report', summary: '已完成主体工程' }],
  [head, { type: 'sign-off' }],
];

describe('an item’s lifecycle', () => {
  it('walks assign → acknowledge → draft → head’s sign-off → review → closed', () => {
    const { state, events } = run([
      [county, assign()],
      [handler, { type: 'acknowledge' }],
      ...signedReport,
      [
        county,
        {
          type: 'review',
          outcome: 'accepted',
          points: allOk(),
          reasons: [],
          comment: '同意办结',
          corrections: '',
        },
      ],
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'tasks.item.assigned',
      'tasks.item.acknowledged',
      'tasks.report.drafted',
      'tasks.item.reported',
      'tasks.item.reviewed',
      'tasks.item.closed',
    ]);
    expect(state).toMatchObject({
      status: 'closed',
      revision: 6,
      report: { summary: '已完成主体工程', draftedBy: 'unit-001:someone' },
    });
    expect(events.find((e) => e.type === 'tasks.report.drafted')?.to).toEqual([]); // the draft stays home
  });

  it('returns a report with coded reasons, counts returns, and takes a corrected one', () => {
    const { state } = run([
      [county, assign()],
      ...signedReport,
      [
        county,
        {
          type: 'review',
          outcome: 'returned',
          points: failing('factsAndProcedure'),
          reasons: ['facts-or-procedure'],
          comment: '事实不清',
          corrections: '',
        },
      ],
      ...signedReport,
      [
        county,
        {
          type: 'review',
          outcome: 'recheck',
          points: allOk(),
          reasons: [],
          comment: '需复核',
          corrections: '',
        },
      ],
      [
        county,
        {
          type: 'review',
          outcome: 'returned',
          points: failing('textAndFormat'),
          reasons: ['text-or-format'],
          comment: '',
          corrections: '',
        },
      ],
      ...signedReport,
      [
        county,
        { type: 'review', outcome: 'accepted', points: allOk(), reasons: [], comment: '', corrections: '' },
      ],
    ]);
    expect(state).toMatchObject({ status: 'closed', returnCount: 2, recheckCount: 1 });
  });

  it('moves the deadline only when the assigner approves an extension', () => {
    const later = new Date('2026-04-30T09:00:00Z');
    const requested = run([
      [county, assign()],
      [handler, { type: 'request-extension', newDeadline: later, reason: '征迁未完成' }],
    ]);
    const requestId = requested.state!.pendingExtension!.requestId;
    const approved = run([
      [county, assign()],
      [handler, { type: 'request-extension', newDeadline: later, reason: '征迁未完成' }],
    ]);
    const decided = decide(
      approved.state,
      {
        type: 'decide-extension',
        requestId: approved.state!.pendingExtension!.requestId,
        approve: true,
        newDeadline: null,
        comment: '',
      },
      ctxFor(county),
    );
    const after = decided.reduce<ItemState | null>((s, e) => evolve(s, e), approved.state);
    expect(after).toMatchObject({
      deadline: later.toISOString(),
      originalDeadline: '2026-03-31T09:00:00.000Z',
      extensionCount: 1,
      pendingExtension: null,
    });
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      codeOf(() =>
        decide(
          after,
          { type: 'decide-extension', requestId, approve: true, newDeadline: null, comment: '' },
          ctxFor(county),
        ),
      ),
    ).toBe('extension.not_pending');
  });

  it('re-plans a provisional deadline once, at the assigner, and only while it is provisional', () => {
    const rule = { kind: 'working-days' as const, days: 45, endOfDay: '17:30' };
    const provisional = assign({
      deadline: new Date('2027-02-12T09:30:00Z'),
      deadlineRule: rule,
      deadlineProvisional: true,
      calendarVersion: 'aaaaaaaaaaaaaaaa',
    });
    const replan = (newDeadline: string, still = false): ItemCommand => ({
      type: 'replan-deadline',
      newDeadline: new Date(newDeadline),
      provisional: still,
      calendarVersion: 'bbbbbbbbbbbbbbbb',
      reason: '国务院公布2027年节假日安排，截止日期由2027年2月12日调整为2027年2月15日',
    });
    const system = actor('county', []);
    const { state, events } = run([
      [county, provisional],
      [handler, { type: 'acknowledge' }],
      [system, replan('2027-02-15T09:30:00Z')],
      [system, replan('2027-02-16T09:30:00Z')], // no longer provisional: nothing
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'tasks.item.assigned',
      'tasks.item.acknowledged',
      'tasks.deadline.replanned',
    ]);
    expect(events[0]).toMatchObject({ version: 3, data: { deadlineRule: rule, deadlineProvisional: true } });
    expect(events[2]!.data).toMatchObject({
      moved: true,
      oldDeadline: '2027-02-12T09:30:00.000Z',
      newDeadline: '2027-02-15T09:30:00.000Z',
    });
    expect(events[2]!.to).toEqual(['unit-001']);
    expect(state).toMatchObject({
      deadline: '2027-02-15T09:30:00.000Z',
      originalDeadline: '2027-02-15T09:30:00.000Z',
      deadlineProvisional: false,
      calendarVersion: 'bbbbbbbbbbbbbbbb',
    });
    // Unmoved: one event that says so; unmoved and still provisional: none.
    const stands = run([
      [county, provisional],
      [system, replan('2027-02-12T09:30:00Z')],
    ]);
    expect(stands.events.at(-1)!.data).toMatchObject({ moved: false });
    expect(stands.state!.deadlineProvisional).toBe(false);
    expect(
      run([
        [county, provisional],
        [system, replan('2027-02-12T09:30:00Z', true)],
      ]).events.length,
    ).toBe(1);
    // Only the assigner re-plans; an approved extension ends the provisional mark.
    expect(
      codeOf(() =>
        run([
          [county, provisional],
          [actor('unit-001', []), replan('2027-02-15T09:30:00Z')],
        ]),
      ),
    ).toBe('item.wrong_party');
  });

  it('reopens a closed item, which counts toward the re-review rate', () => {
    const { state } = run([
      [county, assign()],
      ...signedReport,
      [
        county,
        { type: 'review', outcome: 'accepted', points: allOk(), reasons: [], comment: '', corrections: '' },
      ],
      [county, { type: 'reopen', reason: '群众反映问题未解决' }],
    ]);
    expect(state).toMatchObject({ status: 'reopened', reopenCount: 1, closedAt: null });
  });

  it('refuses what the rules forbid, naming why', () => {
    const assigned: Step[] = [[county, assign()]];
    expect(codeOf(() => run([[county, assign({ assignee: 'unit-999' })]]))).toBe('item.unknown_assignee');
    expect(codeOf(() => run([[county, assign({ deadline: new Date('2026-03-01T00:00:00Z') })]]))).toBe(
      'item.deadline_in_past',
    );
    expect(codeOf(() => run([[actor('unit-002', ['office-staff']), assign()]]))).toBe(
      'item.assignee_not_below',
    );
    expect(codeOf(() => run([[handler, assign()]]))).toBe('item.wrong_role');
    expect(codeOf(() => run([...assigned, [county, { type: 'acknowledge' }]]))).toBe('item.wrong_party');
    expect(codeOf(() => run([...assigned, [handler, { type: 'sign-off' }]]))).toBe('item.wrong_role');
    expect(codeOf(() => run([...assigned, [head, { type: 'sign-off' }]]))).toBe('item.no_draft');
    expect(codeOf(() => run([...assigned, [county, { type: 'reopen', reason: 'x' }]]))).toBe(
      'item.illegal_transition',
    );
    expect(
      codeOf(() =>
        run([
          ...assigned,
          ...signedReport,
          [
            county,
            {
              type: 'review',
              outcome: 'accepted',
              points: failing('policyAndLaw'),
              reasons: [],
              comment: '',
              corrections: '',
            },
          ],
        ]),
      ),
    ).toBe('review.failed_points_accepted');
    expect(
      codeOf(() =>
        run([
          ...assigned,
          ...signedReport,
          [
            county,
            {
              type: 'review',
              outcome: 'returned',
              points: allOk(),
              reasons: [],
              comment: '',
              corrections: '',
            },
          ],
        ]),
      ),
    ).toBe('review.return_without_reason');
    expect(codeOf(() => run([[county, assign({ coUnits: ['unit-001'] })]]))).toBe('item.co_unit_is_lead');
  });

  it('shows the traffic light from the deadline and the share of time used', () => {
    const s = run([[county, assign()]]).state!; // 29 days from 2 March to 31 March
    expect(trafficLight(s, new Date('2026-03-10T00:00:00Z'))).toBe('green');
    expect(trafficLight(s, new Date('2026-03-25T00:00:00Z'))).toBe('yellow'); // ≥ 75% used
    expect(trafficLight(s, new Date('2026-04-01T00:00:00Z'))).toBe('red');
  });
});

const actors = fc.constantFrom<Actor>(
  county,
  handler,
  head,
  actor('unit-002'),
  actor('county', ['unit-handler']),
);
const points = fc.constantFrom(allOk(), failing('conclusionRight'));
const command: fc.Arbitrary<ItemCommand> = fc.oneof(
  fc.constant(assign()),
  fc.constant<ItemCommand>({ type: 'acknowledge' }),
  fc.nat(100).map<ItemCommand>((percent) => ({ type: 'progress', note: '推进中', percent })),
  fc
    .string({ minLength: 1, maxLength: 10 })
    .map<ItemCommand>((summary) => ({ type: 'draft-report', summary })),
  fc.constant<ItemCommand>({ type: 'sign-off' }),
  fc
    .tuple(fc.constantFrom('accepted', 'returned', 'recheck' as const), points, fc.boolean())
    .map<ItemCommand>(([outcome, p, withReason]) => ({
      type: 'review',
      outcome,
      points: p,
      reasons: withReason ? ['other'] : [],
      comment: '',
      corrections: '',
    })),
  fc.constant<ItemCommand>({ type: 'reopen', reason: '复查' }),
  fc.integer({ min: 1, max: 60 }).map<ItemCommand>((days) => ({
    type: 'request-extension',
    newDeadline: new Date(Date.parse('2026-03-31T09:00:00Z') + days * 86400_000),
    reason: '延期',
  })),
  fc.boolean().map<ItemCommand>((approve) => ({
    type: 'decide-extension',
    requestId: 'pending',
    approve,
    newDeadline: null,
    comment: '',
  })),
  fc.constant<ItemCommand>({
    type: 'record-feedback',
    audience: 'citizen',
    content: '已回复',
    satisfaction: 'satisfied',
  }),
);

describe('the item state machine (property)', () => {
  it('never reaches an illegal state; every event validates; replaying the events rebuilds the state exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(actors, command), { maxLength: 40 }), (steps) => {
        let state: ItemState | null = null;
        const events: ItemEvent[] = [];
        for (const [a, c] of steps) {
          const concrete: ItemCommand =
            c.type === 'decide-extension'
              ? { ...c, requestId: state?.pendingExtension?.requestId ?? ITEM }
              : c;
          let emitted: ItemEvent[];
          try {
            emitted = decide(state, concrete, ctxFor(a));
          } catch (error) {
            if (!(error instanceof AppError)) throw error; // refusals only, never crashes
            continue;
          }
          for (const e of emitted)
            expect(decodeEvent(JSON.parse(JSON.stringify(e)))).toEqual({ ok: true, event: e });
          state = emitted.reduce<ItemState | null>((s, e) => evolve(s, e), state);
          events.push(...emitted);
          // Invariants of every reachable state.
          expect(ITEM_STATUSES).toContain(state!.status);
          if (state!.status === 'closed') expect(state!.report).not.toBeNull();
          if (state!.status === 'reported') expect(state!.report?.signedOffBy).toBe(head.person);
          expect(new Date(state!.deadline) >= new Date(state!.originalDeadline)).toBe(true);
          expect(state!.revision).toBe(events.length);
        }
        expect(events.reduce<ItemState | null>((s, e) => evolve(s, e), null)).toEqual(state);
      }),
      { numRuns: 500 },
    );
  });
});
