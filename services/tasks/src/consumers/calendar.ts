import type { EventHandler } from '@duban/bus';
import { CalendarAmendment } from '@duban/calendar';
import type { WorkingCalendar } from '@duban/calendar';
import { TOPICS } from '@duban/events';
import type { TasksDeps } from '../deps';
import { replanProvisionalDeadlines } from '../commands';

/**
 * When the county's calendar amendment arrives (on every node, the county's own included), the
 * assigning nodes re-plan the provisional deadlines it settles (ADR 0026).
 */
export function calendarReplanConsumer(deps: TasksDeps): EventHandler {
  return {
    name: 'tasks-calendar',
    topics: [TOPICS.reminders],
    accepts: (event) => event.type === 'reminders.calendar.amended',
    async handle(event, tx) {
      if (event.type !== 'reminders.calendar.amended') return;
      const d = event.data;
      // The reminders consumer stores the amendment in its own transaction, which may not have
      // committed yet: apply it here when the book does not have it, with the same result.
      let calendar: WorkingCalendar = await deps.calendars.refresh();
      if (!calendar.layers.some((layer) => layer.id === d.amendmentId)) {
        calendar = calendar.amend(
          CalendarAmendment.parse({
            id: d.amendmentId,
            name: d.name,
            source: d.source,
            ...(d.coversYear ? { coversYear: d.coversYear } : {}),
            days: d.days,
          }),
        );
      }
      await replanProvisionalDeadlines(deps, calendar, tx);
    },
  };
}
