import { CalendarDate, addDays, epochDay, yearOf } from './dates';
import type { AmendmentDay, CalendarAmendment } from './calendar';
import { createHash } from 'node:crypto';

/** An .ics file that cannot be read as a holiday calendar; `line` is 1-based. */
export class IcsError extends Error {
  override readonly name = 'IcsError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

interface Line {
  no: number;
  name: string;
  params: string;
  value: string;
}

/** RFC 5545 §3.1: a line starting with a space or tab continues the previous one. */
function unfold(text: string): Line[] {
  const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const lines: Array<{ no: number; text: string }> = [];
  for (const [i, line] of raw.entries()) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && lines.length > 0) {
      lines[lines.length - 1]!.text += line.slice(1);
    } else if (line.trim() !== '') {
      lines.push({ no: i + 1, text: line });
    }
  }
  return lines.map(({ no, text }) => {
    const colon = text.indexOf(':');
    if (colon <= 0) throw new IcsError(no, `not a content line (NAME:value): ${text.slice(0, 60)}`);
    const head = text.slice(0, colon);
    const semi = head.indexOf(';');
    return {
      no,
      name: (semi < 0 ? head : head.slice(0, semi)).toUpperCase(),
      params: semi < 0 ? '' : head.slice(semi + 1).toUpperCase(),
      value: text.slice(colon + 1).trim(),
    };
  });
}

function icsDate(line: Line): CalendarDate {
  // All-day events (VALUE=DATE) as chinese-days writes them; a date-time's date part is its day in
  // the calendar's own zone (Asia/Shanghai for these files).
  const m = /^(\d{4})(\d{2})(\d{2})(T\d{6}Z?)?$/.exec(line.value);
  const date = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
  if (!m || !CalendarDate.safeParse(date).success) {
    throw new IcsError(line.no, `${line.name} is not a date (YYYYMMDD): ${line.value}`);
  }
  return date;
}

/** One holiday or make-up working day block of the file. */
export interface IcsDayBlock {
  line: number;
  name: string;
  kind: AmendmentDay['kind'];
  days: CalendarDate[];
}

/**
 * Reads the VEVENTs of a holiday calendar as chinese-days publishes it (holidays.ics): all-day events,
 * DTEND exclusive, the kind from X-APPLE-SPECIAL-DAY (WORK-HOLIDAY / ALTERNATE-WORKDAY), else from the
 * SUMMARY's “(休)” / “(班)”, else from a DESCRIPTION of 休 / 班. Anything else is an IcsError naming
 * the line.
 */
export function parseHolidayIcs(text: string): IcsDayBlock[] {
  const lines = unfold(text);
  if (lines[0]?.name !== 'BEGIN' || lines[0].value.toUpperCase() !== 'VCALENDAR') {
    throw new IcsError(lines[0]?.no ?? 1, 'an .ics file starts with BEGIN:VCALENDAR');
  }
  const blocks: IcsDayBlock[] = [];
  let event: { start: Line; props: Map<string, Line> } | null = null;
  let begin = 0;
  for (const line of lines) {
    if (line.name === 'BEGIN' && line.value.toUpperCase() === 'VEVENT') {
      if (event) throw new IcsError(line.no, 'BEGIN:VEVENT inside a VEVENT');
      event = { start: line, props: new Map() };
      begin = line.no;
      continue;
    }
    if (line.name === 'END' && line.value.toUpperCase() === 'VEVENT') {
      if (!event) throw new IcsError(line.no, 'END:VEVENT without BEGIN:VEVENT');
      blocks.push(readEvent(begin, event.props));
      event = null;
      continue;
    }
    if (event && !event.props.has(line.name)) event.props.set(line.name, line);
  }
  if (event) throw new IcsError(begin, 'VEVENT is not closed (END:VEVENT missing)');
  if (blocks.length === 0) throw new IcsError(lines.at(-1)?.no ?? 1, 'no VEVENT in the file');
  return blocks;
}

function readEvent(begin: number, props: Map<string, Line>): IcsDayBlock {
  const start = props.get('DTSTART');
  if (!start) throw new IcsError(begin, 'VEVENT without DTSTART');
  const first = icsDate(start);
  const endLine = props.get('DTEND');
  const end = endLine ? icsDate(endLine) : addDays(first, 1);
  if (end <= first) throw new IcsError(endLine!.no, `DTEND ${end} is not after DTSTART ${first}`);
  const length = epochDay(end) - epochDay(first);
  if (length > 60) throw new IcsError(endLine!.no, `a holiday block of ${length} days is not credible`);
  const summary = props.get('SUMMARY');
  const special = props.get('X-APPLE-SPECIAL-DAY')?.value.toUpperCase();
  const description = props.get('DESCRIPTION')?.value;
  let kind: AmendmentDay['kind'] | undefined;
  if (special === 'WORK-HOLIDAY') kind = 'holiday';
  else if (special === 'ALTERNATE-WORKDAY') kind = 'workday';
  else if (summary && /[(（]休[)）]/.test(summary.value)) kind = 'holiday';
  else if (summary && /[(（]班[)）]/.test(summary.value)) kind = 'workday';
  else if (description === '休') kind = 'holiday';
  else if (description === '班') kind = 'workday';
  if (!kind) {
    throw new IcsError(
      summary?.no ?? begin,
      'cannot tell a holiday from a make-up working day (X-APPLE-SPECIAL-DAY, “(休)”/“(班)” in SUMMARY)',
    );
  }
  const name =
    (summary?.value ?? '').replace(/[(（][休班][)）]/g, '').trim() ||
    (kind === 'holiday' ? '节假日' : '调休上班');
  const days: CalendarDate[] = [];
  for (let day = first; day < end; day = addDays(day, 1)) days.push(day);
  return { line: begin, name: name.slice(0, 80), kind, days };
}

/**
 * The State Council amendments an .ics file gives: one per year whose Spring Festival it has (that is
 * what makes a year's notice complete), with every day of that year, a make-up working day named
 * “…调休上班”. `only` restricts to the given years. Ids are content hashes, so importing the same file
 * twice adds nothing.
 */
export function amendmentsFromIcs(text: string, only?: readonly number[]): CalendarAmendment[] {
  const blocks = parseHolidayIcs(text);
  const byYear = new Map<number, Map<CalendarDate, AmendmentDay & { line: number }>>();
  const years = new Set<number>();
  for (const block of blocks) {
    for (const date of block.days) {
      const year = yearOf(date);
      if (block.kind === 'holiday' && block.name.includes('春节')) years.add(year);
      const days = byYear.get(year) ?? new Map();
      byYear.set(year, days);
      const earlier = days.get(date);
      if (earlier && earlier.kind !== block.kind) {
        throw new IcsError(
          block.line,
          `${date} is both a holiday and a working day (see line ${earlier.line})`,
        );
      }
      days.set(date, {
        date,
        kind: block.kind,
        name: block.kind === 'workday' ? `${block.name}调休上班` : block.name,
        line: block.line,
      });
    }
  }
  const chosen = [...years].filter((y) => !only || only.includes(y)).sort((a, b) => a - b);
  if (only) {
    const missing = only.filter((y) => !years.has(y));
    if (missing.length > 0) {
      throw new IcsError(
        1,
        `the file has no Spring Festival for ${missing.join(', ')}: not a year's full calendar`,
      );
    }
  }
  return chosen.map((year) => {
    const days = [...byYear.get(year)!.values()]
      .map(({ date, kind, name }) => ({ date, kind, name }))
      .sort((a, b) => (a.date < b.date ? -1 : 1));
    const hash = createHash('sha256').update(JSON.stringify(days)).digest('hex').slice(0, 12);
    return {
      id: `ics-${year}-${hash}`,
      name: `国务院办公厅${year}年部分节假日安排 (.ics)`,
      source: 'state-council' as const,
      coversYear: year,
      days,
    };
  });
}
