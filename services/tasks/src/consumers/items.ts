import { TOPICS } from '@duban/events';
import { RejectedEvent } from '@duban/bus';
import type { EventHandler } from '@duban/bus';
import type { TasksDeps } from '../deps';
import { EventMismatch, evolve, expectedSource, isItemEvent, recipientOf } from '../domain/item';
import { itemRepository } from '../repositories/items';

/**
 * Keeps each hosted node's copy of an item in step with the other party: the assignee's ledger
 * gets the item when it is assigned and closed; the assigner's when it is acknowledged and reported.
 */
export function itemsConsumer(deps: TasksDeps): EventHandler {
  return {
    name: 'tasks',
    topics: [TOPICS.tasks],
    accepts: (event) => isItemEvent(event) && deps.hosted.has(recipientOf(event)),
    async handle(event, tx) {
      if (!isItemEvent(event)) return;
      if (event.source !== expectedSource(event)) {
        throw new RejectedEvent(
          'event.unauthorised',
          `${event.type} must come from ${expectedSource(event)}, not ${event.source}`,
        );
      }
      if (event.subject !== event.data.itemId) {
        throw new RejectedEvent('event.subject_mismatch', `subject ${event.subject} is not item ${event.data.itemId}`);
      }
      const nodeId = recipientOf(event);
      const state = await itemRepository.find(tx, nodeId, event.subject);
      let next;
      try {
        next = evolve(state, event);
      } catch (error) {
        if (error instanceof EventMismatch) throw new RejectedEvent('event.does_not_apply', error.message);
        throw error;
      }
      await itemRepository.save(tx, nodeId, state, next, new Date(event.time));
      await itemRepository.recordEvents(tx, nodeId, [event]);
    },
  };
}
