import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_KEY_GRACE_MS,
  createKeyBundle,
  exportTrustStore,
  formatAuditReport,
  rotateNodeKey,
  verifyAuditTrail,
} from '@duban/bus';
import { createPool, createPrisma } from '@duban/db';
import { configuredOrg, countyNodeIds, formatProblem, readOrgFile } from '@duban/org';
import type { OrgKind, OrgTree } from '@duban/org';
import { runDbCommand } from './dbCli';
import { UsageError } from './cliErrors';
import { DEAD_LETTERS_NOTE, DEAD_LETTERS_USAGE, runDeadLetters } from './deadLetters';

const USAGE = `usage: pnpm duban <command>

  org import ROSTER.xlsx [--out FILE] [--force]
                                          the office's roster (单位名称, 类型, 上级单位, 编码, 分管领导)
                                          to an org.yaml (default ./org.yaml); nothing is written on
                                          any error, and an existing file only with --force
  org check FILE                          validate an org.yaml: every problem with its line; exit 1 on any
  org show [--org FILE]                   print the tree, names and ids, and the counts by kind
                                          (default: DUBAN_ORG, else the demo county)
  keys init --out DIR [--nodes a,b,...]   make a county's keys: DIR/trust-store.json for every host,
                                          DIR/private/<node>.pem for each node's own host
                                          (default nodes: the county of DUBAN_ORG, else the demo's)
  keys export [--node X]                  print the trust store entries of the nodes this database hosts
  keys rotate --node X [--grace-days N]   rotate a hosted node's key (the running relay announces it;
                                          the old key verifies for N more days, default 7)
  audit verify [--node X]                 walk each node's hash chain; exit 1 naming the first broken link
  db status                               the database's migrations: applied, pending, unknown (from a
                                          newer build), changed; exit 1 when this build cannot run on it
  db migrate                              apply the pending migrations (what starting duban does)
  backup --out FILE                       a consistent backup of the node's database (duban's format)
  restore FILE                            load a backup into an EMPTY database, then upgrade it
${DEAD_LETTERS_USAGE}
  calendar import FILE.ics [--node X]     send the State Council's calendar (.ics, as chinese-days
                                          publishes it) to the running county office (default node
                                          county) at DUBAN_URL (default http://127.0.0.1:3000), as the
                                          admin whose bearer token is DUBAN_TOKEN
  accounts …, secrets …                   people and the sign-in secret: pnpm duban accounts help

keys export/rotate and audit verify read DATABASE_URL (the node's database; the embedded default is
postgres://postgres:postgres@127.0.0.1:54329/duban while pnpm start runs). db, backup and restore
use DATABASE_URL, else the embedded database of DUBAN_DATA_DIR (default .duban), running or not.

${DEAD_LETTERS_NOTE}`;

function databaseUrl(env: NodeJS.ProcessEnv): string {
  const url = env.DATABASE_URL;
  if (!url) throw new UsageError('DATABASE_URL is not set');
  return url;
}

/** The `pnpm duban` commands; returns the exit code (tests call it in-process, main() exits with it). */
export async function runCli(
  argv: readonly string[],
  out: (line: string) => void = console.log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv[0] === 'dead-letters') return runDeadLetters(argv.slice(1), out, env);
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      nodes: { type: 'string' },
      node: { type: 'string' },
      'grace-days': { type: 'string' },
      org: { type: 'string' },
      force: { type: 'boolean' },
    },
  });
  // The database commands take the whole line: `restore FILE` has its file as a positional.
  const words = positionals.join(' ');
  const isDbCommand = (w: string): w is 'db status' | 'db migrate' | 'backup' =>
    w === 'db status' || w === 'db migrate' || w === 'backup';
  if (isDbCommand(words) || positionals[0] === 'restore') {
    if (words === 'backup' && !values.out) throw new UsageError('backup needs --out FILE');
    if (positionals[0] === 'restore' && positionals.length !== 2) throw new UsageError('restore needs FILE');
    return runDbCommand(
      isDbCommand(words) ? words : 'restore',
      { file: positionals[0] === 'restore' ? positionals[1] : values.out },
      out,
      env,
    );
  }
  if (positionals[0] === 'calendar' && positionals[1] === 'import' && positionals.length === 3) {
    return importCalendar(positionals[2]!, values.node ?? 'county', out, env);
  }
  const command = positionals.slice(0, 2).join(' ');
  const args = positionals.slice(2);
  const takesFile = command === 'org import' || command === 'org check';
  if (takesFile ? args.length !== 1 : args.length > 0)
    throw new UsageError(takesFile ? `${command} needs one FILE` : `unexpected ${args.join(' ')}`);
  switch (command) {
    case 'org import':
      return importOrg(args[0]!, values.out ?? 'org.yaml', values.force === true, out);
    case 'org check': {
      const parsed = readOrgFile(resolve(args[0]!), args[0]!);
      if (!parsed.ok) {
        for (const p of parsed.problems) out(formatProblem(p));
        out(`${args[0]}: ${parsed.problems.length} 处问题 / ${parsed.problems.length} problems`);
        return 1;
      }
      out(`${args[0]}: ${countsLine(parsed.tree)} / ok`);
      return 0;
    }
    case 'org show': {
      const file = values.org ?? env.DUBAN_ORG;
      const org = configuredOrg({ DUBAN_ORG: file }, process.cwd());
      for (const line of treeLines(org)) out(line);
      out(`${file ?? 'the demo county (examples/suixian/org.yaml)'}: ${countsLine(org)}`);
      return 0;
    }
    case 'keys init': {
      if (!values.out) throw new UsageError('keys init needs --out DIR');
      // Never over a county's existing keys: every host would stop trusting every other.
      if (existsSync(join(resolve(values.out), 'trust-store.json')))
        throw new UsageError(`${values.out} holds keys already; choose another directory`);
      const nodes = values.nodes
        ? values.nodes.split(',').map((n) => n.trim())
        : countyNodeIds(configuredOrg(env, process.cwd()));
      const made = createKeyBundle(resolve(values.out), nodes);
      out(`keys for ${nodes.length} nodes; give every host DUBAN_TRUST_STORE=${made.trustStore}`);
      out(
        `and each host DUBAN_NODE_KEYS pointing at a directory with only its own nodes' files from ${made.privateDir}`,
      );
      return 0;
    }
    case 'keys export': {
      const pool = createPool(databaseUrl(env), { max: 1 });
      try {
        const store = await exportTrustStore(pool, values.node ? [values.node] : undefined);
        out(JSON.stringify(store, null, 2));
        return 0;
      } finally {
        await pool.end();
      }
    }
    case 'keys rotate': {
      if (!values.node) throw new UsageError('keys rotate needs --node X');
      const graceDays = values['grace-days'] === undefined ? undefined : Number(values['grace-days']);
      if (graceDays !== undefined && !(graceDays >= 0))
        throw new UsageError('--grace-days is a number of days');
      const prisma = createPrisma(databaseUrl(env), { pool: { max: 1 } });
      try {
        const r = await rotateNodeKey(
          prisma,
          values.node,
          new Date(),
          graceDays === undefined ? DEFAULT_KEY_GRACE_MS : graceDays * 24 * 3600_000,
        );
        out(
          `${values.node}: key ${r.keyId} replaces ${r.previousKeyId} once the relay publishes event ${r.eventId}`,
        );
        return 0;
      } finally {
        await prisma.$disconnect();
      }
    }
    case 'calendar import': {
      throw new UsageError('calendar import needs FILE.ics');
    }
    case 'audit verify': {
      const pool = createPool(databaseUrl(env), { max: 1 });
      try {
        const report = await verifyAuditTrail(pool, values.node ? { node: values.node } : {});
        out(formatAuditReport(report));
        return report.ok ? 0 : 1;
      } finally {
        await pool.end();
      }
    }
    default:
      throw new UsageError(command ? `unknown command: ${command}` : 'no command');
  }
}

const KIND_LABELS: ReadonlyArray<[OrgKind, string, string]> = [
  ['city', '市级', 'city'],
  ['county-office', '县委督查室', 'county office'],
  ['township', '乡镇', 'townships'],
  ['unit', '县直单位', 'units'],
];

/** `114 个节点：县委督查室 1、乡镇 20、县直单位 92、市级 1 / 114 nodes: …`. */
function countsLine(org: OrgTree): string {
  const count = (kind: OrgKind) => org.all().filter((n) => n.kind === kind).length;
  const present = KIND_LABELS.filter(([kind]) => count(kind) > 0);
  return (
    `${org.size} 个节点：${present.map(([kind, zh]) => `${zh} ${count(kind)}`).join('、')}` +
    ` / ${org.size} nodes: ${present.map(([kind, , en]) => `${count(kind)} ${en}`).join(', ')}`
  );
}

/** The tree from its roots down, two spaces a level: `城关镇  township-chengguan  分管：…`. */
function treeLines(org: OrgTree): string[] {
  const lines: string[] = [];
  const walk = (id: string, depth: number) => {
    const n = org.get(id);
    const extra = [n.code ? `编码 ${n.code}` : '', n.leader ? `分管 ${n.leader}` : ''].filter(Boolean);
    lines.push(`${'  '.repeat(depth)}${n.name}  ${n.id}${extra.length ? `  （${extra.join('；')}）` : ''}`);
    for (const child of org.children(id)) walk(child.id, depth + 1);
  };
  for (const root of org.all().filter((n) => n.parentId === null)) walk(root.id, 0);
  return lines;
}

async function importOrg(
  roster: string,
  target: string,
  force: boolean,
  out: (line: string) => void,
): Promise<number> {
  // Loaded here: exceljs is large, and only this command reads spreadsheets.
  const { formatRosterProblem, importRoster } = await import('@duban/org/roster');
  const outPath = resolve(target);
  if (existsSync(outPath) && !force)
    throw new UsageError(`${target} exists; choose another --out, or --force to replace it`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(roster));
  } catch (error) {
    out(`${roster}: 无法读取 / cannot read it (${(error as { code?: string }).code ?? String(error)})`);
    return 1;
  }
  const result = await importRoster(bytes, { source: basename(roster) });
  if (!result.ok) {
    for (const p of result.problems) out(`${roster} ${formatRosterProblem(p)}`);
    out(
      `${result.problems.length} 处问题，未写入 ${target} / ${result.problems.length} problems: nothing written`,
    );
    return 1;
  }
  writeFileSync(outPath, result.yaml);
  const parsed = readOrgFile(outPath, target);
  if (!parsed.ok) throw new Error(`wrote an invalid ${target}: ${formatProblem(parsed.problems[0]!)}`);
  out(`${target}: ${countsLine(parsed.tree)}`);
  out(`下一步 / next: pnpm duban org show --org ${target}; then DUBAN_ORG=${target} pnpm start`);
  return 0;
}

/** The import goes through the API, so the county office stores it and emits it to every node. */
async function importCalendar(
  file: string,
  node: string,
  out: (line: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const token = env.DUBAN_TOKEN;
  if (!token) throw new UsageError('DUBAN_TOKEN is not set (an admin’s bearer token: POST /auth/login)');
  const base = (env.DUBAN_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  const response = await fetch(`${base}/nodes/${node}/reminders/calendar/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ ics: readFileSync(file, 'utf8') }),
  });
  const body = (await response.json()) as {
    coveredYears?: number[];
    amendments?: Array<{ id: string; coversYear: number; days: number }>;
    error?: { code: string; message: string };
  };
  if (!response.ok) {
    out(`import refused (${response.status} ${body.error?.code ?? ''}): ${body.error?.message ?? ''}`);
    return 1;
  }
  for (const a of body.amendments ?? []) out(`${a.coversYear}: ${a.days} days (${a.id})`);
  out(`covered through ${body.coveredYears?.at(-1) ?? '?'}; provisional deadlines are re-planned`);
  return 0;
}

export async function cliMain(argv: readonly string[]): Promise<void> {
  try {
    process.exitCode = await runCli(argv);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    console.error(`duban: ${(error as Error).message ?? String(error)}`);
    process.exitCode = 1;
  }
}
