import type { PrismaClient, TransactionClient } from '@duban/db';
import type { DeliveryChannel } from '../domain/kinds';

type Db = PrismaClient | TransactionClient;

export interface NewDelivery {
  id: string;
  nodeId: string;
  dedupeKey: string;
  eventId: string | null;
  eventType: string;
  kind: string;
  subject: string;
  recipient: string;
  channel: string;
  address: string;
  locale: string;
  title: string;
  body: string;
  payload: string | null;
  status: 'pending' | 'held';
  nextAttemptAt: Date;
  digestAt: Date | null;
  createdAt: Date;
}

export interface ClaimedDelivery {
  id: string;
  nodeId: string;
  eventType: string;
  kind: string;
  subject: string;
  recipient: string;
  channel: DeliveryChannel;
  address: string;
  title: string;
  body: string;
  payload: string | null;
  attempts: number;
  seq: bigint;
}

export interface HeldDelivery {
  id: string;
  nodeId: string;
  recipient: string;
  channel: string;
  address: string;
  locale: string;
  digestAt: Date;
  title: string;
  body: string;
  createdAt: Date;
}

export const deliveryRepository = {
  /** Idempotent: a redelivered event (same dedupe keys) adds nothing. */
  async add(tx: Db, rows: readonly NewDelivery[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.notificationDelivery.createMany({ data: [...rows], skipDuplicates: true });
  },

  /**
   * Claims due deliveries and commits them as `sending` with a lease, with an attempt row each,
   * BEFORE anything is sent: a crash after the send leaves the row `sending`, and once the lease
   * runs out it is claimed again, so it is sent at most once more and the log shows both attempts.
   * Webhooks of one (endpoint, subject) go in `seq` order: a later one waits while an earlier one
   * is pending or sending (dead ones no longer hold the queue).
   */
  async claim(
    prisma: PrismaClient,
    input: { nodeIds: string[]; channels: string[]; now: Date; leaseMs: number; limit: number },
  ): Promise<ClaimedDelivery[]> {
    const { nodeIds, channels, now, leaseMs, limit } = input;
    if (channels.length === 0) return [];
    const leaseUntil = new Date(now.getTime() + leaseMs);
    return prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<ClaimedDelivery[]>`
        WITH due AS (
          SELECT d.id FROM notification_delivery d
           WHERE d.node_id = ANY(${nodeIds}::text[])
             AND d.channel = ANY(${channels}::text[])
             AND ((d.status = 'pending' AND d.next_attempt_at <= ${now})
               OR (d.status = 'sending' AND d.lease_until <= ${now}))
             AND (d.channel <> 'webhook' OR NOT EXISTS (
                   SELECT 1 FROM notification_delivery e
                    WHERE e.node_id = d.node_id AND e.recipient = d.recipient AND e.channel = 'webhook'
                      AND e.subject = d.subject AND e.seq < d.seq AND e.status IN ('pending', 'sending')))
           ORDER BY d.seq
           LIMIT ${limit}
           FOR UPDATE SKIP LOCKED)
        UPDATE notification_delivery d
           SET status = 'sending', attempts = d.attempts + 1, lease_until = ${leaseUntil}
          FROM due WHERE d.id = due.id
        RETURNING d.id::text AS id, d.node_id AS "nodeId", d.event_type AS "eventType", d.kind, d.subject,
                  d.recipient, d.channel, d.address, d.title, d.body, d.payload, d.attempts, d.seq`;
      if (rows.length === 0) return [];
      const ids = rows.map((r) => r.id);
      // An attempt still `sending` belongs to a process that died mid-send: its outcome is unknown.
      await tx.notificationAttempt.updateMany({
        where: { deliveryId: { in: ids }, outcome: 'sending' },
        data: {
          outcome: 'interrupted',
          finishedAt: now,
          error: 'lease expired: the sender stopped before recording',
        },
      });
      await tx.notificationAttempt.createMany({
        data: rows.map((r) => ({
          deliveryId: r.id,
          attempt: r.attempts,
          outcome: 'sending',
          startedAt: now,
        })),
      });
      return [...rows].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0)); // RETURNING has no order
    });
  },

  /** Records a successful send, unless the row was re-claimed meanwhile (then that attempt records). */
  async recordSent(prisma: PrismaClient, d: ClaimedDelivery, now: Date): Promise<void> {
    await prisma.$transaction([
      prisma.notificationDelivery.updateMany({
        where: { id: d.id, status: 'sending', attempts: d.attempts },
        data: { status: 'sent', sentAt: now, leaseUntil: null, lastError: null },
      }),
      prisma.notificationAttempt.updateMany({
        where: { deliveryId: d.id, attempt: d.attempts },
        data: { outcome: 'sent', finishedAt: now },
      }),
    ]);
  },

  async recordFailed(
    prisma: PrismaClient,
    d: ClaimedDelivery,
    now: Date,
    error: string,
    next: { dead: true } | { dead: false; at: Date },
  ): Promise<void> {
    await prisma.$transaction([
      prisma.notificationDelivery.updateMany({
        where: { id: d.id, status: 'sending', attempts: d.attempts },
        data: next.dead
          ? { status: 'dead', leaseUntil: null, lastError: error }
          : { status: 'pending', nextAttemptAt: next.at, leaseUntil: null, lastError: error },
      }),
      prisma.notificationAttempt.updateMany({
        where: { deliveryId: d.id, attempt: d.attempts },
        data: { outcome: 'failed', finishedAt: now, error },
      }),
    ]);
  },

  /** Held messages whose digest is due, locked for the caller's transaction. */
  dueHeld: (tx: TransactionClient, nodeIds: string[], now: Date, limit: number) =>
    tx.$queryRaw<HeldDelivery[]>`
      SELECT id::text AS id, node_id AS "nodeId", recipient, channel, address, locale,
             digest_at AS "digestAt", title, body, created_at AS "createdAt"
        FROM notification_delivery
       WHERE status = 'held' AND node_id = ANY(${nodeIds}::text[]) AND digest_at <= ${now}
       ORDER BY seq
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED`,

  markDigested: (tx: TransactionClient, ids: string[], digestId: string) =>
    tx.notificationDelivery.updateMany({
      where: { id: { in: ids }, status: 'held' },
      data: { status: 'digested', digestId },
    }),

  /** Puts a dead delivery back in the queue (an admin, once the receiver is fixed). */
  requeue: async (db: Db, nodeId: string, id: string, now: Date) =>
    (
      await db.notificationDelivery.updateMany({
        where: { nodeId, id, status: 'dead' },
        data: { status: 'pending', nextAttemptAt: now, lastError: null },
      })
    ).count > 0,

  log: (
    db: Db,
    nodeId: string,
    filter: { status?: string; channel?: string; recipient?: string; subject?: string; limit: number },
  ) =>
    db.notificationDelivery.findMany({
      where: {
        nodeId,
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.channel ? { channel: filter.channel } : {}),
        ...(filter.recipient ? { recipient: filter.recipient } : {}),
        ...(filter.subject ? { subject: filter.subject } : {}),
      },
      orderBy: { seq: 'desc' },
      take: filter.limit,
      omit: { payload: true },
    }),

  attempts: (db: Db, deliveryIds: string[]) =>
    db.notificationAttempt.findMany({
      where: { deliveryId: { in: deliveryIds } },
      orderBy: [{ deliveryId: 'asc' }, { attempt: 'asc' }],
    }),
};
