/**
 * The three servers the ledger benchmark compares, all on 127.0.0.1, in this process, against the
 * same database, all answering GET /nodes/county/tasks/items?limit&status&assignee&cursor with the
 * same JSON ({ items: [ledger rows], nextCursor }; a row is the item without its long texts, with its
 * relation and light, written as JSON text by PostgreSQL):
 *
 * - duban: a real node process (startNodeProcess, the tasks service only, DUBAN_NODES=county), so
 *   the route, zod validation, listLedger and Prisma over @prisma/adapter-pg as the product runs them;
 * - prisma: a plain Fastify app (no type provider, no validation, no plugins) running the same SQL
 *   through Prisma's $queryRawUnsafe on a PrismaClient made the same way (createPrisma);
 * - raw: node:http and a pg Pool, the same SQL as a parameterised text query.
 *
 * Pools: every one of them has 10 connections to PostgreSQL for the query (the duban process:
 * Prisma's adapter pool, pg's default max of 10; it also has its own pg pool of 10 for the event
 * log and readiness, which the ledger route does not use).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Fastify,
  NodeProcessConfig,
  createLogger,
  createPool,
  createPrisma,
  startNodeProcess,
  tasksService,
} from './deps';

export const POOL_MAX = 10;
export const LEDGER_PATH = '/nodes/county/tasks/items';

export interface BenchServer {
  name: 'duban' | 'prisma' | 'raw';
  label: string;
  base: string;
  /** Sent with every request: the duban server needs a bearer token like any client (ADR 0014). */
  headers?: Record<string, string>;
  close(): Promise<void>;
}

/** The subset of LedgerQuery the baselines understand (the benchmark uses no other parameter). */
interface LedgerParams {
  limit: number;
  status: string[] | undefined;
  assignee: string | undefined;
  after: { deadline: Date; id: string } | undefined;
}

/** A row as listLedgerPage selects it: the ledger row's JSON text and its keyset position. */
interface LedgerRow {
  row: string;
  deadline: Date;
  id: string;
}

function parseParams(get: (name: string) => string | undefined): LedgerParams {
  const limit = Number(get('limit') ?? 50);
  const status = get('status')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const cursor = get('cursor');
  let after: LedgerParams['after'];
  if (cursor) {
    const [deadline, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    after = { deadline: new Date(deadline), id };
  }
  return { limit, status, assignee: get('assignee'), after };
}

/** The body every server sends: the rows' JSON text as PostgreSQL wrote it, joined. */
function page(rows: LedgerRow[], limit: number): string {
  const last = rows.at(-1);
  const nextCursor =
    rows.length === limit && last
      ? Buffer.from(JSON.stringify([last.deadline.toISOString(), last.id])).toString('base64url')
      : null;
  return `{"items":[${rows.map((r) => r.row).join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
}

/** listLedgerPage's select list ($now: the instant the lights are for). */
const ROW = (now: string) => `((state - 'description' - 'draft' - 'report' - 'lastReview')
      || jsonb_build_object('relation', relation, 'light',
           CASE WHEN status = 'closed' THEN 'done'
                WHEN deadline < ${now}::timestamptz THEN 'red'
                WHEN yellow_from <= ${now}::timestamptz THEN 'yellow'
                ELSE 'green' END))::text AS row,
    deadline, id::text AS id`;

/** listLedgerPage's SQL for these parameters, as text and values (pg and Prisma both run it). */
function rawQuery(p: LedgerParams): { text: string; values: unknown[] } {
  const values: unknown[] = ['county'];
  const where = ['node_id = $1', `relation <> 'observer'`];
  if (p.status?.length) where.push(`status IN (${p.status.map((s) => `$${values.push(s)}`).join(', ')})`);
  if (p.assignee) where.push(`assignee = $${values.push(p.assignee)}`);
  if (p.after)
    where.push(`(deadline, id) > ($${values.push(p.after.deadline)}, $${values.push(p.after.id)}::uuid)`);
  const now = `$${values.push(new Date())}`;
  const text = `SELECT ${ROW(now)} FROM item
     WHERE ${where.join(' AND ')}
     ORDER BY deadline, id
     LIMIT $${values.push(p.limit)}`;
  return { text, values };
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startDubanServer(url: string): Promise<BenchServer> {
  const config = NodeProcessConfig.parse({
    DATABASE_URL: url,
    DUBAN_NODES: 'county',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'fatal',
    // One token for the whole run: warm-up and measurement together take longer than 15 minutes
    // at large BENCH_LEDGER_SECONDS.
    DUBAN_ACCESS_TOKEN_TTL: '3600',
  });
  const logger = createLogger({ level: 'fatal', name: 'bench-ledger' });
  const node = await startNodeProcess({
    config,
    services: [tasksService],
    title: 'duban ledger bench',
    logger,
  });
  try {
    const base = await node.app.listen({ host: '127.0.0.1', port: 0 });
    // A signed-in reader, so the measured route pays for the bearer check and session read too.
    const login = `bench-${Date.now()}`;
    await node.ctx.auth.createAccount({
      node: 'county',
      login,
      name: login,
      roles: ['office-staff'],
      password: 'bench-password-only',
    });
    const { accessToken } = await node.ctx.auth.login(login, 'bench-password-only');
    return {
      name: 'duban',
      label: 'duban tasks route (startNodeProcess, tasks service, bearer token)',
      base,
      headers: { authorization: `Bearer ${accessToken}` },
      close: () => node.close(),
    };
  } catch (error) {
    await node.close();
    throw error;
  }
}

export async function startPrismaServer(url: string): Promise<BenchServer> {
  const prisma = createPrisma(url, { pool: { max: POOL_MAX } });
  const app = Fastify({ logger: false });
  app.get(LEDGER_PATH, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const p = parseParams((name) => q[name]);
    // The very SQL text and values the raw route sends, through Prisma's raw query path.
    const { text, values } = rawQuery(p);
    const rows = await prisma.$queryRawUnsafe<LedgerRow[]>(text, ...values);
    return reply.type('application/json; charset=utf-8').send(page(rows, p.limit));
  });
  try {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    return {
      name: 'prisma',
      label: 'plain Fastify + Prisma $queryRawUnsafe',
      base,
      close: async () => {
        await app.close();
        await prisma.$disconnect();
      },
    };
  } catch (error) {
    await prisma.$disconnect();
    throw error;
  }
}

export async function startRawServer(url: string): Promise<BenchServer> {
  const pool = createPool(url, { max: POOL_MAX });
  const server = http.createServer((req, res) => {
    const fail = (error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    };
    try {
      const at = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET' || at.pathname !== LEDGER_PATH) {
        res.writeHead(404).end();
        return;
      }
      const p = parseParams((name) => at.searchParams.get(name) ?? undefined);
      pool.query<LedgerRow>(rawQuery(p)).then((result) => {
        const body = page(result.rows, p.limit);
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      }, fail);
    } catch (error) {
      fail(error);
    }
  });
  server.keepAliveTimeout = 60_000;
  try {
    const base = await listen(server);
    return {
      name: 'raw',
      label: 'node:http + pg Pool (raw)',
      base,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
