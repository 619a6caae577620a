import type { PrismaClient, TransactionClient } from '@duban/db';

type Db = PrismaClient | TransactionClient;

export const bulletinRepository = {
  find: (db: Db, nodeId: string, id: string) => db.bulletin.findFirst({ where: { nodeId, id } }),
  list: (db: Db, nodeId: string) =>
    db.bulletin.findMany({ where: { nodeId }, orderBy: { createdAt: 'desc' } }),
  create: (db: Db, data: Parameters<PrismaClient['bulletin']['create']>[0]['data']) =>
    db.bulletin.create({ data }),
  /** Locks the row for the publishing transaction (two clicks on 发布 publish once). */
  lock: (tx: TransactionClient, nodeId: string, id: string) =>
    tx.$queryRaw<
      Array<{ status: string }>
    >`SELECT status FROM bulletin WHERE node_id = ${nodeId} AND id = ${id}::uuid FOR UPDATE`,
  update: (db: Db, id: string, data: Parameters<PrismaClient['bulletin']['update']>[0]['data']) =>
    db.bulletin.update({ where: { id }, data }),

  /** The next number in a node's series for the year, in the caller's transaction. */
  async nextNumber(tx: TransactionClient, nodeId: string, series: string, year: number): Promise<number> {
    const rows = await tx.$queryRaw<Array<{ last: number }>>`
      INSERT INTO document_counter (node_id, series, year, last) VALUES (${nodeId}, ${series}, ${year}, 1)
      ON CONFLICT (node_id, series, year) DO UPDATE SET last = document_counter.last + 1
      RETURNING last`;
    return rows[0]!.last;
  },
};
