import { createFreshDatabase } from '@duban/db';
import { freshTopicPrefix, startPostgresServer } from '@duban/testing';
import { FULL_YEAR, REDUCED_YEAR, runSeedYear } from './seedYear';

// `pnpm scenario:seed-year` (full size; SIZE=reduced for a quick one). KAFKA_BROKERS set: over Kafka.
const postgres = await startPostgresServer();
const db = await createFreshDatabase(postgres.adminUrl, 'seed_year');
const brokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
try {
  const result = await runSeedYear({
    size: process.env.SIZE === 'reduced' ? REDUCED_YEAR : FULL_YEAR,
    databaseUrl: db.url,
    kafka: brokers?.length ? { brokers, topicPrefix: freshTopicPrefix('seed-year') } : undefined,
  });
  const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
  const s = result.statistics;
  console.log(
    `\n睢县 2026 督查工作统计 (${brokers?.length ? 'Kafka' : 'embedded log'}, ${result.events} events, ${(result.wallMs / 1000).toFixed(1)} s)`,
  );
  console.table({
    全部事项: {
      事项: s.items,
      办结率: pct(s.closureRate),
      按期办结率: pct(s.onTimeClosureRate),
      按时签收率: pct(s.ackOnTimeRate),
      退回重办率: pct(s.returnRate),
      复查复议率: pct(s.reReviewRate),
    },
    领导批示件: {
      事项: result.instructions.items,
      办结率: pct(result.instructions.closureRate),
      按期办结率: pct(result.instructions.onTimeClosureRate),
      按时签收率: pct(result.instructions.ackOnTimeRate),
      退回重办率: pct(result.instructions.returnRate),
      复查复议率: pct(result.instructions.reReviewRate),
    },
    民意快线: {
      事项: result.hotline.items,
      办结率: pct(result.hotline.closureRate),
      按期办结率: pct(result.hotline.onTimeClosureRate),
      按时签收率: pct(result.hotline.ackOnTimeRate),
      退回重办率: pct(result.hotline.returnRate),
      复查复议率: pct(result.hotline.reReviewRate),
    },
  });
  console.log(
    `群众满意率 ${pct(result.hotline.hotlineSatisfaction)}; analyst from the raw stream: ${JSON.stringify(result.analyst.county) === JSON.stringify(s) ? 'agrees' : 'DISAGREES'}`,
  );
  console.log('Scoreboard:');
  console.table(result.scoreboard);
  console.log('Sanctions:', result.sanctions);
} finally {
  await db.drop();
  await postgres.stop();
}
