import { createEvent } from '@duban/events';
import type { DubanEvent, EventByType, ItemKind } from '@duban/events';
import { AppError, assertNever } from '@duban/kit/errors';

export const ITEM_STATUSES = ['assigned', 'acknowledged', 'reported', 'closed'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** One node's copy of an item. The assigner's and the assignee's copies evolve from the same events. */
export interface ItemState {
  id: string;
  kind: ItemKind;
  title: string;
  description: string;
  noticeNo: string;
  assigner: string;
  assignee: string;
  status: ItemStatus;
  deadline: string;
  assignedAt: string;
  acknowledgedAt: string | null;
  reportedAt: string | null;
  reportSummary: string | null;
  closedAt: string | null;
  revision: number;
}

export type ItemEvent = Extract<DubanEvent, { type: `tasks.item.${string}` }>;

export type ItemCommand =
  | {
      type: 'assign';
      itemId: string;
      actor: string;
      assignee: string;
      title: string;
      description: string;
      kind: ItemKind;
      deadline: Date;
      noticeNo: string;
    }
  | { type: 'acknowledge'; actor: string }
  | { type: 'report'; actor: string; summary: string }
  | { type: 'close'; actor: string; comment: string };

export interface DecideContext {
  now: Date;
  /** Is `below` in the subtree under `above` (一级抓一级: one assigns only below itself)? */
  isBelow(above: string, below: string): boolean;
  nodeExists(id: string): boolean;
}

function illegal(state: ItemState, action: string): AppError {
  return new AppError(
    'conflict',
    'item.illegal_transition',
    `cannot ${action} item ${state.id}: it is ${state.status}`,
    { status: state.status },
  );
}

function requireParty(state: ItemState, actor: string, party: 'assigner' | 'assignee', action: string): void {
  if (state[party] !== actor) {
    throw new AppError(
      'forbidden',
      'item.wrong_party',
      `only the ${party} (${state[party]}) may ${action} item ${state.id}`,
    );
  }
}

/**
 * Decides what a command means for an item: the events to emit, or an AppError saying why not.
 * Pure: the state comes in, events go out; evolve() turns them into the next state.
 */
export function decide(state: ItemState | null, command: ItemCommand, ctx: DecideContext): ItemEvent[] {
  const time = ctx.now;
  if (command.type === 'assign') {
    if (state) throw new AppError('conflict', 'item.exists', `item ${command.itemId} exists already`);
    if (!ctx.nodeExists(command.assignee)) {
      throw new AppError('unprocessable', 'item.unknown_assignee', `unknown unit ${command.assignee}`, {
        issues: [{ path: 'body.assignee', message: `no node ${command.assignee}` }],
      });
    }
    if (!ctx.isBelow(command.actor, command.assignee)) {
      throw new AppError(
        'unprocessable',
        'item.assignee_not_below',
        `${command.assignee} is not below ${command.actor}: items go down the tree one level at a time`,
        { issues: [{ path: 'body.assignee', message: 'not supervised by this node' }] },
      );
    }
    if (command.deadline.getTime() <= time.getTime()) {
      throw new AppError('unprocessable', 'item.deadline_in_past', 'the deadline must be in the future', {
        issues: [{ path: 'body.deadline', message: 'in the past' }],
      });
    }
    return [
      createEvent({
        type: 'tasks.item.assigned',
        source: command.actor,
        to: [command.assignee],
        subject: command.itemId,
        time,
        data: {
          itemId: command.itemId,
          assigner: command.actor,
          assignee: command.assignee,
          title: command.title,
          description: command.description,
          kind: command.kind,
          noticeNo: command.noticeNo,
          deadline: command.deadline.toISOString(),
          assignedAt: time.toISOString(),
        },
      }),
    ];
  }
  if (!state) throw new AppError('not_found', 'item.not_found', 'no such item');
  const parties = { itemId: state.id, assigner: state.assigner, assignee: state.assignee };
  switch (command.type) {
    case 'acknowledge':
      requireParty(state, command.actor, 'assignee', 'acknowledge');
      if (state.status !== 'assigned') throw illegal(state, 'acknowledge');
      return [
        createEvent({
          type: 'tasks.item.acknowledged',
          source: command.actor,
          to: [state.assigner],
          subject: state.id,
          time,
          data: { ...parties, acknowledgedAt: time.toISOString() },
        }),
      ];
    case 'report':
      requireParty(state, command.actor, 'assignee', 'report on');
      // A closing report implies acknowledgement: a unit that skipped 签收 still reports.
      if (state.status !== 'assigned' && state.status !== 'acknowledged') throw illegal(state, 'report on');
      return [
        createEvent({
          type: 'tasks.item.reported',
          source: command.actor,
          to: [state.assigner],
          subject: state.id,
          time,
          data: { ...parties, summary: command.summary, reportedAt: time.toISOString() },
        }),
      ];
    case 'close':
      requireParty(state, command.actor, 'assigner', 'close');
      if (state.status !== 'reported') throw illegal(state, 'close');
      return [
        createEvent({
          type: 'tasks.item.closed',
          source: command.actor,
          to: [state.assignee],
          subject: state.id,
          time,
          data: { ...parties, closedAt: time.toISOString(), comment: command.comment },
        }),
      ];
    default:
      return assertNever(command, 'item command');
  }
}

/** Applies one event to a copy of an item. Throws on an event that does not fit the state. */
export function evolve(state: ItemState | null, event: ItemEvent): ItemState {
  if (event.type === 'tasks.item.assigned') {
    if (state) throw new EventMismatch(`item ${event.data.itemId} is assigned already`);
    const d = event.data;
    return {
      id: d.itemId,
      kind: d.kind,
      title: d.title,
      description: d.description,
      noticeNo: d.noticeNo,
      assigner: d.assigner,
      assignee: d.assignee,
      status: 'assigned',
      deadline: d.deadline,
      assignedAt: d.assignedAt,
      acknowledgedAt: null,
      reportedAt: null,
      reportSummary: null,
      closedAt: null,
      revision: 1,
    };
  }
  if (!state) throw new EventMismatch(`${event.type} for an unknown item ${event.subject}`);
  if (state.assigner !== event.data.assigner || state.assignee !== event.data.assignee) {
    throw new EventMismatch(`${event.type} names other parties than item ${state.id}`);
  }
  const next = { ...state, revision: state.revision + 1 };
  switch (event.type) {
    case 'tasks.item.acknowledged':
      if (state.status !== 'assigned') throw new EventMismatch(`acknowledged while ${state.status}`);
      return { ...next, status: 'acknowledged', acknowledgedAt: event.data.acknowledgedAt };
    case 'tasks.item.reported':
      if (state.status !== 'assigned' && state.status !== 'acknowledged') {
        throw new EventMismatch(`reported while ${state.status}`);
      }
      return {
        ...next,
        status: 'reported',
        acknowledgedAt: state.acknowledgedAt ?? event.data.reportedAt,
        reportedAt: event.data.reportedAt,
        reportSummary: event.data.summary,
      };
    case 'tasks.item.closed':
      if (state.status !== 'reported') throw new EventMismatch(`closed while ${state.status}`);
      return { ...next, status: 'closed', closedAt: event.data.closedAt };
    default:
      return assertNever(event, 'item event');
  }
}

/** An event that cannot apply to the item as this node knows it. */
export class EventMismatch extends Error {
  override readonly name = 'EventMismatch';
}

/** Which party of the item may emit each event type: the authority table for tasks. */
export function expectedSource(event: ItemEvent): string {
  switch (event.type) {
    case 'tasks.item.assigned':
    case 'tasks.item.closed':
      return event.data.assigner;
    case 'tasks.item.acknowledged':
    case 'tasks.item.reported':
      return event.data.assignee;
    default:
      return assertNever(event, 'item event');
  }
}

/** The node whose copy an incoming event updates (the other party than its source). */
export function recipientOf(event: ItemEvent): string {
  return expectedSource(event) === event.data.assigner ? event.data.assignee : event.data.assigner;
}

export function isItemEvent(event: DubanEvent): event is ItemEvent {
  return event.type.startsWith('tasks.item.');
}

/** 督〔2026〕12号: the notice number of an assignment, counted per node and year. */
export function noticeNumber(year: number, sequence: number): string {
  return `督〔${year}〕${sequence}号`;
}

export type AssignedEvent = EventByType<'tasks.item.assigned'>;
