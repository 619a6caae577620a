import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CalendarDate, addDays, assertCalendarDate, epochDay, isWeekend, yearOf } from './dates';
import { chineseDaysLayer } from './chineseDays';
import { PROVISIONAL_YEARS, STATUTORY_RULES_FROM, statutoryHolidays } from './provisional';

export const DayKind = z.enum(['workday', 'holiday']);
export type DayKind = z.infer<typeof DayKind>;

/** Who published an amendment. Only the State Council's notice may declare a year covered. */
export const AmendmentSource = z.enum(['state-council', 'province', 'city', 'county', 'correction']);
export type AmendmentSource = z.infer<typeof AmendmentSource>;

export const AmendmentDay = z.strictObject({
  date: CalendarDate,
  /** 'holiday': a day off (even if a weekday); 'workday': a working day (even if a weekend: 调休上班). */
  kind: DayKind,
  name: z.string().min(1).max(100).optional(),
});
export type AmendmentDay = z.infer<typeof AmendmentDay>;

/**
 * A calendar an admin adds or corrects through the API: the next year's State Council notice
 * (published late in the year), a county's local days, or a correction. Amendments are applied in
 * order, later ones winning day by day; they are append-only (a correction is a new amendment).
 */
export const CalendarAmendment = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$/),
    name: z.string().min(1).max(200),
    source: AmendmentSource,
    /** The year whose official calendar this amendment completes: its unlisted days are plain Mon–Fri. */
    coversYear: z.int().min(2000).max(2200).optional(),
    days: z.array(AmendmentDay).max(2000),
  })
  .superRefine((a, ctx) => {
    const seen = new Set<string>();
    for (const [i, day] of a.days.entries()) {
      if (seen.has(day.date))
        ctx.addIssue({ code: 'custom', path: ['days', i, 'date'], message: `duplicate date ${day.date}` });
      seen.add(day.date);
    }
    if (a.coversYear !== undefined && a.source !== 'state-council') {
      ctx.addIssue({
        code: 'custom',
        path: ['coversYear'],
        message: "only a 'state-council' amendment can declare a year covered",
      });
    }
  });
export type CalendarAmendment = z.infer<typeof CalendarAmendment>;
export type CalendarAmendmentInput = z.input<typeof CalendarAmendment>;

/** One layer of a calendar: the chinese-days base, an amendment, or a stored snapshot. */
export interface CalendarLayer {
  readonly id: string;
  readonly name: string;
  readonly source: AmendmentSource | 'snapshot';
  readonly coversYears: readonly number[];
  readonly days: readonly AmendmentDay[];
}

/**
 * The effective content of a calendar, serialisable (a snapshot the reminders service can store per
 * version): the covered years, the weekdays that are days off and the weekend days that are working
 * days. `version` is its hash. Names and layers are not part of it: they do not move deadlines.
 */
export const CalendarData = z.strictObject({
  version: z.string().regex(/^[0-9a-f]{16}$/),
  coveredYears: z.array(z.int()),
  holidays: z.array(CalendarDate),
  workdays: z.array(CalendarDate),
  /** Years without official data that have the statutory provisional calendar (ADR 0026). */
  provisionalYears: z.array(z.int()).optional(),
  /** Which of `holidays` the provisional layer gave (the rest are listed by the layers). */
  provisionalHolidays: z.array(CalendarDate).optional(),
});
export type CalendarData = z.infer<typeof CalendarData>;

export type UncoveredPolicy = 'throw' | 'weekdays';
export interface CalendarOptions {
  /**
   * What to do with a date in a year with neither official data nor a provisional calendar (more
   * than PROVISIONAL_YEARS past the last official year). 'throw' (default): throw
   * CalendarNotCovered. 'weekdays': treat its unlisted days as plain Mon–Fri.
   */
  uncovered?: UncoveredPolicy;
}

/**
 * Asked about a date in a year without official data and past the provisional horizon (and without
 * `uncovered: 'weekdays'`).
 */
export class CalendarNotCovered extends Error {
  override readonly name = 'CalendarNotCovered';
  readonly code = 'CALENDAR_NOT_COVERED';
  readonly year: number;
  constructor(
    readonly date: CalendarDate,
    readonly calendarVersion: string,
    readonly coveredYears: readonly number[],
  ) {
    const year = yearOf(date);
    const last = coveredYears.at(-1);
    super(
      `the working-day calendar ${calendarVersion} has no data for ${year} (asked about ${date}; official ` +
        `through ${last ?? 'none'}, provisional ${PROVISIONAL_YEARS} years beyond): add the year's calendar as an ` +
        `amendment with coversYear ${year}`,
    );
    this.year = year;
  }
}

/** A snapshot whose content does not hash to the version it claims. */
export class CalendarVersionMismatch extends Error {
  override readonly name = 'CalendarVersionMismatch';
  constructor(
    readonly claimed: string,
    readonly actual: string,
  ) {
    super(`calendar snapshot claims version ${claimed} but its content hashes to ${actual}`);
  }
}

export interface DayInfo {
  date: CalendarDate;
  working: boolean;
  /**
   * 'weekday' / 'weekend': nothing special; 'holiday': a listed day off; 'make-up-workday': a weekend
   * day listed as a working day (调休上班); 'workday': a weekday listed as a working day.
   */
  reason: 'weekday' | 'weekend' | 'holiday' | 'make-up-workday' | 'workday';
  name?: string;
  /** The layer that decided the day (when listed). */
  layerId?: string;
  /** False when the year has no official data. */
  covered: boolean;
  /** True when the year has only the provisional calendar computed from the statutory rules. */
  provisional: boolean;
}

interface Entry {
  kind: DayKind;
  name: string | undefined;
  layerId: string;
}

/** The layer id of the days the statutory rules give a year without official data. */
export const PROVISIONAL_LAYER_ID = 'provisional:statutory-rules-2024';

/** What a stored snapshot says the provisional layer was (kept as stored: versions are reproducible). */
interface ProvisionalPart {
  years: readonly number[];
  holidays: readonly CalendarDate[];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Format 1 of the hashed content; bump if the meaning of the data ever changes. */
function hashContent(
  coveredYears: readonly number[],
  holidays: readonly string[],
  workdays: readonly string[],
  provisionalYears: readonly number[],
): string {
  // Format 2 only when there are provisional years, so a calendar without them keeps its format-1
  // version (stored snapshots and deadlines from before ADR 0026 still verify).
  const canonical =
    provisionalYears.length === 0
      ? JSON.stringify({ format: 1, coveredYears, holidays, workdays })
      : JSON.stringify({ format: 2, coveredYears, provisionalYears, holidays, workdays });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * A working-day calendar in China Standard Time, built from layers (the chinese-days base, then admin
 * amendments in order). Immutable: amending returns a new calendar with a new `version`, a hash of the
 * effective content, so equal content always has an equal version and a stored version identifies
 * exactly the days a deadline was computed with.
 */
export class WorkingCalendar {
  readonly version: string;
  /** Years with official data, ascending. */
  readonly coveredYears: readonly number[];
  /**
   * Years after the last official one whose days come from the statutory rules (ADR 0026): the
   * PROVISIONAL_YEARS years after it, unless a layer covers them.
   */
  readonly provisionalYears: readonly number[];
  readonly layers: readonly Omit<CalendarLayer, 'days'>[];
  private readonly covered: ReadonlySet<number>;
  private readonly provisional: ReadonlySet<number>;
  private readonly provisionalHolidays: readonly CalendarDate[];
  private readonly entries: ReadonlyMap<string, Entry>;
  private readonly offWeekdays: ReadonlySet<string>;
  private readonly workingWeekends: ReadonlySet<string>;
  private readonly allLayers: readonly CalendarLayer[];

  private constructor(layers: readonly CalendarLayer[], stored?: ProvisionalPart) {
    const ids = new Set<string>();
    const covered = new Set<number>();
    const entries = new Map<string, Entry>();
    for (const layer of layers) {
      if (ids.has(layer.id)) throw new Error(`calendar layer ${layer.id} applied twice`);
      ids.add(layer.id);
      for (const year of layer.coversYears) covered.add(year);
      for (const day of layer.days)
        entries.set(day.date, { kind: day.kind, name: day.name, layerId: layer.id });
    }
    // The provisional layer goes under every listed day: a county's own day in such a year stands.
    const provisional = new Set<number>();
    const provisionalHolidays: CalendarDate[] = [];
    if (stored) {
      for (const year of stored.years) provisional.add(year);
      for (const date of stored.holidays) {
        entries.set(date, { kind: 'holiday', name: '法定节假日（暂定）', layerId: PROVISIONAL_LAYER_ID });
        provisionalHolidays.push(date);
      }
    } else if (covered.size > 0) {
      const last = Math.max(...covered);
      for (let year = last + 1; year <= last + PROVISIONAL_YEARS; year++) {
        if (year < STATUTORY_RULES_FROM || year > 2099) continue;
        provisional.add(year);
        for (const day of statutoryHolidays(year)) {
          if (entries.has(day.date)) continue;
          const name = day.kind === 'in-lieu' ? `${day.holiday}补假（暂定）` : `${day.holiday}（暂定）`;
          entries.set(day.date, { kind: 'holiday', name, layerId: PROVISIONAL_LAYER_ID });
          if (!isWeekend(day.date)) provisionalHolidays.push(day.date);
        }
      }
    }
    const offWeekdays = new Set<string>();
    const workingWeekends = new Set<string>();
    for (const [date, entry] of entries) {
      if (entry.kind === 'holiday' && !isWeekend(date)) offWeekdays.add(date);
      if (entry.kind === 'workday' && isWeekend(date)) workingWeekends.add(date);
    }
    this.allLayers = layers;
    this.layers = layers.map(({ id, name, source, coversYears }) => ({ id, name, source, coversYears }));
    this.covered = covered;
    this.coveredYears = [...covered].sort((a, b) => a - b);
    this.provisional = provisional;
    this.provisionalYears = [...provisional].sort((a, b) => a - b);
    this.provisionalHolidays = provisionalHolidays.sort(compare);
    this.entries = entries;
    this.offWeekdays = offWeekdays;
    this.workingWeekends = workingWeekends;
    this.version = hashContent(
      this.coveredYears,
      [...offWeekdays].sort(compare),
      [...workingWeekends].sort(compare),
      this.provisionalYears,
    );
  }

  /** The official calendar: chinese-days' data, then the given amendments in order. */
  static official(amendments: readonly CalendarAmendmentInput[] = []): WorkingCalendar {
    return WorkingCalendar.fromLayers([chineseDaysLayer(), ...amendments.map(amendmentLayer)]);
  }

  static fromLayers(layers: readonly CalendarLayer[]): WorkingCalendar {
    return new WorkingCalendar(layers);
  }

  /** Rebuilds a calendar from a stored snapshot, checking that it hashes to its version. */
  static fromData(input: CalendarData): WorkingCalendar {
    const data = CalendarData.parse(input);
    const provisionalHolidays = new Set(data.provisionalHolidays ?? []);
    const calendar = new WorkingCalendar(
      [
        {
          id: `snapshot:${data.version}`,
          name: `snapshot ${data.version}`,
          source: 'snapshot',
          coversYears: data.coveredYears,
          days: [
            ...data.holidays
              .filter((date) => !provisionalHolidays.has(date))
              .map((date) => ({ date, kind: 'holiday' as const })),
            ...data.workdays.map((date) => ({ date, kind: 'workday' as const })),
          ],
        },
      ],
      { years: data.provisionalYears ?? [], holidays: [...provisionalHolidays] },
    );
    if (calendar.version !== data.version) throw new CalendarVersionMismatch(data.version, calendar.version);
    return calendar;
  }

  /**
   * A new calendar with the amendment applied on top (this one is unchanged). Its provisional layer
   * is computed afresh: a year the amendment covers loses it.
   */
  amend(amendment: CalendarAmendmentInput): WorkingCalendar {
    return new WorkingCalendar([...this.allLayers, amendmentLayer(amendment)]);
  }

  /** The effective content, to store next to the version. */
  toData(): CalendarData {
    const data: CalendarData = {
      version: this.version,
      coveredYears: [...this.coveredYears],
      holidays: [...this.offWeekdays].sort(compare),
      workdays: [...this.workingWeekends].sort(compare),
    };
    if (this.provisionalYears.length > 0) {
      data.provisionalYears = [...this.provisionalYears];
      data.provisionalHolidays = [...this.provisionalHolidays];
    }
    return data;
  }

  /** Is the year's calendar only the provisional one computed from the statutory rules? */
  isProvisional(dateOrYear: CalendarDate | number): boolean {
    const year = typeof dateOrYear === 'number' ? dateOrYear : yearOf(dateOrYear);
    return this.provisional.has(year);
  }

  /** Does the calendar know the year at all (officially or provisionally)? */
  private knows(year: number): boolean {
    return this.covered.has(year) || this.provisional.has(year);
  }

  /** The last year with official data (undefined if none). */
  get coveredThrough(): number | undefined {
    return this.coveredYears.at(-1);
  }

  isCovered(dateOrYear: CalendarDate | number): boolean {
    const year = typeof dateOrYear === 'number' ? dateOrYear : yearOf(dateOrYear);
    return this.covered.has(year);
  }

  dayInfo(date: CalendarDate, options?: CalendarOptions): DayInfo {
    assertCalendarDate(date);
    const covered = this.covered.has(yearOf(date));
    const provisional = this.provisional.has(yearOf(date));
    if (!covered && !provisional && (options?.uncovered ?? 'throw') === 'throw') {
      throw new CalendarNotCovered(date, this.version, this.coveredYears);
    }
    const weekend = isWeekend(date);
    const entry = this.entries.get(date);
    if (!entry)
      return { date, working: !weekend, reason: weekend ? 'weekend' : 'weekday', covered, provisional };
    const info: DayInfo = {
      date,
      working: entry.kind === 'workday',
      reason: entry.kind === 'holiday' ? 'holiday' : weekend ? 'make-up-workday' : 'workday',
      layerId: entry.layerId,
      covered,
      provisional,
    };
    if (entry.name !== undefined) info.name = entry.name;
    return info;
  }

  isWorkingDay(date: CalendarDate, options?: CalendarOptions): boolean {
    assertCalendarDate(date);
    if (!this.knows(yearOf(date)) && (options?.uncovered ?? 'throw') === 'throw') {
      throw new CalendarNotCovered(date, this.version, this.coveredYears);
    }
    if (isWeekend(date)) return this.workingWeekends.has(date);
    return !this.offWeekdays.has(date);
  }

  /**
   * The n-th working day after `date` (n > 0) or before it (n < 0); `date` itself never counts, so
   * the result is always a working day when n ≠ 0. n = 0 returns `date` unchanged.
   */
  addWorkingDays(date: CalendarDate, n: number, options?: CalendarOptions): CalendarDate {
    assertCalendarDate(date);
    if (!Number.isSafeInteger(n)) throw new RangeError(`working days must be an integer, got ${n}`);
    const step = n < 0 ? -1 : 1;
    let left = Math.abs(n);
    let day = date;
    while (left > 0) {
      day = addDays(day, step);
      if (this.isWorkingDay(day, options)) left--;
    }
    return day;
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: CalendarDate, options?: CalendarOptions): CalendarDate {
    return this.addWorkingDays(date, 1, options);
  }

  /** The last working day strictly before `date`. */
  previousWorkingDay(date: CalendarDate, options?: CalendarOptions): CalendarDate {
    return this.addWorkingDays(date, -1, options);
  }

  /**
   * The number of working days in (from, to]: after `from`, up to and including `to`; negative
   * (minus the count in (to, from]) when `to` is before `from`, so it is antisymmetric. It inverts
   * addWorkingDays: workingDaysBetween(d, addWorkingDays(d, n)) === n for n ≥ 0, and for n < 0 when
   * d is a working day. For a deadline on day D seen on day T, workingDaysBetween(T, D) is the working
   * days left after today (0: due today; < 0: overdue by that many working days up to today).
   */
  workingDaysBetween(from: CalendarDate, to: CalendarDate, options?: CalendarOptions): number {
    assertCalendarDate(from);
    assertCalendarDate(to);
    if (from === to) return 0;
    const [lo, hi, sign] = from < to ? [from, to, 1] : [to, from, -1];
    // Counted, not walked: Mon–Fri in (lo, hi], minus listed weekdays off, plus listed working weekends.
    const first = addDays(lo, 1);
    if ((options?.uncovered ?? 'throw') === 'throw') {
      for (let year = yearOf(first); year <= yearOf(hi); year++) {
        if (!this.knows(year)) {
          const date = year === yearOf(first) ? first : `${String(year).padStart(4, '0')}-01-01`;
          throw new CalendarNotCovered(date, this.version, this.coveredYears);
        }
      }
    }
    let count = weekdaysIn(epochDay(first), epochDay(hi));
    for (const date of this.offWeekdays) if (date > lo && date <= hi) count--;
    for (const date of this.workingWeekends) if (date > lo && date <= hi) count++;
    return count === 0 ? 0 : sign * count;
  }
}

/** Mon–Fri days in [first, last] (epoch days). */
function weekdaysIn(first: number, last: number): number {
  const length = last - first + 1;
  let count = Math.floor(length / 7) * 5;
  for (let day = first + length - (length % 7); day <= last; day++) {
    const dow = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    if (dow >= 1 && dow <= 5) count++;
  }
  return count;
}

function amendmentLayer(input: CalendarAmendmentInput): CalendarLayer {
  const a = CalendarAmendment.parse(input);
  return {
    id: a.id,
    name: a.name,
    source: a.source,
    coversYears: a.coversYear === undefined ? [] : [a.coversYear],
    days: a.days,
  };
}
