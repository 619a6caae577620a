import { Prisma } from '@duban/db';
import type { PrismaClient, TransactionClient } from '@duban/db';
import type { ReadScope } from '@duban/kit';
import type { ItemKind, ItemSource, Priority } from '@duban/events';
import type { ItemState, ItemStatus, Relation, TrafficLight } from '../domain/item';

export interface LedgerFilter {
  /** own: items this node assigned, received, registered or co-handles; subtree: also those below it. */
  scope: 'own' | 'subtree';
  kind?: ItemKind[] | undefined;
  status?: ItemStatus[] | undefined;
  source?: ItemSource[] | undefined;
  priority?: Priority[] | undefined;
  assignee?: string | undefined;
  assigner?: string | undefined;
  leader?: string | undefined;
  parentId?: string | undefined;
  light?: TrafficLight[] | undefined;
  overdue?: boolean | undefined;
  /** Words in the title (台帐 search). */
  q?: string | undefined;
  now: Date;
  limit: number;
  /** Keyset cursor: the last row's (deadline, id) of the previous page. */
  after?: { deadline: Date; id: string } | undefined;
}

/**
 * The long texts a ledger row leaves out (the item page has them): a row is about half the bytes of
 * the whole copy, and the ledger is the hottest read (docs/decisions/0019-ledger-rows-written-by-postgres.md).
 */
export const LEDGER_OMITS = ['description', 'draft', 'report', 'lastReview'] as const;

/** One row of the ledger (台帐): the item without its long texts, with its relation and light. */
export interface LedgerRow extends Omit<ItemState, (typeof LEDGER_OMITS)[number]> {
  relation: Relation;
  light: TrafficLight;
}

/**
 * A ledger page as PostgreSQL wrote it: each row's JSON text, ready to be sent without being parsed
 * and serialised again, and the last row's keyset position for the next cursor.
 */
export interface LedgerPage {
  rows: string[];
  last: { deadline: Date; id: string } | undefined;
}

function lightCondition(light: TrafficLight, now: Date): Prisma.Sql {
  switch (light) {
    case 'done':
      return Prisma.sql`status = 'closed'`;
    case 'red':
      return Prisma.sql`(status <> 'closed' AND deadline < ${now})`;
    case 'yellow':
      return Prisma.sql`(status <> 'closed' AND deadline >= ${now} AND yellow_from <= ${now})`;
    case 'green':
      return Prisma.sql`(status <> 'closed' AND yellow_from > ${now})`;
  }
}

/**
 * The ledger query (督查工作台帐): one indexed, keyset-paginated SELECT per page, so page 10,000 of
 * a million items costs what page 1 costs.
 */
/** What runs a ledger page: the node's pg pool (see below), or anything with the same query method. */
export interface SqlRunner {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * The rows a read scope may see: the node's copies and, for a county leader reading outside their
 * subtree, only the items they own (分包). Every ledger read goes through it, so a route that forgets
 * a check still cannot return what the caller may not see.
 */
function scopeConditions(scope: ReadScope): Prisma.Sql[] {
  return scope.leader === null
    ? [Prisma.sql`node_id = ${scope.node}`]
    : [Prisma.sql`node_id = ${scope.node}`, Prisma.sql`leader = ${scope.leader}`];
}

export async function listLedgerPage(db: SqlRunner, scope: ReadScope, f: LedgerFilter): Promise<LedgerPage> {
  const where: Prisma.Sql[] = scopeConditions(scope);
  if (f.scope === 'own') where.push(Prisma.sql`relation <> 'observer'`);
  if (f.kind?.length) where.push(Prisma.sql`kind IN (${Prisma.join(f.kind)})`);
  if (f.status?.length) where.push(Prisma.sql`status IN (${Prisma.join(f.status)})`);
  if (f.source?.length) where.push(Prisma.sql`source IN (${Prisma.join(f.source)})`);
  if (f.priority?.length) where.push(Prisma.sql`priority IN (${Prisma.join(f.priority)})`);
  if (f.assignee) where.push(Prisma.sql`assignee = ${f.assignee}`);
  if (f.assigner) where.push(Prisma.sql`assigner = ${f.assigner}`);
  if (f.leader) where.push(Prisma.sql`leader = ${f.leader}`);
  if (f.parentId) where.push(Prisma.sql`parent_id = ${f.parentId}::uuid`);
  if (f.overdue !== undefined) {
    where.push(
      f.overdue
        ? Prisma.sql`(status <> 'closed' AND deadline < ${f.now})`
        : Prisma.sql`NOT (status <> 'closed' AND deadline < ${f.now})`,
    );
  }
  if (f.light?.length)
    where.push(
      Prisma.sql`(${Prisma.join(
        f.light.map((l) => lightCondition(l, f.now)),
        ' OR ',
      )})`,
    );
  if (f.q) where.push(Prisma.sql`title ILIKE ${`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  if (f.after) where.push(Prisma.sql`(deadline, id) > (${f.after.deadline}, ${f.after.id}::uuid)`);
  // The row is built and written as JSON text by PostgreSQL: the process only joins the rows. The
  // light is trafficLight() in SQL, from the conditions the light filter uses (the ledger test holds
  // them equal).
  const sql = Prisma.sql`
    SELECT ((state ${Prisma.raw(LEDGER_OMITS.map((k) => `- '${k}'`).join(' '))})
             || jsonb_build_object('relation', relation, 'light',
                  CASE WHEN ${lightCondition('done', f.now)} THEN 'done'
                       WHEN ${lightCondition('red', f.now)} THEN 'red'
                       WHEN ${lightCondition('yellow', f.now)} THEN 'yellow'
                       ELSE 'green' END))::text AS row,
           deadline, id::text AS id
      FROM item
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY deadline, id
     LIMIT ${f.limit}`;
  // The ledger is the hottest read: straight through pg, whose row handling costs about 60% less
  // CPU per page than the ORM's (docs/benchmarks-ledger.md); the SQL is built the same way.
  const { rows } = await db.query<{ row: string; deadline: Date; id: string }>(sql.text, sql.values);
  const last = rows.at(-1);
  return { rows: rows.map((r) => r.row), last: last && { deadline: last.deadline, id: last.id } };
}

/** A ledger page as objects (the export, tests). */
export async function listLedger(db: SqlRunner, scope: ReadScope, f: LedgerFilter): Promise<LedgerRow[]> {
  const page = await listLedgerPage(db, scope, f);
  return page.rows.map((row) => JSON.parse(row) as LedgerRow);
}

/** Counts per traffic light and status, for the ledger's header. */
export async function ledgerSummary(
  db: PrismaClient | TransactionClient,
  readScope: ReadScope,
  scope: 'own' | 'subtree',
  now: Date,
) {
  const rows = await db.$queryRaw<Array<{ status: string; red: bigint; yellow: bigint; total: bigint }>>`
    SELECT status,
           count(*) FILTER (WHERE status <> 'closed' AND deadline < ${now}) AS red,
           count(*) FILTER (WHERE status <> 'closed' AND deadline >= ${now} AND yellow_from <= ${now}) AS yellow,
           count(*) AS total
      FROM item
     WHERE ${Prisma.join(scopeConditions(readScope), ' AND ')}
       ${scope === 'own' ? Prisma.sql`AND relation <> 'observer'` : Prisma.empty}
     GROUP BY status`;
  const byStatus = Object.fromEntries(rows.map((r) => [r.status, Number(r.total)]));
  const red = rows.reduce((n, r) => n + Number(r.red), 0);
  const yellow = rows.reduce((n, r) => n + Number(r.yellow), 0);
  const total = rows.reduce((n, r) => n + Number(r.total), 0);
  const done = byStatus.closed ?? 0;
  return { total, byStatus, lights: { red, yellow, green: total - done - red - yellow, done } };
}
