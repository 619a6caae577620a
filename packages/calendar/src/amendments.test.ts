import { describe, expect, it } from 'vitest';
import chineseDays from 'chinese-days';
import {
  CalendarAmendment,
  CalendarNotCovered,
  CalendarRegistry,
  CalendarVersionMismatch,
  UnknownCalendarVersion,
  WorkingCalendar,
  addDays,
  computeDeadline,
  extendDeadline,
  type CalendarAmendmentInput,
} from './index';

// chinese-days' functions build their day table at import in the host's local time zone and get it a
// day off west of UTC (e.g. America/Los_Angeles); its JSON file, which this package reads, is not
// affected. So the cross-checks against its functions only run where the host is at UTC or east of it.
const westOfUtc = new Date(2026, 0, 1).getTimezoneOffset() > 0;
const cst = (local: string): Date => new Date(`${local}+08:00`);
const iso = (local: string): string => cst(local).toISOString();

// chinese-days 1.5.7 has data through 2026; the 2027 notice is not in it. This amendment is what an
// admin enters once the State Council publishes (illustrative content: New Year's Day, Fri 2027-01-01,
// is a holiday in every year's notice).
const notice2027: CalendarAmendmentInput = {
  id: 'gov-2027',
  name: '国务院办公厅关于2027年部分节假日安排的通知',
  source: 'state-council',
  coversYear: 2027,
  days: [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }],
};
// A county's own day off (illustrative), entered after deadlines were already computed.
const countyDay: CalendarAmendmentInput = {
  id: 'county-2026-12-31',
  name: '县域年终停电检修',
  source: 'county',
  days: [{ date: '2026-12-31', kind: 'holiday', name: '停电检修' }],
};

const rule = { kind: 'working-days', days: 10 } as const;
// Mon 2026-12-21: Dec 22–25 = 1–4, Dec 28–31 = 5–8, then 2027.
const assignedAt = cst('2026-12-21T10:00:00');

describe('the base layer from chinese-days 1.5.7', () => {
  const calendar = WorkingCalendar.official();

  it('covers 2004 through 2026, and nothing after', () => {
    expect(calendar.coveredYears).toEqual(Array.from({ length: 23 }, (_, i) => 2004 + i));
    expect(calendar.coveredThrough).toBe(2026);
    expect(calendar.isCovered('2026-12-31')).toBe(true);
    expect(calendar.isCovered(2027)).toBe(false);
  });

  it.skipIf(westOfUtc)('agrees with chinese-days’ own isWorkday on every day it covers', () => {
    let mismatches = 0;
    for (let d = '2004-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) {
      const local = new Date(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)), 12);
      if (calendar.isWorkingDay(d) !== chineseDays.isWorkday(local)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('has a stable, content-addressed version', () => {
    expect(calendar.version).toMatch(/^[0-9a-f]{16}$/);
    expect(WorkingCalendar.official().version).toBe(calendar.version);
    // Restating a known day, or naming it differently, does not change what deadlines come out.
    const restated = calendar.amend({
      id: 'restate',
      name: 'restatement',
      source: 'correction',
      days: [
        { date: '2026-10-01', kind: 'holiday', name: 'National Day' },
        { date: '2026-10-03', kind: 'holiday' }, // a Saturday: off anyway
      ],
    });
    expect(restated.version).toBe(calendar.version);
    expect(calendar.amend(countyDay).version).not.toBe(calendar.version);
  });
});

describe('a deadline crossing the end of 2026', () => {
  it('computes 2027 on the provisional calendar without the State Council’s notice', () => {
    const calendar = WorkingCalendar.official();
    const r = computeDeadline(rule, assignedAt, calendar);
    // Fri Jan 1 is off by the statutory rules: Mon Jan 4 = 9, Tue Jan 5 = 10.
    expect(r.deadline.toISOString()).toBe(iso('2027-01-05T17:30:00'));
    expect(r.provisional).toBe(true);
    expect(calendar.workingDaysBetween('2026-12-21', '2027-01-05')).toBe(10);
    // Past the provisional horizon (2027–2029) it still refuses.
    let error: unknown;
    try {
      calendar.isWorkingDay('2030-03-01');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CalendarNotCovered);
    expect(error).toMatchObject({ year: 2030, date: '2030-03-01', calendarVersion: calendar.version });
    expect(() => calendar.workingDaysBetween('2026-12-21', '2030-01-05')).toThrow(CalendarNotCovered);
    // A county's local day in 2027 does not make 2027 covered.
    const local = calendar.amend({
      ...countyDay,
      id: 'local-2027',
      days: [{ date: '2027-01-04', kind: 'holiday' }],
    });
    expect(computeDeadline(rule, assignedAt, local)).toMatchObject({ provisional: true });
  });

  it('computes with Mon–Fri past the horizon on request', () => {
    expect(
      WorkingCalendar.official().workingDaysBetween('2029-12-28', '2030-01-07', { uncovered: 'weekdays' }),
    ).toBe(6); // Mon Dec 31 2029, then Jan 1–4 and 7 2030 as plain weekdays (元旦 too: no layer knows 2030)
  });

  it('computes with the calendar an admin added for 2027', () => {
    const calendar = WorkingCalendar.official([notice2027]);
    expect(calendar.coveredThrough).toBe(2027);
    const r = computeDeadline(rule, assignedAt, calendar);
    // Fri Jan 1 2027 is a holiday: Mon Jan 4 = 9, Tue Jan 5 = 10.
    expect(r.deadline.toISOString()).toBe(iso('2027-01-05T17:30:00'));
    expect(r).toMatchObject({ calendarVersion: calendar.version, provisional: false });
    expect(calendar.workingDaysBetween('2026-12-21', '2027-01-05')).toBe(10);
    expect(calendar.dayInfo('2027-01-01')).toMatchObject({
      working: false,
      name: '元旦',
      layerId: 'gov-2027',
    });
  });

  it('recomputes identically from the stored version after a newer amendment', () => {
    const registry = new CalendarRegistry();
    const base = registry.current;
    const v1 = registry.amend(notice2027);
    const stored = computeDeadline(rule, assignedAt, registry.current);

    const v2 = registry.amend(countyDay);
    expect(v2.version).not.toBe(v1.version);
    expect(registry.current).toBe(v2);
    // New deadlines see the county's day off on Dec 31: one working day later.
    expect(computeDeadline(rule, assignedAt, registry.current).deadline.toISOString()).toBe(
      iso('2027-01-06T17:30:00'),
    );
    // The stored one recomputes exactly as it was.
    expect(computeDeadline(rule, assignedAt, registry.get(stored.calendarVersion))).toEqual(stored);
    expect(registry.versions()).toEqual([base.version, v1.version, v2.version]);
    expect(() => registry.get('0000000000000000')).toThrow(UnknownCalendarVersion);

    // A restarted service rebuilds the same versions from a stored snapshot…
    const restarted = new CalendarRegistry();
    restarted.register(WorkingCalendar.fromData(JSON.parse(JSON.stringify(v1.toData()))));
    expect(computeDeadline(rule, assignedAt, restarted.get(stored.calendarVersion))).toEqual(stored);
    // …or by replaying the amendments in order.
    const replayed = new CalendarRegistry();
    replayed.amend(notice2027);
    replayed.amend(countyDay);
    expect(replayed.versions()).toEqual(registry.versions());
  });

  it('extensions record the calendar they used', () => {
    const registry = new CalendarRegistry();
    registry.amend(notice2027);
    const first = computeDeadline({ kind: 'working-days', days: 8 }, assignedAt, registry.current);
    expect(first.deadline.toISOString()).toBe(iso('2026-12-31T17:30:00'));
    const extended = extendDeadline(first, { workingDays: 2 }, registry.current);
    expect(extended.deadline.toISOString()).toBe(iso('2027-01-05T17:30:00'));
    expect(extended.calendarVersion).toBe(registry.current.version);
    expect(extendDeadline(first, { workingDays: 2 }, WorkingCalendar.official())).toMatchObject({
      provisional: true,
    });
  });
});

describe('amendments', () => {
  it('apply in order, later ones winning', () => {
    const a = WorkingCalendar.official([
      { id: 'a', name: 'a', source: 'county', days: [{ date: '2026-03-10', kind: 'holiday' }] },
      { id: 'b', name: 'b', source: 'correction', days: [{ date: '2026-03-10', kind: 'workday' }] },
    ]);
    expect(a.isWorkingDay('2026-03-10')).toBe(true);
    expect(a.version).toBe(WorkingCalendar.official().version);
    // A county can add a make-up Saturday too.
    const b = WorkingCalendar.official([
      {
        id: 'sat',
        name: 'sat',
        source: 'county',
        days: [{ date: '2026-03-14', kind: 'workday', name: '补班' }],
      },
    ]);
    expect(b.dayInfo('2026-03-14')).toMatchObject({ working: true, reason: 'make-up-workday', name: '补班' });
  });

  it('are validated', () => {
    const ok = { id: 'x', name: 'x', source: 'county', days: [] };
    expect(CalendarAmendment.safeParse(ok).success).toBe(true);
    expect(CalendarAmendment.safeParse({ ...ok, coversYear: 2027 }).success).toBe(false); // county
    expect(CalendarAmendment.safeParse({ ...ok, source: 'state-council', coversYear: 2027 }).success).toBe(
      true,
    );
    expect(
      CalendarAmendment.safeParse({
        ...ok,
        days: [
          { date: '2026-03-10', kind: 'holiday' },
          { date: '2026-03-10', kind: 'workday' },
        ],
      }).success,
    ).toBe(false);
    expect(
      CalendarAmendment.safeParse({ ...ok, days: [{ date: '2026-02-30', kind: 'holiday' }] }).success,
    ).toBe(false);
    expect(() => WorkingCalendar.official([notice2027, notice2027])).toThrow(/applied twice/);
  });

  it('snapshots must hash to their version', () => {
    const data = WorkingCalendar.official([notice2027]).toData();
    expect(WorkingCalendar.fromData(data).version).toBe(data.version);
    expect(() => WorkingCalendar.fromData({ ...data, holidays: [...data.holidays, '2027-03-01'] })).toThrow(
      CalendarVersionMismatch,
    );
  });
});
