import { CalendarAmendment, WorkingCalendar } from '@duban/calendar';
import type { CalendarAmendmentInput } from '@duban/calendar';
import type { Prisma, TransactionClient } from '@duban/db';

export const calendarRepository = {
  /**
   * Stores an amendment in the caller's transaction, on top of the last stored one (idempotent by
   * amendment id), with the calendar it leads to as a snapshot. Processes pick it up on refresh.
   */
  async record(
    tx: TransactionClient,
    input: CalendarAmendmentInput,
    at: Date,
  ): Promise<{ calendar: WorkingCalendar; stored: boolean }> {
    const amendment = CalendarAmendment.parse(input);
    // One writer at a time, so amendments apply in one order on this node.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('duban.calendar'))`;
    const existing = await tx.calendarAmendment.findUnique({ where: { amendmentId: amendment.id } });
    if (existing) return { calendar: WorkingCalendar.fromData(existing.snapshot as never), stored: false };
    // On today's base, not the last snapshot's: after a chinese-days upgrade the snapshot lacks the
    // new years, and its provisional days are recomputed anyway (ADR 0026).
    const stored = await tx.calendarAmendment.findMany({ orderBy: { seq: 'asc' } });
    const calendar = WorkingCalendar.official([
      ...stored.map((row) => CalendarAmendment.parse(row.amendment)),
      amendment,
    ]);
    await tx.calendarAmendment.create({
      data: {
        amendmentId: amendment.id,
        amendment: amendment as unknown as Prisma.InputJsonValue,
        version: calendar.version,
        snapshot: calendar.toData() as unknown as Prisma.InputJsonValue,
        addedAt: at,
      },
    });
    return { calendar, stored: true };
  },

  async list(tx: TransactionClient) {
    const rows = await tx.calendarAmendment.findMany({ orderBy: { seq: 'asc' } });
    return rows.map((r) => ({
      seq: r.seq,
      version: r.version,
      addedAt: r.addedAt.toISOString(),
      amendment: r.amendment,
    }));
  },
};
