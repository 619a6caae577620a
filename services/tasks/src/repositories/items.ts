import type { Prisma } from '@duban/db';
import type { Item, TransactionClient } from '@duban/db';
import type { ItemKind } from '@duban/events';
import { AppError } from '@duban/kit/errors';
import type { ItemEvent, ItemState, ItemStatus } from '../domain/item';

function toState(row: Item): ItemState {
  return {
    id: row.id,
    kind: row.kind as ItemKind,
    title: row.title,
    description: row.description,
    noticeNo: row.noticeNo,
    assigner: row.assigner,
    assignee: row.assignee,
    status: row.status as ItemStatus,
    deadline: row.deadline.toISOString(),
    assignedAt: row.assignedAt.toISOString(),
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    reportedAt: row.reportedAt?.toISOString() ?? null,
    reportSummary: row.reportSummary,
    closedAt: row.closedAt?.toISOString() ?? null,
    revision: row.revision,
  };
}

const date = (s: string | null) => (s === null ? null : new Date(s));

/** All SQL of the tasks service's ledger. */
export const itemRepository = {
  async find(tx: TransactionClient, nodeId: string, itemId: string): Promise<ItemState | null> {
    const row = await tx.item.findUnique({ where: { nodeId_id: { nodeId, id: itemId } } });
    return row ? toState(row) : null;
  },

  /**
   * Saves the next state of a node's copy, guarded by the revision it was read at: a concurrent
   * change makes this fail instead of silently overwriting.
   */
  async save(
    tx: TransactionClient,
    nodeId: string,
    previous: ItemState | null,
    next: ItemState,
    now: Date,
  ): Promise<void> {
    const data = {
      kind: next.kind,
      title: next.title,
      description: next.description,
      noticeNo: next.noticeNo,
      assigner: next.assigner,
      assignee: next.assignee,
      status: next.status,
      deadline: new Date(next.deadline),
      assignedAt: new Date(next.assignedAt),
      acknowledgedAt: date(next.acknowledgedAt),
      reportedAt: date(next.reportedAt),
      reportSummary: next.reportSummary,
      closedAt: date(next.closedAt),
      revision: next.revision,
      updatedAt: now,
    };
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

  async nextNoticeSequence(tx: TransactionClient, nodeId: string, year: number): Promise<number> {
    const row = await tx.noticeCounter.upsert({
      where: { nodeId_year: { nodeId, year } },
      create: { nodeId, year, last: 1 },
      update: { last: { increment: 1 } },
    });
    return row.last;
  },
};

export interface LedgerFilter {
  status?: ItemStatus | undefined;
  assignee?: string | undefined;
  kind?: ItemKind | undefined;
  overdue?: boolean | undefined;
  now: Date;
  limit: number;
  /** Keyset cursor: the last row's (deadline, id) of the previous page. */
  after?: { deadline: Date; id: string } | undefined;
}

export const ledgerRepository = {
  async list(tx: TransactionClient, nodeId: string, filter: LedgerFilter): Promise<ItemState[]> {
    const where: Prisma.ItemWhereInput = {
      nodeId,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.assignee ? { assignee: filter.assignee } : {}),
      ...(filter.kind ? { kind: filter.kind } : {}),
      ...(filter.overdue === true ? { deadline: { lt: filter.now }, status: { not: 'closed' } } : {}),
      ...(filter.after
        ? {
            OR: [
              { deadline: { gt: filter.after.deadline } },
              { deadline: filter.after.deadline, id: { gt: filter.after.id } },
            ],
          }
        : {}),
    };
    const rows = await tx.item.findMany({
      where,
      orderBy: [{ deadline: 'asc' }, { id: 'asc' }],
      take: filter.limit,
    });
    return rows.map(toState);
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
