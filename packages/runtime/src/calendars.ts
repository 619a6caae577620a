import type { PrismaClient } from '@duban/db';
import { CalendarAmendment, CalendarRegistry, WorkingCalendar } from '@duban/calendar';
import type { CalendarSource } from '@duban/calendar';

/**
 * The working-day calendars of a process: the official base (chinese-days) plus the amendments stored
 * in the node's database (written by the reminders service), in order, and every version seen so a
 * stored deadline can be recomputed with the calendar it was computed with. Shared by the services of
 * a process like the org tree.
 */
export class CalendarBook implements CalendarSource {
  private registry = new CalendarRegistry();
  private seenSeq = 0;

  private constructor(private readonly prisma: PrismaClient) {}

  static async load(prisma: PrismaClient): Promise<CalendarBook> {
    const book = new CalendarBook(prisma);
    await book.refresh();
    return book;
  }

  /** The calendar new deadlines use. */
  current(): WorkingCalendar {
    return this.registry.current;
  }

  /** The exact calendar of a stored version. */
  get(version: string): WorkingCalendar {
    return this.registry.get(version);
  }

  /**
   * Picks up amendments stored since the last look (another process of the node may have added one).
   * Cheap when there are none: one indexed query.
   */
  async refresh(): Promise<WorkingCalendar> {
    const rows = await this.prisma.calendarAmendment.findMany({
      where: { seq: { gt: this.seenSeq } },
      orderBy: { seq: 'asc' },
    });
    for (const row of rows) {
      this.registry.register(WorkingCalendar.fromData(row.snapshot as never));
      // A base calendar that changed under stored amendments (a newer chinese-days, or the provisional
      // layer of ADR 0026) gives new versions: the stored snapshot stays the truth for deadlines
      // computed with it, and the replay is current. The tasks service then re-plans the
      // provisional deadlines the new base settles.
      this.registry.amend(CalendarAmendment.parse(row.amendment));
      this.seenSeq = row.seq;
    }
    return this.registry.current;
  }
}
