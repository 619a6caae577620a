import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, createPrisma } from '@duban/db';
import type { FreshDatabase, PrismaClient } from '@duban/db';
import type { PlannedTimer } from '../domain/ladder';
import { timerRepository } from './timers';

declare module 'vitest' {
  interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

/**
 * Pending timers live in `timer`; firing or cancelling one moves it to `timer_done` in the same
 * statement (ADR 0020). These hold the repository to what the scheduler and the ladder rely on.
 */

const NODE = 'township-heji';
const ITEM = '01a21969-9769-7019-bd16-000000000001';
const OTHER = '01a21969-9769-7019-bd16-000000000002';
const T0 = new Date('2026-10-09T01:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
const timer = (kind: PlannedTimer['kind'], level: number, dueAt: Date): PlannedTimer => ({
  kind,
  level,
  dueAt,
});

describe('timerRepository: pending timers move to timer_done', () => {
  let db: FreshDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    db = await createFreshDatabase(inject('postgresAdminUrl'), 't_timers');
    prisma = createPrisma(db.url, { pool: { max: 3 } });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  beforeEach(async () => {
    await prisma.$executeRaw`TRUNCATE timer, timer_done`;
  });

  const schedule = (itemId: string, round: number, timers: PlannedTimer[]) =>
    prisma.$transaction((tx) => timerRepository.schedule(tx, NODE, itemId, round, timers, T0));
  const claim = (now: Date, limit = 100) =>
    prisma.$transaction((tx) => timerRepository.claimDue(tx, [NODE], now, limit));

  it('claims due timers in due order, once, and keeps each as fired', async () => {
    await schedule(ITEM, 1, [
      timer('escalation', 2, later(2000)),
      timer('overdue', 1, later(1000)),
      timer('escalation', 1, later(1000)),
      timer('escalation', 3, later(60_000)),
    ]);
    const first = await claim(later(2000), 2);
    expect(first.map((t) => `${t.kind}:${t.level}`)).toEqual(
      expect.arrayContaining(['overdue:1', 'escalation:1']),
    );
    expect(first).toHaveLength(2);
    const second = await claim(later(2000));
    expect(second.map((t) => `${t.kind}:${t.level}`)).toEqual(['escalation:2']);
    expect(await claim(later(2000))).toEqual([]);

    expect(await prisma.timer.count()).toBe(1);
    const done = await prisma.timerDone.findMany({
      orderBy: [{ dueAt: 'asc' }, { kind: 'asc' }, { level: 'asc' }],
    });
    expect(done.map((d) => [d.kind, d.level, d.status, d.firedAt?.toISOString()])).toEqual([
      ['escalation', 1, 'fired', later(2000).toISOString()],
      ['overdue', 1, 'fired', later(2000).toISOString()],
      ['escalation', 2, 'fired', later(2000).toISOString()],
    ]);
    expect(await timerRepository.nextDue(prisma, [NODE])).toEqual(later(60_000));
  });

  it('leaves a claim uncommitted by a crash pending: it fires on the next claim', async () => {
    await schedule(ITEM, 1, [timer('overdue', 1, later(0))]);
    await expect(
      prisma.$transaction(async (tx) => {
        expect(await timerRepository.claimDue(tx, [NODE], later(0), 10)).toHaveLength(1);
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect(await prisma.timerDone.count()).toBe(0);
    expect(await claim(later(0))).toHaveLength(1);
  });

  it('never schedules again a timer that already fired or was cancelled', async () => {
    await schedule(ITEM, 1, [timer('overdue', 1, later(0)), timer('escalation', 1, later(5000))]);
    await claim(later(0));
    await prisma.$transaction((tx) => timerRepository.cancel(tx, NODE, ITEM, ['escalation']));
    expect(await prisma.timer.count()).toBe(0);

    // The same timers again (a replayed plan): neither comes back; a new round's do.
    await schedule(ITEM, 1, [timer('overdue', 1, later(0)), timer('escalation', 1, later(5000))]);
    expect(await prisma.timer.count()).toBe(0);
    await schedule(ITEM, 2, [timer('escalation', 1, later(5000))]);
    expect(await prisma.timer.count()).toBe(1);
    const done = await prisma.timerDone.findMany({ orderBy: { kind: 'asc' } });
    expect(done.map((d) => [d.kind, d.status, d.firedAt === null])).toEqual([
      ['escalation', 'cancelled', true],
      ['overdue', 'fired', false],
    ]);
  });

  it('drops unfired a timer scheduled again while its twin was being moved, and goes on', async () => {
    await schedule(ITEM, 1, [timer('overdue', 1, later(0)), timer('escalation', 1, later(0))]);
    await claim(later(0));
    // The state that race leaves (ADR 0020): the same key pending again, past scheduleMany's check.
    await prisma.$executeRaw`
      INSERT INTO timer (id, node_id, item_id, kind, level, round, due_at, created_at)
      SELECT gen_random_uuid(), node_id, item_id, kind, level, round, due_at, created_at
        FROM timer_done WHERE kind = 'overdue'`;
    await schedule(ITEM, 1, [timer('escalation', 2, later(0))]);
    const next = await claim(later(0));
    expect(next.map((t) => `${t.kind}:${t.level}`)).toEqual(['escalation:2']);
    expect(await prisma.timer.count()).toBe(0);
    expect(await prisma.timerDone.count({ where: { kind: 'overdue' } })).toBe(1);
  });

  it('cancels only the item’s pending timers of the kinds asked', async () => {
    await schedule(ITEM, 1, [timer('acknowledgement', 1, later(0)), timer('overdue', 1, later(0))]);
    await schedule(OTHER, 1, [timer('acknowledgement', 1, later(0))]);
    await prisma.$transaction((tx) => timerRepository.cancel(tx, NODE, ITEM, ['acknowledgement']));
    const pending = await prisma.timer.findMany({ orderBy: { itemId: 'asc' } });
    expect(pending.map((t) => [t.itemId, t.kind])).toEqual([
      [ITEM, 'overdue'],
      [OTHER, 'acknowledgement'],
    ]);
    await prisma.$transaction((tx) => timerRepository.cancel(tx, NODE, ITEM));
    expect((await prisma.timer.findMany()).map((t) => t.itemId)).toEqual([OTHER]);
  });

  it('counts the chases that fired before a batch, and the rungs fired since a round', async () => {
    await schedule(ITEM, 1, [timer('progress', 1, later(0)), timer('escalation', 1, later(0))]);
    await claim(later(0));
    await schedule(ITEM, 2, [timer('progress', 2, later(1000)), timer('escalation', 2, later(1000))]);
    const batch = await claim(later(1000));
    const counts = await prisma.$transaction((tx) =>
      timerRepository.countFiredMany(
        tx,
        batch.filter((t) => t.kind === 'progress'),
      ),
    );
    // The batch itself is already in timer_done: only the chase before it counts.
    expect(counts.get(`${NODE}|${ITEM}|progress`)).toBe(1);
    const since2 = await prisma.$transaction((tx) => timerRepository.firedSince(tx, NODE, ITEM, 2));
    expect([...since2].sort()).toEqual(['escalation:2', 'progress:2']);
  });
});
