import { appendToOutbox } from '@duban/bus';
import { chinaYear } from '@duban/kit';
import { uuidv7 } from '@duban/events';
import type { ItemKind } from '@duban/events';
import type { TasksDeps } from './deps';
import { decide, evolve, noticeNumber } from './domain/item';
import type { DecideContext, ItemCommand, ItemState } from './domain/item';
import { itemRepository } from './repositories/items';

function decideContext(deps: TasksDeps, now: Date): DecideContext {
  return {
    now,
    nodeExists: (id) => deps.org.has(id),
    isBelow: (above, below) => deps.org.has(below) && deps.org.isAncestor(above, below),
  };
}

/**
 * Runs one command on a node's copy of an item: read, decide, save state, record the timeline and
 * write the events to the outbox, all in one transaction.
 */
export async function runItemCommand(
  deps: TasksDeps,
  nodeId: string,
  itemId: string,
  command: ItemCommand,
): Promise<ItemState> {
  const now = deps.clock.now();
  return deps.prisma.$transaction(async (tx) => {
    const state = await itemRepository.find(tx, nodeId, itemId);
    const events = decide(state, command, decideContext(deps, now));
    const next = events.reduce<ItemState | null>((s, e) => evolve(s, e), state)!;
    await itemRepository.save(tx, nodeId, state, next, now);
    await itemRepository.recordEvents(tx, nodeId, events);
    await appendToOutbox(tx, events);
    return next;
  });
}

export interface AssignInput {
  title: string;
  description: string;
  kind: ItemKind;
  deadline: Date;
  assignee: string;
}

export async function assignItem(deps: TasksDeps, nodeId: string, input: AssignInput): Promise<ItemState> {
  const now = deps.clock.now();
  const itemId = uuidv7(now.getTime());
  // The notice number is taken inside its own transaction: a gap after a refused assignment is
  // acceptable (numbers are not reused), a duplicate number is not.
  const sequence = await deps.prisma.$transaction((tx) =>
    itemRepository.nextNoticeSequence(tx, nodeId, chinaYear(now)),
  );
  return runItemCommand(deps, nodeId, itemId, {
    type: 'assign',
    itemId,
    actor: nodeId,
    noticeNo: noticeNumber(chinaYear(now), sequence),
    ...input,
  });
}
