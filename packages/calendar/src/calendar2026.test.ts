// Real 2026 dates. The facts below were read from chinese-days 1.5.7 (dist/years/2026.json), which
// encodes the State Council's 2026 notice (its source cites gov.cn/zhengce/zhengceku/202511/content_7047091.htm):
//   元旦    off Thu 01-01 … Sat 01-03;               make-up working day Sun 01-04
//   春节    off Sun 02-15 … Mon 02-23 (9 days);       make-up working days Sat 02-14 and Sat 02-28
//   劳动节  off Fri 05-01 … Tue 05-05;               make-up working day Sat 05-09
//   中秋    off Fri 09-25 … Sun 09-27
//   国庆节  off Thu 10-01 … Wed 10-07 (7 days);       make-up working days Sun 09-20 and Sat 10-10
// (清明 04-04…06 and 端午 06-19…21 have no make-up days.) Times are China Standard Time (+08:00).
import { describe, expect, it } from 'vitest';
import { WorkingCalendar, computeDeadline, extendDeadline } from './index';

const calendar = WorkingCalendar.official();
const cst = (local: string): Date => new Date(`${local}+08:00`);
const due = (rule: Parameters<typeof computeDeadline>[0], assigned: string): string =>
  computeDeadline(rule, cst(assigned), calendar).deadline.toISOString();
const iso = (local: string): string => cst(local).toISOString();

describe('National Day week 2026 (off Oct 1–7, make-up Sun Sep 20 and Sat Oct 10)', () => {
  it('knows the days', () => {
    for (const d of ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07']) {
      expect(calendar.isWorkingDay(d)).toBe(false);
    }
    expect(calendar.isWorkingDay('2026-10-08')).toBe(true); // Thursday after the week
    expect(calendar.isWorkingDay('2026-10-10')).toBe(true); // Saturday, make-up working day
    expect(calendar.isWorkingDay('2026-10-11')).toBe(false); // plain Sunday
    expect(calendar.isWorkingDay('2026-09-20')).toBe(true); // Sunday, make-up working day
    expect(calendar.dayInfo('2026-10-10')).toEqual({
      date: '2026-10-10',
      working: true,
      reason: 'make-up-workday',
      name: '国庆节调休上班',
      layerId: 'chinese-days@1.5.7',
      covered: true,
      provisional: false,
    });
    expect(calendar.dayInfo('2026-10-05')).toMatchObject({
      working: false,
      reason: 'holiday',
      name: '国庆节',
    });
  });

  it('a deadline of N working days lands after the week, and the make-up Saturday counts', () => {
    // Assigned Wed Sep 30: Oct 1–7 off; Thu Oct 8 = 1, Fri Oct 9 = 2, Sat Oct 10 (make-up) = 3.
    expect(due({ kind: 'working-days', days: 1 }, '2026-09-30T09:00:00')).toBe(iso('2026-10-08T17:30:00'));
    expect(due({ kind: 'working-days', days: 3 }, '2026-09-30T09:00:00')).toBe(iso('2026-10-10T17:30:00'));
    // Sun Oct 11 is a plain day off again: the 4th working day is Mon Oct 12.
    expect(due({ kind: 'working-days', days: 4 }, '2026-09-30T09:00:00')).toBe(iso('2026-10-12T17:30:00'));
    expect(calendar.workingDaysBetween('2026-09-30', '2026-10-12')).toBe(4);
  });

  it('the make-up Sunday before it is a working day too', () => {
    // Assigned Fri Sep 18 afternoon, 1 working day: Sun Sep 20 is a make-up working day.
    expect(due({ kind: 'working-days', days: 1 }, '2026-09-18T16:00:00')).toBe(iso('2026-09-20T17:30:00'));
    expect(due({ kind: 'next-working-day', cutoff: '12:00' }, '2026-09-18T16:00:00')).toBe(
      iso('2026-09-20T12:00:00'),
    );
  });

  it('Mid-Autumn (Fri Sep 25) and the week together', () => {
    // Thu Sep 24 + 5: Mon 28 = 1, Tue 29 = 2, Wed 30 = 3, Thu Oct 8 = 4, Fri Oct 9 = 5.
    expect(due({ kind: 'working-days', days: 5 }, '2026-09-24T10:00:00')).toBe(iso('2026-10-09T17:30:00'));
  });

  it('an extension across the week', () => {
    const current = computeDeadline(
      { kind: 'same-day', cutoff: '17:00' },
      cst('2026-09-30T09:00:00'),
      calendar,
    );
    expect(current.deadline.toISOString()).toBe(iso('2026-09-30T17:00:00'));
    const extended = extendDeadline(current, { workingDays: 3 }, calendar);
    expect(extended.deadline.toISOString()).toBe(iso('2026-10-10T17:00:00'));
    expect(extended.calendarVersion).toBe(calendar.version);
  });
});

describe('Spring Festival 2026 (off Sun Feb 15 – Mon Feb 23, make-up Sat Feb 14 and Sat Feb 28)', () => {
  it('knows the days', () => {
    expect(calendar.isWorkingDay('2026-02-13')).toBe(true); // Friday
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true); // Saturday, make-up
    for (const d of ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-23']) {
      expect(calendar.isWorkingDay(d)).toBe(false);
    }
    expect(calendar.isWorkingDay('2026-02-24')).toBe(true);
    expect(calendar.isWorkingDay('2026-02-28')).toBe(true); // Saturday, make-up
    expect(calendar.isWorkingDay('2026-03-01')).toBe(false);
  });

  it('deadlines across the festival', () => {
    // Fri Feb 13: Sat 14 = 1, (15–23 off), Tue 24 = 2, Wed 25 = 3, Thu 26 = 4, Fri 27 = 5, Sat 28 = 6.
    expect(due({ kind: 'working-days', days: 1 }, '2026-02-13T10:00:00')).toBe(iso('2026-02-14T17:30:00'));
    expect(due({ kind: 'working-days', days: 2 }, '2026-02-13T10:00:00')).toBe(iso('2026-02-24T17:30:00'));
    expect(due({ kind: 'working-days', days: 6 }, '2026-02-13T10:00:00')).toBe(iso('2026-02-28T17:30:00'));
    expect(due({ kind: 'working-days', days: 7 }, '2026-02-13T10:00:00')).toBe(iso('2026-03-02T17:30:00'));
    expect(calendar.workingDaysBetween('2026-02-13', '2026-02-28')).toBe(6);
  });

  it('same-day on a festival day rolls to the first working day after it', () => {
    expect(due({ kind: 'same-day', cutoff: '17:00' }, '2026-02-16T09:00:00')).toBe(
      iso('2026-02-24T17:00:00'),
    );
  });

  it('traffic light: working days left before a deadline, across the festival', () => {
    // Seen on Thu Feb 12, a deadline on Wed Feb 25: Fri 13, Sat 14, Tue 24, Wed 25 → 4 left.
    expect(calendar.workingDaysBetween('2026-02-12', '2026-02-25')).toBe(4);
    // Seen on the deadline day: 0 left; the day after (Thu 26): 1 overdue.
    expect(calendar.workingDaysBetween('2026-02-25', '2026-02-25')).toBe(0);
    expect(calendar.workingDaysBetween('2026-02-26', '2026-02-25')).toBe(-1);
  });
});

describe('New Year 2026 (off Thu Jan 1 – Sat Jan 3, make-up Sun Jan 4)', () => {
  it('Wed Dec 31 2025 + 1 working day is Sun Jan 4 2026', () => {
    expect(calendar.isWorkingDay('2026-01-02')).toBe(false); // Friday
    expect(calendar.isWorkingDay('2026-01-04')).toBe(true); // Sunday
    expect(due({ kind: 'working-days', days: 1 }, '2025-12-31T11:00:00')).toBe(iso('2026-01-04T17:30:00'));
  });
});

describe('rules on ordinary 2026 days', () => {
  it('Friday afternoon + 1 working day = Monday end of day', () => {
    expect(due({ kind: 'working-days', days: 1 }, '2026-03-13T15:00:00')).toBe(iso('2026-03-16T17:30:00'));
    // The assignment day never counts, even assigned at 08:00.
    expect(due({ kind: 'working-days', days: 1 }, '2026-03-10T08:00:00')).toBe(iso('2026-03-11T17:30:00'));
    expect(due({ kind: 'working-days', days: 2, endOfDay: '18:00' }, '2026-03-10T08:00:00')).toBe(
      iso('2026-03-12T18:00:00'),
    );
  });

  it('same-day: before the cut-off stays, at or after it rolls to the next working day', () => {
    const rule = { kind: 'same-day', cutoff: '17:00' } as const;
    expect(due(rule, '2026-03-10T09:00:00')).toBe(iso('2026-03-10T17:00:00'));
    expect(due(rule, '2026-03-10T16:59:59')).toBe(iso('2026-03-10T17:00:00'));
    expect(due(rule, '2026-03-10T17:00:00')).toBe(iso('2026-03-11T17:00:00'));
    expect(due(rule, '2026-03-10T18:00:00')).toBe(iso('2026-03-11T17:00:00'));
    // After the cut-off on a Friday: Monday.
    expect(due(rule, '2026-03-13T18:00:00')).toBe(iso('2026-03-16T17:00:00'));
  });

  it('weekend assignment rolls over', () => {
    // Sat Mar 14: same-day → Mon Mar 16; 1 working day → Mon Mar 16; next-working-day → Mon Mar 16.
    expect(due({ kind: 'same-day', cutoff: '12:00' }, '2026-03-14T10:00:00')).toBe(
      iso('2026-03-16T12:00:00'),
    );
    expect(due({ kind: 'working-days', days: 1 }, '2026-03-14T10:00:00')).toBe(iso('2026-03-16T17:30:00'));
    expect(due({ kind: 'next-working-day' }, '2026-03-15T10:00:00')).toBe(iso('2026-03-16T17:30:00'));
  });

  it('works in China time whatever the UTC date is', () => {
    // 2026-03-12T17:00Z is Fri Mar 13 01:00 in China: same-day is Friday's cut-off, not Thursday's.
    const at = new Date('2026-03-12T17:00:00Z');
    expect(computeDeadline({ kind: 'same-day', cutoff: '17:00' }, at, calendar).deadline.toISOString()).toBe(
      iso('2026-03-13T17:00:00'),
    );
  });

  it('fixed deadlines are taken as given', () => {
    const r = computeDeadline(
      { kind: 'fixed', at: '2026-10-03T12:00:00+08:00' },
      cst('2026-09-01T09:00:00'),
      calendar,
    );
    expect(r.deadline.toISOString()).toBe(iso('2026-10-03T12:00:00'));
    expect(() =>
      computeDeadline(
        { kind: 'fixed', at: '2026-08-01T12:00:00+08:00' },
        cst('2026-09-01T09:00:00'),
        calendar,
      ),
    ).toThrow(RangeError);
  });

  it('extensions move the deadline later, keeping the time of day', () => {
    const current = computeDeadline({ kind: 'working-days', days: 1 }, cst('2026-03-13T15:00:00'), calendar);
    expect(extendDeadline(current, { workingDays: 5 }, calendar).deadline.toISOString()).toBe(
      iso('2026-03-23T17:30:00'),
    );
    expect(
      extendDeadline(current, { until: '2026-04-01T12:00:00+08:00' }, calendar).deadline.toISOString(),
    ).toBe(iso('2026-04-01T12:00:00'));
    expect(() => extendDeadline(current, { until: '2026-03-16T09:00:00+08:00' }, calendar)).toThrow(
      RangeError,
    );
    // A fixed deadline on a day off (Sat Oct 3, National Day) + 1 working day: Thu Oct 8, same time.
    const fixed = computeDeadline(
      { kind: 'fixed', at: '2026-10-03T12:00:00+08:00' },
      cst('2026-09-01T09:00:00'),
      calendar,
    );
    expect(extendDeadline(fixed, { workingDays: 1 }, calendar).deadline.toISOString()).toBe(
      iso('2026-10-08T12:00:00'),
    );
  });

  it('rejects malformed rules', () => {
    const at = cst('2026-03-10T09:00:00');
    expect(() => computeDeadline({ kind: 'working-days', days: 0 }, at, calendar)).toThrow();
    expect(() => computeDeadline({ kind: 'same-day', cutoff: '25:00' }, at, calendar)).toThrow();
    expect(() => computeDeadline({ kind: 'fixed', at: '2026-10-03 12:00' }, at, calendar)).toThrow();
  });
});
