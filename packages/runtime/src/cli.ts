import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
import { demoCounty, demoHostedNodeIds } from '@duban/org';

const USAGE = `usage: pnpm duban <command>

  keys init --out DIR [--nodes a,b,...]   make a county's keys: DIR/trust-store.json for every host,
                                          DIR/private/<node>.pem for each node's own host
                                          (default nodes: the demo county)
  keys export [--node X]                  print the trust store entries of the nodes this database hosts
  keys rotate --node X [--grace-days N]   rotate a hosted node's key (the running relay announces it;
                                          the old key verifies for N more days, default 7)
  audit verify [--node X]                 walk each node's hash chain; exit 1 naming the first broken link
  calendar import FILE.ics [--node X]     send the State Council's calendar (.ics, as chinese-days
                                          publishes it) to the running county office (default node
                                          county) at DUBAN_URL (default http://127.0.0.1:3000), as the
                                          admin whose bearer token is DUBAN_TOKEN
  accounts …, secrets …                   people and the sign-in secret: pnpm duban accounts help

keys export/rotate and audit verify read DATABASE_URL (the node's database; the embedded default is
postgres://postgres:postgres@127.0.0.1:54329/duban while pnpm start runs).`;

function databaseUrl(env: NodeJS.ProcessEnv): string {
  const url = env.DATABASE_URL;
  if (!url) throw new UsageError('DATABASE_URL is not set');
  return url;
}

class UsageError extends Error {}

/** The `pnpm duban` commands; returns the exit code (tests call it in-process, main() exits with it). */
export async function runCli(
  argv: readonly string[],
  out: (line: string) => void = console.log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      nodes: { type: 'string' },
      node: { type: 'string' },
      'grace-days': { type: 'string' },
    },
  });
  if (positionals[0] === 'calendar' && positionals[1] === 'import' && positionals.length === 3) {
    return importCalendar(positionals[2]!, values.node ?? 'county', out, env);
  }
  const command = positionals.join(' ');
  switch (command) {
    case 'keys init': {
      if (!values.out) throw new UsageError('keys init needs --out DIR');
      // Never over a county's existing keys: every host would stop trusting every other.
      if (existsSync(join(resolve(values.out), 'trust-store.json')))
        throw new UsageError(`${values.out} holds keys already; choose another directory`);
      const nodes = values.nodes
        ? values.nodes.split(',').map((n) => n.trim())
        : demoHostedNodeIds(demoCounty());
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
