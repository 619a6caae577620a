import { describe, expect, it } from 'vitest';
import { decodeEvent } from '@duban/events';
import { ROLES } from '@duban/kit/actor';
import type { Actor } from '@duban/kit/actor';
import { AppError } from '@duban/kit/errors';
import { decide, decideTransfer, evolve, transferNote } from './item';
import type { DecideContext, ItemCommand, ItemEvent, ItemState } from './item';

const NOW = new Date('2026-11-02T01:00:00Z');
const LATER = new Date('2026-11-05T01:00:00Z');
const ITEM = '01a21969-9769-7019-bd16-894046c030b2';
const ORG_EVENT = '01a21969-9769-7019-bd16-894046c030b3';
const county: Actor = { node: 'county', person: '科员', roles: ['office-staff'] };
const ctx = (retired: string[] = []): DecideContext => ({
  now: NOW,
  actor: county,
  nodeExists: () => true,
  isBelow: (above, below) => above === 'county' && below !== 'county',
  retired: (id) => (retired.includes(id) ? `${id}已合并（机构调整），请改交unit-003` : undefined),
});
const assign = (assignee: string, coUnits: string[] = []): ItemCommand => ({
  type: 'assign',
  itemId: ITEM,
  assignee,
  title: '完成年度政务公开目标',
  description: '',
  kind: 'annual-target',
  source: 'annual-plan',
  mustSupervise: [],
  priority: 'normal',
  leader: null,
  responsiblePerson: null,
  coUnits,
  deadline: new Date('2026-11-30T09:00:00Z'),
  ackDeadline: null,
  noticeNo: '督〔2026〕7号',
  caseRef: null,
  calendarVersion: null,
  deadlineRule: null,
  deadlineProvisional: false,
  parent: null,
});
const merged = {
  to: 'unit-003',
  toName: '县政府办公室',
  fromName: '县人大常委会办公室',
  reason: 'merged' as const,
  orgEventId: ORG_EVENT,
};

function assigned(): { state: ItemState; events: ItemEvent[] } {
  const events = decide(null, assign('unit-002'), ctx());
  const state = events.reduce<ItemState | null>((s, e) => evolve(s, e), null)!;
  const handler: Actor = { node: 'unit-002', person: '承办人', roles: ROLES };
  const hctx = { ...ctx(), actor: handler };
  const ack = decide(state, { type: 'acknowledge' }, hctx);
  const acked = ack.reduce((s, e) => evolve(s, e), state);
  const draft = decide(acked, { type: 'draft-report', summary: '草稿' }, hctx);
  return { state: draft.reduce((s, e) => evolve(s, e), acked), events: [...events, ...ack, ...draft] };
}

describe('转交 (机构调整)', () => {
  it('refuses new items and co-units for a merged unit, naming the successor', () => {
    const refused = (command: ItemCommand) => {
      try {
        decide(null, command, ctx(['unit-002']));
      } catch (error) {
        return error as AppError;
      }
      throw new Error('not refused');
    };
    expect(refused(assign('unit-002'))).toMatchObject({
      code: 'item.assignee_retired',
      kind: 'unprocessable',
    });
    expect(refused(assign('unit-002')).message).toContain('unit-003');
    expect(refused(assign('unit-001', ['unit-002']))).toMatchObject({ code: 'item.co_unit_retired' });
    expect(decide(null, assign('unit-001'), ctx(['unit-002']))).toHaveLength(1);
  });

  it('passes an open item to the successor, with a note for the timeline and a copy to start from', () => {
    const { state } = assigned();
    const [event] = decideTransfer(state, merged, LATER);
    expect(event).toMatchObject({
      type: 'tasks.item.transferred',
      source: 'county',
      to: ['unit-003'],
      subject: ITEM,
      data: {
        assigner: 'county',
        assignee: 'unit-002',
        to: 'unit-003',
        reason: 'merged',
        orgEventId: ORG_EVENT,
      },
    });
    // It travels: the catalogue's schema accepts it as emitted.
    expect(decodeEvent(JSON.parse(JSON.stringify(event)))).toMatchObject({ ok: true });
    expect(event!.data).toMatchObject({ note: '因机构调整(合并入县政府办公室)转交' });
    const next = evolve(state, event!);
    expect(next).toMatchObject({ assignee: 'unit-003', status: 'acknowledged', draft: null });
    expect(next.revision).toBe(state.revision + 1);
    // The successor has never seen the item: it starts from the snapshot, without the draft.
    const fresh = evolve(null, event!);
    expect(fresh).toEqual({ ...next, revision: 1 });
    // Later events name the new parties; the old ones no longer apply.
    const unit3: Actor = { node: 'unit-003', person: '承办人', roles: ROLES };
    expect(
      decide(next, { type: 'progress', note: '接办', percent: 10 }, { ...ctx(), actor: unit3 }),
    ).toHaveLength(1);
    const unit2: Actor = { node: 'unit-002', person: '承办人', roles: ROLES };
    expect(() =>
      decide(next, { type: 'progress', note: 'x', percent: 1 }, { ...ctx(), actor: unit2 }),
    ).toThrow(AppError);
  });

  it('leaves closed items and plan items where they are', () => {
    const { state } = assigned();
    expect(decideTransfer({ ...state, status: 'closed' }, merged, LATER)).toEqual([]);
    expect(decideTransfer({ ...state, assigner: 'unit-002' }, merged, LATER)).toEqual([]);
    expect(decideTransfer({ ...state, assignee: 'unit-003' }, merged, LATER)).toEqual([]);
    expect(transferNote({ reason: 'abolished', toName: '县政府办公室' })).toBe(
      '因机构调整(撤销，由县政府办公室承接)转交',
    );
  });
});
