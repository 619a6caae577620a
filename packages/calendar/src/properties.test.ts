import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import chineseDays from 'chinese-days';
import { WorkingCalendar, addDays, computeDeadline, epochDay, fromEpochDay, toChinaDate } from './index';

// chinese-days' functions build their day table at import in the host's local time zone and get it a
// day off west of UTC (e.g. America/Los_Angeles); its JSON file, which this package reads, is not
// affected. So the cross-checks against its functions only run where the host is at UTC or east of it.
const westOfUtc = new Date(2026, 0, 1).getTimezoneOffset() > 0;
const calendar = WorkingCalendar.official();
// Dates from 2004-07-01 to 2026-06-30, so that +/- 100 working days stays inside chinese-days' data.
const date = fc.integer({ min: epochDay('2004-07-01'), max: epochDay('2026-06-30') }).map(fromEpochDay);
const n = fc.integer({ min: 1, max: 100 });

describe('working-day arithmetic (properties over 2004–2026)', () => {
  it('addWorkingDays(d, n) is a working day for n ≥ 1, and so is -n', () => {
    fc.assert(
      fc.property(date, n, (d, k) => {
        expect(calendar.isWorkingDay(calendar.addWorkingDays(d, k))).toBe(true);
        expect(calendar.isWorkingDay(calendar.addWorkingDays(d, -k))).toBe(true);
      }),
    );
  });

  it('workingDaysBetween(d, addWorkingDays(d, n)) === n (n ≥ 0; n < 0 from a working day)', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 0, max: 100 }), (d, k) => {
        expect(calendar.workingDaysBetween(d, calendar.addWorkingDays(d, k))).toBe(k);
      }),
    );
    // Backwards, (to, from] and "the k-th working day before d" agree only when d itself is a working
    // day: from Sunday, one working day back is Friday, but (Fri, Sun] holds no working day.
    fc.assert(
      fc.property(date, n, (d, k) => {
        fc.pre(calendar.isWorkingDay(d));
        expect(calendar.workingDaysBetween(d, calendar.addWorkingDays(d, -k))).toBe(-k);
      }),
    );
  });

  it('addWorkingDays is strictly monotonic in n', () => {
    fc.assert(
      fc.property(date, n, n, (d, a, b) => {
        fc.pre(a !== b);
        const [lo, hi] = a < b ? [a, b] : [b, a];
        expect(calendar.addWorkingDays(d, lo) < calendar.addWorkingDays(d, hi)).toBe(true);
      }),
    );
  });

  it('workingDaysBetween is antisymmetric and additive', () => {
    fc.assert(
      fc.property(date, date, date, (a, b, c) => {
        expect(calendar.workingDaysBetween(a, b) + calendar.workingDaysBetween(b, a)).toBe(0);
        expect(calendar.workingDaysBetween(a, b) + calendar.workingDaysBetween(b, c)).toBe(
          calendar.workingDaysBetween(a, c),
        );
      }),
      { numRuns: 50 },
    );
  });

  it('workingDaysBetween (counted) equals a day-by-day walk', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 0, max: 180 }), (a, span) => {
        const b = addDays(a, span);
        let walked = 0;
        for (let d = addDays(a, 1); d <= b; d = addDays(d, 1)) if (calendar.isWorkingDay(d)) walked++;
        expect(calendar.workingDaysBetween(a, b)).toBe(walked);
      }),
    );
  });

  it.skipIf(westOfUtc)(
    'agrees with chinese-days’ findWorkday (an independent implementation of the same convention)',
    () => {
      fc.assert(
        fc.property(date, n, (d, k) => {
          const local = new Date(
            Number(d.slice(0, 4)),
            Number(d.slice(5, 7)) - 1,
            Number(d.slice(8, 10)),
            12,
          );
          expect(calendar.addWorkingDays(d, k)).toBe(chineseDays.findWorkday(k, local));
        }),
      );
    },
  );

  it('working-day deadlines fall on a working day at end of day, after the assignment', () => {
    const instant = fc
      .integer({ min: Date.parse('2004-07-01T00:00:00Z'), max: Date.parse('2026-06-30T00:00:00Z') })
      .map((ms) => new Date(ms));
    fc.assert(
      fc.property(instant, n, (at, k) => {
        const { deadline } = computeDeadline({ kind: 'working-days', days: k }, at, calendar);
        expect(deadline.getTime()).toBeGreaterThan(at.getTime());
        expect(calendar.isWorkingDay(toChinaDate(deadline))).toBe(true);
        expect(calendar.workingDaysBetween(toChinaDate(at), toChinaDate(deadline))).toBe(k);
        const sameDay = computeDeadline({ kind: 'same-day', cutoff: '17:00' }, at, calendar).deadline;
        expect(sameDay.getTime()).toBeGreaterThan(at.getTime());
        expect(calendar.isWorkingDay(toChinaDate(sameDay))).toBe(true);
      }),
    );
  });
});
