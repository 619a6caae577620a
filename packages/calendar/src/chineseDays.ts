import { z } from 'zod';
// chinese-days publishes its holiday data as a JSON file (README: "提供 JSON 文件",
// dist/chinese-days.json): { holidays: { 'YYYY-MM-DD': 'English,中文,n' }, workdays: {…}, inLieuDays: {…} }.
// `holidays` lists every day off of a holiday period (weekends included); `workdays` the weekend days
// that are make-up working days (调休上班). Its functions (isWorkday…) read the same data but work in the
// host's local time zone and treat any year after the data as plain Mon–Fri, so only the data is used.
import data from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import pkg from 'chinese-days/package.json' with { type: 'json' };
import { CalendarDate, yearOf } from './dates';
import type { CalendarLayer } from './calendar';

const ChineseDaysJson = z.object({
  holidays: z.record(CalendarDate, z.string()),
  workdays: z.record(CalendarDate, z.string()),
});

/** 'National Day,国庆节,3' → '国庆节'. */
function chineseName(label: string): string {
  const parts = label.split(',');
  return (parts[1] ?? parts[0] ?? label).trim();
}

export const CHINESE_DAYS_VERSION: string = pkg.version;

let cached: CalendarLayer | undefined;

/**
 * The base layer: every holiday and make-up working day of the State Council's notices as encoded in
 * chinese-days, covering each year that has data (2004–2026 in chinese-days 1.5.7).
 */
export function chineseDaysLayer(): CalendarLayer {
  if (cached) return cached;
  const parsed = ChineseDaysJson.parse(data);
  const days: CalendarLayer['days'][number][] = [];
  const years = new Set<number>();
  for (const [date, label] of Object.entries(parsed.holidays)) {
    const name = chineseName(label);
    days.push({ date, kind: 'holiday', name });
    // A year's notice always has the Spring Festival, which never crosses a year end (late Jan–Feb),
    // while a New Year's Day period may start on Dec 31 of the year before (e.g. 2022-12-31 in the
    // 2023 notice): so a year counts as covered when its Spring Festival is in the data.
    if (name === '春节') years.add(yearOf(date));
  }
  for (const [date, label] of Object.entries(parsed.workdays)) {
    days.push({ date, kind: 'workday', name: `${chineseName(label)}调休上班` });
  }
  days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  cached = Object.freeze({
    id: `chinese-days@${CHINESE_DAYS_VERSION}`,
    name: `国务院办公厅节假日安排 (chinese-days ${CHINESE_DAYS_VERSION})`,
    source: 'state-council' as const,
    coversYears: Object.freeze([...years].sort((a, b) => a - b)),
    days: Object.freeze(days),
  });
  return cached;
}
