import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from './calendar';
import { computeDeadline } from './deadline';
import { IcsError, amendmentsFromIcs, parseHolidayIcs } from './ics';

const madeUp2027 = readFileSync(new URL('../fixtures/made-up-2027.ics', import.meta.url), 'utf8');
const published = readFileSync(
  new URL('../node_modules/chinese-days/dist/holidays.ics', import.meta.url),
  'utf8',
);
const iso = (local: string) => new Date(`${local}+08:00`).toISOString();

describe('an .ics holiday calendar', () => {
  it('reads chinese-days’ own file to the same days as its JSON data', () => {
    const amendments = amendmentsFromIcs(published);
    expect(amendments.map((a) => a.coversYear)).toEqual([2024, 2025, 2026]);
    const official = WorkingCalendar.official();
    for (const a of amendments) {
      for (const day of a.days)
        expect({ day, working: official.isWorkingDay(day.date) }).toEqual({
          day,
          working: day.kind === 'workday',
        });
    }
    // Adding them changes nothing: the same days as the base.
    expect(official.amend(amendments[2]!).version).toBe(official.version);
  });

  it('turns a 2027 notice into a State Council amendment that replaces the provisional days', () => {
    const [notice, ...rest] = amendmentsFromIcs(madeUp2027);
    expect(rest).toEqual([]);
    expect(notice).toMatchObject({ source: 'state-council', coversYear: 2027 });
    expect(notice!.days).toContainEqual({ date: '2027-02-20', kind: 'workday', name: '春节调休上班' });
    expect(notice!.days).toContainEqual({ date: '2027-02-12', kind: 'holiday', name: '春节' });
    expect(amendmentsFromIcs(madeUp2027)[0]!.id).toBe(notice!.id); // same file, same id
    const before = WorkingCalendar.official();
    const after = before.amend(notice!);
    const at = new Date(iso('2026-12-06T10:00:00'));
    const due = (calendar: WorkingCalendar, days: number) =>
      computeDeadline({ kind: 'working-days', days }, at, calendar).deadline.toISOString();
    expect(due(before, 45)).toBe(iso('2027-02-12T17:30:00'));
    expect(due(after, 45)).toBe(iso('2027-02-15T17:30:00')); // Feb 5 works, Feb 11–12 off
    expect(due(before, 60)).toBe(due(after, 60)); // …and the make-up Sat Feb 20 evens it out
    expect(computeDeadline({ kind: 'working-days', days: 45 }, at, after).provisional).toBe(false);
  });

  it('names the line of what it cannot read', () => {
    const bad = (text: string) => {
      try {
        parseHolidayIcs(text);
      } catch (e) {
        return e instanceof IcsError ? e.message : `not an IcsError: ${String(e)}`;
      }
      return 'accepted';
    };
    expect(bad('hello')).toBe('line 1: not a content line (NAME:value): hello');
    expect(bad('BEGIN:VEVENT\n')).toMatch(/^line 1: an .ics file starts with BEGIN:VCALENDAR/);
    const event = (lines: string) => `BEGIN:VCALENDAR\nBEGIN:VEVENT\n${lines}\nEND:VEVENT\nEND:VCALENDAR\n`;
    expect(bad(event('DTSTART;VALUE=DATE:20270230\nSUMMARY:春节(休)'))).toBe(
      'line 3: DTSTART is not a date (YYYYMMDD): 20270230',
    );
    expect(bad(event('DTSTART;VALUE=DATE:20271301'))).toBe(
      'line 3: DTSTART is not a date (YYYYMMDD): 20271301',
    );
    expect(bad(event('DTSTART;VALUE=DATE:20270206\nDTEND;VALUE=DATE:20270205\nSUMMARY:春节(休)'))).toBe(
      'line 4: DTEND 2027-02-05 is not after DTSTART 2027-02-06',
    );
    expect(bad(event('DTSTART;VALUE=DATE:20270206\nSUMMARY:春节'))).toMatch(/^line 4: cannot tell a holiday/);
    expect(bad('BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270206\n')).toMatch(
      /^line 2: VEVENT is not closed/,
    );
    expect(() => amendmentsFromIcs(madeUp2027, [2028])).toThrow(/no Spring Festival for 2028/);
  });
});
