import type { Prisma, TransactionClient } from '@duban/db';
import type { ItemFacts } from '@duban/statistics';

export const factRepository = {
  async find(tx: TransactionClient, nodeId: string, itemId: string): Promise<ItemFacts | null> {
    const row = await tx.statFact.findUnique({ where: { nodeId_itemId: { nodeId, itemId } } });
    return row ? (row.facts as unknown as ItemFacts) : null;
  },
  async save(tx: TransactionClient, nodeId: string, facts: ItemFacts): Promise<void> {
    const data = {
      assignee: facts.assignee,
      kind: facts.kind,
      assignedAt: new Date(facts.assignedAt),
      facts: facts as unknown as Prisma.InputJsonValue,
    };
    await tx.statFact.upsert({
      where: { nodeId_itemId: { nodeId, itemId: facts.itemId } },
      create: { nodeId, itemId: facts.itemId, ...data },
      update: data,
    });
  },
  async all(tx: TransactionClient, nodeId: string, from?: Date, to?: Date): Promise<ItemFacts[]> {
    const rows = await tx.statFact.findMany({
      where: {
        nodeId,
        ...(from || to ? { assignedAt: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } } : {}),
      },
      select: { facts: true },
    });
    return rows.map((r) => r.facts as unknown as ItemFacts);
  },
};
