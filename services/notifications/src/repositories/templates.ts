import type { PrismaClient, TransactionClient } from '@duban/db';
import type { TemplateOverride } from '../domain/wording';

type Db = PrismaClient | TransactionClient;

export const templateRepository = {
  async find(db: Db, nodeId: string, eventType: string, locale: string): Promise<TemplateOverride | null> {
    const row = await db.notificationTemplate.findUnique({
      where: { nodeId_eventType_locale: { nodeId, eventType, locale } },
      select: { title: true, body: true },
    });
    return row;
  },
  list: (db: Db, nodeId: string) =>
    db.notificationTemplate.findMany({
      where: { nodeId },
      orderBy: [{ eventType: 'asc' }, { locale: 'asc' }],
    }),
  upsert: (
    db: Db,
    key: { nodeId: string; eventType: string; locale: string },
    value: { title: string; body: string; updatedBy: string; updatedAt: Date },
  ) =>
    db.notificationTemplate.upsert({
      where: { nodeId_eventType_locale: key },
      create: { ...key, ...value },
      update: value,
    }),
  remove: async (db: Db, key: { nodeId: string; eventType: string; locale: string }) =>
    (await db.notificationTemplate.deleteMany({ where: key })).count > 0,
};
