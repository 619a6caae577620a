import { createEvent, uuidv7 } from '@duban/events';
import type {
  DubanEvent,
  ItemKind,
  ItemSource,
  MustSupervise,
  Priority,
  ReturnReason,
  ReviewOutcome,
  ReviewPoints,
} from '@duban/events';
import { REVIEW_POINTS } from '@duban/events';
import { hasAnyRole } from '@duban/kit/actor';
import type { Actor, Role } from '@duban/kit/actor';
import { AppError, assertNever } from '@duban/kit/errors';
import type { DeadlineRulePayload } from '@duban/events';

export const ITEM_STATUSES = [
  'assigned', // 已交办: waiting for 签收
  'acknowledged', // 已签收: in hand
  'reported', // 已报结: the signed closing report waits for review
  'rechecking', // 复核中
  'returned', // 退回重办
  'closed', // 已办结
  'reopened', // 复查复议: closed, then reopened
] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** A node's relation to an item: which copy this is. */
export type Relation = 'assigner' | 'assignee' | 'own' | 'co-unit' | 'observer';

export interface ReportState {
  summary: string;
  draftedBy: string;
  signedOffBy: string;
  at: string;
}

/** One node's copy of an item. All copies evolve from the same events (see evolve). */
export interface ItemState {
  id: string;
  kind: ItemKind;
  source: ItemSource;
  mustSupervise: MustSupervise[];
  priority: Priority;
  title: string;
  description: string;
  noticeNo: string;
  caseRef: string | null;
  calendarVersion: string | null;
  /** The rule the deadline was computed from (null: given as an instant, or assigned before v3). */
  deadlineRule: DeadlineRulePayload | null;
  /**
   * The deadline depends on a year without the State Council's calendar (computed on the statutory
   * rules, ADR 0026): the assigner re-plans it when the official calendar arrives.
   */
  deadlineProvisional: boolean;
  assigner: string;
  assignee: string;
  coUnits: string[];
  leader: string | null;
  responsiblePerson: string | null;
  parentId: string | null;
  status: ItemStatus;
  deadline: string;
  originalDeadline: string;
  ackDeadline: string;
  assignedAt: string;
  acknowledgedAt: string | null;
  progress: number | null;
  lastProgressAt: string | null;
  /** The unsigned draft, only in the assignee's copy. */
  draft: { summary: string; by: string; at: string } | null;
  report: ReportState | null;
  reportedAt: string | null;
  closedAt: string | null;
  returnCount: number;
  recheckCount: number;
  reopenCount: number;
  extensionCount: number;
  pendingExtension: { requestId: string; newDeadline: string; reason: string; by: string; at: string } | null;
  lastReview: {
    outcome: ReviewOutcome;
    reasons: ReturnReason[];
    comment: string;
    by: string;
    at: string;
  } | null;
  feedback: { city: string | null; citizen: string | null; satisfaction: string | null };
  revision: number;
}

export type ItemEvent = Extract<DubanEvent, { type: `tasks.${string}` }>;

/** Who may do what (the node is checked separately: assigner-side or assignee-side). */
export const SUPERVISING_ROLES: readonly Role[] = ['office-staff', 'township-supervisor', 'admin'];
export const HANDLING_ROLES: readonly Role[] = [
  'unit-handler',
  'unit-head',
  'township-supervisor',
  'office-staff',
];
export const HEAD_ROLES: readonly Role[] = ['unit-head'];

export interface AssignInput {
  itemId: string;
  assignee: string;
  title: string;
  description: string;
  kind: ItemKind;
  source: ItemSource;
  mustSupervise: MustSupervise[];
  priority: Priority;
  leader: string | null;
  responsiblePerson: string | null;
  coUnits: string[];
  deadline: Date;
  ackDeadline: Date | null;
  noticeNo: string;
  caseRef: string | null;
  /** The working-day calendar the deadlines were computed with, if a rule set them. */
  calendarVersion: string | null;
  deadlineRule: DeadlineRulePayload | null;
  deadlineProvisional: boolean;
  /** The parent copy at the acting node, when this item is split from one. */
  parent: ItemState | null;
}

export type ItemCommand =
  | ({ type: 'assign' } & AssignInput)
  | { type: 'acknowledge' }
  | { type: 'progress'; note: string; percent: number | null }
  | { type: 'derive-progress'; percent: number }
  | { type: 'draft-report'; summary: string }
  | { type: 'sign-off' }
  | {
      type: 'review';
      outcome: ReviewOutcome;
      points: ReviewPoints;
      reasons: ReturnReason[];
      comment: string;
      corrections: string;
    }
  | { type: 'reopen'; reason: string }
  | { type: 'request-extension'; newDeadline: Date; reason: string }
  | {
      type: 'decide-extension';
      requestId: string;
      approve: boolean;
      newDeadline: Date | null;
      comment: string;
    }
  | {
      type: 'record-feedback';
      audience: 'city' | 'citizen';
      content: string;
      satisfaction: 'satisfied' | 'basically-satisfied' | 'unsatisfied' | null;
    }
  | {
      /** The assigner recomputed the deadline from its rule on the official calendar. */
      type: 'replan-deadline';
      newDeadline: Date;
      provisional: boolean;
      calendarVersion: string;
      reason: string;
    }
  | {
      type: 'record-meeting';
      meetingId: string;
      attendees: string[];
      minutes: string;
      decisionItemIds: string[];
    };

export interface DecideContext {
  now: Date;
  actor: Actor;
  /** Is `below` strictly under `above` in the organisation tree? */
  isBelow(above: string, below: string): boolean;
  nodeExists(id: string): boolean;
  /** Why no new item may go to the node (merged or abolished, 机构调整), or undefined. */
  retired?(id: string): string | undefined;
}

const DAY = 24 * 3600_000;

function refuse(
  kind: 'forbidden' | 'conflict' | 'unprocessable',
  code: string,
  message: string,
  path?: string,
): AppError {
  return new AppError(kind, code, message, path ? { issues: [{ path, message }] } : {});
}

function illegal(state: ItemState, action: string): AppError {
  return new AppError(
    'conflict',
    'item.illegal_transition',
    `cannot ${action} item ${state.id}: it is ${state.status}`,
    {
      status: state.status,
    },
  );
}

function requireSide(
  state: ItemState,
  ctx: DecideContext,
  side: 'assigner' | 'assignee',
  roles: readonly Role[],
  action: string,
): void {
  if (state[side] !== ctx.actor.node) {
    throw refuse(
      'forbidden',
      'item.wrong_party',
      `only the ${side} (${state[side]}) may ${action} item ${state.id}`,
    );
  }
  if (!hasAnyRole(ctx.actor, roles)) {
    throw refuse('forbidden', 'item.wrong_role', `${action} needs one of the roles ${roles.join(', ')}`);
  }
}

/** A plan item (本级立项): registered by a node for itself, done when its sub-items are done. */
export function isOwnItem(state: Pick<ItemState, 'assigner' | 'assignee'>): boolean {
  return state.assigner === state.assignee;
}

const WORKING: ReadonlySet<ItemStatus> = new Set(['assigned', 'acknowledged', 'returned', 'reopened']);

function validateAssign(command: AssignInput, ctx: DecideContext): void {
  const actor = ctx.actor.node;
  if (!hasAnyRole(ctx.actor, SUPERVISING_ROLES)) {
    throw refuse(
      'forbidden',
      'item.wrong_role',
      `assigning needs one of the roles ${SUPERVISING_ROLES.join(', ')}`,
    );
  }
  if (!ctx.nodeExists(command.assignee)) {
    throw refuse(
      'unprocessable',
      'item.unknown_assignee',
      `unknown unit ${command.assignee}`,
      'body.assignee',
    );
  }
  const retired = ctx.retired?.(command.assignee);
  if (retired) throw refuse('unprocessable', 'item.assignee_retired', retired, 'body.assignee');
  if (command.assignee !== actor && !ctx.isBelow(actor, command.assignee)) {
    throw refuse(
      'unprocessable',
      'item.assignee_not_below',
      `${command.assignee} is not below ${actor}: items go down the tree`,
      'body.assignee',
    );
  }
  for (const [i, unit] of command.coUnits.entries()) {
    if (!ctx.nodeExists(unit) || !ctx.isBelow(actor, unit)) {
      throw refuse(
        'unprocessable',
        'item.co_unit_not_below',
        `co-unit ${unit} is not a node below ${actor}`,
        `body.coUnits.${i}`,
      );
    }
    const gone = ctx.retired?.(unit);
    if (gone) throw refuse('unprocessable', 'item.co_unit_retired', gone, `body.coUnits.${i}`);
    if (unit === command.assignee) {
      throw refuse(
        'unprocessable',
        'item.co_unit_is_lead',
        `${unit} is the lead unit already`,
        `body.coUnits.${i}`,
      );
    }
  }
  if (command.deadline.getTime() <= ctx.now.getTime()) {
    throw refuse(
      'unprocessable',
      'item.deadline_in_past',
      'the deadline must be in the future',
      'body.deadline',
    );
  }
  if (command.ackDeadline && (command.ackDeadline <= ctx.now || command.ackDeadline > command.deadline)) {
    throw refuse(
      'unprocessable',
      'item.bad_ack_deadline',
      'the acknowledgement deadline must fall between now and the deadline',
      'body.ackDeadline',
    );
  }
  const parent = command.parent;
  if (parent) {
    // 立项分解: the node responsible for the parent splits it (its assignee, or the owner of a plan
    // item); the assigner adds sub-items too, e.g. the decisions of a joint meeting.
    if (parent.assignee !== actor && parent.assigner !== actor) {
      throw refuse('forbidden', 'item.not_parent_party', `only a party to ${parent.id} may split it`);
    }
    if (parent.status === 'closed') throw illegal(parent, 'split');
    if (command.deadline.getTime() > new Date(parent.deadline).getTime()) {
      throw refuse(
        'unprocessable',
        'item.after_parent_deadline',
        'a sub-item cannot be due after its parent',
        'body.deadline',
      );
    }
  }
}

/**
 * Decides what a command means for a node's copy of an item: the events to emit, or an AppError
 * saying why not. Pure; evolve() turns the events into the next state.
 */
export function decide(state: ItemState | null, command: ItemCommand, ctx: DecideContext): ItemEvent[] {
  const time = ctx.now;
  const at = time.toISOString();
  const by = ctx.actor.person;
  if (command.type === 'assign') {
    if (state) throw refuse('conflict', 'item.exists', `item ${command.itemId} exists already`);
    validateAssign(command, ctx);
    const own = command.assignee === ctx.actor.node;
    const ackDeadline =
      command.ackDeadline ?? new Date(Math.min(command.deadline.getTime(), time.getTime() + DAY));
    return [
      createEvent({
        type: 'tasks.item.assigned',
        source: ctx.actor.node,
        to: own ? [] : [command.assignee, ...command.coUnits],
        subject: command.itemId,
        time,
        data: {
          itemId: command.itemId,
          assigner: ctx.actor.node,
          assignee: command.assignee,
          title: command.title,
          description: command.description,
          kind: command.kind,
          noticeNo: command.noticeNo,
          deadline: command.deadline.toISOString(),
          assignedAt: at,
          source: command.source,
          mustSupervise: command.mustSupervise,
          priority: command.priority,
          leader: command.leader,
          responsiblePerson: command.responsiblePerson,
          coUnits: command.coUnits,
          parentId: command.parent?.id ?? null,
          ackDeadline: ackDeadline.toISOString(),
          by,
          caseRef: command.caseRef,
          calendarVersion: command.calendarVersion,
          deadlineRule: command.deadlineRule,
          deadlineProvisional: command.deadlineProvisional,
        },
      }),
    ];
  }
  if (!state) throw new AppError('not_found', 'item.not_found', 'no such item');
  const parties = { itemId: state.id, assigner: state.assigner, assignee: state.assignee };
  const toAssigner = isOwnItem(state) ? [] : [state.assigner];
  const toAssignee = isOwnItem(state) ? [] : [state.assignee];
  switch (command.type) {
    case 'acknowledge':
      requireSide(state, ctx, 'assignee', HANDLING_ROLES, 'acknowledge');
      if (state.status !== 'assigned') throw illegal(state, 'acknowledge');
      return [
        createEvent({
          type: 'tasks.item.acknowledged',
          source: ctx.actor.node,
          to: toAssigner,
          subject: state.id,
          time,
          data: { ...parties, acknowledgedAt: at, by },
        }),
      ];
    case 'progress':
      requireSide(state, ctx, 'assignee', HANDLING_ROLES, 'report progress on');
      if (!WORKING.has(state.status)) throw illegal(state, 'report progress on');
      return [
        createEvent({
          type: 'tasks.item.progressed',
          source: ctx.actor.node,
          to: toAssigner,
          subject: state.id,
          time,
          data: {
            ...parties,
            by,
            note: command.note,
            percent: command.percent,
            derived: false,
            progressedAt: at,
          },
        }),
      ];
    case 'derive-progress':
      // Called by the node that split the item when a sub-item's state changes; not a person's act.
      if (state.assignee !== ctx.actor.node)
        throw refuse('forbidden', 'item.wrong_party', 'only the responsible node derives progress');
      if (state.progress === command.percent || state.status === 'closed') return [];
      return [
        createEvent({
          type: 'tasks.item.progressed',
          source: ctx.actor.node,
          to: toAssigner,
          subject: state.id,
          time,
          data: {
            ...parties,
            by,
            note: `子事项完成 ${command.percent}%`,
            percent: command.percent,
            derived: true,
            progressedAt: at,
          },
        }),
        // A plan item is done when its parts are.
        ...(isOwnItem(state) && command.percent === 100
          ? [
              createEvent({
                type: 'tasks.item.closed',
                source: ctx.actor.node,
                to: [],
                subject: state.id,
                time,
                data: { ...parties, closedAt: at, comment: '子事项全部办结', by },
              }),
            ]
          : []),
      ];
    case 'draft-report':
      requireSide(state, ctx, 'assignee', HANDLING_ROLES, 'draft the report on');
      if (isOwnItem(state)) throw illegal(state, 'report on a plan item');
      if (!WORKING.has(state.status)) throw illegal(state, 'draft the report on');
      return [
        createEvent({
          type: 'tasks.report.drafted',
          source: ctx.actor.node,
          to: [],
          subject: state.id,
          time,
          data: { ...parties, by, summary: command.summary, draftedAt: at },
        }),
      ];
    case 'sign-off':
      requireSide(state, ctx, 'assignee', HEAD_ROLES, 'sign off the report on');
      if (!WORKING.has(state.status)) throw illegal(state, 'sign off the report on');
      if (!state.draft) throw refuse('conflict', 'item.no_draft', 'there is no drafted report to sign off');
      return [
        createEvent({
          type: 'tasks.item.reported',
          source: ctx.actor.node,
          to: toAssigner,
          subject: state.id,
          time,
          data: {
            ...parties,
            summary: state.draft.summary,
            draftedBy: state.draft.by,
            signedOffBy: by,
            reportedAt: at,
          },
        }),
      ];
    case 'review': {
      requireSide(state, ctx, 'assigner', SUPERVISING_ROLES, 'review');
      if (state.status !== 'reported' && state.status !== 'rechecking') throw illegal(state, 'review');
      const failed = REVIEW_POINTS.filter((p) => !command.points[p].ok);
      if (command.outcome === 'accepted' && failed.length > 0) {
        throw refuse(
          'unprocessable',
          'review.failed_points_accepted',
          `cannot accept with failed points: ${failed.join(', ')}`,
          'body.points',
        );
      }
      if (command.outcome === 'returned' && command.reasons.length === 0) {
        throw refuse(
          'unprocessable',
          'review.return_without_reason',
          'a return needs at least one coded reason',
          'body.reasons',
        );
      }
      if (command.outcome === 'recheck' && state.status === 'rechecking')
        throw illegal(state, 're-check again');
      const reviewed = createEvent({
        type: 'tasks.item.reviewed',
        source: ctx.actor.node,
        to: toAssignee,
        subject: state.id,
        time,
        data: {
          ...parties,
          by,
          outcome: command.outcome,
          points: command.points,
          reasons: command.reasons,
          comment: command.comment,
          corrections: command.corrections,
          reviewedAt: at,
        },
      });
      if (command.outcome !== 'accepted') return [reviewed];
      return [
        reviewed,
        createEvent({
          type: 'tasks.item.closed',
          source: ctx.actor.node,
          to: toAssignee,
          subject: state.id,
          time,
          data: { ...parties, closedAt: at, comment: command.comment, by },
        }),
      ];
    }
    case 'reopen':
      requireSide(state, ctx, 'assigner', SUPERVISING_ROLES, 'reopen');
      if (state.status !== 'closed') throw illegal(state, 'reopen');
      return [
        createEvent({
          type: 'tasks.item.reopened',
          source: ctx.actor.node,
          to: toAssignee,
          subject: state.id,
          time,
          data: { ...parties, by, reason: command.reason, reopenedAt: at },
        }),
      ];
    case 'request-extension':
      requireSide(state, ctx, 'assignee', HANDLING_ROLES, 'ask for an extension of');
      if (state.status === 'closed' || isOwnItem(state)) throw illegal(state, 'ask for an extension of');
      if (state.pendingExtension)
        throw refuse(
          'conflict',
          'extension.pending',
          'an extension request is already waiting for a decision',
        );
      if (command.newDeadline.getTime() <= new Date(state.deadline).getTime()) {
        throw refuse(
          'unprocessable',
          'extension.not_later',
          'the new deadline must be later than the current one',
          'body.newDeadline',
        );
      }
      return [
        createEvent({
          type: 'tasks.extension.requested',
          source: ctx.actor.node,
          to: toAssigner,
          subject: state.id,
          time,
          data: {
            ...parties,
            by,
            requestId: uuidv7(time.getTime()),
            newDeadline: command.newDeadline.toISOString(),
            reason: command.reason,
            requestedAt: at,
          },
        }),
      ];
    case 'decide-extension': {
      requireSide(state, ctx, 'assigner', SUPERVISING_ROLES, 'decide an extension of');
      const pending = state.pendingExtension;
      if (!pending || pending.requestId !== command.requestId) {
        throw refuse(
          'conflict',
          'extension.not_pending',
          `no pending extension request ${command.requestId}`,
        );
      }
      const newDeadline = command.newDeadline?.toISOString() ?? pending.newDeadline;
      if (command.approve && new Date(newDeadline) <= new Date(state.deadline)) {
        throw refuse(
          'unprocessable',
          'extension.not_later',
          'the new deadline must be later than the current one',
          'body.newDeadline',
        );
      }
      return [
        createEvent({
          type: command.approve ? 'tasks.extension.approved' : 'tasks.extension.refused',
          source: ctx.actor.node,
          to: toAssignee,
          subject: state.id,
          time,
          data: {
            ...parties,
            by,
            requestId: pending.requestId,
            newDeadline: command.approve ? newDeadline : state.deadline,
            comment: command.comment,
            decidedAt: at,
          },
        }),
      ];
    }
    case 'record-feedback':
      requireSide(state, ctx, 'assigner', SUPERVISING_ROLES, 'record feedback on');
      if (state.status !== 'closed') throw illegal(state, 'record feedback on');
      return [
        createEvent({
          type: 'tasks.feedback.recorded',
          source: ctx.actor.node,
          to: [],
          subject: state.id,
          time,
          data: {
            ...parties,
            by,
            audience: command.audience,
            content: command.content,
            satisfaction: command.satisfaction,
            recordedAt: at,
          },
        }),
      ];
    case 'replan-deadline': {
      // The system's act at the assigning node, not a person's: no role is needed.
      if (state.assigner !== ctx.actor.node)
        throw refuse('forbidden', 'item.wrong_party', 'only the assigner re-plans a deadline');
      if (!state.deadlineProvisional || state.status === 'closed') return [];
      const moved = command.newDeadline.getTime() !== new Date(state.deadline).getTime();
      if (!moved && command.provisional) return []; // nothing settled yet
      return [
        createEvent({
          type: 'tasks.deadline.replanned',
          source: ctx.actor.node,
          to: isOwnItem(state) ? [] : [state.assignee, ...state.coUnits],
          subject: state.id,
          time,
          data: {
            ...parties,
            by,
            oldDeadline: state.deadline,
            newDeadline: command.newDeadline.toISOString(),
            moved,
            provisional: command.provisional,
            calendarVersion: command.calendarVersion,
            reason: command.reason,
            replannedAt: at,
          },
        }),
      ];
    }
    case 'record-meeting':
      requireSide(state, ctx, 'assigner', SUPERVISING_ROLES, 'hold a joint meeting on');
      if (state.status === 'closed') throw illegal(state, 'hold a joint meeting on');
      return [
        createEvent({
          type: 'tasks.meeting.held',
          source: ctx.actor.node,
          to: [state.assignee, ...state.coUnits],
          subject: state.id,
          time,
          data: {
            ...parties,
            by,
            meetingId: command.meetingId,
            heldAt: at,
            attendees: command.attendees,
            minutes: command.minutes,
            decisionItemIds: command.decisionItemIds,
          },
        }),
      ];
    default:
      return assertNever(command, 'item command');
  }
}

/** An event that cannot apply to the item as this node knows it. */
export class EventMismatch extends Error {
  override readonly name = 'EventMismatch';
}

function mismatch(state: ItemState, event: ItemEvent): never {
  throw new EventMismatch(`${event.type} does not apply while the item is ${state.status}`);
}

/** Applies one event to a copy of an item. Old versions are read as the current ones (upcast). */
export function evolve(state: ItemState | null, event: ItemEvent): ItemState {
  if (event.type === 'tasks.item.assigned') {
    if (state) throw new EventMismatch(`item ${event.data.itemId} is assigned already`);
    const d = event.data;
    const v2 = event.version !== 1 ? event.data : null;
    return {
      id: d.itemId,
      kind: d.kind,
      source: v2?.source ?? 'other',
      mustSupervise: v2?.mustSupervise ?? [],
      priority: v2?.priority ?? 'normal',
      title: d.title,
      description: d.description,
      noticeNo: d.noticeNo,
      caseRef: v2?.caseRef ?? null,
      calendarVersion: v2?.calendarVersion ?? null,
      deadlineRule: event.version === 3 ? event.data.deadlineRule : null,
      deadlineProvisional: event.version === 3 ? event.data.deadlineProvisional : false,
      assigner: d.assigner,
      assignee: d.assignee,
      coUnits: v2?.coUnits ?? [],
      leader: v2?.leader ?? null,
      responsiblePerson: v2?.responsiblePerson ?? null,
      parentId: v2?.parentId ?? null,
      // A plan item needs no 签收: its owner is the one who registered it.
      status: d.assigner === d.assignee ? 'acknowledged' : 'assigned',
      deadline: d.deadline,
      originalDeadline: d.deadline,
      ackDeadline: v2?.ackDeadline ?? d.deadline,
      assignedAt: d.assignedAt,
      acknowledgedAt: d.assigner === d.assignee ? d.assignedAt : null,
      progress: null,
      lastProgressAt: null,
      draft: null,
      report: null,
      reportedAt: null,
      closedAt: null,
      returnCount: 0,
      recheckCount: 0,
      reopenCount: 0,
      extensionCount: 0,
      pendingExtension: null,
      lastReview: null,
      feedback: { city: null, citizen: null, satisfaction: null },
      revision: 1,
    };
  }
  if (event.type === 'tasks.item.transferred' && !state) {
    // The successor (or an ancestor of it) has never seen the item: it starts from the assigner's copy.
    return { ...event.data.item, draft: null, revision: 1 };
  }
  if (!state) throw new EventMismatch(`${event.type} for an unknown item ${event.subject}`);
  if (state.assigner !== event.data.assigner || state.assignee !== event.data.assignee) {
    throw new EventMismatch(`${event.type} names other parties than item ${state.id}`);
  }
  const next: ItemState = { ...state, revision: state.revision + 1 };
  switch (event.type) {
    case 'tasks.item.acknowledged':
      if (state.status !== 'assigned') mismatch(state, event);
      return { ...next, status: 'acknowledged', acknowledgedAt: event.data.acknowledgedAt };
    case 'tasks.item.progressed':
      if (!WORKING.has(state.status)) mismatch(state, event);
      return {
        ...next,
        progress: event.data.percent ?? state.progress,
        lastProgressAt: event.data.progressedAt,
      };
    case 'tasks.report.drafted':
      if (!WORKING.has(state.status)) mismatch(state, event);
      return { ...next, draft: { summary: event.data.summary, by: event.data.by, at: event.data.draftedAt } };
    case 'tasks.item.reported': {
      if (!WORKING.has(state.status)) mismatch(state, event);
      const d = event.data;
      const report =
        event.version === 2
          ? {
              summary: event.data.summary,
              draftedBy: event.data.draftedBy,
              signedOffBy: event.data.signedOffBy,
              at: d.reportedAt,
            }
          : { summary: d.summary, draftedBy: state.assignee, signedOffBy: state.assignee, at: d.reportedAt };
      return {
        ...next,
        status: 'reported',
        acknowledgedAt: state.acknowledgedAt ?? d.reportedAt,
        draft: null,
        report,
        reportedAt: d.reportedAt,
      };
    }
    case 'tasks.item.reviewed': {
      if (state.status !== 'reported' && state.status !== 'rechecking') mismatch(state, event);
      const d = event.data;
      const lastReview = {
        outcome: d.outcome,
        reasons: d.reasons,
        comment: d.comment,
        by: d.by,
        at: d.reviewedAt,
      };
      switch (d.outcome) {
        case 'accepted':
          return { ...next, lastReview };
        case 'returned':
          return { ...next, lastReview, status: 'returned', returnCount: state.returnCount + 1 };
        case 'recheck':
          return { ...next, lastReview, status: 'rechecking', recheckCount: state.recheckCount + 1 };
        default:
          return assertNever(d.outcome, 'review outcome');
      }
    }
    case 'tasks.item.closed':
      if (
        isOwnItem(state)
          ? state.status === 'closed'
          : state.status !== 'reported' && state.status !== 'rechecking'
      ) {
        mismatch(state, event);
      }
      return {
        ...next,
        status: 'closed',
        closedAt: event.data.closedAt,
        pendingExtension: null,
        progress: isOwnItem(state) ? 100 : state.progress,
      };
    case 'tasks.item.reopened':
      if (state.status !== 'closed') mismatch(state, event);
      return { ...next, status: 'reopened', closedAt: null, reopenCount: state.reopenCount + 1 };
    case 'tasks.extension.requested': {
      if (state.status === 'closed' || state.pendingExtension) mismatch(state, event);
      const d = event.data;
      return {
        ...next,
        pendingExtension: {
          requestId: d.requestId,
          newDeadline: d.newDeadline,
          reason: d.reason,
          by: d.by,
          at: d.requestedAt,
        },
      };
    }
    case 'tasks.extension.approved':
      if (state.pendingExtension?.requestId !== event.data.requestId) mismatch(state, event);
      return {
        ...next,
        pendingExtension: null,
        deadline: event.data.newDeadline,
        extensionCount: state.extensionCount + 1,
        // An approved deadline is an instant people agreed on, not a rule's result to re-plan.
        deadlineProvisional: false,
      };
    case 'tasks.deadline.replanned':
      if (!state.deadlineProvisional || state.deadline !== event.data.oldDeadline) mismatch(state, event);
      return {
        ...next,
        deadline: event.data.newDeadline,
        // The rule's deadline was wrong, not extended: the original moves with it.
        originalDeadline: state.extensionCount === 0 ? event.data.newDeadline : state.originalDeadline,
        calendarVersion: event.data.calendarVersion,
        deadlineProvisional: event.data.provisional,
      };
    case 'tasks.extension.refused':
      if (state.pendingExtension?.requestId !== event.data.requestId) mismatch(state, event);
      return { ...next, pendingExtension: null };
    case 'tasks.feedback.recorded': {
      if (state.status !== 'closed') mismatch(state, event);
      const d = event.data;
      return {
        ...next,
        feedback: {
          city: d.audience === 'city' ? d.content : state.feedback.city,
          citizen: d.audience === 'citizen' ? d.content : state.feedback.citizen,
          satisfaction: d.audience === 'citizen' ? d.satisfaction : state.feedback.satisfaction,
        },
      };
    }
    case 'tasks.meeting.held':
      if (state.status === 'closed') mismatch(state, event);
      return next;
    case 'tasks.item.transferred':
      if (state.status === 'closed') mismatch(state, event);
      // The old unit's unsent draft stays behind: the successor reports under its own head.
      return { ...next, assignee: event.data.to, draft: null };
    default:
      return assertNever(event, 'item event');
  }
}

export interface TransferInput {
  to: string;
  toName: string;
  fromName: string;
  reason: 'merged' | 'abolished';
  orgEventId: string;
}

/** 因机构调整(合并入X)转交: what the timeline says about a transfer. */
export function transferNote(input: Pick<TransferInput, 'reason' | 'toName'>): string {
  return input.reason === 'merged'
    ? `因机构调整(合并入${input.toName})转交`
    : `因机构调整(撤销，由${input.toName}承接)转交`;
}

/**
 * 机构调整: the assigner passes an open item whose assignee was merged or abolished to the
 * successor. Pure; not a person's act (the org change is), so no role is checked here. Returns no
 * event for a closed item (it stays with the unit that closed it) or one already elsewhere.
 */
export function decideTransfer(state: ItemState, input: TransferInput, now: Date): ItemEvent[] {
  if (state.status === 'closed' || state.assignee === input.to || isOwnItem(state)) return [];
  const item = { ...state, assignee: input.to };
  const { draft: _draft, revision: _revision, ...snapshot } = item;
  return [
    createEvent({
      type: 'tasks.item.transferred',
      source: state.assigner,
      to: [input.to],
      subject: state.id,
      time: now,
      data: {
        itemId: state.id,
        assigner: state.assigner,
        assignee: state.assignee,
        to: input.to,
        reason: input.reason,
        orgEventId: input.orgEventId,
        fromName: input.fromName,
        toName: input.toName,
        note: transferNote(input),
        transferredAt: now.toISOString(),
        item: snapshot,
      },
    }),
  ];
}

/** Which party of the item may emit each event type: the authority table for tasks. */
export function expectedSource(event: ItemEvent): string {
  switch (event.type) {
    case 'tasks.item.assigned':
    case 'tasks.item.reviewed':
    case 'tasks.item.closed':
    case 'tasks.item.reopened':
    case 'tasks.extension.approved':
    case 'tasks.extension.refused':
    case 'tasks.feedback.recorded':
    case 'tasks.meeting.held':
    case 'tasks.deadline.replanned':
    case 'tasks.item.transferred':
      return event.data.assigner;
    case 'tasks.item.acknowledged':
    case 'tasks.item.progressed':
    case 'tasks.report.drafted':
    case 'tasks.item.reported':
    case 'tasks.extension.requested':
      return event.data.assignee;
    default:
      return assertNever(event, 'item event');
  }
}

export function isItemEvent(event: DubanEvent): event is ItemEvent {
  return event.type.startsWith('tasks.');
}

/** 督〔2026〕12号: the notice number of an assignment, counted per node and year. */
export function noticeNumber(year: number, sequence: number): string {
  return `督〔${year}〕${sequence}号`;
}

export type TrafficLight = 'green' | 'yellow' | 'red' | 'done';

/** When an item turns yellow (configurable): few working days left, or most of its time used. */
export interface LightPolicy {
  yellowWorkingDaysLeft: number;
  yellowShareUsed: number;
}

export const DEFAULT_LIGHTS: LightPolicy = { yellowWorkingDaysLeft: 3, yellowShareUsed: 0.75 };

/**
 * From when an item shows yellow: `yellowWorkingDaysLeft` working days before its deadline (same
 * time of day), or once `yellowShareUsed` of its time is used, whichever comes first.
 * `workingDaysBefore` counts on the working-day calendar.
 */
export function yellowFrom(
  assignedAt: Date,
  deadline: Date,
  workingDaysBefore: (at: Date, days: number) => Date,
  policy: LightPolicy = DEFAULT_LIGHTS,
): Date {
  const span = deadline.getTime() - assignedAt.getTime();
  const byDays = workingDaysBefore(deadline, policy.yellowWorkingDaysLeft).getTime();
  return new Date(
    Math.max(assignedAt.getTime(), Math.min(byDays, assignedAt.getTime() + policy.yellowShareUsed * span)),
  );
}

/** Calendar days, for callers without a calendar (and tests). */
export const calendarDaysBefore = (at: Date, days: number): Date => new Date(at.getTime() - days * DAY);

export function trafficLight(
  state: Pick<ItemState, 'status' | 'assignedAt' | 'deadline'>,
  now: Date,
  yellowAt: Date = yellowFrom(new Date(state.assignedAt), new Date(state.deadline), calendarDaysBefore),
): TrafficLight {
  if (state.status === 'closed') return 'done';
  if (now > new Date(state.deadline)) return 'red';
  return now >= yellowAt ? 'yellow' : 'green';
}
