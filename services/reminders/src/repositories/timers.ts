import { Prisma } from '@duban/db';
import type { TransactionClient } from '@duban/db';
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

/**
 * The claim: up to $3 timers of nodes $2 due by $1, in claim order, moved to timer_done as fired, in
 * one statement. The (due_at, id) index of the pending-only table returns them in claim order, so a
 * claim reads only the rows it locks, even inside a burst of timers due at the same instant. A
 * delete adds no index entry, where marking the row fired inserted one into every index of the
 * table (ADR 0020). SQL text, so the timers bench runs the very statement.
 */
export const CLAIM_DUE_SQL = `
  WITH due AS (
    SELECT id FROM timer
     WHERE due_at <= $1 AND node_id = ANY($2::text[])
     ORDER BY due_at, id
     LIMIT $3
       FOR UPDATE SKIP LOCKED),
  fired AS (
    DELETE FROM timer t USING due WHERE t.id = due.id
    RETURNING t.id, t.node_id, t.item_id, t.kind, t.level, t.round, t.due_at, t.created_at),
  done AS (
    INSERT INTO timer_done (id, node_id, item_id, kind, level, round, due_at, status, fired_at, created_at)
    SELECT id, node_id, item_id, kind, level, round, due_at, 'fired', $1, created_at FROM fired
    -- A timer whose key is done already was scheduled again while it was being moved (ADR 0020):
    -- drop it unfired; a unique violation here would fail every claim of this batch, forever.
    ON CONFLICT DO NOTHING
    RETURNING id, node_id, item_id, kind, level, round, due_at)
  SELECT id::text AS id, node_id, item_id::text AS item_id, kind, level, round, due_at FROM done`;

/** When the next pending timer of nodes $1 is due. */
export const NEXT_DUE_SQL = `SELECT min(due_at) AS next FROM timer WHERE node_id = ANY($1::text[])`;

/** Claim order: due time, then id (a burst due at one instant fires in the order it was scheduled). */
export function byDueAt(a: { dueAt: Date; id: string }, b: { dueAt: Date; id: string }): number {
  return a.dueAt.getTime() - b.dueAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
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

  /** Moves the item's pending timers (of `kinds`, else all) to timer_done as cancelled. */
  async cancel(tx: TransactionClient, nodeId: string, itemId: string, kinds?: TimerKind[]): Promise<void> {
    const kindFilter = kinds ? Prisma.sql`AND kind = ANY(${kinds}::text[])` : Prisma.empty;
    await tx.$executeRaw`
      WITH cancelled AS (
        DELETE FROM timer WHERE node_id = ${nodeId} AND item_id = ${itemId}::uuid ${kindFilter}
        RETURNING id, node_id, item_id, kind, level, round, due_at, created_at)
      INSERT INTO timer_done (id, node_id, item_id, kind, level, round, due_at, status, fired_at, created_at)
      SELECT id, node_id, item_id, kind, level, round, due_at, 'cancelled', NULL, created_at FROM cancelled
      ON CONFLICT DO NOTHING`;
  },

  /** The timers that fired for the item since `sinceRound` (kind:level keys). */
  async firedSince(
    tx: TransactionClient,
    nodeId: string,
    itemId: string,
    sinceRound: number,
  ): Promise<Set<string>> {
    const rows = await tx.timerDone.findMany({
      where: { nodeId, itemId, status: 'fired', round: { gte: sinceRound } },
      select: { kind: true, level: true },
    });
    return new Set(rows.map((r) => `${r.kind}:${r.level}`));
  },

  /**
   * How many timers of each (node, item, kind) fired before this batch, in one query (key: `node|item|kind`), leaving out the batch itself
   * (claimDue moved it to timer_done already: these are the chases before it).
   */
  async countFiredMany(
    tx: TransactionClient,
    keys: ReadonlyArray<{ id: string; nodeId: string; itemId: string; kind: TimerKind }>,
  ): Promise<Map<string, number>> {
    if (keys.length === 0) return new Map();
    const rows = await tx.$queryRaw<Array<{ node_id: string; item_id: string; kind: string; n: bigint }>>`
      SELECT t.node_id, t.item_id::text AS item_id, t.kind, count(*) AS n FROM timer_done t
        JOIN (SELECT DISTINCT * FROM unnest(${keys.map((k) => k.nodeId)}::text[], ${keys.map((k) => k.itemId)}::uuid[],
                                      ${keys.map((k) => k.kind)}::text[]) AS k(node_id, item_id, kind)) k
          ON t.node_id = k.node_id AND t.item_id = k.item_id AND t.kind = k.kind
       WHERE t.status = 'fired' AND t.id <> ALL(${keys.map((k) => k.id)}::uuid[])
       GROUP BY t.node_id, t.item_id, t.kind`;
    return new Map(rows.map((r) => [`${r.node_id}|${r.item_id}|${r.kind}`, Number(r.n)]));
  },

  /**
   * Schedules timers for many items at once (one INSERT). A timer already pending, or one that
   * already fired or was cancelled (same item, kind, level and round), is not scheduled again.
   */
  async scheduleMany(
    tx: TransactionClient,
    entries: ReadonlyArray<{ nodeId: string; itemId: string; round: number; timer: PlannedTimer }>,
    now: Date,
  ): Promise<void> {
    if (entries.length === 0) return;
    const column = <T>(pick: (e: (typeof entries)[number]) => T): T[] => entries.map(pick);
    await tx.$executeRaw`
      INSERT INTO timer (id, node_id, item_id, kind, level, round, due_at, created_at)
      SELECT u.id, u.node_id, u.item_id, u.kind, u.level, u.round, u.due_at, ${now}
        FROM unnest(${column(() => uuidv7(now.getTime()))}::uuid[], ${column((e) => e.nodeId)}::text[],
                    ${column((e) => e.itemId)}::uuid[], ${column((e) => e.timer.kind)}::text[],
                    ${column((e) => e.timer.level)}::int[], ${column((e) => e.round)}::int[],
                    ${column((e) => e.timer.dueAt)}::timestamptz[])
             AS u(id, node_id, item_id, kind, level, round, due_at)
       WHERE NOT EXISTS (
         SELECT 1 FROM timer_done d
          WHERE d.node_id = u.node_id AND d.item_id = u.item_id AND d.kind = u.kind
            AND d.level = u.level AND d.round = u.round)
      ON CONFLICT DO NOTHING`;
  },

  /**
   * Claims up to `limit` due timers for this transaction and moves them to timer_done as fired
   * (CLAIM_DUE_SQL). SKIP LOCKED lets several loops and processes share the work; the move, the
   * events and the next timers commit together (or not at all), so a timer fires exactly once.
   */
  async claimDue(
    tx: TransactionClient,
    nodeIds: readonly string[],
    now: Date,
    limit: number,
  ): Promise<DueTimer[]> {
    const rows = await tx.$queryRawUnsafe<
      Array<{
        id: string;
        node_id: string;
        item_id: string;
        kind: string;
        level: number;
        round: number;
        due_at: Date;
      }>
    >(CLAIM_DUE_SQL, now, nodeIds, limit);
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
      .sort(byDueAt);
  },

  /** When the next pending timer of these nodes is due (the scheduler sleeps until then). */
  async nextDue(tx: TransactionClient, nodeIds: readonly string[]): Promise<Date | null> {
    const rows = await tx.$queryRawUnsafe<Array<{ next: Date | null }>>(NEXT_DUE_SQL, nodeIds);
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
