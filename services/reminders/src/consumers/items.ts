import { TOPICS } from '@duban/events';
import type { EventHandler } from '@duban/bus';
import type { RemindersDeps } from '../deps';
import { planTimers } from '../domain/ladder';
import { timerRepository } from '../repositories/timers';

/** Arms the ladder when a hosted node assigns an item; a report or closure disarms it. */
export function remindersConsumer(deps: RemindersDeps): EventHandler {
  return {
    name: 'reminders',
    topics: [TOPICS.tasks],
    accepts: (event) =>
      (event.type === 'tasks.item.assigned' ||
        event.type === 'tasks.item.reported' ||
        event.type === 'tasks.item.closed') &&
      deps.hosted.has(event.data.assigner),
    async handle(event, tx) {
      switch (event.type) {
        case 'tasks.item.assigned': {
          // Only the assigner's own word arms timers on its behalf.
          if (event.source !== event.data.assigner) return;
          const deadline = new Date(event.data.deadline);
          await timerRepository.track(
            tx,
            event.data.assigner,
            {
              itemId: event.data.itemId,
              assigner: event.data.assigner,
              assignee: event.data.assignee,
              deadline,
              status: 'open',
            },
            planTimers(deadline, deps.policy),
            new Date(event.time),
          );
          return;
        }
        case 'tasks.item.reported':
          if (event.source !== event.data.assignee) return;
          await timerRepository.settle(tx, event.data.assigner, event.data.itemId, 'reported');
          return;
        case 'tasks.item.closed':
          if (event.source !== event.data.assigner) return;
          await timerRepository.settle(tx, event.data.assigner, event.data.itemId, 'closed');
          return;
        default:
          return;
      }
    },
  };
}
