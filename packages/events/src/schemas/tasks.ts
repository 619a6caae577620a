import { z } from 'zod';
import { IsoTime, NodeId } from '../ids';
import { ItemParties, PersonRef, defineEvent } from './common';

export const ItemKind = z.enum([
  'annual-target', // 年度目标任务
  'project', // 经济和项目工作
  'major-event', // 重大活动
  'petition', // 信访稳定
  'conduct', // 干部作风
  'leader-instruction', // 领导批示件
  'hotline', // 民意快线
]);
export type ItemKind = z.infer<typeof ItemKind>;

/** Where the item came from. */
export const ItemSource = z.enum([
  'annual-plan',
  'county-leader',
  'city-leader',
  'city-hotline',
  'meeting',
  'inspection',
  'other',
]);
export type ItemSource = z.infer<typeof ItemSource>;

/** 五必督: the five kinds of work that must always be supervised. */
export const MustSupervise = z.enum([
  'county-wide-impact', // 全局性重大事项
  'leader-assigned', // 领导交办事项
  'annual-target', // 年度目标任务
  'social-stability', // 涉及社会稳定
  'development-environment', // 涉及发展环境
]);
export type MustSupervise = z.infer<typeof MustSupervise>;

export const Priority = z.enum(['normal', 'high', 'urgent']);
export type Priority = z.infer<typeof Priority>;

/** The points of a review (逐点审核): 政策和法律, 事实和程序, 文字和格式, and the 三查. */
export const REVIEW_POINTS = [
  'policyAndLaw',
  'factsAndProcedure',
  'textAndFormat',
  'allProblemsFound',
  'conclusionRight',
  'handlingDone',
] as const;
export type ReviewPoint = (typeof REVIEW_POINTS)[number];

export const PointResult = z.object({ ok: z.boolean(), comment: z.string().max(2000).default('') });
export const ReviewPoints = z.object(
  Object.fromEntries(REVIEW_POINTS.map((p) => [p, PointResult])) as Record<ReviewPoint, typeof PointResult>,
);
export type ReviewPoints = z.infer<typeof ReviewPoints>;

/** Coded reasons a report goes back (退回重办), one per failed point or a general one. */
export const ReturnReason = z.enum([
  'policy-or-law',
  'facts-or-procedure',
  'text-or-format',
  'problems-missed',
  'conclusion-wrong',
  'handling-not-done',
  'not-signed-by-head',
  'other',
]);
export type ReturnReason = z.infer<typeof ReturnReason>;

export const ReviewOutcome = z.enum(['accepted', 'returned', 'recheck']);
export type ReviewOutcome = z.infer<typeof ReviewOutcome>;

export const ItemAssignedV1 = ItemParties.extend({
  title: z.string().min(1).max(200),
  description: z.string().max(5000),
  kind: ItemKind,
  noticeNo: z.string().min(1).max(64),
  deadline: IsoTime,
  assignedAt: IsoTime,
});
export type ItemAssignedV1 = z.infer<typeof ItemAssignedV1>;

/** v2: the full supervision notice (督促查办事项通知单). */
export const ItemAssignedV2 = ItemAssignedV1.extend({
  source: ItemSource,
  mustSupervise: z.array(MustSupervise).max(5),
  priority: Priority,
  /** 分包领导: the county leader who owns the item. */
  leader: z.string().max(100).nullable(),
  /** 责任人 at the responsible unit. */
  responsiblePerson: z.string().max(100).nullable(),
  /** 协办单位: co-units of a multi-unit item; the assignee is the lead unit (牵头单位). */
  coUnits: z.array(NodeId).max(50),
  /** The item this one was split from (立项分解), if any. */
  parentId: z.uuid().nullable(),
  /** 签收 is due by then. */
  ackDeadline: IsoTime,
  by: PersonRef,
  /** The citizen hotline case this item answers, if any. */
  caseRef: z.string().max(100).nullable(),
  /** The working-day calendar version the deadlines were computed with (null: given as instants). */
  calendarVersion: z.string().max(64).nullable(),
});
export type ItemAssignedV2 = z.infer<typeof ItemAssignedV2>;

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
/** How the deadline was set on the working-day calendar (@duban/calendar's DeadlineRule, defaults applied). */
export const DeadlineRulePayload = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('working-days'), days: z.number().int().min(1).max(366), endOfDay: ClockTime }),
  z.object({ kind: z.literal('same-day'), cutoff: ClockTime }),
  z.object({ kind: z.literal('next-working-day'), cutoff: ClockTime }),
  z.object({ kind: z.literal('fixed'), at: IsoTime }),
]);
export type DeadlineRulePayload = z.infer<typeof DeadlineRulePayload>;

/**
 * v3: the deadline's rule, and whether it is provisional: computed through a year the State
 * Council has not yet published, on the calendar the statutory rules give (ADR 0026).
 */
export const ItemAssignedV3 = ItemAssignedV2.extend({
  /** The rule the deadline was computed from (null: given as an instant). */
  deadlineRule: DeadlineRulePayload.nullable(),
  deadlineProvisional: z.boolean(),
});
export type ItemAssignedV3 = z.infer<typeof ItemAssignedV3>;

/**
 * The assigner recomputed a provisional deadline from its rule once the official calendar of the
 * year it depended on arrived. `moved: false`: the deadline stands and is no longer provisional.
 */
export const DeadlineReplannedV1 = ItemParties.extend({
  by: PersonRef,
  oldDeadline: IsoTime,
  newDeadline: IsoTime,
  moved: z.boolean(),
  /** Still provisional (it also depends on a later year without official data). */
  provisional: z.boolean(),
  calendarVersion: z.string().max(64),
  /** Why, for the timeline: 国务院公布2027年节假日安排，截止日期由…调整为…. */
  reason: z.string().min(1).max(500),
  replannedAt: IsoTime,
});
export type DeadlineReplannedV1 = z.infer<typeof DeadlineReplannedV1>;

export const ItemAcknowledgedV1 = ItemParties.extend({ acknowledgedAt: IsoTime });
export const ItemAcknowledgedV2 = ItemAcknowledgedV1.extend({ by: PersonRef });

export const ItemProgressedV1 = ItemParties.extend({
  by: PersonRef,
  note: z.string().max(5000),
  /** 0–100; derived from the sub-items when `derived`. */
  percent: z.number().int().min(0).max(100).nullable(),
  derived: z.boolean(),
  progressedAt: IsoTime,
});

export const ReportDraftedV1 = ItemParties.extend({
  by: PersonRef,
  summary: z.string().min(1).max(20000),
  draftedAt: IsoTime,
});

export const ItemReportedV1 = ItemParties.extend({
  summary: z.string().min(1).max(5000),
  reportedAt: IsoTime,
});
/** v2: the closing report as a formal document, signed off by the unit's head (一把手签字). */
export const ItemReportedV2 = ItemParties.extend({
  summary: z.string().min(1).max(20000),
  draftedBy: PersonRef,
  signedOffBy: PersonRef,
  reportedAt: IsoTime,
});

export const ItemReviewedV1 = ItemParties.extend({
  by: PersonRef,
  outcome: ReviewOutcome,
  points: ReviewPoints,
  reasons: z.array(ReturnReason),
  comment: z.string().max(5000),
  /** What the re-check (复核) corrected, when the outcome follows one. */
  corrections: z.string().max(5000),
  reviewedAt: IsoTime,
});

export const ItemClosedV1 = ItemParties.extend({ closedAt: IsoTime, comment: z.string().max(2000) });
export const ItemClosedV2 = ItemClosedV1.extend({ by: PersonRef });

export const ItemReopenedV1 = ItemParties.extend({
  by: PersonRef,
  reason: z.string().min(1).max(2000),
  reopenedAt: IsoTime,
});

export const ExtensionRequestedV1 = ItemParties.extend({
  by: PersonRef,
  requestId: z.uuid(),
  newDeadline: IsoTime,
  reason: z.string().min(1).max(2000),
  requestedAt: IsoTime,
});
export const ExtensionDecidedV1 = ItemParties.extend({
  by: PersonRef,
  requestId: z.uuid(),
  newDeadline: IsoTime,
  comment: z.string().max(2000),
  decidedAt: IsoTime,
});

export const FeedbackRecordedV1 = ItemParties.extend({
  by: PersonRef,
  audience: z.enum(['city', 'citizen']),
  content: z.string().min(1).max(5000),
  satisfaction: z.enum(['satisfied', 'basically-satisfied', 'unsatisfied']).nullable(),
  recordedAt: IsoTime,
});

export const MeetingHeldV1 = ItemParties.extend({
  by: PersonRef,
  meetingId: z.uuid(),
  heldAt: IsoTime,
  attendees: z.array(NodeId).min(1).max(100),
  minutes: z.string().max(20000),
  /** The sub-items the meeting decided, created in the same transaction. */
  decisionItemIds: z.array(z.uuid()).max(100),
});

/**
 * A copy of an item as the assigner holds it, for a node that takes the item over and has never
 * seen it (机构调整): everything but the unit's unsigned draft.
 */
export const ItemSnapshot = z.object({
  id: z.uuid(),
  kind: ItemKind,
  source: ItemSource,
  mustSupervise: z.array(MustSupervise).max(5),
  priority: Priority,
  title: z.string().min(1).max(200),
  description: z.string().max(5000),
  noticeNo: z.string().min(1).max(64),
  caseRef: z.string().max(100).nullable(),
  calendarVersion: z.string().max(64).nullable(),
  /** How the deadline was set, and whether it rests on a provisional calendar (ADR 0026). */
  deadlineRule: DeadlineRulePayload.nullable(),
  deadlineProvisional: z.boolean(),
  assigner: NodeId,
  assignee: NodeId,
  coUnits: z.array(NodeId).max(50),
  leader: z.string().max(100).nullable(),
  responsiblePerson: z.string().max(100).nullable(),
  parentId: z.uuid().nullable(),
  status: z.enum(['assigned', 'acknowledged', 'reported', 'rechecking', 'returned', 'closed', 'reopened']),
  deadline: IsoTime,
  originalDeadline: IsoTime,
  ackDeadline: IsoTime,
  assignedAt: IsoTime,
  acknowledgedAt: IsoTime.nullable(),
  progress: z.number().int().min(0).max(100).nullable(),
  lastProgressAt: IsoTime.nullable(),
  report: z
    .object({ summary: z.string().max(20000), draftedBy: PersonRef, signedOffBy: PersonRef, at: IsoTime })
    .nullable(),
  reportedAt: IsoTime.nullable(),
  closedAt: IsoTime.nullable(),
  returnCount: z.number().int().min(0),
  recheckCount: z.number().int().min(0),
  reopenCount: z.number().int().min(0),
  extensionCount: z.number().int().min(0),
  pendingExtension: z
    .object({
      requestId: z.uuid(),
      newDeadline: IsoTime,
      reason: z.string().max(2000),
      by: PersonRef,
      at: IsoTime,
    })
    .nullable(),
  lastReview: z
    .object({
      outcome: ReviewOutcome,
      reasons: z.array(ReturnReason),
      comment: z.string().max(5000),
      by: PersonRef,
      at: IsoTime,
    })
    .nullable(),
  feedback: z.object({
    city: z.string().max(5000).nullable(),
    citizen: z.string().max(5000).nullable(),
    satisfaction: z.string().max(100).nullable(),
  }),
});
export type ItemSnapshot = z.infer<typeof ItemSnapshot>;

/**
 * 机构调整: the assignee was merged or abolished; the assigner passes the open item to its
 * successor. `assignee` is the old one (the parties as every copy knows them), `to` the new.
 */
export const ItemTransferredV1 = ItemParties.extend({
  to: NodeId,
  reason: z.enum(['merged', 'abolished']),
  /** The org event that caused it. */
  orgEventId: z.uuid(),
  fromName: z.string().min(1).max(100),
  toName: z.string().min(1).max(100),
  /** For the timeline: 因机构调整(合并入X)转交. */
  note: z.string().min(1).max(500),
  transferredAt: IsoTime,
  /** The assigner's copy after the transfer, for the new assignee's node to start from. */
  item: ItemSnapshot,
});

export const TASKS_EVENTS = [
  defineEvent({
    type: 'tasks.item.assigned',
    version: 1,
    data: ItemAssignedV1,
    emittedBy: 'assigner',
    description: '交办 (v1): the first, short notice.',
  }),
  defineEvent({
    type: 'tasks.item.assigned',
    version: 2,
    data: ItemAssignedV2,
    emittedBy: 'assigner',
    description:
      '交办 (v2): the supervision notice (督促查办事项通知单) to the lead unit, with source, 五必督 category, leader, co-units and parent.',
  }),
  defineEvent({
    type: 'tasks.item.assigned',
    version: 3,
    data: ItemAssignedV3,
    emittedBy: 'assigner',
    description:
      '交办: the supervision notice (督促查办事项通知单) to the lead unit, with source, 五必督 category, leader, co-units, parent, the deadline’s rule and whether the deadline is provisional (a year without the State Council’s calendar).',
  }),
  defineEvent({
    type: 'tasks.deadline.replanned',
    version: 1,
    data: DeadlineReplannedV1,
    emittedBy: 'assigner',
    description:
      'The official calendar of a year a provisional deadline depended on arrived: the assigner recomputed the deadline from its rule; it moved (the reminders re-plan), or stands and is no longer provisional.',
  }),
  defineEvent({
    type: 'tasks.item.acknowledged',
    version: 1,
    data: ItemAcknowledgedV1,
    emittedBy: 'assignee',
    description: '签收 (v1).',
  }),
  defineEvent({
    type: 'tasks.item.acknowledged',
    version: 2,
    data: ItemAcknowledgedV2,
    emittedBy: 'assignee',
    description: '签收: the responsible unit acknowledges the notice.',
  }),
  defineEvent({
    type: 'tasks.item.progressed',
    version: 1,
    data: ItemProgressedV1,
    emittedBy: 'assignee',
    description: 'A progress report (进展情况), or progress derived from the sub-items.',
  }),
  defineEvent({
    type: 'tasks.report.drafted',
    version: 1,
    data: ReportDraftedV1,
    emittedBy: 'assignee',
    description: 'The unit’s handler drafts the closing report; it goes nowhere until the head signs it off.',
  }),
  defineEvent({
    type: 'tasks.item.reported',
    version: 1,
    data: ItemReportedV1,
    emittedBy: 'assignee',
    description: 'The closing report (v1, unsigned).',
  }),
  defineEvent({
    type: 'tasks.item.reported',
    version: 2,
    data: ItemReportedV2,
    emittedBy: 'assignee',
    description: 'The closing report, signed off by the unit’s head (一把手签字), sent for review.',
  }),
  defineEvent({
    type: 'tasks.item.reviewed',
    version: 1,
    data: ItemReviewedV1,
    emittedBy: 'assigner',
    description:
      '逐点审核: the assigner’s point-by-point review: accepted, returned (退回重办) with coded reasons, or sent to re-check (复核).',
  }),
  defineEvent({
    type: 'tasks.item.closed',
    version: 1,
    data: ItemClosedV1,
    emittedBy: 'assigner',
    description: '办结 (v1).',
  }),
  defineEvent({
    type: 'tasks.item.closed',
    version: 2,
    data: ItemClosedV2,
    emittedBy: 'assigner',
    description: '办结: the assigner accepts the report and closes the item.',
  }),
  defineEvent({
    type: 'tasks.item.reopened',
    version: 1,
    data: ItemReopenedV1,
    emittedBy: 'assigner',
    description: '复查复议: a closed item is reopened; it counts toward the re-review rate.',
  }),
  defineEvent({
    type: 'tasks.extension.requested',
    version: 1,
    data: ExtensionRequestedV1,
    emittedBy: 'assignee',
    description: 'The unit asks for a later deadline (申请延期).',
  }),
  defineEvent({
    type: 'tasks.extension.approved',
    version: 1,
    data: ExtensionDecidedV1,
    emittedBy: 'assigner',
    description: 'The assigner approves the extension; the deadline moves.',
  }),
  defineEvent({
    type: 'tasks.extension.refused',
    version: 1,
    data: ExtensionDecidedV1,
    emittedBy: 'assigner',
    description: 'The assigner refuses the extension; the deadline stands.',
  }),
  defineEvent({
    type: 'tasks.feedback.recorded',
    version: 1,
    data: FeedbackRecordedV1,
    emittedBy: 'assigner',
    description: '反馈: the result is fed back up to the city or to the citizen.',
  }),
  defineEvent({
    type: 'tasks.meeting.held',
    version: 1,
    data: MeetingHeldV1,
    emittedBy: 'assigner',
    description:
      '联席会议: the joint meeting the assigner convenes on a multi-unit item; its decisions become sub-items.',
  }),
  defineEvent({
    type: 'tasks.item.transferred',
    version: 1,
    data: ItemTransferredV1,
    emittedBy: 'assigner',
    description:
      '转交 (机构调整): the assignee was merged or abolished; the assigner passes the open item, its timers and its ladder to the successor `to`, which creates its copy from `item`. The old assignee’s copy becomes an observer copy. Keyed by the item, in order with its other events.',
  }),
] as const;
