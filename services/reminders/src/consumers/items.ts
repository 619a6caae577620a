import type { WorkingCalendar } from '@duban/calendar';
import type { EventHandler } from '@duban/bus';
import type { TransactionClient } from '@duban/db';
import { TOPICS } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import type { RemindersDeps } from '../deps';
import { planTimers, resumeTimers } from '../domain/ladder';
import type { TrackedItemState } from '../domain/ladder';
import { DEFAULT_POLICIES, ReminderPolicy } from '../domain/policy';
import { policyRepository, timerRepository } from '../repositories/timers';

type TaskEvent = Extract<DubanEvent, { type: `tasks.${string}` }>;

const WATCHED = new Set([
  'tasks.item.assigned',
  'tasks.item.acknowledged',
  'tasks.item.reported',
  'tasks.item.reviewed',
  'tasks.item.closed',
  'tasks.item.reopened',
  'tasks.extension.approved',
  'tasks.deadline.replanned',
  'tasks.item.transferred',
]);

export function calendarFor(deps: RemindersDeps, version: string | null): WorkingCalendar {
  try {
    return version ? deps.calendars.get(version) : deps.calendars.current();
  } catch {
    return deps.calendars.current(); // a version this process has not seen yet
  }
}

/**
 * Arms the ladder when a hosted node assigns an item, and moves it with the item: 签收 stops the
 * acknowledgement chase; a report or closure stops everything; a return or reopening resumes it; an
 * approved extension, or a deadline the official calendar moved, plans it again for the new deadline.
 */
export function remindersConsumer(deps: RemindersDeps): EventHandler {
  const assignerSide = (e: TaskEvent) =>
    e.type === 'tasks.item.assigned' ||
    e.type === 'tasks.item.reviewed' ||
    e.type === 'tasks.item.closed' ||
    e.type === 'tasks.item.reopened' ||
    e.type === 'tasks.extension.approved' ||
    e.type === 'tasks.deadline.replanned' ||
    e.type === 'tasks.item.transferred';

  async function resume(
    tx: TransactionClient,
    nodeId: string,
    tracked: { state: TrackedItemState; round: number },
    next: TrackedItemState,
    at: Date,
    newDeadline: boolean,
  ) {
    const round = tracked.round + 1;
    const state = { ...next, deadlineRound: newDeadline ? round : next.deadlineRound };
    await timerRepository.cancel(tx, nodeId, state.itemId);
    const calendar = calendarFor(deps, state.calendarVersion);
    const timers = newDeadline
      ? planTimers(state, calendar).filter((t) => t.dueAt > at)
      : resumeTimers(
          state,
          calendar,
          at,
          await timerRepository.firedSince(tx, nodeId, state.itemId, state.deadlineRound),
        );
    await timerRepository.update(tx, nodeId, state, round, at);
    await timerRepository.schedule(tx, nodeId, state.itemId, round, timers, at);
  }

  return {
    name: 'reminders',
    topics: [TOPICS.tasks],
    accepts: (event) => WATCHED.has(event.type) && deps.hosted.has((event as TaskEvent).data.assigner),
    async handle(event, tx) {
      if (!event.type.startsWith('tasks.')) return;
      const e = event as TaskEvent;
      const nodeId = e.data.assigner;
      // Only each party's own word moves the ladder (the tasks consumers dead-letter forgeries).
      if (e.source !== (assignerSide(e) ? e.data.assigner : e.data.assignee)) return;
      const at = new Date(e.time);
      if (e.type === 'tasks.item.assigned') {
        if (e.data.assigner === e.data.assignee) return; // a plan item: nobody to chase
        const stored = await policyRepository.find(tx, nodeId, e.data.kind);
        const policy = stored ? ReminderPolicy.parse(stored) : DEFAULT_POLICIES[e.data.kind];
        const v2 = e.version !== 1 ? e.data : null;
        const state: TrackedItemState = {
          itemId: e.data.itemId,
          kind: e.data.kind,
          assigner: e.data.assigner,
          assignee: e.data.assignee,
          leader: v2?.leader ?? null,
          assignedAt: e.data.assignedAt,
          ackDeadline: v2?.ackDeadline ?? e.data.deadline,
          deadline: e.data.deadline,
          calendarVersion: v2?.calendarVersion ?? null,
          status: 'open',
          policy,
          deadlineRound: 1,
        };
        await timerRepository.track(
          tx,
          nodeId,
          state,
          planTimers(state, calendarFor(deps, state.calendarVersion)),
          at,
        );
        return;
      }
      const tracked = await timerRepository.find(tx, nodeId, e.data.itemId);
      if (!tracked) return;
      const state = tracked.state;
      switch (e.type) {
        case 'tasks.item.acknowledged':
          await timerRepository.update(tx, nodeId, { ...state, status: 'acknowledged' }, tracked.round, at);
          await timerRepository.cancel(tx, nodeId, state.itemId, ['acknowledgement']);
          return;
        case 'tasks.item.reported':
          await timerRepository.update(tx, nodeId, { ...state, status: 'reported' }, tracked.round, at);
          await timerRepository.cancel(tx, nodeId, state.itemId);
          return;
        case 'tasks.item.reviewed':
          if (e.data.outcome === 'returned')
            await resume(tx, nodeId, tracked, { ...state, status: 'acknowledged' }, at, false);
          return;
        case 'tasks.item.reopened':
          await resume(tx, nodeId, tracked, { ...state, status: 'acknowledged' }, at, false);
          return;
        case 'tasks.item.closed':
          await timerRepository.update(tx, nodeId, { ...state, status: 'closed' }, tracked.round, at);
          await timerRepository.cancel(tx, nodeId, state.itemId);
          return;
        case 'tasks.extension.approved':
          await resume(tx, nodeId, tracked, { ...state, deadline: e.data.newDeadline }, at, true);
          return;
        case 'tasks.deadline.replanned':
          // The official calendar moved the deadline: a new round on it, as for an extension
          // (ADR 0020), computed with the calendar it was re-planned on. Unmoved: nothing to do.
          // The amendment it was re-planned on is usually stored here by now (the calendar
          // consumer); if not, the current calendar is used and only chase times can differ.
          if (e.data.moved) await deps.calendars.refresh();
          if (e.data.moved && state.status !== 'reported' && state.status !== 'closed') {
            await resume(
              tx,
              nodeId,
              tracked,
              { ...state, deadline: e.data.newDeadline, calendarVersion: e.data.calendarVersion },
              at,
              true,
            );
          } else if (e.data.moved) {
            await timerRepository.update(
              tx,
              nodeId,
              { ...state, deadline: e.data.newDeadline, calendarVersion: e.data.calendarVersion },
              tracked.round,
              at,
            );
          }
          return;
        case 'tasks.item.transferred':
          // 机构调整: the same timers, rounds and fired rungs go on; they now chase the successor.
          await timerRepository.update(tx, nodeId, { ...state, assignee: e.data.to }, tracked.round, at);
          return;
        default:
          return;
      }
    },
  };
}
