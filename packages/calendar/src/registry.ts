import { WorkingCalendar, type CalendarAmendmentInput } from './calendar';

export class UnknownCalendarVersion extends Error {
  override readonly name = 'UnknownCalendarVersion';
  constructor(readonly version: string) {
    super(`unknown working-day calendar version ${version}`);
  }
}

/**
 * Every calendar version seen, so a deadline computed with version v can be recomputed with exactly
 * that calendar after newer amendments. In memory only: the reminders service persists the amendments
 * (append-only, in order) and/or each version's `toData()` snapshot, and rebuilds the registry at
 * start by replaying `amend` and `register(WorkingCalendar.fromData(…))`.
 */
export class CalendarRegistry {
  private readonly byVersion = new Map<string, WorkingCalendar>();
  private latest: WorkingCalendar;

  constructor(initial: WorkingCalendar = WorkingCalendar.official()) {
    this.latest = initial;
    this.byVersion.set(initial.version, initial);
  }

  /** The calendar new deadlines are computed with. */
  get current(): WorkingCalendar {
    return this.latest;
  }

  /** Applies an amendment to the current calendar; the result becomes current. Older versions stay. */
  amend(amendment: CalendarAmendmentInput): WorkingCalendar {
    const next = this.latest.amend(amendment);
    this.latest = this.register(next);
    return this.latest;
  }

  /**
   * Adds a calendar (e.g. a stored snapshot) without making it current. Returns the registered
   * calendar: the one already held when the version is known (equal versions compute equally).
   */
  register(calendar: WorkingCalendar): WorkingCalendar {
    const known = this.byVersion.get(calendar.version);
    if (known) return known;
    this.byVersion.set(calendar.version, calendar);
    return calendar;
  }

  has(version: string): boolean {
    return this.byVersion.has(version);
  }

  find(version: string): WorkingCalendar | undefined {
    return this.byVersion.get(version);
  }

  get(version: string): WorkingCalendar {
    const calendar = this.byVersion.get(version);
    if (!calendar) throw new UnknownCalendarVersion(version);
    return calendar;
  }

  /** Versions in the order they were first seen. */
  versions(): string[] {
    return [...this.byVersion.keys()];
  }
}

/** Where a service gets its calendars from (the process keeps them; see @duban/runtime CalendarBook). */
export interface CalendarSource {
  /** The calendar new deadlines use. */
  current(): WorkingCalendar;
  /** The exact calendar of a stored version. */
  get(version: string): WorkingCalendar;
  /** Picks up amendments stored since the last look; returns the current calendar. */
  refresh(): Promise<WorkingCalendar>;
}
