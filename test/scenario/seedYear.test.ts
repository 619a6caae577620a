import { afterAll, describe, expect, it } from 'vitest';
import { createFreshDatabase } from '@duban/db';
import type { FreshDatabase } from '@duban/db';
import { freshTopicPrefix, kafkaRequired, testKafka, testPostgres } from '@duban/testing';
import { PRIVACY, analyticsTopicOf } from '@duban/events';
import { analyticsId } from '@duban/analytics';
import { REDUCED_YEAR, runSeedYear } from './seedYear';

/** The values at a classified path (`a.b`, `list[]`, `list[].c`) of a payload. */
function valuesAt(data: unknown, path: string): unknown[] {
  let level: unknown[] = [data];
  for (const part of path.split('.')) {
    const key = part.endsWith('[]') ? part.slice(0, -2) : part;
    level = level.flatMap((v) => {
      const next = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      return part.endsWith('[]') && Array.isArray(next) ? next : [next];
    });
  }
  return level;
}

/** The Open311 case block's lines that name or reach the citizen (services/tasks/src/open311/caseText.ts). */
const CASE_CONTACT_LINE = /^(?:联系人|电话|邮箱|账户|设备|地址|坐标)：(.+)$/gm;
const PHONE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

/**
 * Everything in the raw stream that identifies or reaches a person: the values of every field the
 * classification calls `person` or `contact`, the Open311 case texts' contact lines, and every phone
 * number and e-mail address anywhere in a payload.
 */
function secretsOf(raw: string[]): Set<string> {
  const secrets = new Set<string>();
  for (const value of raw) {
    const event = JSON.parse(value) as { type: string; version: number; data: unknown };
    const classes = PRIVACY[`${event.type}@${event.version}`] ?? {};
    for (const [path, cls] of Object.entries(classes))
      if (cls === 'person' || cls === 'contact')
        for (const v of valuesAt(event.data, path)) if (typeof v === 'string') secrets.add(v);
    const text = JSON.stringify(event.data);
    for (const m of text.match(PHONE) ?? []) secrets.add(m);
    for (const m of text.match(EMAIL) ?? []) secrets.add(m);
    const description = (event.data as { description?: unknown }).description;
    if (typeof description === 'string')
      for (const m of description.matchAll(CASE_CONTACT_LINE)) secrets.add(m[1]!.trim());
  }
  return secrets;
}

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

        // The analysts' stream: one redacted record per domain event, on its analytics topic…
        const raw = result.records.raw.map((v) => JSON.parse(v) as { id: string; type: string });
        const projected = new Map(
          result.records.analytics.map((v) => {
            const r = JSON.parse(v) as { id: string; type: string; specversion: string; data: unknown };
            return [r.id, r];
          }),
        );
        expect(projected.size).toBe(result.records.analytics.length);
        expect(raw.length).toBeGreaterThan(items * 5);
        const unprojected = raw.filter((e) => projected.get(analyticsId('county', e.id))?.type !== e.type);
        expect(unprojected.map((e) => `${e.type} ${e.id}`)).toEqual([]);
        expect(projected.size).toBe(raw.length);
        expect(analyticsTopicOf('tasks.item.assigned')).toBe('duban.analytics.tasks');
        // …holding no name, id, phone, e-mail or address the raw stream carries,…
        const secrets = [...secretsOf(result.records.raw)];
        expect(secrets).toContain('王建国1');
        expect(secrets).toContain('13903710000');
        expect(secrets).toContain('citizen1@example.cn');
        const leaks = secrets.filter((secret) => result.records.analytics.some((r) => r.includes(secret)));
        expect(leaks).toEqual([]);
        // …from which an analyst gets the county's own statistics.
        expect(result.analytics.county).toEqual(result.statistics);
        expect(result.scoreboard.filter((u) => u.points === 5)).toHaveLength(3);
        expect(result.scoreboard.filter((u) => u.points === -8)).toHaveLength(2);
        expect(result.sanctions.map((x) => x.kind)).toEqual(['admonishment', 'admonishment']);
      },
      300_000,
    );
  }
});
