import { z } from 'zod';

/**
 * A civil date in China, 'YYYY-MM-DD' (validated: 2026-02-30 is rejected). All calendar arithmetic
 * is on these strings, never on JS Dates, so the host's time zone can never shift a day.
 */
export const CalendarDate = z.iso.date();
export type CalendarDate = z.infer<typeof CalendarDate>;

/** A wall-clock time in China, 'HH:MM' (00:00–23:59). */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');
export type LocalTime = z.infer<typeof LocalTime>;

/** China Standard Time is UTC+8 all year (no daylight saving since 1991). */
export const CHINA_UTC_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export function assertCalendarDate(date: string): asserts date is CalendarDate {
  if (!CalendarDate.safeParse(date).success)
    throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
}

function assertLocalTime(time: string): void {
  if (!LocalTime.safeParse(time).success) throw new RangeError(`not a local time (HH:MM): ${time}`);
}

/** Days since 1970-01-01 (a plain day count, no time zone involved). */
export function epochDay(date: CalendarDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

export function fromEpochDay(day: number): CalendarDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromEpochDay(epochDay(date) + days);
}

export function yearOf(date: CalendarDate): number {
  return Number(date.slice(0, 4));
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: CalendarDate): number {
  return new Date(epochDay(date) * DAY_MS).getUTCDay();
}

export function isWeekend(date: CalendarDate): boolean {
  const dow = dayOfWeek(date);
  return dow === 0 || dow === 6;
}

/** The date in China (UTC+8) at the given instant. */
export function toChinaDate(instant: Date): CalendarDate {
  const t = instant.getTime();
  if (Number.isNaN(t)) throw new RangeError('invalid Date');
  return new Date(t + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant at which China's wall clock shows `time` on `date`. */
export function atChinaTime(date: CalendarDate, time: LocalTime): Date {
  assertCalendarDate(date);
  assertLocalTime(time);
  const ms =
    epochDay(date) * DAY_MS + Number(time.slice(0, 2)) * 3_600_000 + Number(time.slice(3, 5)) * 60_000;
  return new Date(ms - CHINA_UTC_OFFSET_MS);
}

/** The same China wall-clock time `days` calendar days later (exact: no DST in China). */
export function shiftDays(instant: Date, days: number): Date {
  return new Date(instant.getTime() + days * DAY_MS);
}
