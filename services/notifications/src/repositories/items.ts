import type { PrismaClient, TransactionClient } from '@duban/db';
import type { DubanEvent } from '@duban/events';

type Db = PrismaClient | TransactionClient;

/**
 * The small projection the documents are printed from: one row per (node, item) for each hosted
 * party of an item, kept from the tasks and reminders events. Idempotent (the consumer's inbox
 * de-duplicates; each update sets values rather than adding, except counts guarded by chaseNo).
 */
export const itemRepository = {
  async apply(tx: TransactionClient, nodeIds: readonly string[], event: DubanEvent): Promise<void> {
    for (const nodeId of nodeIds) {
      switch (event.type) {
        case 'tasks.item.assigned': {
          const d = event.data;
          const v2 = event.version !== 1 ? event.data : null;
          const row = {
            assigner: d.assigner,
            assignee: d.assignee,
            title: d.title,
            description: d.description,
            kind: d.kind,
            noticeNo: d.noticeNo,
            priority: v2?.priority ?? 'normal',
            leader: v2?.leader ?? null,
            responsiblePerson: v2?.responsiblePerson ?? null,
            coUnits: v2?.coUnits ?? [],
            assignedAt: new Date(d.assignedAt),
            ackDeadline: v2 ? new Date(v2.ackDeadline) : null,
            deadline: new Date(d.deadline),
            deadlineProvisional: event.version === 3 && event.data.deadlineProvisional,
          };
          await tx.noticeItem.upsert({
            where: { nodeId_itemId: { nodeId, itemId: d.itemId } },
            create: { nodeId, itemId: d.itemId, ...row },
            update: row,
          });
          break;
        }
        case 'tasks.item.acknowledged':
          await update(tx, nodeId, event.data.itemId, {
            acknowledgedAt: new Date(event.data.acknowledgedAt),
          });
          break;
        case 'tasks.item.reported':
          await update(tx, nodeId, event.data.itemId, { reportedAt: new Date(event.data.reportedAt) });
          break;
        case 'tasks.item.reviewed':
          // Returned for rework: the report no longer counts as delivered.
          if (event.data.outcome === 'returned')
            await update(tx, nodeId, event.data.itemId, { reportedAt: null });
          break;
        case 'tasks.item.closed':
          await update(tx, nodeId, event.data.itemId, { closedAt: new Date(event.data.closedAt) });
          break;
        case 'tasks.item.reopened':
          await update(tx, nodeId, event.data.itemId, { closedAt: null, reportedAt: null });
          break;
        case 'tasks.extension.approved':
          await update(tx, nodeId, event.data.itemId, {
            deadline: new Date(event.data.newDeadline),
            deadlineProvisional: false,
          });
          break;
        case 'tasks.deadline.replanned':
          await update(tx, nodeId, event.data.itemId, {
            deadline: new Date(event.data.newDeadline),
            deadlineProvisional: event.data.provisional,
          });
          break;
        case 'reminders.item.chased':
          if (event.version === 1 || event.data.kind === 'overdue') {
            await tx.noticeItem.updateMany({
              where: { nodeId, itemId: event.data.itemId, chaseNo: { lt: event.data.chaseNo } },
              data: { chaseNo: event.data.chaseNo, chasedAt: new Date(event.data.chasedAt) },
            });
          }
          break;
        case 'reminders.item.escalated':
          await tx.noticeItem.updateMany({
            where: { nodeId, itemId: event.data.itemId, escalationLevel: { lt: event.data.level } },
            data: { escalationLevel: event.data.level },
          });
          break;
        case 'scoring.decision.recorded': {
          const d = event.data;
          await tx.noticeDecision.upsert({
            where: { nodeId_decisionId: { nodeId, decisionId: d.decisionId } },
            create: {
              nodeId,
              decisionId: d.decisionId,
              unit: d.unit,
              kind: d.kind,
              points: d.points,
              reason: d.reason,
              decidedAt: new Date(d.decidedAt),
            },
            update: {},
          });
          break;
        }
        default:
          break; // nothing a document prints
      }
    }
  },

  find: (db: Db, nodeId: string, itemId: string) =>
    db.noticeItem.findUnique({ where: { nodeId_itemId: { nodeId, itemId } } }),

  /** Items this node assigned whose deadline falls in [from, to). */
  assignedDueBetween: (db: Db, nodeId: string, from: Date, to: Date) =>
    db.noticeItem.findMany({
      where: { nodeId, assigner: nodeId, deadline: { gte: from, lt: to } },
      orderBy: [{ assignee: 'asc' }, { deadline: 'asc' }],
    }),

  decisionsBetween: (db: Db, nodeId: string, from: Date, to: Date) =>
    db.noticeDecision.findMany({
      where: { nodeId, decidedAt: { gte: from, lt: to } },
      orderBy: { decidedAt: 'asc' },
    }),
};

async function update(
  tx: TransactionClient,
  nodeId: string,
  itemId: string,
  data: Partial<{
    acknowledgedAt: Date;
    reportedAt: Date | null;
    closedAt: Date | null;
    deadline: Date;
    deadlineProvisional: boolean;
  }>,
): Promise<void> {
  await tx.noticeItem.updateMany({ where: { nodeId, itemId }, data });
}
