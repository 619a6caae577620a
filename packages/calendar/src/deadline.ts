import { z } from 'zod';
import type { CalendarOptions, WorkingCalendar } from './calendar';
import { LocalTime, atChinaTime, epochDay, shiftDays, toChinaDate, yearOf, type CalendarDate } from './dates';

/** Default end of the working day in a county office: 17:30 China time. */
export const DEFAULT_END_OF_DAY = '17:30';

/**
 * How a deadline (限期) is set. Times are China Standard Time wall-clock 'HH:MM'.
 *
 * - working-days: N working days. The day of assignment never counts (as in 民法典 art. 201: a period
 *   in days starts the next day), whatever the hour: counting starts at the first working day after
 *   the assignment's date, and the deadline is `endOfDay` on the N-th one. Assigned Friday afternoon,
 *   1 working day → Monday 17:30; assigned Monday 09:00, 1 → Tuesday 17:30; assigned Saturday, 1 → Monday.
 * - same-day: `cutoff` on the day of assignment if that is a working day and the assignment is before
 *   the cut-off; otherwise (at or after the cut-off, or on a day off) `cutoff` on the next working day.
 * - next-working-day: `cutoff` on the first working day after the assignment's date.
 * - fixed: exactly `at` (an ISO datetime with offset); the calendar is not consulted.
 */
export const DeadlineRule = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('working-days'),
    days: z.int().min(1).max(366),
    endOfDay: LocalTime.default(DEFAULT_END_OF_DAY),
  }),
  z.strictObject({ kind: z.literal('same-day'), cutoff: LocalTime.default(DEFAULT_END_OF_DAY) }),
  z.strictObject({ kind: z.literal('next-working-day'), cutoff: LocalTime.default(DEFAULT_END_OF_DAY) }),
  z.strictObject({ kind: z.literal('fixed'), at: z.iso.datetime({ offset: true }) }),
]);
export type DeadlineRule = z.infer<typeof DeadlineRule>;
export type DeadlineRuleInput = z.input<typeof DeadlineRule>;

/**
 * An extension (延期): N more working days (same China wall-clock time, on the N-th working day after
 * the current deadline's date), or a new deadline `until` (ISO datetime with offset, later than the
 * current one).
 */
export const DeadlineExtension = z.union([
  z.strictObject({ workingDays: z.int().min(1).max(366) }),
  z.strictObject({ until: z.iso.datetime({ offset: true }) }),
]);
export type DeadlineExtension = z.infer<typeof DeadlineExtension>;

export interface DeadlineResult {
  deadline: Date;
  /** The calendar version used: store it, and recompute with `registry.get(calendarVersion)`. */
  calendarVersion: string;
  /**
   * True when the computation ran through a year without official data under `uncovered: 'weekdays'`:
   * recompute once the State Council's calendar for that year has been added.
   */
  provisional: boolean;
}

function touchesUncovered(calendar: WorkingCalendar, from: CalendarDate, to: CalendarDate): boolean {
  for (let year = yearOf(from); year <= yearOf(to); year++) if (!calendar.isCovered(year)) return true;
  return false;
}

export function computeDeadline(
  ruleInput: DeadlineRuleInput,
  assignedAt: Date,
  calendar: WorkingCalendar,
  options?: CalendarOptions,
): DeadlineResult {
  const rule = DeadlineRule.parse(ruleInput);
  const assignedDay = toChinaDate(assignedAt);
  const result = (deadline: Date, day: CalendarDate): DeadlineResult => ({
    deadline,
    calendarVersion: calendar.version,
    provisional: touchesUncovered(calendar, assignedDay, day),
  });
  switch (rule.kind) {
    case 'working-days': {
      const day = calendar.addWorkingDays(assignedDay, rule.days, options);
      return result(atChinaTime(day, rule.endOfDay), day);
    }
    case 'next-working-day': {
      const day = calendar.nextWorkingDay(assignedDay, options);
      return result(atChinaTime(day, rule.cutoff), day);
    }
    case 'same-day': {
      const today = atChinaTime(assignedDay, rule.cutoff);
      if (calendar.isWorkingDay(assignedDay, options) && assignedAt.getTime() < today.getTime()) {
        return result(today, assignedDay);
      }
      const day = calendar.nextWorkingDay(assignedDay, options);
      return result(atChinaTime(day, rule.cutoff), day);
    }
    case 'fixed': {
      const deadline = new Date(rule.at);
      if (deadline.getTime() <= assignedAt.getTime()) {
        throw new RangeError(
          `fixed deadline ${rule.at} is not after the assignment ${assignedAt.toISOString()}`,
        );
      }
      return { deadline, calendarVersion: calendar.version, provisional: false };
    }
  }
}

/** Moves a deadline later. The result records the calendar used for the extension. */
export function extendDeadline(
  current: DeadlineResult,
  extensionInput: DeadlineExtension,
  calendar: WorkingCalendar,
  options?: CalendarOptions,
): DeadlineResult {
  const extension = DeadlineExtension.parse(extensionInput);
  if ('until' in extension) {
    const deadline = new Date(extension.until);
    if (deadline.getTime() <= current.deadline.getTime()) {
      throw new RangeError(
        `an extension must move the deadline later: ${extension.until} is not after ${current.deadline.toISOString()}`,
      );
    }
    return { deadline, calendarVersion: calendar.version, provisional: false };
  }
  const from = toChinaDate(current.deadline);
  const day = calendar.addWorkingDays(from, extension.workingDays, options);
  // Same China wall-clock time on the new day (China has no DST, so whole days are exact).
  return {
    deadline: shiftDays(current.deadline, epochDay(day) - epochDay(from)),
    calendarVersion: calendar.version,
    provisional: current.provisional || touchesUncovered(calendar, from, day),
  };
}
