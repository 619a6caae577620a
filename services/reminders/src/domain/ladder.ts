import { createEvent } from '@duban/events';
import type { DubanEvent } from '@duban/events';

/** How long after the deadline each step fires. The working-day calendar replaces plain hours later. */
export interface ReminderPolicy {
  /** After the deadline, before the first overdue chase (催办). */
  chaseAfterMs: number;
  /** After the chase, before the escalation to the unit's parent. */
  escalateAfterMs: number;
}

export const DEFAULT_POLICY: ReminderPolicy = { chaseAfterMs: 0, escalateAfterMs: 24 * 3600_000 };

export type TimerKind = 'chase' | 'escalation';

export interface PlannedTimer {
  kind: TimerKind;
  level: number;
  dueAt: Date;
}

/** The timers an assignment arms: a chase when the deadline passes, then one escalation. */
export function planTimers(deadline: Date, policy: ReminderPolicy): PlannedTimer[] {
  const chaseAt = new Date(deadline.getTime() + policy.chaseAfterMs);
  return [
    { kind: 'chase', level: 1, dueAt: chaseAt },
    { kind: 'escalation', level: 1, dueAt: new Date(chaseAt.getTime() + policy.escalateAfterMs) },
  ];
}

export interface TrackedItemState {
  itemId: string;
  assigner: string;
  assignee: string;
  deadline: Date;
  status: 'open' | 'reported' | 'closed';
}

/**
 * What a due timer means: nothing if the item no longer needs chasing, else the chase or the
 * escalation event, addressed to the unit or to the node above it.
 */
export function fireTimer(
  item: TrackedItemState,
  timer: { kind: TimerKind; level: number },
  ctx: { now: Date; parentOf(nodeId: string): string | undefined },
): DubanEvent[] {
  if (item.status !== 'open') return [];
  const parties = { itemId: item.itemId, assigner: item.assigner, assignee: item.assignee };
  if (timer.kind === 'chase') {
    return [
      createEvent({
        type: 'reminders.item.chased',
        source: item.assigner,
        to: [item.assignee],
        subject: item.itemId,
        time: ctx.now,
        data: {
          ...parties,
          deadline: item.deadline.toISOString(),
          chasedAt: ctx.now.toISOString(),
          chaseNo: timer.level,
        },
      }),
    ];
  }
  const parent = ctx.parentOf(item.assignee);
  if (!parent) return [];
  return [
    createEvent({
      type: 'reminders.item.escalated',
      source: item.assigner,
      to: [parent],
      subject: item.itemId,
      time: ctx.now,
      data: {
        ...parties,
        deadline: item.deadline.toISOString(),
        escalatedAt: ctx.now.toISOString(),
        level: timer.level,
        escalatedTo: parent,
        reason: 'no closing report after the overdue chase',
      },
    }),
  ];
}
