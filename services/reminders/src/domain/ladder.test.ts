import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from '@duban/calendar';
import { fireTimer, planTimers, resumeTimers } from './ladder';
import type { TrackedItemState } from './ladder';
import { DEFAULT_POLICIES } from './policy';

const calendar = WorkingCalendar.official();
const cst = (s: string) => new Date(`${s}+08:00`).toISOString();

// Assigned Monday 28 September 2026, due Wednesday 30 September 17:30, just before National Day
// (1–7 October off; Saturday 10 October is a make-up working day).
const item: TrackedItemState = {
  itemId: '01a21969-9769-7019-bd16-894046c030b2',
  kind: 'petition',
  assigner: 'township-heji',
  assignee: 'heji-agri',
  leader: '张副县长',
  assignedAt: cst('2026-09-28T09:00:00'),
  ackDeadline: cst('2026-09-29T17:30:00'),
  deadline: cst('2026-09-30T17:30:00'),
  calendarVersion: null,
  status: 'open',
  policy: DEFAULT_POLICIES.petition, // ladder graces 1, 2, 2, 3 working days; warning 2 before
  deadlineRound: 1,
};

const schedule = (timers: ReturnType<typeof planTimers>) =>
  timers.map((t) => [`${t.kind}:${t.level}`, t.dueAt.toISOString()]);

describe('the ladder on the working-day calendar', () => {
  it('skips National Day week and counts the make-up Saturday', () => {
    expect(schedule(planTimers(item, calendar))).toEqual([
      ['acknowledgement:1', cst('2026-09-29T17:30:00')],
      // the warning would fall on the day of assignment: none
      ['overdue:1', cst('2026-10-08T09:00:00')], // the first working day after the deadline
      ['escalation:1', cst('2026-10-09T09:00:00')], // unit head, +1
      ['escalation:2', cst('2026-10-12T09:00:00')], // supervisor, +2: Sat 10 Oct (make-up) and Mon 12
      ['escalation:3', cst('2026-10-14T09:00:00')], // county leader, +2
      ['escalation:4', cst('2026-10-19T09:00:00')], // committee, +3: 15, 16, 19
    ]);
  });

  it('reminds of progress weekly for long items, and warns before the deadline', () => {
    const long: TrackedItemState = {
      ...item,
      kind: 'annual-target',
      policy: DEFAULT_POLICIES['annual-target'], // progress every 5 working days, warning 3 before
      deadline: cst('2026-11-30T17:30:00'),
    };
    const timers = schedule(planTimers(long, calendar));
    expect(timers).toContainEqual(['progress:1', cst('2026-10-10T09:00:00')]); // 29, 30, 8, 9, 10 (Sat, make-up)
    expect(timers).toContainEqual(['warning:1', cst('2026-11-25T09:00:00')]); // 3 working days before 30 Nov
  });

  it('addresses each rung to the right node', () => {
    const ctx = {
      now: new Date(cst('2026-10-12T09:00:00')),
      parentOf: (id: string) => (id === 'heji-agri' ? 'township-heji' : 'county'),
      countyOfficeOf: () => 'county',
      chasesBefore: 0,
    };
    const targets = [1, 2, 3, 4].map((level) => {
      const [event] = fireTimer(item, { kind: 'escalation', level }, calendar, ctx).events;
      return event?.type === 'reminders.item.escalated' && event.version === 2
        ? [event.data.step, event.data.escalatedTo, event.data.leader]
        : undefined;
    });
    expect(targets).toEqual([
      ['unit-head', 'heji-agri', null],
      ['supervisor', 'township-heji', null],
      ['leader', 'county', '张副县长'],
      ['committee', 'county', null],
    ]);
    const [overdue] = fireTimer(item, { kind: 'overdue', level: 1 }, calendar, ctx).events;
    expect(overdue?.type === 'reminders.item.chased' && overdue.data).toMatchObject({
      kind: 'overdue',
      ccRoles: ['unit-head'],
    });
  });

  it('fires nothing for an item that was reported or closed, and no 签收 chase once acknowledged', () => {
    const ctx = {
      now: new Date(),
      parentOf: () => undefined,
      countyOfficeOf: () => 'county',
      chasesBefore: 0,
    };
    expect(
      fireTimer({ ...item, status: 'reported' }, { kind: 'escalation', level: 1 }, calendar, ctx).events,
    ).toEqual([]);
    expect(
      fireTimer({ ...item, status: 'closed' }, { kind: 'overdue', level: 1 }, calendar, ctx).events,
    ).toEqual([]);
    expect(
      fireTimer({ ...item, status: 'acknowledged' }, { kind: 'acknowledgement', level: 1 }, calendar, ctx)
        .events,
    ).toEqual([]);
  });

  it('resumes a returned item’s ladder one rung at a time, never firing a rung twice', () => {
    const now = new Date(cst('2026-10-13T15:00:00')); // rungs 1 and 2 fired before the report came
    const fired = new Set(['acknowledgement:1', 'overdue:1', 'escalation:1', 'escalation:2']);
    expect(schedule(resumeTimers({ ...item, status: 'acknowledged' }, calendar, now, fired))).toEqual([
      ['escalation:3', cst('2026-10-14T09:00:00')], // the next chase slot after now
      ['escalation:4', cst('2026-10-19T09:00:00')], // then its own grace
    ]);
  });
});
