import {
  CalendarNotCovered,
  PROVISIONAL_YEARS,
  atChinaTime,
  computeDeadline,
  toChinaDate,
} from '@duban/calendar';
import type { DeadlineRule, WorkingCalendar } from '@duban/calendar';
import { AppError } from '@duban/kit/errors';
import { calendarDaysBefore, yellowFrom } from './domain/item';
import type { ItemState } from './domain/item';

function chinaClock(at: Date): string {
  const local = new Date(at.getTime() + 8 * 3600_000);
  return `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
}

/** `days` working days before `at`, same wall-clock time; calendar days where the calendar has no data. */
export function workingDaysBefore(calendar: WorkingCalendar) {
  return (at: Date, days: number): Date => {
    try {
      return atChinaTime(calendar.addWorkingDays(toChinaDate(at), -days), chinaClock(at));
    } catch (error) {
      if (error instanceof CalendarNotCovered) return calendarDaysBefore(at, days);
      throw error;
    }
  };
}

/** The instant a copy turns yellow, on the calendar its deadline was computed with. */
export function yellowFromFor(
  state: ItemState,
  calendars: { current(): WorkingCalendar; get(v: string): WorkingCalendar },
): Date {
  let calendar: WorkingCalendar;
  try {
    calendar = state.calendarVersion ? calendars.get(state.calendarVersion) : calendars.current();
  } catch {
    calendar = calendars.current(); // a version this process has not seen yet: the current one is close
  }
  return yellowFrom(new Date(state.assignedAt), new Date(state.deadline), workingDaysBefore(calendar));
}

/** Computes a deadline from a rule, or explains in the API's terms why it cannot. */
export function deadlineFromRule(
  rule: DeadlineRule,
  at: Date,
  calendar: WorkingCalendar,
  path: string,
): { deadline: Date; calendarVersion: string; provisional: boolean } {
  try {
    const result = computeDeadline(rule, at, calendar);
    return {
      deadline: result.deadline,
      calendarVersion: result.calendarVersion,
      provisional: result.provisional,
    };
  } catch (error) {
    if (error instanceof CalendarNotCovered) {
      throw new AppError(
        'unprocessable',
        'calendar.not_covered',
        `the working-day calendar has no data for ${error.year}: it is further ahead than the provisional calendar reaches (the statutory rules, ${PROVISIONAL_YEARS} years past the last official year); set the deadline as an instant, or an admin adds the year (POST …/reminders/calendar/import)`,
        { issues: [{ path, message: `no working-day calendar for ${error.year}` }] },
      );
    }
    throw error;
  }
}
