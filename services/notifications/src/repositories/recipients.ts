import { Prisma } from '@duban/db';
import type { PrismaClient, TransactionClient } from '@duban/db';
import type { EndpointView, RecipientView } from '../domain/planning';
import type { Locale, Preferences, QuietHours } from '../domain/kinds';

type Db = PrismaClient | TransactionClient;

export interface RecipientInput {
  name: string;
  email: string | null;
  phone: string | null;
  locale: Locale;
  preferences: Preferences;
  active: boolean;
  wecomUserId: string | null;
  quietHours: QuietHours | null;
}

export const recipientRepository = {
  async active(tx: Db, nodeId: string): Promise<RecipientView[]> {
    const rows = await tx.notificationRecipient.findMany({ where: { nodeId, active: true } });
    return rows.map((r) => ({
      personId: r.personId,
      email: r.email,
      phone: r.phone,
      locale: r.locale as Locale,
      preferences: r.preferences as Preferences,
      wecomUserId: r.wecomUserId,
      quietHours: r.quietHours as QuietHours | null,
    }));
  },
  async quietHours(db: Db, nodeId: string, personId: string): Promise<QuietHours | null> {
    const row = await db.notificationRecipient.findUnique({
      where: { nodeId_personId: { nodeId, personId } },
      select: { quietHours: true },
    });
    return (row?.quietHours as QuietHours | null | undefined) ?? null;
  },
  list: (db: Db, nodeId: string) =>
    db.notificationRecipient.findMany({ where: { nodeId }, orderBy: { personId: 'asc' } }),
  find: (db: Db, nodeId: string, personId: string) =>
    db.notificationRecipient.findUnique({ where: { nodeId_personId: { nodeId, personId } } }),
  upsert: (db: Db, nodeId: string, personId: string, input: RecipientInput, now: Date) => {
    const data = { ...input, quietHours: input.quietHours ?? Prisma.DbNull };
    return db.notificationRecipient.upsert({
      where: { nodeId_personId: { nodeId, personId } },
      create: { nodeId, personId, ...data, createdAt: now, updatedAt: now },
      update: { ...data, updatedAt: now },
    });
  },
  remove: async (db: Db, nodeId: string, personId: string) =>
    (await db.notificationRecipient.deleteMany({ where: { nodeId, personId } })).count > 0,

  async activeEndpoints(tx: Db, nodeId: string): Promise<EndpointView[]> {
    const rows = await tx.webhookEndpoint.findMany({ where: { nodeId, active: true } });
    return rows.map((e) => ({ id: e.id, url: e.url, kinds: e.kinds }));
  },
  endpoints: (db: Db, nodeId: string) =>
    db.webhookEndpoint.findMany({ where: { nodeId }, orderBy: { createdAt: 'asc' } }),
  endpoint: (db: Db, id: string) => db.webhookEndpoint.findUnique({ where: { id } }),
  createEndpoint: (
    db: Db,
    row: {
      id: string;
      nodeId: string;
      name: string;
      url: string;
      secret: string;
      kinds: string[];
      createdAt: Date;
    },
  ) => db.webhookEndpoint.create({ data: row }),
  updateEndpoint: async (
    db: Db,
    nodeId: string,
    id: string,
    patch: { name?: string; url?: string; secret?: string; kinds?: string[]; active?: boolean },
  ) => (await db.webhookEndpoint.updateMany({ where: { nodeId, id }, data: patch })).count > 0,
  removeEndpoint: async (db: Db, nodeId: string, id: string) =>
    (await db.webhookEndpoint.deleteMany({ where: { nodeId, id } })).count > 0,
};
