import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, createPrisma } from '@duban/db';
import type { FreshDatabase, PrismaClient } from '@duban/db';
import { RejectedEvent } from '@duban/bus';
import { OrgTree } from '@duban/org';
import { OrgBook, orgEventFor, orgHandler } from './orgBook';

const nodes = () =>
  new OrgTree([
    { id: 'city', name: '市委督查室', kind: 'city', parentId: null },
    { id: 'county', name: '县委督查室', kind: 'county-office', parentId: 'city' },
    { id: 'township-a', name: '甲镇', kind: 'township', parentId: 'county' },
    { id: 'unit-a', name: '甲局', kind: 'unit', parentId: 'county' },
    { id: 'unit-b', name: '乙局', kind: 'unit', parentId: 'county' },
  ]);
const NOW = new Date('2026-11-02T01:00:00Z');

describe('OrgBook: the tree a process holds, as its database stores it', () => {
  let db: FreshDatabase;
  let prisma: PrismaClient;
  beforeAll(async () => {
    db = await createFreshDatabase(inject('postgresAdminUrl'), 't_orgbook');
    prisma = createPrisma(db.url, { pool: { max: 3 } });
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it('stores each change once, replays them over the initial tree, and survives a rolled-back attempt', async () => {
    const book = await OrgBook.load(prisma, nodes());
    const merge = orgEventFor(
      book.tree,
      'county',
      { kind: 'merge', unitId: 'unit-a', into: 'unit-b' },
      '管理员',
      NOW,
    );
    // The first attempt changes the tree in memory, then its transaction fails.
    await expect(
      prisma.$transaction(async (tx) => {
        await book.record(tx, merge, NOW);
        throw new Error('the transfer failed');
      }),
    ).rejects.toThrow('the transfer failed');
    expect(await prisma.orgChange.count()).toBe(0);
    // The retry stores it; a redelivery changes nothing.
    expect(await prisma.$transaction((tx) => book.record(tx, merge, NOW))).toBe(true);
    expect(await prisma.$transaction((tx) => book.record(tx, merge, NOW))).toBe(false);
    expect(await prisma.orgChange.count()).toBe(1);
    const rename = orgEventFor(
      book.tree,
      'county',
      { kind: 'rename', unitId: 'unit-b', name: '乙局（新）' },
      '管理员',
      NOW,
    );
    await prisma.$transaction((tx) => book.record(tx, rename, NOW));

    // Another process of the node (or this one restarted) rebuilds the same tree from the rows.
    const again = await OrgBook.load(prisma, nodes());
    expect(again.tree.view()).toEqual(book.tree.view());
    expect(again.tree.successorOf('unit-a')).toBe('unit-b');
    expect(again.tree.get('unit-b').name).toBe('乙局（新）');
    expect(again.tree.changes().map((c) => c.eventId)).toEqual([merge.id, rename.id]);
  });

  it('dead-letters an event the tree refuses, and stores nothing', async () => {
    const book = await OrgBook.load(prisma, nodes());
    const handler = orgHandler(book, () => NOW);
    const cycle = orgEventFor(
      book.tree,
      'county',
      { kind: 'move', unitId: 'township-a', parentId: 'county' },
      'x',
      NOW,
    );
    const bad = { ...cycle, data: { ...cycle.data, parentId: 'township-a' } } as typeof cycle;
    const before = await prisma.orgChange.count();
    await expect(prisma.$transaction((tx) => handler.handle(bad, tx))).rejects.toBeInstanceOf(RejectedEvent);
    await expect(prisma.$transaction((tx) => handler.handle(bad, tx))).rejects.toMatchObject({
      code: 'org.cycle',
    });
    expect(await prisma.orgChange.count()).toBe(before);
  });
});
