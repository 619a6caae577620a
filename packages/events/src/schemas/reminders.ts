import { z } from 'zod';
import { IsoTime, NodeId } from '../ids';
import { ItemParties, defineEvent } from './common';

export const ItemChasedV1 = ItemParties.extend({
  deadline: IsoTime,
  chasedAt: IsoTime,
  /** 1 for the first overdue chase; each later chase counts up. */
  chaseNo: z.number().int().positive(),
});
export type ItemChasedV1 = z.infer<typeof ItemChasedV1>;

export const ItemEscalatedV1 = ItemParties.extend({
  deadline: IsoTime,
  escalatedAt: IsoTime,
  level: z.number().int().positive(),
  escalatedTo: NodeId,
  reason: z.string().max(500),
});
export type ItemEscalatedV1 = z.infer<typeof ItemEscalatedV1>;

/** What a chase is about. */
export const ChaseKind = z.enum([
  'progress', // 定期催办: periodic progress reminder for long items
  'warning', // 到期提醒: the deadline is near
  'acknowledgement', // 签收催办: not acknowledged in time
  'overdue', // 逾期催办: the working day after the deadline, copied to the unit's head
]);
export type ChaseKind = z.infer<typeof ChaseKind>;

export const ItemChasedV2 = ItemParties.extend({
  kind: ChaseKind,
  deadline: IsoTime,
  chasedAt: IsoTime,
  /** Counts the chases of this kind for the item, from 1. */
  chaseNo: z.number().int().positive(),
  /** Roles at the unit that get a copy (抄送), e.g. the head for an overdue chase. */
  ccRoles: z.array(z.string().max(50)).max(10),
});
export type ItemChasedV2 = z.infer<typeof ItemChasedV2>;

/** The rungs of the escalation ladder, in order. */
export const EscalationStep = z.enum([
  'unit-head', // 单位主要负责人
  'supervisor', // the supervising node: the township or the county office
  'leader', // 分包县领导
  'committee', // 督查工作委员会: receives a proposal to criticise
]);
export type EscalationStep = z.infer<typeof EscalationStep>;

export const ItemEscalatedV2 = ItemParties.extend({
  level: z.number().int().min(1).max(10),
  step: EscalationStep,
  escalatedTo: NodeId,
  /** The county leader who owns the item, for the leader step. */
  leader: z.string().max(100).nullable(),
  deadline: IsoTime,
  escalatedAt: IsoTime,
  reason: z.string().max(500),
});
export type ItemEscalatedV2 = z.infer<typeof ItemEscalatedV2>;

/** One day an admin adds or corrects (the next year's official calendar, a county's local day). */
export const CalendarDayPayload = z.object({
  date: z.iso.date(),
  kind: z.enum(['workday', 'holiday']),
  name: z.string().max(100).optional(),
});

export const CalendarAmendedV1 = z.object({
  amendmentId: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  source: z.enum(['state-council', 'province', 'city', 'county', 'correction']),
  coversYear: z.number().int().min(2000).max(2100).optional(),
  days: z.array(CalendarDayPayload).max(2000),
  /** The calendar version after this amendment, as the amending node computed it. */
  version: z.string().min(1).max(64),
  amendedAt: IsoTime,
});
export type CalendarAmendedV1 = z.infer<typeof CalendarAmendedV1>;

export const REMINDERS_EVENTS = [
  defineEvent({
    type: 'reminders.item.chased',
    version: 1,
    data: ItemChasedV1,
    emittedBy: 'assigner',
    description: '催办 (v1): the deadline passed without a closing report; the unit is chased.',
  }),
  defineEvent({
    type: 'reminders.item.chased',
    version: 2,
    data: ItemChasedV2,
    emittedBy: 'assigner',
    description:
      '催办: a periodic progress reminder, a warning before the deadline, a chase for a late acknowledgement, or the formal overdue chase (copied to the unit’s head).',
  }),
  defineEvent({
    type: 'reminders.item.escalated',
    version: 1,
    data: ItemEscalatedV1,
    emittedBy: 'assigner',
    description: 'Escalation (v1): the item climbs one level up the tree.',
  }),
  defineEvent({
    type: 'reminders.item.escalated',
    version: 2,
    data: ItemEscalatedV2,
    emittedBy: 'assigner',
    description:
      '督办升级: one rung of the ladder, when the previous rung’s grace passed without a closing report: the unit’s head → the supervising node → the responsible county leader → the supervision committee (a proposal to criticise).',
  }),
  defineEvent({
    type: 'reminders.calendar.amended',
    version: 1,
    data: CalendarAmendedV1,
    emittedBy: 'county office',
    description:
      'An admin adds or corrects working days (the next year’s official calendar, a local day); every node applies it in order.',
  }),
] as const;
