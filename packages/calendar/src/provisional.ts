// The statutory holidays of a year the State Council has not yet published, from 《全国年节及纪念日放假办法》
// as amended in 2024 (in force from 2025). The lunar and solar-term dates come from chinese-days' own
// functions, but only those that are plain arithmetic on its tables (monthDays, getYearLeapMonth) or
// whose host time-zone shift is corrected here (getSolarTermDate): its other functions build dates in
// the host's local time zone and are off by one day west of UTC.
// The default export: chinese-days' main file is a CommonJS bundle whose named exports Node cannot
// detect (vitest reads its ES build instead), and its default object has every function.
import chineseDays from 'chinese-days';
import { addDays, epochDay, fromEpochDay, isWeekend, type CalendarDate } from './dates';

const { getSolarTermDate, getYearLeapMonth, monthDays } = chineseDays;

/** How many years past the last official one get a provisional calendar; beyond it, CalendarNotCovered. */
export const PROVISIONAL_YEARS = 3;

/** The first year the 2024 amendment of the rules applies to (4 days of Spring Festival, 2 of Labour Day). */
export const STATUTORY_RULES_FROM = 2025;

export interface StatutoryDay {
  date: CalendarDate;
  /** The holiday's name, e.g. '春节'. */
  holiday: string;
  /**
   * 'statutory': a day of the holiday itself (第二条); 'in-lieu': the working day given off because a
   * statutory day fell on a Saturday or Sunday (第六条: 适逢周六、周日，应当在工作日补假).
   */
  kind: 'statutory' | 'in-lieu';
}

const LUNAR_EPOCH = epochDay('1900-01-31'); // 农历 1900年正月初一

/** 正月初一 of the lunar year that starts in Gregorian `year` (epoch day). */
function lunarNewYear(year: number): number {
  let day = LUNAR_EPOCH;
  for (let y = 1900; y < year; y++) day += lunarYearLength(y);
  return day;
}

function lunarYearLength(year: number): number {
  let days = getYearLeapMonth(year).days; // the leap month (0 when none)
  for (let month = 1; month <= 12; month++) days += monthDays(year, month);
  return days;
}

/** The Gregorian date of lunar `month`/`day` (not the leap month) of the lunar year starting in `year`. */
export function lunarToSolar(year: number, month: number, day: number): CalendarDate {
  if (year < 1900 || year > 2099) throw new RangeError(`no lunar data for ${year}`);
  let offset = lunarNewYear(year);
  const leap = getYearLeapMonth(year);
  for (let m = 1; m < month; m++) {
    offset += monthDays(year, m);
    if (leap.leapMonth === m) offset += leap.days; // 闰m月 follows month m
  }
  return fromEpochDay(offset + day - 1);
}

/** 除夕: the last day of the lunar year before 正月初一 of `year`'s lunar new year. */
export function lunarNewYearsEve(year: number): CalendarDate {
  return fromEpochDay(lunarNewYear(year) - 1);
}

/** 清明: the day of the pure-brightness solar term in April. */
export function qingming(year: number): CalendarDate {
  const reported = getSolarTermDate(year, 4, 'pure_brightness');
  // chinese-days computes the day number right but formats it through a local-time Date: west of UTC
  // it reports the day before. Undo that shift.
  const shifted = new Date(Date.UTC(year, 3, 5)).getDate() !== 5;
  return shifted ? addDays(reported, 1) : reported;
}

/**
 * Every day off the statutory rules give in `year` (from 2025 on): the holidays of 第二条 and the
 * 补假 of 第六条 for those on a weekend, each in-lieu day being the first weekday after the holiday
 * that is not already off. Make-up working days (调休上班) are never inferred: only the State
 * Council's notice sets them.
 */
export function statutoryHolidays(year: number): StatutoryDay[] {
  if (year < STATUTORY_RULES_FROM) {
    throw new RangeError(`the 2024 statutory holiday rules apply from ${STATUTORY_RULES_FROM}, not ${year}`);
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  const on = (month: number, day: number) => `${year}-${pad(month)}-${pad(day)}`;
  const eve = lunarNewYearsEve(year);
  const groups: Array<{ holiday: string; days: CalendarDate[] }> = [
    { holiday: '元旦', days: [on(1, 1)] },
    { holiday: '春节', days: [0, 1, 2, 3].map((n) => addDays(eve, n)) }, // 除夕 to 正月初三
    { holiday: '清明', days: [qingming(year)] },
    { holiday: '劳动节', days: [on(5, 1), on(5, 2)] },
    { holiday: '端午', days: [lunarToSolar(year, 5, 5)] },
    { holiday: '中秋', days: [lunarToSolar(year, 8, 15)] },
    { holiday: '国庆节', days: [on(10, 1), on(10, 2), on(10, 3)] },
  ];
  // In date order (中秋 may fall before or after 国庆), so in-lieu days follow their holidays in turn.
  groups.sort((a, b) => (a.days[0]! < b.days[0]! ? -1 : 1));
  const off = new Set(groups.flatMap((g) => g.days));
  const result: StatutoryDay[] = [];
  const seen = new Set<CalendarDate>();
  for (const group of groups) {
    for (const date of group.days) {
      // A day that is two holidays at once (中秋 on 10月1日) is one day off, compensated once.
      if (seen.has(date)) continue;
      seen.add(date);
      result.push({ date, holiday: group.holiday, kind: 'statutory' });
      if (!isWeekend(date)) continue;
      let day = addDays(date, 1);
      while (isWeekend(day) || off.has(day)) day = addDays(day, 1);
      off.add(day);
      result.push({ date: day, holiday: group.holiday, kind: 'in-lieu' });
    }
  }
  return result.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
