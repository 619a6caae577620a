import { atChinaTime, toChinaDate } from '@duban/calendar';
import type { CalendarDate, LocalTime, WorkingCalendar } from '@duban/calendar';
import { createEvent } from '@duban/events';
import type { ChaseKind, DubanEvent, EscalationStep, ItemKind } from '@duban/events';
import { assertNever } from '@duban/kit/errors';
import type { ReminderPolicy } from './policy';

export type TimerKind = ChaseKind | 'escalation';

/** What the reminders service knows of an item its node assigned. */
export interface TrackedItemState {
  itemId: string;
  kind: ItemKind;
  assigner: string;
  assignee: string;
  leader: string | null;
  assignedAt: string;
  ackDeadline: string;
  deadline: string;
  calendarVersion: string | null;
  status: 'open' | 'acknowledged' | 'reported' | 'closed';
  policy: ReminderPolicy;
  /** The round in which the current deadline was set: rungs fired since then count as done. */
  deadlineRound: number;
}

export interface PlannedTimer {
  kind: TimerKind;
  /** The rung of the ladder, or the occurrence of a periodic reminder. */
  level: number;
  dueAt: Date;
}

const uncovered = { uncovered: 'weekdays' } as const;

function slot(_calendar: WorkingCalendar, date: CalendarDate, policy: ReminderPolicy): Date {
  return atChinaTime(date, policy.chaseAt as LocalTime);
}

/** The first chase slot (a working day at `chaseAt`) strictly after `after`. */
export function nextSlot(calendar: WorkingCalendar, after: Date, policy: ReminderPolicy): Date {
  const today = toChinaDate(after);
  const todaySlot = slot(calendar, today, policy);
  if (calendar.isWorkingDay(today, uncovered) && todaySlot > after) return todaySlot;
  return slot(calendar, calendar.nextWorkingDay(today, uncovered), policy);
}

/**
 * Every timer of the item's ladder, on the working-day calendar: the 签收 chase at the
 * acknowledgement deadline, the first periodic progress reminder, the warning before the deadline,
 * the formal overdue chase on the working day after the deadline, then one rung per grace.
 */
export function planTimers(item: TrackedItemState, calendar: WorkingCalendar): PlannedTimer[] {
  const policy = item.policy;
  const deadline = new Date(item.deadline);
  const deadlineDay = toChinaDate(deadline);
  const timers: PlannedTimer[] = [];
  if (policy.chaseAcknowledgement && item.status === 'open') {
    timers.push({ kind: 'acknowledgement', level: 1, dueAt: new Date(item.ackDeadline) });
  }
  if (policy.progressEveryWorkingDays) {
    const first = nextProgress(item, calendar, new Date(item.assignedAt), 1);
    if (first) timers.push(first);
  }
  if (policy.warnWorkingDaysBefore > 0) {
    const warnAt = slot(
      calendar,
      calendar.addWorkingDays(deadlineDay, -policy.warnWorkingDaysBefore, uncovered),
      policy,
    );
    if (warnAt > new Date(item.assignedAt) && warnAt < deadline)
      timers.push({ kind: 'warning', level: 1, dueAt: warnAt });
  }
  let previous = slot(calendar, calendar.nextWorkingDay(deadlineDay, uncovered), policy);
  timers.push({ kind: 'overdue', level: 1, dueAt: previous });
  policy.ladder.forEach((rung, i) => {
    previous =
      rung.graceWorkingDays === 0
        ? previous
        : slot(
            calendar,
            calendar.addWorkingDays(toChinaDate(previous), rung.graceWorkingDays, uncovered),
            policy,
          );
    timers.push({ kind: 'escalation', level: i + 1, dueAt: previous });
  });
  return timers;
}

/** The next periodic progress reminder after `after` (occurrence `level`), if still before the deadline. */
export function nextProgress(
  item: TrackedItemState,
  calendar: WorkingCalendar,
  after: Date,
  level: number,
): PlannedTimer | undefined {
  const every = item.policy.progressEveryWorkingDays;
  if (!every) return undefined;
  let at = slot(calendar, calendar.addWorkingDays(toChinaDate(after), every, uncovered), item.policy);
  // After downtime, one reminder now-ish instead of one per missed period.
  while (at <= after)
    at = slot(calendar, calendar.addWorkingDays(toChinaDate(at), every, uncovered), item.policy);
  return at < new Date(item.deadline) ? { kind: 'progress', level, dueAt: at } : undefined;
}

/**
 * Re-plans after the item went back to work (returned, reopened): rungs already fired for this
 * deadline stay fired; overdue ones not yet fired resume from the next chase slot after `now`, each
 * later rung keeping its grace, so a resumed ladder never fires several rungs at once.
 */
export function resumeTimers(
  item: TrackedItemState,
  calendar: WorkingCalendar,
  now: Date,
  fired: ReadonlySet<string>,
): PlannedTimer[] {
  const key = (t: { kind: string; level: number }) => `${t.kind}:${t.level}`;
  const planned = planTimers(item, calendar).filter((t) => t.kind !== 'progress' && !fired.has(key(t)));
  const out: PlannedTimer[] = [];
  let shift: Date | undefined;
  let previous: Date | undefined;
  for (const t of planned) {
    if (t.kind !== 'overdue' && t.kind !== 'escalation') {
      if (t.dueAt > now) out.push(t);
      continue;
    }
    if (!shift && t.dueAt > now) {
      out.push(t);
      previous = t.dueAt;
      continue;
    }
    if (!previous) {
      shift = nextSlot(calendar, now, item.policy);
      previous = shift;
      out.push({ ...t, dueAt: shift });
      continue;
    }
    const grace = t.kind === 'escalation' ? (item.policy.ladder[t.level - 1]?.graceWorkingDays ?? 0) : 0;
    previous =
      grace === 0
        ? previous
        : slot(calendar, calendar.addWorkingDays(toChinaDate(previous), grace, uncovered), item.policy);
    out.push({ ...t, dueAt: previous });
  }
  const progress = nextProgress(item, calendar, now, 1);
  if (progress) out.push(progress);
  return out;
}

export interface FireContext {
  now: Date;
  parentOf(nodeId: string): string | undefined;
  /** The county office above a node (where the committee and the county leaders sit). */
  countyOfficeOf(nodeId: string): string;
  /** How many chases of this kind the item had before. */
  chasesBefore: number;
}

export interface Fired {
  events: DubanEvent[];
  /** A follow-up timer (the next periodic reminder). */
  next?: PlannedTimer;
}

function stillOpen(item: TrackedItemState): boolean {
  return item.status === 'open' || item.status === 'acknowledged';
}

function escalationTarget(step: EscalationStep, item: TrackedItemState, ctx: FireContext): string {
  switch (step) {
    case 'unit-head':
      return item.assignee;
    case 'supervisor':
      return ctx.parentOf(item.assignee) ?? item.assigner;
    case 'leader':
    case 'committee':
      return ctx.countyOfficeOf(item.assigner);
    default:
      return assertNever(step, 'escalation step');
  }
}

const REASONS: Record<EscalationStep, string> = {
  'unit-head': '逾期催办后仍未报送办结报告，提请单位主要负责人督办',
  supervisor: '单位主要负责人督办后仍未办结，提请上级督查部门督办',
  leader: '上级督办后仍未办结，提请分包县领导督办',
  committee: '分包县领导督办后仍未办结，提请督查工作委员会研究通报批评',
};

/** What a due timer means now: nothing if the item no longer needs it, else its event. */
export function fireTimer(
  item: TrackedItemState,
  timer: { kind: TimerKind; level: number },
  calendar: WorkingCalendar,
  ctx: FireContext,
): Fired {
  const parties = { itemId: item.itemId, assigner: item.assigner, assignee: item.assignee };
  const chase = (kind: ChaseKind, ccRoles: string[]): DubanEvent =>
    createEvent({
      type: 'reminders.item.chased',
      source: item.assigner,
      to: [item.assignee],
      subject: item.itemId,
      time: ctx.now,
      data: {
        ...parties,
        kind,
        deadline: item.deadline,
        chasedAt: ctx.now.toISOString(),
        chaseNo: ctx.chasesBefore + 1,
        ccRoles,
      },
    });
  switch (timer.kind) {
    case 'acknowledgement':
      return { events: item.status === 'open' ? [chase('acknowledgement', [])] : [] };
    case 'progress': {
      if (!stillOpen(item)) return { events: [] };
      const next = nextProgress(item, calendar, ctx.now, timer.level + 1);
      return { events: [chase('progress', [])], ...(next ? { next } : {}) };
    }
    case 'warning':
      return { events: stillOpen(item) ? [chase('warning', [])] : [] };
    case 'overdue':
      return { events: stillOpen(item) ? [chase('overdue', ['unit-head'])] : [] };
    case 'escalation': {
      const rung = item.policy.ladder[timer.level - 1];
      if (!rung || !stillOpen(item)) return { events: [] };
      const to = escalationTarget(rung.step, item, ctx);
      return {
        events: [
          createEvent({
            type: 'reminders.item.escalated',
            source: item.assigner,
            to: [to],
            subject: item.itemId,
            time: ctx.now,
            data: {
              ...parties,
              level: timer.level,
              step: rung.step,
              escalatedTo: to,
              leader: rung.step === 'leader' ? item.leader : null,
              deadline: item.deadline,
              escalatedAt: ctx.now.toISOString(),
              reason: REASONS[rung.step],
            },
          }),
        ],
      };
    }
    default:
      return assertNever(timer.kind, 'timer kind');
  }
}
