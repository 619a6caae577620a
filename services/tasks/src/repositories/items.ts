import type { Item, Prisma, TransactionClient } from '@duban/db';
import type { ItemEvent, ItemState, Relation } from '../domain/item';
import { AppError } from '@duban/kit/errors';
import type { ReadScope } from '@duban/kit';

export interface ItemCopy {
  nodeId: string;
  relation: Relation;
  state: ItemState;
}

function toCopy(row: Item): ItemCopy {
  return { nodeId: row.nodeId, relation: row.relation as Relation, state: row.state as unknown as ItemState };
}

function columns(relation: Relation, next: ItemState, now: Date, yellowFrom: Date) {
  const deadline = new Date(next.deadline);
  return {
    relation,
    kind: next.kind,
    source: next.source,
    priority: next.priority,
    title: next.title,
    assigner: next.assigner,
    assignee: next.assignee,
    leader: next.leader,
    parentId: next.parentId,
    status: next.status,
    deadline,
    yellowFrom,
    assignedAt: new Date(next.assignedAt),
    closedAt: next.closedAt ? new Date(next.closedAt) : null,
    // Copies from before ADR 0026 have no such field: not provisional.
    deadlineProvisional: next.deadlineProvisional ?? false,
    state: next as unknown as Prisma.InputJsonValue,
    revision: next.revision,
    updatedAt: now,
  };
}

/** All SQL of the tasks service's ledger copies. */
export const itemRepository = {
  async find(tx: TransactionClient, nodeId: string, itemId: string): Promise<ItemCopy | null> {
    const row = await tx.item.findUnique({ where: { nodeId_id: { nodeId, id: itemId } } });
    return row ? toCopy(row) : null;
  },

  /** A copy as a reader may see it: null when it is not in the scope (a leader's, another's). */
  async findReadable(tx: TransactionClient, scope: ReadScope, itemId: string): Promise<ItemCopy | null> {
    const row = await tx.item.findFirst({
      where: {
        nodeId: scope.node,
        id: itemId,
        ...(scope.leader === null ? {} : { leader: scope.leader }),
      },
    });
    return row ? toCopy(row) : null;
  },

  /** Every copy of an item held by the given nodes (a process's hosted nodes). */
  async copiesAt(tx: TransactionClient, itemId: string, nodeIds: readonly string[]): Promise<ItemCopy[]> {
    const rows = await tx.item.findMany({ where: { id: itemId, nodeId: { in: [...nodeIds] } } });
    return rows.map(toCopy);
  },

  /** The open items the given nodes assigned to `assignee` (their assigner copies), oldest first. */
  async openAssignedTo(
    tx: TransactionClient,
    nodeIds: readonly string[],
    assignee: string,
  ): Promise<ItemCopy[]> {
    const rows = await tx.item.findMany({
      where: { nodeId: { in: [...nodeIds] }, relation: 'assigner', assignee, status: { not: 'closed' } },
      orderBy: [{ nodeId: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toCopy);
  },

  /**
   * Saves the next state of a node's copy, guarded by the revision it was read at: a concurrent
   * change makes this fail instead of silently overwriting.
   */
  async save(
    tx: TransactionClient,
    nodeId: string,
    relation: Relation,
    previous: ItemState | null,
    next: ItemState,
    now: Date,
    yellowFrom: Date,
  ): Promise<void> {
    const data = columns(relation, next, now, yellowFrom);
    if (!previous) {
      await tx.item.create({ data: { nodeId, id: next.id, ...data } });
      return;
    }
    const { count } = await tx.item.updateMany({
      where: { nodeId, id: next.id, revision: previous.revision },
      data,
    });
    if (count !== 1) {
      throw new AppError(
        'conflict',
        'item.concurrent_change',
        `item ${next.id} changed meanwhile; reload and retry`,
      );
    }
  },

  async recordEvents(tx: TransactionClient, nodeId: string, events: readonly ItemEvent[]): Promise<void> {
    if (events.length === 0) return;
    await tx.itemEvent.createMany({
      data: events.map((e) => ({
        nodeId,
        eventId: e.id,
        itemId: e.subject,
        type: e.type,
        source: e.source,
        time: new Date(e.time),
        data: e.data as Prisma.InputJsonValue,
      })),
    });
  },

  /**
   * The open items whose deadline is provisional and which one of `nodeIds` assigned (or registered
   * for itself): the ones to re-plan when an official calendar arrives.
   */
  async provisionalAssigned(tx: TransactionClient, nodeIds: readonly string[]): Promise<ItemCopy[]> {
    const rows = await tx.item.findMany({
      where: {
        nodeId: { in: [...nodeIds] },
        deadlineProvisional: true,
        relation: { in: ['assigner', 'own'] },
        status: { not: 'closed' },
      },
      orderBy: [{ nodeId: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toCopy);
  },

  /** The sub-items a node split from `parentId`, as that node's copies. */
  async children(tx: TransactionClient, nodeId: string, parentId: string): Promise<ItemState[]> {
    const rows = await tx.item.findMany({
      where: { nodeId, parentId, relation: 'assigner' },
      orderBy: { id: 'asc' },
    });
    return rows.map((r) => r.state as unknown as ItemState);
  },

  async nextNoticeSequence(tx: TransactionClient, nodeId: string, year: number): Promise<number> {
    const row = await tx.noticeCounter.upsert({
      where: { nodeId_year: { nodeId, year } },
      create: { nodeId, year, last: 1 },
      update: { last: { increment: 1 } },
    });
    return row.last;
  },

  /** A node's item events in (time, event id) order, after a cursor: the event feed. */
  async feed(
    tx: TransactionClient,
    nodeId: string,
    page: { after: { time: Date; eventId: string } | undefined; limit: number },
  ) {
    const rows = await tx.itemEvent.findMany({
      where: {
        nodeId,
        ...(page.after
          ? {
              OR: [
                { time: { gt: page.after.time } },
                { time: page.after.time, eventId: { gt: page.after.eventId } },
              ],
            }
          : {}),
      },
      orderBy: [{ time: 'asc' }, { eventId: 'asc' }],
      take: page.limit,
    });
    return rows.map((r) => ({
      eventId: r.eventId,
      itemId: r.itemId,
      type: r.type,
      source: r.source,
      time: r.time.toISOString(),
      data: r.data,
    }));
  },

  async timeline(tx: TransactionClient, nodeId: string, itemId: string) {
    const rows = await tx.itemEvent.findMany({
      where: { nodeId, itemId },
      orderBy: [{ time: 'asc' }, { eventId: 'asc' }],
    });
    return rows.map((r) => ({
      eventId: r.eventId,
      type: r.type,
      source: r.source,
      time: r.time.toISOString(),
      data: r.data,
    }));
  },
};
