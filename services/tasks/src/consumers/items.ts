import { RejectedEvent } from '@duban/bus';
import type { EventHandler } from '@duban/bus';
import type { TransactionClient } from '@duban/db';
import { TOPICS } from '@duban/events';
import type { TasksDeps } from '../deps';
import { EventMismatch, evolve, expectedSource, isItemEvent } from '../domain/item';
import type { ItemEvent, ItemState, Relation } from '../domain/item';
import { itemRepository } from '../repositories/items';
import { yellowFromFor } from '../calendar';

/**
 * Keeps every hosted copy of an item in step with the party that acted: the other party's copy, the
 * co-units' copies, and the observer copies of the parties' ancestors (a node sees its subtree's
 * items). The copy of the node that emitted an event was written with it.
 */
export function itemsConsumer(deps: TasksDeps): EventHandler {
  const { org, hosted } = deps;

  /** Which hosted nodes keep a copy of a newly assigned item, and as what. */
  function newCopies(event: Extract<ItemEvent, { type: 'tasks.item.assigned' }>): Array<[string, Relation]> {
    const d = event.data;
    const copies = new Map<string, Relation>();
    if (d.assignee !== d.assigner) copies.set(d.assignee, 'assignee');
    for (const unit of event.version !== 1 ? event.data.coUnits : []) copies.set(unit, 'co-unit');
    for (const party of [d.assigner, d.assignee]) {
      for (const ancestor of org.find(party) ? org.ancestors(party) : []) {
        if (!copies.has(ancestor.id) && ancestor.id !== d.assigner) copies.set(ancestor.id, 'observer');
      }
    }
    copies.delete(event.source);
    return [...copies].filter(([node]) => hosted.has(node));
  }

  // Co-units are always below the assigner, and later events do not name them: a hosted node below
  // the assigner may hold a co-unit copy, so it looks (and finds no copy when it holds none).
  const hostedBelow = (node: string) =>
    org.has(node) && hosted.list().some((h) => h !== node && org.has(h) && org.isAncestor(node, h));

  function relevant(event: ItemEvent): boolean {
    const d = event.data;
    const parties = [
      d.assigner,
      d.assignee,
      ...(event.type === 'tasks.item.transferred' ? [event.data.to] : []),
    ];
    return (
      parties.some(
        (party) =>
          hosted.has(party) || (org.find(party) ? org.ancestors(party).some((a) => hosted.has(a.id)) : false),
      ) || hostedBelow(d.assigner)
    );
  }

  async function apply(
    tx: TransactionClient,
    nodeId: string,
    relation: Relation,
    state: ItemState | null,
    event: ItemEvent,
  ): Promise<void> {
    let next: ItemState;
    try {
      next = evolve(state, event);
    } catch (error) {
      if (error instanceof EventMismatch)
        throw new RejectedEvent('event.does_not_apply', `${nodeId}: ${error.message}`);
      throw error;
    }
    await itemRepository.save(
      tx,
      nodeId,
      relation,
      state,
      next,
      new Date(event.time),
      yellowFromFor(next, deps.calendars),
    );
    await itemRepository.recordEvents(tx, nodeId, [event]);
  }

  /**
   * 转交: the old assignee's copy stays as an observer copy (its history, no commands); the successor
   * takes the assignee copy (from the snapshot when it never saw the item); its ancestors that
   * follow nothing of the item yet get observer copies, as on assignment.
   */
  async function transfer(
    tx: TransactionClient,
    event: Extract<ItemEvent, { type: 'tasks.item.transferred' }>,
    copies: Awaited<ReturnType<typeof itemRepository.copiesAt>>,
  ): Promise<void> {
    const d = event.data;
    const held = new Set(copies.map((c) => c.nodeId));
    for (const copy of copies) {
      if (copy.nodeId === event.source) continue;
      const relation: Relation =
        copy.nodeId === d.to ? 'assignee' : copy.nodeId === d.assignee ? 'observer' : copy.relation;
      await apply(tx, copy.nodeId, relation, copy.state, event);
    }
    const fresh: Array<[string, Relation]> = [[d.to, 'assignee']];
    for (const ancestor of org.find(d.to) ? org.ancestors(d.to) : [])
      if (ancestor.id !== d.assigner) fresh.push([ancestor.id, 'observer']);
    for (const [nodeId, relation] of fresh) {
      if (!hosted.has(nodeId) || held.has(nodeId) || nodeId === event.source) continue;
      await apply(tx, nodeId, relation, null, event);
      held.add(nodeId);
    }
  }

  return {
    name: 'tasks',
    topics: [TOPICS.tasks],
    // A draft stays with the unit that wrote it until the head signs it off.
    accepts: (event) => isItemEvent(event) && event.type !== 'tasks.report.drafted' && relevant(event),
    async handle(event, tx) {
      if (!isItemEvent(event)) return;
      if (event.source !== expectedSource(event)) {
        throw new RejectedEvent(
          'event.unauthorised',
          `${event.type} must come from ${expectedSource(event)}, not ${event.source}`,
        );
      }
      if (event.subject !== event.data.itemId) {
        throw new RejectedEvent(
          'event.subject_mismatch',
          `subject ${event.subject} is not item ${event.data.itemId}`,
        );
      }
      if (event.type === 'tasks.item.assigned') {
        for (const [nodeId, relation] of newCopies(event)) {
          const existing = await itemRepository.find(tx, nodeId, event.data.itemId);
          if (existing)
            throw new RejectedEvent(
              'event.does_not_apply',
              `${nodeId} holds item ${event.data.itemId} already`,
            );
          await apply(tx, nodeId, relation, null, event);
        }
        return;
      }
      const copies = await itemRepository.copiesAt(tx, event.data.itemId, hosted.list());
      if (event.type === 'tasks.item.transferred') {
        await transfer(tx, event, copies);
        return;
      }
      for (const copy of copies) {
        if (copy.nodeId === event.source) continue;
        await apply(tx, copy.nodeId, copy.relation, copy.state, event);
      }
    },
  };
}
