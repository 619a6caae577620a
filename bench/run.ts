/**
 * `pnpm bench`: events per second end to end, transactional outbox → relay → log → consumer with an
 * inbox, on the embedded log and on Kafka, plus raw kafkajs on the same messages as a ceiling.
 * See docs/benchmarks.md for what each number means.
 *
 *   BENCH_EVENTS=20000       events per flat-out run
 *   BENCH_PACED_EVENTS=2000, BENCH_PACED_RATE=100   the paced run (lag below saturation)
 *   BENCH_TRANSPORTS=embedded,kafka
 *   BENCH_PARTITIONS=6       partitions per Kafka topic (KafkaEventLog's default)
 *   BENCH_STALL_S=60         fail a run in which no effect was applied for this long
 *   DATABASE_URL, KAFKA_BROKERS  use these servers (127.0.0.1 only) instead of finding/starting them
 *   LOG_LEVEL=warn           show the bus's and kafkajs's logs (silent by default)
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createLogger, startKafkaServer, startPostgresServer } from './deps';
import type { KafkaServer } from './deps';
import {
  assertLoopbackBrokers,
  assertLoopbackUrl,
  describeMachine,
  kafkaVersion,
  postgresSettings,
  postgresVersion,
} from './machine';
import { runPipeline } from './pipeline';
import type { PipelineResult, WriterMode } from './pipeline';
import { runRawKafka } from './rawKafka';
import type { RawKafkaResult } from './rawKafka';
import { renderMarkdown, renderText, runName, writeDoc } from './report';
import { Scope, closeScopesOnSignals } from './scope';
import { backgroundBusy, positiveInt } from './stats';

const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
/** OutboxRelay's default batch: the raw producer sends batches of this size too. */
const RELAY_BATCH_SIZE = 500;

async function main(): Promise<void> {
  const events = positiveInt('BENCH_EVENTS', 20_000);
  const paced = {
    events: positiveInt('BENCH_PACED_EVENTS', 2_000),
    rate: positiveInt('BENCH_PACED_RATE', 100),
  };
  const modes: Array<{ mode: WriterMode; events: number }> = [
    { mode: { writers: 8, eventsPerTx: 1 }, events },
    { mode: { writers: 8, eventsPerTx: 100 }, events },
    { mode: { writers: 8, eventsPerTx: 1, ratePerSec: paced.rate }, events: paced.events },
  ];
  const partitions = positiveInt('BENCH_PARTITIONS', 6);
  const stallMs = positiveInt('BENCH_STALL_S', 60) * 1000;
  const transports = (process.env.BENCH_TRANSPORTS ?? 'embedded,kafka').split(',').map((t) => t.trim());
  for (const t of transports)
    if (t !== 'embedded' && t !== 'kafka') throw new Error(`BENCH_TRANSPORTS: unknown transport ${t}`);
  // On a terminal the logger would start pino-pretty in a worker thread, which counts in the measurements.
  process.env.LOG_FORMAT ??= 'json';
  // kafkajs logs a fresh broker's coordinator elections and leader moves as errors while it retries
  // them (all during warm-up); they would bury the table. A run that really fails still says why.
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'fatal', name: 'bench' });
  const started = performance.now();
  const scope = new Scope();
  try {
    const postgres = await startPostgresServer();
    scope.defer('stop PostgreSQL', () => postgres.stop());
    assertLoopbackUrl('PostgreSQL', postgres.adminUrl);
    const pgVersion = await postgresVersion(postgres.adminUrl);
    const pgSettings = await postgresSettings(postgres.adminUrl);
    const background = { busy: await backgroundBusy(), load1: os.loadavg()[0]! };
    console.log(
      `[bench] background: CPU ${(background.busy * 100).toFixed(0)}% busy before starting, load average ${background.load1.toFixed(2)}`,
    );
    if (background.busy > 0.25)
      console.log('[bench] warning: the machine is busy with other work; expect lower, noisier numbers');

    const pipelines: PipelineResult[] = [];
    const pipeline = async (
      transport: 'embedded' | 'kafka',
      { mode, events }: { mode: WriterMode; events: number },
      extra: { brokers?: string[]; keepMessages?: boolean } = {},
    ) => {
      const result = await runPipeline({
        transport,
        mode,
        events,
        adminUrl: postgres.adminUrl,
        partitions,
        logger,
        stallMs,
        ...extra,
      });
      pipelines.push(result);
      console.log(
        `[bench] ${runName(result)}: ${Math.round(result.eventsPerSec)} events/s, lag p50 ${result.lag.p50.toFixed(1)} ms, p99 ${result.lag.p99.toFixed(1)} ms`,
      );
      return result;
    };

    if (transports.includes('embedded')) {
      for (const run of modes) await pipeline('embedded', run);
    }

    let raw: RawKafkaResult | undefined;
    let kafkaDescription = 'not run';
    let kafkaSource = 'not run';
    if (transports.includes('kafka')) {
      // Started only now so that an idle JVM does not share the two cores with the embedded runs.
      console.log('[bench] starting or finding a Kafka broker …');
      const kafka: KafkaServer = await startKafkaServer();
      scope.defer('stop Kafka', () => kafka.stop());
      assertLoopbackBrokers(kafka.brokers);
      kafkaSource = `${kafka.source}, ${kafka.brokers.join(',')}`;
      kafkaDescription = kafkaVersion(kafka.source);
      // The first run's messages (flat out, one event per transaction) are the raw baseline's input.
      const [first, ...rest] = modes;
      const single = await pipeline('kafka', first!, { brokers: kafka.brokers, keepMessages: true });
      for (const run of rest) await pipeline('kafka', run, { brokers: kafka.brokers });
      raw = await runRawKafka({
        brokers: kafka.brokers,
        partitions,
        messages: single.messages ?? [],
        batchSize: RELAY_BATCH_SIZE,
        logger,
        stallMs,
      });
      console.log(`[bench] raw kafkajs: ${Math.round(raw.eventsPerSec)} events/s`);
      for (const p of pipelines) delete p.messages;
    }

    const report = {
      machine: describeMachine(pgVersion, kafkaDescription, background),
      sources: { postgres: postgres.source, kafka: kafkaSource },
      postgresSettings: pgSettings,
      events,
      paced,
      partitions,
      relayBatchSize: RELAY_BATCH_SIZE,
      pipelines,
      raw,
      totalMs: performance.now() - started,
    };
    console.log(renderText(report));
    // Only a full run replaces the published numbers: a partial one would silently drop a transport.
    if (transports.includes('embedded') && transports.includes('kafka')) {
      await writeDoc(DOC, renderMarkdown(report));
      console.log(`[bench] results written to ${DOC}`);
    } else {
      console.log('[bench] partial run (BENCH_TRANSPORTS): docs/benchmarks.md left as it was');
    }
  } finally {
    await scope.close();
  }
}

closeScopesOnSignals();
main().then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    console.error('[bench] failed:', error);
    process.exitCode = 1;
  },
);
