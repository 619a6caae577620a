import { RejectedEvent } from '@duban/bus';
import type { EventHandler } from '@duban/bus';
import { TOPICS } from '@duban/events';
import type { RemindersDeps } from '../deps';
import { calendarRepository } from '../repositories/calendar';

/** Every node applies the county's calendar amendments, in the order the log delivers them. */
export function calendarConsumer(deps: RemindersDeps): EventHandler {
  return {
    name: 'calendar',
    topics: [TOPICS.reminders],
    accepts: (event) => event.type === 'reminders.calendar.amended' && !deps.hosted.has(event.source),
    async handle(event, tx) {
      if (event.type !== 'reminders.calendar.amended') return;
      if (deps.org.find(event.source)?.kind !== 'county-office') {
        throw new RejectedEvent(
          'event.unauthorised',
          `${event.source} may not amend the working-day calendar`,
        );
      }
      const d = event.data;
      const { calendar } = await calendarRepository.record(
        tx,
        {
          id: d.amendmentId,
          name: d.name,
          source: d.source,
          ...(d.coversYear ? { coversYear: d.coversYear } : {}),
          days: d.days,
        },
        new Date(event.time),
      );
      if (calendar.version !== d.version) {
        // Same amendments, different result: the nodes' base calendars differ (a chinese-days version
        // mismatch). Keep it applied but make it visible.
        deps.logger.error(
          { amendment: d.amendmentId, here: calendar.version, there: d.version },
          'calendar versions diverge between nodes',
        );
      }
    },
  };
}
