/**
 * The ledger under load (issue 3): GET /nodes/county/tasks/items over a million items, through the
 * real duban tasks route, beside a plain Fastify + Prisma route and a raw node:http + pg route doing
 * the same indexed query on the same data, in one run. Two loads per server: closed loop at 50
 * connections for throughput (goal: duban ≥ 0.9 of raw's requests/s) and open loop at a fixed
 * 200 requests/s for latency (goal: p99 < 50 ms). Closed-loop p99 is no goal: with 50 connections
 * waiting it is Little's law on 2 cores. See docs/benchmarks-ledger.md (written by a full run).
 *
 *   npx tsx bench/ledger.ts
 *   BENCH_LEDGER_ITEMS=1000000    rows of `item` for node 'county'
 *   BENCH_LEDGER_SECONDS=10       measured seconds per server (after a 2 s warm-up)
 *   BENCH_LEDGER_CONNECTIONS=50   autocannon connections (closed loop; the open loop's socket pool)
 *   BENCH_LEDGER_RATE=200         requests/s of the open-loop run
 *   DATABASE_URL                  the PostgreSQL server (127.0.0.1 only), else startPostgresServer()
 *
 * Each run creates a fresh, migrated database and drops it afterwards. Everything listens on and
 * talks to 127.0.0.1 only. autocannon runs in a child process (bench/ledger/loader.ts).
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEMO_COUNTY_ID,
  createFreshDatabase,
  createPool,
  demoCounty,
  startPostgresServer,
} from './ledger/deps';
import type { LoadPlan, LoadResult } from './ledger/loader';
import { breakdown } from './ledger/breakdown';
import type { Step } from './ledger/breakdown';
import { seedLedger } from './ledger/seed';
import type { SeedResult } from './ledger/seed';
import { LEDGER_PATH, POOL_MAX, startDubanServer, startPrismaServer, startRawServer } from './ledger/servers';
import type { BenchServer } from './ledger/servers';
import { assertLoopbackUrl, describeMachine, postgresVersion } from './machine';
import { Scope, closeScopesOnSignals } from './scope';
import { backgroundBusy, positiveInt } from './stats';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = resolve(ROOT, 'docs/benchmarks-ledger.md');
const LOADER = fileURLToPath(new URL('./ledger/loader.ts', import.meta.url));
export const LEDGER_START = '<!-- bench:ledger:start -->';
export const LEDGER_END = '<!-- bench:ledger:end -->';

export const GOALS = { ratioOfRaw: 0.9, p99Ms: 50, rate: 200 } as const;

export interface LedgerRun extends LoadResult {
  server: BenchServer['name'];
  label: string;
  /** CPU time of this (server) process during the measured run, in cores. */
  serverCores: number;
  /** Share of the machine's CPU busy during the measured run (servers, PostgreSQL, autocannon). */
  machineBusy: number;
}

export interface LedgerBenchResult {
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    node: string;
    postgres: string;
    os: string;
    date: string;
  };
  background: { busy: number; load1: number };
  postgresSource: string;
  items: number;
  seed: SeedResult;
  connections: number;
  durationSec: number;
  warmupSec: number;
  poolMax: number;
  mix: { first: string; filtered: string; deep: string; deepOffset: number; rotating: number };
  /** Page bytes of each query kind (from the duban server). */
  pageBytes: { first: number; filtered: number; deep: number };
  /** Did all three servers answer the verification queries with the same ids, cursors and bytes? */
  verified: { queries: number; sameIds: boolean; identicalBodies: boolean };
  /** Closed loop at `connections`: throughput. */
  runs: LedgerRun[];
  /** Open loop at `rate` requests/s: latency. */
  openRuns: LedgerRun[];
  rate: number;
  /** CPU time per step of the route, measured in this process after the load (see ledger/breakdown.ts). */
  steps: Step[];
  verdict: { ratio: number; ratioPass: boolean; p99Pass: boolean; pass: boolean };
  totalMs: number;
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    total += t;
    busy += t - c.times.idle;
  }
  return { busy, total };
}

function runLoader(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOADER, JSON.stringify(plan)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`loader exited with ${code}`));
      try {
        resolvePromise(JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult);
      } catch (error) {
        reject(new Error(`loader printed no result: ${(error as Error).message}: ${out}`));
      }
    });
  });
}

async function measure(server: BenchServer, plan: LoadPlan): Promise<LedgerRun> {
  // The warm-up runs inside the loader before the measured part: CPU is sampled for the whole
  // child run, so the warm-up is done separately here to keep the counters to the measured seconds.
  await runLoader({ ...plan, durationSec: plan.warmupSec, warmupSec: 0 });
  const cpu0 = process.cpuUsage();
  const m0 = cpuTimes();
  const t0 = performance.now();
  const result = await runLoader({ ...plan, warmupSec: 0 });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const m1 = cpuTimes();
  return {
    ...result,
    server: server.name,
    label: server.label,
    serverCores: (cpu.user + cpu.system) / 1000 / wallMs,
    machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total),
  };
}

interface Page {
  items: Array<{ id: string }>;
  nextCursor: string | null;
}

async function fetchPage(
  server: Pick<BenchServer, 'base' | 'headers'>,
  path: string,
): Promise<{ page: Page; body: string }> {
  const { base } = server;
  const response = await fetch(`${base}${path}`, { headers: server.headers ?? {} });
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`${base}${path}: HTTP ${response.status}: ${body.slice(0, 300)}`);
  return { page: JSON.parse(body) as Page, body };
}

/** The light is computed with each server's own `now`: bodies may only differ there. */
const withoutLights = (body: string) => body.replace(/"light": ?"[a-z]+"/g, '');

async function verify(servers: BenchServer[], paths: string[]): Promise<LedgerBenchResult['verified']> {
  let identicalBodies = true;
  for (const path of paths) {
    const [reference, ...others] = await Promise.all(servers.map((s) => fetchPage(s, path)));
    const ids = (p: Page) => JSON.stringify([p.items.map((i) => i.id), p.nextCursor]);
    if (reference!.page.items.length === 0) throw new Error(`${path}: an empty page verifies nothing`);
    for (const [i, other] of others.entries()) {
      if (ids(other.page) !== ids(reference!.page)) {
        throw new Error(`${servers[i + 1]!.name} and ${servers[0]!.name} disagree on ${path}`);
      }
      if (withoutLights(other.body) !== withoutLights(reference!.body)) identicalBodies = false;
    }
  }
  return { queries: paths.length, sameIds: true, identicalBodies };
}

export async function runLedgerBench(
  options: { items?: number; durationSec?: number; connections?: number; rate?: number } = {},
): Promise<LedgerBenchResult> {
  const items = options.items ?? 1_000_000;
  const rate = options.rate ?? GOALS.rate;
  const durationSec = options.durationSec ?? 10;
  const connections = options.connections ?? 50;
  const warmupSec = 2;
  const started = performance.now();
  process.env.LOG_FORMAT ??= 'json';
  const scope = new Scope();
  try {
    const postgres = await startPostgresServer();
    scope.defer('stop PostgreSQL', () => postgres.stop());
    assertLoopbackUrl('PostgreSQL', postgres.adminUrl);
    const pgVersion = await postgresVersion(postgres.adminUrl);
    const background = { busy: await backgroundBusy(), load1: os.loadavg()[0]! };
    console.log(
      `[ledger] background: CPU ${(background.busy * 100).toFixed(0)}% busy, load average ${background.load1.toFixed(2)}`,
    );

    const db = await createFreshDatabase(postgres.adminUrl, 'bench_ledger');
    scope.defer('drop the benchmark database', () => db.drop());
    const children = demoCounty()
      .children(DEMO_COUNTY_ID)
      .map((n) => n.id);
    console.log(`[ledger] loading ${items.toLocaleString('en-US')} items into ${db.name} …`);
    const seed = await seedLedger(db.url, children, items, new Date());
    console.log(
      `[ledger] loaded ${seed.rows.toLocaleString('en-US')} rows in ${(seed.loadMs / 1000).toFixed(1)} s, indexes ${(seed.indexMs / 1000).toFixed(1)} s, ANALYZE ${(seed.analyzeMs / 1000).toFixed(1)} s; ${Math.round(seed.tableBytes / 2 ** 20)} MiB with indexes, state ≈ ${Math.round(seed.meanStateBytes)} bytes`,
    );

    const deepOffset = Math.floor(items / 2);
    const pool = createPool(db.url, { max: 1 });
    const cursorRow = await pool
      .query<{ deadline: string; id: string }>(
        `SELECT state->>'deadline' AS deadline, id FROM item WHERE node_id = 'county' AND relation <> 'observer'
          ORDER BY deadline, id OFFSET $1 LIMIT 1`,
        [deepOffset - 1],
      )
      .finally(() => pool.end());
    const last = cursorRow.rows[0];
    if (!last) throw new Error('no row for the deep cursor');
    const cursor = Buffer.from(JSON.stringify([last.deadline, last.id])).toString('base64url');
    const first = `${LEDGER_PATH}?limit=50`;
    const units = children.filter((id) => id.startsWith('unit-'));
    const rotating = units.map((u) => `${LEDGER_PATH}?status=acknowledged&assignee=${u}&limit=50`);
    const deep = `${LEDGER_PATH}?limit=50&cursor=${cursor}`;

    const servers: BenchServer[] = [];
    for (const start of [startRawServer, startPrismaServer, startDubanServer]) {
      const server = await start(db.url);
      scope.defer(`stop the ${server.name} server`, () => server.close());
      servers.push(server);
    }
    const verified = await verify(servers, [
      first,
      rotating[0]!,
      rotating[45]!,
      rotating[91]!,
      deep,
      `${LEDGER_PATH}?limit=50&cursor=${(await fetchPage(servers[0]!, first)).page.nextCursor}`,
    ]);
    console.log(
      `[ledger] the three servers agree on ${verified.queries} pages (identical bodies: ${verified.identicalBodies})`,
    );
    const duban = servers.find((s) => s.name === 'duban')!;
    const pageBytes = {
      first: Buffer.byteLength((await fetchPage(duban, first)).body),
      filtered: Buffer.byteLength((await fetchPage(duban, rotating[0]!)).body),
      deep: Buffer.byteLength((await fetchPage(duban, deep)).body),
    };

    const runs: LedgerRun[] = [];
    const openRuns: LedgerRun[] = [];
    for (const server of servers) {
      const plan = {
        base: server.base,
        ...(server.headers ? { headers: server.headers } : {}),
        first,
        rotating,
        deep,
        connections,
        durationSec,
        warmupSec,
      };
      console.log(
        `[ledger] ${server.label}: ${warmupSec} s warm-up, ${durationSec} s at ${connections} connections …`,
      );
      const run = await measure(server, plan);
      runs.push(run);
      console.log(
        `[ledger]   ${Math.round(run.rps)} req/s, p50 ${run.latency.p50} ms, p99 ${run.latency.p99} ms, errors ${run.errors}, non-2xx ${run.non2xx}; server process ${run.serverCores.toFixed(2)} cores, machine ${(run.machineBusy * 100).toFixed(0)}% busy`,
      );
      console.log(`[ledger] ${server.label}: open loop, ${rate} req/s for ${durationSec} s …`);
      const open = await measure(server, { ...plan, rate });
      openRuns.push(open);
      console.log(
        `[ledger]   ${Math.round(open.rps)} req/s, p50 ${ms(open.latency.p50)} ms, p99 ${ms(open.latency.p99)} ms, max ${ms(open.latency.max)} ms, errors ${open.errors}, non-2xx ${open.non2xx}; machine ${(open.machineBusy * 100).toFixed(0)}% busy`,
      );
    }
    const raw = runs.find((r) => r.server === 'raw')!;
    const d = runs.find((r) => r.server === 'duban')!;
    const dOpen = openRuns.find((r) => r.server === 'duban')!;
    const ratio = d.rps / raw.rps;
    const clean = [...runs, ...openRuns].every((r) => r.errors === 0 && r.non2xx === 0 && r.timeouts === 0);
    const verdict = {
      ratio,
      ratioPass: ratio >= GOALS.ratioOfRaw,
      p99Pass: dOpen.latency.p99 < GOALS.p99Ms,
      pass: clean && ratio >= GOALS.ratioOfRaw && dOpen.latency.p99 < GOALS.p99Ms,
    };
    if (!clean) console.log('[ledger] some requests failed: the run does not count');
    console.log('[ledger] timing the route step by step …');
    const steps = await breakdown(db.url, [first, ...rotating.slice(0, 8), deep]);
    const m = describeMachine(pgVersion, 'not used', background);
    return {
      machine: {
        cpu: m.cpu,
        cores: m.cores,
        memoryGiB: m.memoryGiB,
        node: m.node,
        postgres: m.postgres,
        os: m.os,
        date: m.date,
      },
      background,
      postgresSource: postgres.source,
      items,
      seed,
      connections,
      durationSec,
      warmupSec,
      poolMax: POOL_MAX,
      mix: {
        first,
        filtered: rotating[0]!,
        deep: `${LEDGER_PATH}?limit=50&cursor=…`,
        deepOffset,
        rotating: rotating.length,
      },
      pageBytes,
      verified,
      runs,
      openRuns,
      rate,
      steps,
      verdict,
      totalMs: performance.now() - started,
    };
  } finally {
    await scope.close();
  }
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 10 ? n.toFixed(1) : int(n));

function tableRows(result: LedgerBenchResult, runs = result.runs): string[][] {
  const raw = runs.find((r) => r.server === 'raw')!;
  return runs.map((r) => [
    r.label,
    int(r.rps),
    (r.rps / raw.rps).toFixed(2),
    ms(r.latency.p50),
    ms(r.latency.p99),
    ms(r.latency.max),
    `${int(r.errors)} / ${int(r.non2xx)}`,
    r.serverCores.toFixed(2),
    ((r.serverCores * 1000) / r.rps).toFixed(2),
    `${(r.machineBusy * 100).toFixed(0)}%`,
  ]);
}

const HEAD = [
  'server',
  'req/s',
  'of raw',
  'p50 ms',
  'p99 ms',
  'max ms',
  'errors / non-2xx',
  'server CPU (cores)',
  'server CPU ms/req',
  'machine busy',
];

export function renderLedgerText(result: LedgerBenchResult): string {
  const rows = [
    ...tableRows(result),
    ...tableRows(result, result.openRuns).map(([l, ...r]) => [`${l} @${result.rate}/s`, ...r]),
  ];
  const widths = HEAD.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const v = result.verdict;
  return [
    line(HEAD),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    ...result.steps.map(
      (st) =>
        `${st.step}: ${st.cpuUs.toFixed(0)} µs CPU/call (${st.wallUs.toFixed(0)} µs wall at 10 in flight)`,
    ),
    '',
    `closed loop: duban / raw = ${v.ratio.toFixed(3)} (goal ≥ ${GOALS.ratioOfRaw}: ${v.ratioPass ? 'pass' : 'FAIL'}); open loop at ${result.rate}/s: duban p99 ${ms(result.openRuns.find((r) => r.server === 'duban')!.latency.p99)} ms (goal < ${GOALS.p99Ms} ms: ${v.p99Pass ? 'pass' : 'FAIL'})`,
  ].join('\n');
}

export function renderLedgerMarkdown(result: LedgerBenchResult): string {
  const m = result.machine;
  const s = result.seed;
  const v = result.verdict;
  const d = result.runs.find((r) => r.server === 'duban')!;
  const dOpen = result.openRuns.find((r) => r.server === 'duban')!;
  const md = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    LEDGER_START,
    '<!-- Generated by `npx tsx bench/ledger.ts`: everything between these markers is replaced on each run. -->',
    '',
    `## The ledger under load: results of ${m.date.slice(0, 10)}`,
    '',
    `**${v.pass ? 'Goals met' : 'Goals missed'}**: at ${result.connections} connections (closed loop) duban serves ${v.ratio.toFixed(2)} of the raw route's requests/s (goal ≥ ${GOALS.ratioOfRaw}: ${v.ratioPass ? 'met' : 'missed'}); at a fixed ${result.rate} requests/s (open loop) its p99 is ${ms(dOpen.latency.p99)} ms (goal < ${GOALS.p99Ms} ms: ${v.p99Pass ? 'met' : 'missed'}).`,
    '',
    `### Open loop: ${result.rate} requests/s on a fixed schedule (latency)`,
    '',
    'Each request has its slot on a uniform schedule and its latency counts from that slot (as wrk2 does), so a slow answer is charged to the requests queued behind it. Same three kinds of page as below, in turn.',
    '',
    md(HEAD),
    md(HEAD.map((_, i) => (i === 0 ? ':--' : '--:'))),
    ...tableRows(result, result.openRuns).map(md),
    '',
    `### Closed loop: ${result.connections} connections (throughput)`,
    '',
    md(HEAD),
    md(HEAD.map((_, i) => (i === 0 ? ':--' : '--:'))),
    ...tableRows(result).map(md),
    '',
    // Closed-loop load: each connection waits for its answer, so the mean latency is fixed by the
    // throughput (Little's law). Say what p99 < 50 ms would take on this machine.
    `With ${result.connections} connections each waiting for its answer, the closed loop's mean latency is ${result.connections} ÷ throughput (Little's law): ${ms((result.connections / d.rps) * 1000)} ms at duban's ${Math.round(d.rps)} req/s. That is why its p99 is no goal; the open loop above measures latency.`,
    '',
    `- CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGiB.toFixed(1)} GiB; ${m.os}`,
    `- Node ${m.node}; ${m.postgres} (${result.postgresSource})`,
    `- Date: ${m.date}; before the run the machine was ${(result.background.busy * 100).toFixed(0)}% busy, load average ${result.background.load1.toFixed(2)}`,
    `- Data: ${int(s.rows)} rows of \`item\` for node \`county\` (relation \`assigner\`, 112 assignees, 7 kinds, all 7 statuses, deadlines over 2026), state ≈ ${int(s.meanStateBytes)} bytes of JSON each, ${int(s.tableBytes / 2 ** 20)} MiB with indexes; loaded in ${(s.loadMs / 1000).toFixed(1)} s (INSERT … SELECT FROM generate_series, secondary indexes dropped), indexes rebuilt in ${(s.indexMs / 1000).toFixed(1)} s, VACUUM ANALYZE ${(s.analyzeMs / 1000).toFixed(1)} s`,
    `- Load: autocannon, ${result.connections} connections, ${result.warmupSec} s warm-up then ${result.durationSec} s per server, one server after the other, in a child process; each connection cycles through three requests: the first page (\`${result.mix.first}\`, ${int(result.pageBytes.first)} bytes), a filtered page (\`${result.mix.filtered}\`, the assignee rotating over ${result.mix.rotating} units, ${int(result.pageBytes.filtered)} bytes) and a keyset page ${int(result.mix.deepOffset)} rows in (\`${result.mix.deep}\`, ${int(result.pageBytes.deep)} bytes)`,
    `- Servers, all in one Node process against one database, each with a pool of ${result.poolMax} connections for the query: duban = a node process from \`startNodeProcess\` (tasks service, \`DUBAN_NODES=county\`; Prisma over @prisma/adapter-pg, pg's default pool of 10); plain Fastify + Prisma = \`$queryRawUnsafe\` of the same SQL text, no type provider or plugins; raw = \`node:http\` + a \`pg\` Pool, the same SQL as a text query. All three run the same SQL and send the same JSON (\`{ items, nextCursor }\`, each item the ledger row PostgreSQL wrote: the copy without description, draft, report and last review, with relation and light); before measuring, their answers to ${result.verified.queries} pages had the same ids and cursors${result.verified.identicalBodies ? ' and identical bodies' : ''}.`,
    `- Whole run ${(result.totalMs / 1000).toFixed(0)} s.`,
    '',
    '### Where the time goes',
    '',
    'CPU time of the benchmark process per call of each step (same pages as the load, 10 calls in flight, after the load):',
    '',
    md(['step', 'CPU µs/call', 'wall µs/call']),
    md([':--', '--:', '--:']),
    ...result.steps.map((st) => md([st.step, st.cpuUs.toFixed(0), st.wallUs.toFixed(0)])),
    '',
    LEDGER_END,
    '',
  ].join('\n');
}

/**
 * docs/benchmarks.md is not the place: bench/report.ts rewrites everything below its results
 * marker, which is the end of that file, so a section appended there would be lost on the next
 * `pnpm bench`. The ledger results have their own file, between their own markers.
 */
export async function writeLedgerDoc(result: LedgerBenchResult, path = DOC): Promise<void> {
  const current = await readFile(path, 'utf8').catch(
    () => '# Benchmarks: the ledger under load\n\nRun `npx tsx bench/ledger.ts`; see bench/ledger.ts.\n\n',
  );
  const at = current.indexOf(LEDGER_START);
  const end = current.indexOf(LEDGER_END);
  const section = renderLedgerMarkdown(result);
  const next =
    at >= 0 && end > at
      ? `${current.slice(0, at)}${section.trimEnd()}${current.slice(end + LEDGER_END.length)}`
      : `${current.trimEnd()}\n\n${section}`;
  await writeFile(path, next);
}

async function main(): Promise<void> {
  closeScopesOnSignals();
  const result = await runLedgerBench({
    items: positiveInt('BENCH_LEDGER_ITEMS', 1_000_000),
    durationSec: positiveInt('BENCH_LEDGER_SECONDS', 10),
    connections: positiveInt('BENCH_LEDGER_CONNECTIONS', 50),
    rate: positiveInt('BENCH_LEDGER_RATE', GOALS.rate),
  });
  console.log(`\n${renderLedgerText(result)}\n`);
  await writeLedgerDoc(result);
  console.log(`[ledger] results written to ${DOC}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
