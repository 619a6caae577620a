import type { TransactionClient } from '@duban/db';
import { uuidv7 } from '@duban/events';
import type { PlannedTimer, TimerKind, TrackedItemState } from '../domain/ladder';

export interface DueTimer {
  id: string;
  nodeId: string;
  itemId: string;
  kind: TimerKind;
  level: number;
  dueAt: Date;
}

export const timerRepository = {
  async track(
    tx: TransactionClient,
    nodeId: string,
    item: TrackedItemState,
    timers: PlannedTimer[],
    now: Date,
  ): Promise<void> {
    await tx.trackedItem.create({
      data: {
        nodeId,
        itemId: item.itemId,
        assignee: item.assignee,
        deadline: item.deadline,
        status: item.status,
      },
    });
    await tx.timer.createMany({
      data: timers.map((t) => ({
        id: uuidv7(now.getTime()),
        nodeId,
        itemId: item.itemId,
        kind: t.kind,
        level: t.level,
        dueAt: t.dueAt,
        status: 'pending',
        createdAt: now,
      })),
    });
  },

  /** Marks the item and cancels what is still pending: a report or closure stops the chasing. */
  async settle(
    tx: TransactionClient,
    nodeId: string,
    itemId: string,
    status: 'reported' | 'closed',
  ): Promise<void> {
    await tx.trackedItem.updateMany({ where: { nodeId, itemId }, data: { status } });
    await tx.timer.updateMany({
      where: { nodeId, itemId, status: 'pending' },
      data: { status: 'cancelled' },
    });
  },

  /**
   * Claims up to `limit` due timers for this transaction. SKIP LOCKED lets several pollers share the
   * work; the claim, the event and the `fired` mark commit together, so a timer fires exactly once.
   */
  async claimDue(
    tx: TransactionClient,
    nodeIds: readonly string[],
    now: Date,
    limit: number,
  ): Promise<DueTimer[]> {
    const rows = await tx.$queryRaw<
      Array<{ id: string; node_id: string; item_id: string; kind: string; level: number; due_at: Date }>
    >`
      SELECT t.id::text AS id, t.node_id, t.item_id::text AS item_id, t.kind, t.level, t.due_at FROM timer t
       WHERE t.status = 'pending' AND t.due_at <= ${now} AND t.node_id = ANY(${nodeIds as string[]})
       ORDER BY t.due_at, t.id
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED`;
    return rows.map((r) => ({
      id: r.id,
      nodeId: r.node_id,
      itemId: r.item_id,
      kind: r.kind as TimerKind,
      level: r.level,
      dueAt: r.due_at,
    }));
  },

  async markFired(tx: TransactionClient, ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await tx.timer.updateMany({ where: { id: { in: [...ids] } }, data: { status: 'fired', firedAt: now } });
  },

  async tracked(
    tx: TransactionClient,
    nodeId: string,
    itemId: string,
    assigner: string,
  ): Promise<TrackedItemState | null> {
    const row = await tx.trackedItem.findUnique({ where: { nodeId_itemId: { nodeId, itemId } } });
    return row
      ? {
          itemId,
          assigner,
          assignee: row.assignee,
          deadline: row.deadline,
          status: row.status as TrackedItemState['status'],
        }
      : null;
  },
};
