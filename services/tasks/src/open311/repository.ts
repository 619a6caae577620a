import { Prisma } from '@duban/db';
import type { PrismaClient, TransactionClient } from '@duban/db';
import type { ItemState } from '../domain/item';
import type { OfferedService } from './catalogue';
import { caseRefOf } from './requests';
import type { RequestRow } from './requests';

/** The spec's response volume: at most 1000 requests, over at most 90 days. */
export const MAX_REQUESTS = 1000;

export interface RequestFilter {
  /** Overrides every other filter (the spec's rule). */
  ids?: string[] | undefined;
  services?: OfferedService[] | undefined;
  status?: Array<'open' | 'closed'> | undefined;
  from: Date;
  to: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An item of a category: filed over Open311 under its code, or a hotline case that went to its unit. */
function serviceCondition(service: OfferedService): Prisma.Sql {
  return Prisma.sql`(state->>'caseRef' = ${caseRefOf(service.code)}
    OR (coalesce(state->>'caseRef', '') NOT LIKE 'open311:%' AND assignee = ${service.unitId}))`;
}

/**
 * The node's hotline cases (民意快线) as Open311 sees them: its own copies of kind `hotline` (those
 * it filed over Open311 and those it took from the city), newest first.
 */
export async function findServiceRequests(
  db: PrismaClient | TransactionClient,
  nodeId: string,
  f: RequestFilter,
): Promise<RequestRow[]> {
  const where: Prisma.Sql[] = [
    Prisma.sql`node_id = ${nodeId}`,
    Prisma.sql`kind = 'hotline'`,
    Prisma.sql`relation <> 'observer'`,
  ];
  if (f.ids) {
    const ids = f.ids.filter((id) => UUID.test(id));
    if (ids.length === 0) return [];
    where.push(Prisma.sql`id IN (${Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`))})`);
  } else {
    where.push(Prisma.sql`assigned_at >= ${f.from} AND assigned_at <= ${f.to}`);
    if (f.services) {
      if (f.services.length === 0) return [];
      where.push(Prisma.sql`(${Prisma.join(f.services.map(serviceCondition), ' OR ')})`);
    }
    if (f.status?.length === 1) {
      where.push(f.status[0] === 'closed' ? Prisma.sql`status = 'closed'` : Prisma.sql`status <> 'closed'`);
    }
  }
  const rows = await db.$queryRaw<Array<{ state: ItemState; updatedAt: Date }>>`
    SELECT state, updated_at AS "updatedAt" FROM item
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY assigned_at DESC, id DESC
     LIMIT ${MAX_REQUESTS}`;
  return rows.map((r) => ({ state: r.state, updatedAt: new Date(r.updatedAt) }));
}

export async function findServiceRequest(
  db: PrismaClient | TransactionClient,
  nodeId: string,
  id: string,
): Promise<RequestRow | null> {
  if (!UUID.test(id)) return null;
  const [row] = await findServiceRequests(db, nodeId, { ids: [id], from: new Date(0), to: new Date(0) });
  return row ?? null;
}
