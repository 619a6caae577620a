import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, createPrisma } from './client.ts';
import { Prisma, type PrismaClient } from './generated/prisma/client.ts';
import { createFreshDatabase, type FreshDatabase } from './testing.ts';

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let db: FreshDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createFreshDatabase(adminUrl, 'db_client_test');
  prisma = createPrisma(db.url);
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe('createPrisma on a freshly migrated database', () => {
  it('reads every model: the migrations created what the client expects', async () => {
    for (const model of Object.values(Prisma.ModelName)) {
      const delegate = (prisma as unknown as Record<string, { findMany(args: object): Promise<unknown[]> }>)[
        model.charAt(0).toLowerCase() + model.slice(1)
      ];
      await expect(delegate!.findMany({ take: 1 }), model).resolves.toEqual([]);
    }
  });

  it('runs interactive transactions and raw SQL', async () => {
    const rows = await prisma.$transaction(async (tx) => tx.$queryRaw<{ n: number }[]>`SELECT 1::int AS n`);
    expect(rows).toEqual([{ n: 1 }]);
  });
});

describe('createPool', () => {
  it('runs raw SQL on the same database', async () => {
    const pool = createPool(db.url, { max: 2 });
    try {
      const { rows } = await pool.query<{ name: string }>(
        'SELECT migration_name AS name FROM "_prisma_migrations"',
      );
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await pool.end();
    }
  });
});
