import { readFile, writeFile } from 'node:fs/promises';
import type { Machine } from './machine';
import type { PipelineResult } from './pipeline';
import type { RawKafkaResult } from './rawKafka';
import { MiB } from './stats';
import type { Usage } from './stats';

export const RESULTS_MARKER = '<!-- bench:results -->';

export interface Report {
  machine: Machine;
  sources: { postgres: string; kafka: string };
  postgresSettings: string;
  events: number;
  paced: { events: number; rate: number };
  partitions: number;
  relayBatchSize: number;
  pipelines: PipelineResult[];
  raw: RawKafkaResult | undefined;
  totalMs: number;
}

/** A results table, rendered for the terminal (text) and for docs/ (markdown) by every benchmark. */
export type Table = { head: string[]; rows: string[][]; align: Array<'l' | 'r'> };

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const ms = (n: number) =>
  Number.isFinite(n) ? (n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US')) : '–';
const s = (millis: number) => (Number.isFinite(millis) ? (millis / 1000).toFixed(1) : '–');
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : '–');
const mib = (bytes: number) => int(bytes / MiB);

export function runName(r: PipelineResult): string {
  const writers = `${r.mode.writers} writers × ${r.mode.eventsPerTx} event${r.mode.eventsPerTx === 1 ? '' : 's'}/tx`;
  return r.mode.ratePerSec
    ? `${r.transport} · paced ${r.mode.ratePerSec} events/s (${writers})`
    : `${r.transport} · ${writers}`;
}

/**
 * The rate at which the consumer worked off the backlog left when the outbox was drained, alone on
 * the machine but for the broker. Only meaningful when there was a real backlog left.
 */
function consumerAlone(r: PipelineResult): number {
  const backlog = r.events - r.appliedAtDrain;
  if (!(backlog >= Math.max(100, 0.05 * r.events))) return Number.NaN;
  return backlog / ((r.wallMs - r.outboxDrainedMs) / 1000);
}

function rawName(report: Report): string {
  return `raw kafkajs · sendBatch ${report.relayBatchSize} / eachBatch`;
}

function usageCells(u: Usage): string[] {
  return [`${mib(u.peakRss)} (from ${mib(u.startRss)})`, u.processCores.toFixed(2), pct(u.machineBusy)];
}

function throughputTable(report: Report): Table {
  const rows = report.pipelines.map((r) => [
    runName(r),
    int(r.events),
    s(r.wallMs),
    int(r.eventsPerSec),
    ms(r.lag.p50),
    ms(r.lag.p99),
    ms(r.lag.max),
    ...usageCells(r.usage),
  ]);
  const raw = report.raw;
  if (raw) {
    rows.push([
      rawName(report),
      int(raw.events),
      s(raw.wallMs),
      int(raw.eventsPerSec),
      ms(raw.lag.p50),
      ms(raw.lag.p99),
      ms(raw.lag.max),
      ...usageCells(raw.usage),
    ]);
  }
  return {
    head: [
      'run',
      'events',
      'wall s',
      'events/s',
      'lag p50 ms',
      'lag p99 ms',
      'lag max ms',
      'peak RSS MiB',
      'node CPU (cores)',
      'machine CPU busy',
    ],
    rows,
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  };
}

function stagesTable(report: Report): Table {
  return {
    head: [
      'run',
      'writes done s',
      'outbox drained s',
      'last effect s',
      'consumer alone events/s',
      'outbox wait p50 / p99 ms',
      'relay batches',
      'mean batch',
      'log append total s',
      'redelivered',
    ],
    rows: report.pipelines.map((r) => [
      runName(r),
      s(r.writesDoneMs),
      s(r.outboxDrainedMs),
      s(r.wallMs),
      int(consumerAlone(r)),
      `${ms(r.outboxWait.p50)} / ${ms(r.outboxWait.p99)}`,
      int(r.relay.appends),
      r.relay.meanBatch.toFixed(1),
      s(r.relay.appendMs),
      int(r.duplicates),
    ]),
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  };
}

function ratios(report: Report): string[] {
  const raw = report.raw;
  if (!raw) return [];
  return report.pipelines
    .filter((r) => r.transport === 'kafka' && !r.mode.ratePerSec)
    .map(
      (r) =>
        `${runName(r)}: ${int(r.eventsPerSec)} / ${int(raw.eventsPerSec)} events/s = ${(r.eventsPerSec / raw.eventsPerSec).toFixed(3)} of raw kafkajs`,
    );
}

function machineLines(report: Report): string[] {
  const m = report.machine;
  return [
    `CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGiB.toFixed(1)} GiB; ${m.os}`,
    `Node ${m.node}; ${m.postgres} (${report.sources.postgres}; ${report.postgresSettings})`,
    `Kafka: ${m.kafka}`,
    `Date: ${m.date}; other work on the machine just before the run: CPU ${pct(m.background.busy)} busy, load average ${m.background.load1.toFixed(2)}`,
  ];
}

export function text(table: Table): string {
  const widths = table.head.map((h, i) => Math.max(h.length, ...table.rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (table.align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(table.head), widths.map((w) => '─'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

export function markdown(table: Table): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(table.head),
    line(table.align.map((a) => (a === 'r' ? '--:' : ':--'))),
    ...table.rows.map(line),
  ].join('\n');
}

export function renderText(report: Report): string {
  return [
    '',
    ...machineLines(report),
    `${int(report.events)} events per run, ${report.partitions} Kafka partitions; total ${s(report.totalMs)} s`,
    '',
    text(throughputTable(report)),
    '',
    text(stagesTable(report)),
    '',
    ...ratios(report),
    '',
  ].join('\n');
}

export function renderMarkdown(report: Report): string {
  const payload = report.pipelines[0]?.meanPayloadBytes;
  return [
    '',
    '<!-- Generated by `pnpm bench:pipeline` (bench/run.ts): everything below the marker is replaced on each run. -->',
    '',
    `## Results of ${report.machine.date.slice(0, 10)}`,
    '',
    ...machineLines(report).map((l) => `- ${l}`),
    `- ${int(report.events)} events per flat-out run (\`BENCH_EVENTS\`), ${int(report.paced.events)} per paced run at ${int(report.paced.rate)} events/s; each about ${int(payload ?? Number.NaN)} bytes encoded; ${report.partitions} partitions per Kafka topic; relay batch ≤ ${report.relayBatchSize}; whole run ${s(report.totalMs)} s`,
    '',
    '### Throughput, lag and resources',
    '',
    markdown(throughputTable(report)),
    '',
    '### Where the time went',
    '',
    markdown(stagesTable(report)),
    '',
    '### Our Kafka pipeline against raw kafkajs',
    '',
    ...(report.raw ? ratios(report).map((l) => `- ${l}`) : ['- (no raw kafkajs run)']),
    '',
  ].join('\n');
}

/** Replaces everything below the marker, keeping the hand-written part above it. */
export async function writeDoc(path: string, generated: string): Promise<void> {
  let intro: string;
  try {
    const current = await readFile(path, 'utf8');
    const at = current.indexOf(RESULTS_MARKER);
    intro = at >= 0 ? current.slice(0, at) : `${current.trimEnd()}\n\n`;
  } catch {
    intro = '# Benchmarks\n\nRun `pnpm bench`; see bench/run.ts.\n\n';
  }
  await writeFile(path, `${intro}${RESULTS_MARKER}\n${generated}`);
}
