import type { PrismaClient } from '@duban/db';

export interface InboxRow {
  id: string;
  nodeId: string;
  eventId: string;
  type: string;
  kind: string;
  subject: string;
  title: string;
  body: string;
  createdAt: Date;
  readAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  personReadAt: Date | null;
  personAcknowledgedAt: Date | null;
}

export interface InboxFilter {
  person: string;
  unread?: boolean;
  acknowledged?: boolean;
  kinds?: string[];
  type?: string;
  subject?: string;
  limit: number;
}

export const inboxRepository = {
  /** A node's messages as one person sees them: their own read and acknowledge state. */
  list: (prisma: PrismaClient, nodeId: string, f: InboxFilter) =>
    prisma.$queryRaw<InboxRow[]>`
      SELECT m.id::text AS id, m.node_id AS "nodeId", m.event_id::text AS "eventId", m.type, m.kind,
             m.subject, m.title, m.body, m.created_at AS "createdAt", m.read_at AS "readAt",
             m.acknowledged_at AS "acknowledgedAt", m.acknowledged_by AS "acknowledgedBy",
             r.read_at AS "personReadAt", r.acknowledged_at AS "personAcknowledgedAt"
        FROM inbox_message m
        LEFT JOIN inbox_receipt r ON r.node_id = m.node_id AND r.message_id = m.id AND r.person_id = ${f.person}
       WHERE m.node_id = ${nodeId}
         AND (${f.unread ?? null}::boolean IS NULL OR (r.read_at IS NULL) = ${f.unread ?? null}::boolean)
         AND (${f.acknowledged ?? null}::boolean IS NULL OR (r.acknowledged_at IS NOT NULL) = ${f.acknowledged ?? null}::boolean)
         AND (${f.kinds ?? null}::text[] IS NULL OR m.kind = ANY(${f.kinds ?? null}::text[]))
         AND (${f.type ?? null}::text IS NULL OR m.type = ${f.type ?? null}::text)
         AND (${f.subject ?? null}::text IS NULL OR m.subject = ${f.subject ?? null}::text)
       ORDER BY m.created_at DESC, m.id DESC
       LIMIT ${f.limit}`,

  async unreadCount(prisma: PrismaClient, nodeId: string, person: string): Promise<number> {
    const rows = await prisma.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM inbox_message m
       WHERE m.node_id = ${nodeId} AND NOT EXISTS (
         SELECT 1 FROM inbox_receipt r WHERE r.node_id = m.node_id AND r.message_id = m.id
            AND r.person_id = ${person} AND r.read_at IS NOT NULL)`;
    return rows[0]?.n ?? 0;
  },

  exists: async (prisma: PrismaClient, nodeId: string, id: string) =>
    (await prisma.inboxMessage.count({ where: { nodeId, id } })) > 0,

  /** Marks read (and acknowledged) for one person; the node-level columns keep the first time. */
  async mark(
    prisma: PrismaClient,
    nodeId: string,
    id: string,
    person: string,
    now: Date,
    acknowledge: boolean,
  ) {
    await prisma.$transaction([
      prisma.inboxReceipt.upsert({
        where: { nodeId_messageId_personId: { nodeId, messageId: id, personId: person } },
        create: {
          nodeId,
          messageId: id,
          personId: person,
          readAt: now,
          acknowledgedAt: acknowledge ? now : null,
        },
        update: acknowledge ? { acknowledgedAt: now } : {},
      }),
      prisma.inboxReceipt.updateMany({
        where: { nodeId, messageId: id, personId: person, readAt: null },
        data: { readAt: now },
      }),
      prisma.inboxMessage.updateMany({ where: { nodeId, id, readAt: null }, data: { readAt: now } }),
      ...(acknowledge
        ? [
            prisma.inboxMessage.updateMany({
              where: { nodeId, id, acknowledgedAt: null },
              data: { acknowledgedAt: now, acknowledgedBy: person },
            }),
          ]
        : []),
    ]);
  },
};
