import type { Prisma, TransactionClient } from '@duban/db';
import { uuidv7 } from '@duban/events';
import type { PlannedTimer, TimerKind, TrackedItemState } from '../domain/ladder';

export interface DueTimer {
  id: string;
  nodeId: string;
  itemId: string;
  kind: TimerKind;
  level: number;
  round: number;
  dueAt: Date;
}

export interface Tracked {
  state: TrackedItemState;
  round: number;
}

export const timerRepository = {
  async find(tx: TransactionClient, nodeId: string, itemId: string): Promise<Tracked | null> {
    const row = await tx.trackedItem.findUnique({ where: { nodeId_itemId: { nodeId, itemId } } });
    return row ? { state: row.state as unknown as TrackedItemState, round: row.round } : null;
  },

  /** The tracked items of a batch of timers, in one query (key: `node|item`). */
  async findMany(
    tx: TransactionClient,
    keys: ReadonlyArray<{ nodeId: string; itemId: string }>,
  ): Promise<Map<string, Tracked>> {
    if (keys.length === 0) return new Map();
    const rows = await tx.$queryRaw<
      Array<{ node_id: string; item_id: string; state: unknown; round: number }>
    >`
      SELECT t.node_id, t.item_id::text AS item_id, t.state, t.round FROM tracked_item t
        JOIN unnest(${keys.map((k) => k.nodeId)}::text[], ${keys.map((k) => k.itemId)}::uuid[]) AS k(node_id, item_id)
          ON t.node_id = k.node_id AND t.item_id = k.item_id`;
    return new Map(
      rows.map((r) => [`${r.node_id}|${r.item_id}`, { state: r.state as TrackedItemState, round: r.round }]),
    );
  },

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
        state: item as unknown as Prisma.InputJsonValue,
        status: item.status,
        round: 1,
        updatedAt: now,
      },
    });
    await this.schedule(tx, nodeId, item.itemId, 1, timers, now);
  },

  async update(
    tx: TransactionClient,
    nodeId: string,
    item: TrackedItemState,
    round: number,
    now: Date,
  ): Promise<void> {
    await tx.trackedItem.update({
      where: { nodeId_itemId: { nodeId, itemId: item.itemId } },
      data: { state: item as unknown as Prisma.InputJsonValue, status: item.status, round, updatedAt: now },
    });
  },

  async schedule(
    tx: TransactionClient,
    nodeId: string,
    itemId: string,
    round: number,
    timers: PlannedTimer[],
    now: Date,
  ): Promise<void> {
    await this.scheduleMany(
      tx,
      timers.map((timer) => ({ nodeId, itemId, round, timer })),
      now,
    );
  },

  async cancel(tx: TransactionClient, nodeId: string, itemId: string, kinds?: TimerKind[]): Promise<void> {
    await tx.timer.updateMany({
      where: { nodeId, itemId, status: 'pending', ...(kinds ? { kind: { in: kinds } } : {}) },
      data: { status: 'cancelled' },
    });
  },

  /** The timers that fired for the item since `sinceRound` (kind:level keys). */
  async firedSince(
    tx: TransactionClient,
    nodeId: string,
    itemId: string,
    sinceRound: number,
  ): Promise<Set<string>> {
    const rows = await tx.timer.findMany({
      where: { nodeId, itemId, status: 'fired', round: { gte: sinceRound } },
      select: { kind: true, level: true },
    });
    return new Set(rows.map((r) => `${r.kind}:${r.level}`));
  },

  /**
   * How many timers of each (node, item, kind) fired before this batch, in one query (key: `node|item|kind`), leaving out the batch itself
   * (claimDue marked it fired already: these are the chases before it).
   */
  async countFiredMany(
    tx: TransactionClient,
    keys: ReadonlyArray<{ id: string; nodeId: string; itemId: string; kind: TimerKind }>,
  ): Promise<Map<string, number>> {
    if (keys.length === 0) return new Map();
    const rows = await tx.$queryRaw<Array<{ node_id: string; item_id: string; kind: string; n: bigint }>>`
      SELECT t.node_id, t.item_id::text AS item_id, t.kind, count(*) AS n FROM timer t
        JOIN (SELECT DISTINCT * FROM unnest(${keys.map((k) => k.nodeId)}::text[], ${keys.map((k) => k.itemId)}::uuid[],
                                      ${keys.map((k) => k.kind)}::text[]) AS k(node_id, item_id, kind)) k
          ON t.node_id = k.node_id AND t.item_id = k.item_id AND t.kind = k.kind
       WHERE t.status = 'fired' AND t.id <> ALL(${keys.map((k) => k.id)}::uuid[])
       GROUP BY t.node_id, t.item_id, t.kind`;
    return new Map(rows.map((r) => [`${r.node_id}|${r.item_id}|${r.kind}`, Number(r.n)]));
  },

  /** schedule for many items at once (one INSERT). */
  async scheduleMany(
    tx: TransactionClient,
    entries: ReadonlyArray<{ nodeId: string; itemId: string; round: number; timer: PlannedTimer }>,
    now: Date,
  ): Promise<void> {
    if (entries.length === 0) return;
    await tx.timer.createMany({
      data: entries.map(({ nodeId, itemId, round, timer: t }) => ({
        id: uuidv7(now.getTime()),
        nodeId,
        itemId,
        kind: t.kind,
        level: t.level,
        round,
        dueAt: t.dueAt,
        status: 'pending',
        createdAt: now,
      })),
      skipDuplicates: true,
    });
  },

  /**
   * Claims up to `limit` due timers for this transaction and marks them fired, in one statement.
   * The partial index (due_at, id) WHERE status = 'pending' returns them in claim order, so a
   * claim reads only the rows it locks, even inside a burst of timers due at the same instant.
   * SKIP LOCKED lets several loops and processes share the work; the mark, the events and the next
   * timers commit together (or not at all), so a timer fires exactly once.
   */
  async claimDue(
    tx: TransactionClient,
    nodeIds: readonly string[],
    now: Date,
    limit: number,
  ): Promise<DueTimer[]> {
    const rows = await tx.$queryRaw<
      Array<{
        id: string;
        node_id: string;
        item_id: string;
        kind: string;
        level: number;
        round: number;
        due_at: Date;
      }>
    >`
      WITH due AS (
        SELECT id FROM timer
         WHERE status = 'pending' AND due_at <= ${now} AND node_id = ANY(${nodeIds as string[]})
         ORDER BY due_at, id
         LIMIT ${limit}
           FOR UPDATE SKIP LOCKED)
      UPDATE timer t SET status = 'fired', fired_at = ${now}
        FROM due WHERE t.id = due.id
      RETURNING t.id::text AS id, t.node_id, t.item_id::text AS item_id, t.kind, t.level, t.round, t.due_at`;
    return rows
      .map((r) => ({
        id: r.id,
        nodeId: r.node_id,
        itemId: r.item_id,
        kind: r.kind as TimerKind,
        level: r.level,
        round: r.round,
        dueAt: r.due_at,
      }))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  },

  /** When the next pending timer of these nodes is due (the scheduler sleeps until then). */
  async nextDue(tx: TransactionClient, nodeIds: readonly string[]): Promise<Date | null> {
    const rows = await tx.$queryRaw<Array<{ next: Date | null }>>`
      SELECT min(due_at) AS next FROM timer WHERE status = 'pending' AND node_id = ANY(${nodeIds as string[]})`;
    return rows[0]?.next ?? null;
  },
};

export const policyRepository = {
  async find(tx: TransactionClient, nodeId: string, kind: string) {
    const row = await tx.reminderPolicy.findUnique({ where: { nodeId_kind: { nodeId, kind } } });
    return row?.policy ?? null;
  },
  async save(tx: TransactionClient, nodeId: string, kind: string, policy: unknown, now: Date) {
    await tx.reminderPolicy.upsert({
      where: { nodeId_kind: { nodeId, kind } },
      create: { nodeId, kind, policy: policy as Prisma.InputJsonValue, updatedAt: now },
      update: { policy: policy as Prisma.InputJsonValue, updatedAt: now },
    });
  },
};
