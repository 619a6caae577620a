import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CalendarNotCovered, WorkingCalendar, type CalendarAmendmentInput } from './calendar';
import { computeDeadline } from './deadline';
import { lunarNewYearsEve, lunarToSolar, qingming, statutoryHolidays } from './provisional';
import { isWeekend } from './dates';

const iso = (local: string) => new Date(`${local}+08:00`).toISOString();

describe('the statutory holidays of a year without official data', () => {
  it('gives 2027 the days worked out by hand from the lunar calendar and the 2024 rules', () => {
    // 除夕 2027 is Fri Feb 5 (腊月 has 29 days that year), 正月初一 Sat Feb 6; 清明 Mon Apr 5;
    // 端午 (五月初五) Wed Jun 9; 中秋 (八月十五) Wed Sep 15. Weekend statutory days (Feb 6, 7; May 1, 2;
    // Oct 2, 3) are compensated on the next free weekdays (第六条 补假).
    expect(lunarNewYearsEve(2027)).toBe('2027-02-05');
    expect(qingming(2027)).toBe('2027-04-05');
    expect(lunarToSolar(2027, 5, 5)).toBe('2027-06-09');
    expect(lunarToSolar(2027, 8, 15)).toBe('2027-09-15');
    expect(statutoryHolidays(2027).map((d) => `${d.date} ${d.holiday} ${d.kind}`)).toEqual([
      '2027-01-01 元旦 statutory',
      '2027-02-05 春节 statutory',
      '2027-02-06 春节 statutory',
      '2027-02-07 春节 statutory',
      '2027-02-08 春节 statutory',
      '2027-02-09 春节 in-lieu',
      '2027-02-10 春节 in-lieu',
      '2027-04-05 清明 statutory',
      '2027-05-01 劳动节 statutory',
      '2027-05-02 劳动节 statutory',
      '2027-05-03 劳动节 in-lieu',
      '2027-05-04 劳动节 in-lieu',
      '2027-06-09 端午 statutory',
      '2027-09-15 中秋 statutory',
      '2027-10-01 国庆节 statutory',
      '2027-10-02 国庆节 statutory',
      '2027-10-03 国庆节 statutory',
      '2027-10-04 国庆节 in-lieu',
      '2027-10-05 国庆节 in-lieu',
    ]);
  });

  it('agrees with the State Council’s own 2025 and 2026 notices (chinese-days data)', () => {
    const official = WorkingCalendar.official();
    for (const year of [2025, 2026]) {
      const days = statutoryHolidays(year);
      expect(days.filter((d) => d.kind === 'statutory').length).toBe(13); // 1 + 4 + 1 + 2 + 1 + 1 + 3
      for (const day of days) {
        expect({ day, working: official.isWorkingDay(day.date) }).toEqual({ day, working: false });
        expect(isWeekend(day.date) && day.kind === 'in-lieu').toBe(false);
      }
    }
    // Spot checks on the lunar dates against the notices: 除夕 2025-01-28, 2026-02-16.
    expect(lunarNewYearsEve(2025)).toBe('2025-01-28');
    expect(lunarNewYearsEve(2026)).toBe('2026-02-16');
    expect(lunarToSolar(2025, 8, 15)).toBe('2025-10-06');
    expect(lunarToSolar(2026, 5, 5)).toBe('2026-06-19');
  });

  it('is the same in any host time zone', () => {
    // chinese-days formats dates in local time: compute 2025–2029 in fresh processes east of, at and
    // west of UTC and compare.
    const script = `import { statutoryHolidays } from ${JSON.stringify(fileURLToPath(new URL('./provisional.ts', import.meta.url)))};
      console.log(JSON.stringify([2025, 2026, 2027, 2028, 2029].map(statutoryHolidays)));`;
    const run = (TZ: string) =>
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, TZ },
        encoding: 'utf8',
      });
    const here = JSON.stringify([2025, 2026, 2027, 2028, 2029].map(statutoryHolidays));
    for (const tz of ['UTC', 'Asia/Shanghai', 'America/Los_Angeles'])
      expect({ tz, days: run(tz).trim() }).toEqual({ tz, days: here });
    expect(qingming(2028)).toBe('2028-04-04');
    expect(lunarNewYearsEve(2028)).toBe('2028-01-25');
  }, 60_000);
});

describe('a working-day calendar past its official data', () => {
  const calendar = WorkingCalendar.official();

  it('gives the next three years a provisional calendar, and refuses beyond', () => {
    expect(calendar.coveredThrough).toBe(2026);
    expect(calendar.provisionalYears).toEqual([2027, 2028, 2029]);
    expect(calendar.isProvisional('2027-03-01')).toBe(true);
    expect(calendar.isCovered(2027)).toBe(false);
    expect(calendar.isWorkingDay('2027-02-09')).toBe(false); // 春节补假
    expect(calendar.isWorkingDay('2027-02-11')).toBe(true);
    expect(calendar.isWorkingDay('2027-02-13')).toBe(false); // no make-up working day is guessed
    expect(calendar.dayInfo('2027-10-04')).toMatchObject({
      working: false,
      reason: 'holiday',
      name: '国庆节补假（暂定）',
      covered: false,
      provisional: true,
    });
    expect(() => calendar.isWorkingDay('2030-01-02')).toThrow(CalendarNotCovered);
    expect(calendar.isWorkingDay('2030-01-02', { uncovered: 'weekdays' })).toBe(true);
  });

  it('computes 40 working days from 2026-12-06 into 2027, marked provisional', () => {
    // Sun Dec 6: Dec 7–31 has 19 working days; Jan 2027: Jan 1 off, 20 weekdays left → 39 on Fri
    // Jan 29, 40 on Mon Feb 1.
    const r = computeDeadline(
      { kind: 'working-days', days: 40 },
      new Date(iso('2026-12-06T10:00:00')),
      calendar,
    );
    expect(r.deadline.toISOString()).toBe(iso('2027-02-01T17:30:00'));
    expect(r.provisional).toBe(true);
    const inside = computeDeadline(
      { kind: 'working-days', days: 10 },
      new Date(iso('2026-12-06T10:00:00')),
      calendar,
    );
    expect(inside.provisional).toBe(false);
  });

  it('keeps its provisional layer through a snapshot, and drops it for a year the State Council covers', () => {
    const back = WorkingCalendar.fromData(calendar.toData());
    expect(back.version).toBe(calendar.version);
    expect(back.provisionalYears).toEqual([2027, 2028, 2029]);
    expect(back.isWorkingDay('2027-02-09')).toBe(false);
    const notice: CalendarAmendmentInput = {
      id: 'gov-2027',
      name: '国务院办公厅关于2027年部分节假日安排的通知',
      source: 'state-council',
      coversYear: 2027,
      days: [
        { date: '2027-02-05', kind: 'holiday' },
        { date: '2027-02-08', kind: 'holiday' },
        { date: '2027-02-20', kind: 'workday' },
      ],
    };
    const amended = back.amend(notice);
    expect(amended.isCovered(2027)).toBe(true);
    expect(amended.provisionalYears).toEqual([2028, 2029, 2030]);
    expect(amended.isWorkingDay('2027-02-09')).toBe(true); // the provisional 补假 is gone
    expect(amended.isWorkingDay('2027-02-20')).toBe(true);
    expect(amended.isWorkingDay('2027-10-04')).toBe(true);
    expect(amended.version).toBe(WorkingCalendar.official([notice]).version);
  });

  it('keeps a county’s own day in a provisional year', () => {
    const local = calendar.amend({
      id: 'local-2027',
      name: '县庆',
      source: 'county',
      days: [{ date: '2027-02-09', kind: 'workday' }],
    });
    expect(local.isWorkingDay('2027-02-09')).toBe(true);
    expect(local.isProvisional(2027)).toBe(true);
  });
});
