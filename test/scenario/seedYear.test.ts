import { afterAll, describe, expect, it } from 'vitest';
import { createFreshDatabase } from '@duban/db';
import type { FreshDatabase } from '@duban/db';
import { freshTopicPrefix, kafkaRequired, testKafka, testPostgres } from '@duban/testing';
import { REDUCED_YEAR, runSeedYear } from './seedYear';

const kafka = testKafka();
const transports = [
  {
    name: 'embedded log',
    kafka: undefined as { brokers: string[]; topicPrefix: string } | undefined,
    skip: undefined as string | undefined,
  },
  'brokers' in kafka
    ? {
        name: 'Kafka',
        kafka: { brokers: kafka.brokers, topicPrefix: freshTopicPrefix('seed-year') },
        skip: undefined,
      }
    : { name: 'Kafka', kafka: undefined, skip: kafka.unavailable },
];

describe('the seed year (reduced), replayed through all 113 nodes', () => {
  const dbs: FreshDatabase[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  for (const t of transports) {
    const run = t.skip && !kafkaRequired() ? it.skip : it;
    if (t.skip && !kafkaRequired()) console.warn(`\n[duban] SKIPPING the seed year on Kafka: ${t.skip}\n`);
    run(
      `on the ${t.name}: statistics match what the scenario put in, and an analyst agrees from the raw stream`,
      async () => {
        if (t.skip) throw new Error(`Kafka is required here but unavailable: ${t.skip}`);
        const db = await createFreshDatabase(testPostgres(), `seed_${t.kafka ? 'kafka' : 'embedded'}`);
        dbs.push(db);
        const result = await runSeedYear({ size: REDUCED_YEAR, databaseUrl: db.url, kafka: t.kafka });
        const s = REDUCED_YEAR;
        const items = s.annualNodes + s.instructions + s.hotline;
        expect(result.statistics).toMatchObject({
          items,
          closed: items,
          closureRate: 1,
          onTimeClosureRate: 1,
          ackOnTimeRate: 1,
        });
        expect(result.instructions).toMatchObject({
          items: s.instructions,
          closed: s.instructions,
          reopened: s.reopened,
          returned: Math.ceil(s.instructions / s.returnedEvery),
        });
        expect(result.statistics.reReviewRate).toBeLessThan(0.04);
        expect(result.hotline).toMatchObject({
          items: s.hotline,
          hotlineRated: s.hotline,
          hotlineSatisfaction: 1,
        });
        expect(result.analyst.county).toEqual(result.statistics);
        expect(result.scoreboard.filter((u) => u.points === 5)).toHaveLength(3);
        expect(result.scoreboard.filter((u) => u.points === -8)).toHaveLength(2);
        expect(result.sanctions.map((x) => x.kind)).toEqual(['admonishment', 'admonishment']);
      },
      300_000,
    );
  }
});
