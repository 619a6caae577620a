/**
 * The seed year replayed in full (112 annual targets, 132 leader instructions, 206 hotline cases
 * through all 113 nodes) on each transport: wall time and events per second.
 *
 *   npx tsx bench/seedYear.ts         (run by `pnpm bench` too; BENCH_SEED_TRANSPORTS=embedded,kafka)
 */
import os from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createFreshDatabase } from '../packages/db/src/index.ts';
import { freshTopicPrefix, startKafkaServer, startPostgresServer } from '../packages/testing/src/index.ts';
import { FULL_YEAR, runSeedYear } from '../test/scenario/seedYear.ts';

const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
const START = '<!-- bench:seed-year:start -->';
const END = '<!-- bench:seed-year:end -->';

export interface SeedYearBench {
  transport: string;
  wallSeconds: number;
  events: number;
  eventsPerSecond: number;
  items: number;
  closureRate: number | null;
  reReviewRate: number | null;
  analystAgrees: boolean;
}

export async function runSeedYearBench(transports: string[]): Promise<SeedYearBench[]> {
  const postgres = await startPostgresServer();
  const results: SeedYearBench[] = [];
  let stopKafka: (() => Promise<void>) | undefined;
  try {
    for (const transport of transports) {
      let kafka: { brokers: string[]; topicPrefix: string } | undefined;
      if (transport === 'kafka') {
        const server = await startKafkaServer();
        stopKafka = server.stop;
        kafka = { brokers: server.brokers, topicPrefix: freshTopicPrefix('bench-seed-year') };
      }
      const db = await createFreshDatabase(postgres.adminUrl, `bench_seed_${transport}`);
      try {
        const r = await runSeedYear({ size: FULL_YEAR, databaseUrl: db.url, kafka });
        results.push({
          transport,
          wallSeconds: r.wallMs / 1000,
          events: r.events,
          eventsPerSecond: r.events / (r.wallMs / 1000),
          items: r.statistics.items,
          closureRate: r.statistics.closureRate,
          reReviewRate: r.statistics.reReviewRate,
          analystAgrees: JSON.stringify(r.analyst.county) === JSON.stringify(r.statistics),
        });
      } finally {
        await db.drop();
      }
    }
  } finally {
    await stopKafka?.();
    await postgres.stop();
  }
  return results;
}

export function renderSeedYearMarkdown(results: SeedYearBench[]): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const rows = results.map(
    (r) =>
      `| ${r.transport} | ${r.items} | ${r.events} | ${r.wallSeconds.toFixed(1)} s | ${r.eventsPerSecond.toFixed(0)} | ${r.closureRate === null ? '—' : `${(r.closureRate * 100).toFixed(1)}%`} | ${r.reReviewRate === null ? '—' : `${(r.reReviewRate * 100).toFixed(2)}%`} | ${r.analystAgrees ? 'yes' : 'NO'} |`,
  );
  return [
    START,
    '## The seed year, replayed in full',
    '',
    `The article's year (112 annual-target parts, 132 leader instructions, 206 hotline cases through Open311, returns, re-reviews, decisions) through all 113 nodes of the demo county in one process, on a virtual clock, over real HTTP (test/scenario/seedYear.ts; \`pnpm scenario:seed-year\` prints the office's tables). Events are every event the county's outbox published (tasks, chases, decisions). Wall time includes starting the node and waiting for every step to propagate before the next one, as a person would; it is not a throughput ceiling (the pipeline numbers above are). ${new Date().toISOString().slice(0, 10)}, ${cpu}, ${os.cpus().length} cores, Node ${process.version}.`,
    '',
    '| transport | items | events | wall time | events/s | closure | re-review | analyst agrees |',
    '| :-- | --: | --: | --: | --: | --: | --: | :-- |',
    ...rows,
    END,
  ].join('\n');
}

export function writeSeedYearSection(markdown: string): void {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${doc.slice(0, start)}${markdown}${doc.slice(end + END.length)}`
      : `${doc.trimEnd()}\n\n${markdown}\n`;
  writeFileSync(DOC, next);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const transports = (process.env.BENCH_SEED_TRANSPORTS ?? 'embedded,kafka').split(',').map((t) => t.trim());
  const results = await runSeedYearBench(transports);
  console.table(results);
  writeSeedYearSection(renderSeedYearMarkdown(results));
}
