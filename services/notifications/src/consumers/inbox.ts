import { TOPICS, uuidv7 } from '@duban/events';
import type { EventHandler } from '@duban/bus';
import type { NotificationsDeps } from '../deps';
import { render } from '../domain/templates';

/** Puts every event addressed to a hosted node into that node's inbox, once. */
export function inboxConsumer(deps: NotificationsDeps): EventHandler {
  const nameOf = (id: string) => deps.org.find(id)?.name ?? id;
  return {
    name: 'notifications',
    topics: [TOPICS.tasks, TOPICS.reminders, TOPICS.scoring],
    accepts: (event) => event.to.some((id) => deps.hosted.has(id)),
    async handle(event, tx) {
      const { title, body } = render(event, nameOf);
      const createdAt = deps.clock.now();
      await tx.inboxMessage.createMany({
        data: event.to
          .filter((id) => deps.hosted.has(id))
          .map((nodeId) => ({
            id: uuidv7(createdAt.getTime()),
            nodeId,
            eventId: event.id,
            type: event.type,
            subject: event.subject,
            title,
            body,
            createdAt,
          })),
        skipDuplicates: true,
      });
    },
  };
}
