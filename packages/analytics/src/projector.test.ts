import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RejectedEvent } from '@duban/bus';
import { createFreshDatabase, createPrisma } from '@duban/db';
import type { FreshDatabase, PrismaClient } from '@duban/db';
import { uuidv7 } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import { demoCounty } from '@duban/org';
import { PseudonymKeys, chinaYear, pseudonym } from './pseudonyms';
import { analyticsId, analyticsProjector } from './projector';

describe('pseudonyms', () => {
  it('link a person within a year and not across years or nodes', () => {
    const y2026 = new Uint8Array(32).fill(1);
    const y2027 = new Uint8Array(32).fill(2);
    expect(pseudonym(y2026, 'unit-a', '张三')).toBe(pseudonym(y2026, 'unit-a', '张三'));
    expect(pseudonym(y2026, 'unit-a', '张三')).not.toBe(pseudonym(y2027, 'unit-a', '张三'));
    expect(pseudonym(y2026, 'unit-a', '张三')).not.toBe(pseudonym(y2026, 'unit-b', '张三'));
    expect(pseudonym(y2026, 'unit-a', '张三')).not.toContain('张三');
  });

  it('take the year in China time', () => {
    expect(chinaYear('2026-12-31T16:30:00.000Z')).toBe(2027);
    expect(chinaYear('2026-12-31T15:59:59.000Z')).toBe(2026);
  });
});

describe('the analytics projector', () => {
  let db: FreshDatabase;
  let prisma: PrismaClient;
  const org = demoCounty();
  const township = org.children('county').find((n) => n.kind === 'township')!.id;

  beforeAll(async () => {
    db = await createFreshDatabase(inject('postgresAdminUrl'), 't_analytics');
    prisma = createPrisma(db.url, { pool: { max: 3 } });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  const assigned = (by: string, time: string): DubanEvent =>
    ({
      id: uuidv7(),
      type: 'tasks.item.assigned',
      version: 1,
      source: 'county',
      to: [township],
      subject: 'item-1',
      time,
      correlationId: uuidv7(),
      causationId: null,
      signature: null,
      data: {
        itemId: '0190a000-0000-7000-8000-000000000001',
        assigner: 'county',
        assignee: township,
        title: '【民意快线】路灯不亮 13903710000',
        description: `路灯不亮\n\n【民意快线·Open311 来件信息】\n联系人：王建国\n电话：13903710000`,
        kind: 'hotline',
        noticeNo: '督〔2026〕1号',
        deadline: time,
        assignedAt: time,
        by,
      },
    }) as unknown as DubanEvent;

  it('keeps a year key per node in the database, made once', async () => {
    const a = await prisma.$transaction((tx) => new PseudonymKeys().forYear(tx, 'county', 2026));
    const b = await prisma.$transaction((tx) => new PseudonymKeys().forYear(tx, 'county', 2026));
    const c = await prisma.$transaction((tx) => new PseudonymKeys().forYear(tx, 'county', 2027));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('writes the redacted CloudEvent to the outbox, once per county, on the analytics topic', async () => {
    const projector = analyticsProjector({ org, hosted: new Set(['county', township]) });
    const event = assigned('operator', '2026-03-01T01:00:00.000Z');
    // v1 has no `by`: an unknown field is refused, never published.
    await expect(prisma.$transaction((tx) => projector.handle(event, tx))).rejects.toMatchObject({
      name: 'RejectedEvent',
      code: 'analytics.unclassified',
    });
    const { by: _, ...data } = event.data as Record<string, unknown>;
    const valid = { ...event, data } as DubanEvent;
    expect(projector.accepts(valid)).toBe(true);
    await prisma.$transaction((tx) => projector.handle(valid, tx));
    const rows = await prisma.outboxEvent.findMany();
    expect(rows.map((r) => [r.topic, r.eventId, r.key])).toEqual([
      ['duban.analytics.tasks', analyticsId('county', event.id), 'item-1'],
    ]);
    const record = JSON.parse(rows[0]!.payload) as Record<string, unknown>;
    expect(record).toMatchObject({
      specversion: '1.0',
      id: analyticsId('county', event.id),
      source: 'urn:duban:node:county',
      type: 'tasks.item.assigned',
      time: event.time,
      subject: 'item-1',
      datacontenttype: 'application/json',
      dubanversion: 1,
      dubancounty: 'county',
    });
    expect(record.data).toEqual({
      itemId: '0190a000-0000-7000-8000-000000000001',
      assigner: 'county',
      assignee: township,
      title: '【民意快线】路灯不亮 〔已脱敏〕',
      kind: 'hotline',
      noticeNo: '督〔2026〕1号',
      deadline: event.time,
      assignedAt: event.time,
    });
  });

  it('gives a person the same pseudonym within a year and another the next year', async () => {
    const projector = analyticsProjector({ org, hosted: new Set(['county']) });
    const acknowledged = (time: string): DubanEvent =>
      ({
        id: uuidv7(),
        type: 'tasks.item.acknowledged',
        version: 2,
        source: township,
        to: ['county'],
        subject: 'item-2',
        time,
        correlationId: uuidv7(),
        causationId: null,
        signature: null,
        data: {
          itemId: '0190a000-0000-7000-8000-000000000002',
          assigner: 'county',
          assignee: township,
          acknowledgedAt: time,
          by: `${township}:张三`,
        },
      }) as unknown as DubanEvent;
    const events = [
      acknowledged('2026-03-01T01:00:00.000Z'),
      acknowledged('2026-11-01T01:00:00.000Z'),
      acknowledged('2027-01-04T01:00:00.000Z'),
    ];
    for (const e of events) await prisma.$transaction((tx) => projector.handle(e, tx));
    const rows = await prisma.outboxEvent.findMany({ where: { key: 'item-2' }, orderBy: { id: 'asc' } });
    const by = rows.map((r) => (JSON.parse(r.payload) as { data: { by: string } }).data.by);
    expect(by[0]).toMatch(/^psn_[\w-]{22}$/);
    expect(by[1]).toBe(by[0]);
    expect(by[2]).not.toBe(by[0]);
    expect(rows.map((r) => r.payload).join()).not.toContain('张三');
  });

  it('leaves events to the host of their county', () => {
    const projector = analyticsProjector({ org, hosted: new Set([township]) });
    expect(projector.accepts(assigned('x', '2026-03-01T01:00:00.000Z'))).toBe(false);
    expect(new RejectedEvent('a', 'b').code).toBe('a');
  });
});
