/**
 * Where the duban route's time goes, step by step, in this process: CPU time per call of each step
 * the route takes (and of the raw route's equivalents), `CONCURRENCY` calls in flight, on the same
 * database and pages the load used. CPU time, not wall time: on a busy machine wall time mostly
 * measures the other processes, CPU time per call does not.
 */
import { LedgerQuery, ledgerFilter } from '../../services/tasks/src/routes/items.ts';
import { listLedgerPage } from '../../services/tasks/src/repositories/ledger.ts';

const COUNTY = { node: 'county', leader: null };
import type { TasksDeps } from '../../services/tasks/src/deps.ts';
import { Prisma, createPool, createPrisma, systemClock } from './deps';

export interface Step {
  step: string;
  /** Mean CPU time of this process per call, µs. */
  cpuUs: number;
  /** Mean wall time per call at CONCURRENCY in flight, µs (machine-load dependent). */
  wallUs: number;
}

const CONCURRENCY = 10;

async function time(
  step: string,
  calls: number,
  fn: (i: number) => Promise<unknown> | unknown,
): Promise<Step> {
  // warm up (JIT, pools, statement caches)
  for (let i = 0; i < Math.min(200, calls); i++) await fn(i);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < calls; i = next++) await fn(i);
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { step, cpuUs: (cpu.user + cpu.system) / calls, wallUs: (wall * 1000) / calls };
}

/** `paths`: the query strings the load cycles through (first, filtered…, deep), as the route gets them. */
export async function breakdown(url: string, paths: string[], calls = 3000): Promise<Step[]> {
  const queries = paths.map((p) => Object.fromEntries(new URL(p, 'http://127.0.0.1').searchParams));
  const prisma = createPrisma(url, { pool: { max: 10 } });
  const pool = createPool(url, { max: 10 });
  const deps = { clock: systemClock } as unknown as TasksDeps;
  try {
    const parsed = queries.map((q) => LedgerQuery.parse(q));
    const filters = parsed.map((q) => ledgerFilter(deps, q));
    const sqls = filters.map((f) => {
      const where: Prisma.Sql[] = [Prisma.sql`node_id = ${'county'}`, Prisma.sql`relation <> 'observer'`];
      if (f.status?.length) where.push(Prisma.sql`status IN (${Prisma.join(f.status)})`);
      if (f.assignee) where.push(Prisma.sql`assignee = ${f.assignee}`);
      if (f.after) where.push(Prisma.sql`(deadline, id) > (${f.after.deadline}, ${f.after.id}::uuid)`);
      return Prisma.sql`SELECT relation, state, yellow_from FROM item WHERE ${Prisma.join(where, ' AND ')} ORDER BY deadline, id LIMIT ${f.limit}`;
    });
    const pgQueries = sqls.map((s) => ({ text: s.text, values: s.values }));
    const pick = <T>(list: T[], i: number) => list[i % list.length]!;
    const page = await listLedgerPage(pool, COUNTY, ledgerFilter(deps, parsed[0]!));

    const steps: Step[] = [];
    steps.push(
      await time('zod: LedgerQuery.parse of the query string', calls * 10, (i) =>
        LedgerQuery.parse(pick(queries, i)),
      ),
    );
    steps.push(
      await time('pg: pool.query of whole copies (the rows until 2026-11-27, parsed by pg)', calls, (i) =>
        pool.query(pick(pgQueries, i)),
      ),
    );
    steps.push(
      await time('Prisma: $queryRaw of whole copies (the same SQL)', calls, (i) =>
        prisma.$queryRaw(pick(sqls, i)),
      ),
    );
    steps.push(
      await time('duban: listLedgerPage (ledger rows as JSON text from PostgreSQL)', calls, (i) =>
        listLedgerPage(pool, COUNTY, pick(filters, i)),
      ),
    );
    steps.push(
      await time('the body: joining a page of rows', calls, () => `{"items":[${page.rows.join(',')}]}`),
    );
    return steps;
  } finally {
    await prisma.$disconnect();
    await pool.end();
  }
}
