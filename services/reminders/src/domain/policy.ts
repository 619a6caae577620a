import { z } from 'zod';
import { EscalationStep, ItemKind } from '@duban/events';
import type { ItemKind as Kind } from '@duban/events';

const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM (China time)');

/**
 * How a node chases and escalates one kind of item, in working days on the calendar. An item
 * keeps the policy in force when it was assigned (a snapshot travels with it), so changing a
 * policy never changes the ladder of items already out.
 */
export const ReminderPolicy = z.object({
  /** 定期催办: a progress reminder every N working days while the item is open; null: none. */
  progressEveryWorkingDays: z.number().int().min(1).max(60).nullable(),
  /** 到期提醒: a warning N working days before the deadline; 0: none. */
  warnWorkingDaysBefore: z.number().int().min(0).max(30),
  /** 签收催办: chase when the acknowledgement deadline passes without 签收. */
  chaseAcknowledgement: z.boolean(),
  /** When chases and escalations go out on a working day (China time). */
  chaseAt: LocalTime,
  /**
   * The ladder after the formal overdue chase (the working day after the deadline): each rung
   * fires when the previous one's grace in working days passed without a closing report.
   */
  ladder: z
    .array(z.object({ step: EscalationStep, graceWorkingDays: z.number().int().min(0).max(60) }))
    .max(4)
    .refine((l) => new Set(l.map((r) => r.step)).size === l.length, 'each step at most once'),
});
export type ReminderPolicy = z.infer<typeof ReminderPolicy>;

const LADDER = (graces: [number, number, number, number]): ReminderPolicy['ladder'] => [
  { step: 'unit-head', graceWorkingDays: graces[0] },
  { step: 'supervisor', graceWorkingDays: graces[1] },
  { step: 'leader', graceWorkingDays: graces[2] },
  { step: 'committee', graceWorkingDays: graces[3] },
];

const base = { chaseAcknowledgement: true, chaseAt: '09:00' };

/** The defaults a node starts with; an admin changes them per kind through the API. */
export const DEFAULT_POLICIES: Record<Kind, ReminderPolicy> = {
  'annual-target': {
    ...base,
    progressEveryWorkingDays: 5,
    warnWorkingDaysBefore: 3,
    ladder: LADDER([2, 3, 3, 5]),
  },
  project: { ...base, progressEveryWorkingDays: 10, warnWorkingDaysBefore: 3, ladder: LADDER([2, 3, 3, 5]) },
  'major-event': {
    ...base,
    progressEveryWorkingDays: 3,
    warnWorkingDaysBefore: 1,
    ladder: LADDER([1, 1, 1, 2]),
  },
  petition: { ...base, progressEveryWorkingDays: 5, warnWorkingDaysBefore: 2, ladder: LADDER([1, 2, 2, 3]) },
  conduct: {
    ...base,
    progressEveryWorkingDays: null,
    warnWorkingDaysBefore: 2,
    ladder: LADDER([2, 2, 3, 5]),
  },
  'leader-instruction': {
    ...base,
    progressEveryWorkingDays: null,
    warnWorkingDaysBefore: 2,
    ladder: LADDER([1, 2, 2, 3]),
  },
  hotline: {
    ...base,
    progressEveryWorkingDays: null,
    warnWorkingDaysBefore: 1,
    ladder: LADDER([1, 1, 2, 3]),
  },
};

export const PolicyKind = ItemKind;
