import type { FreshDatabase } from '@duban/db';
import { allServices } from '@duban/host';
import { createLogger } from '@duban/kit';
import type { OrgTree } from '@duban/org';
import { NodeProcessConfig, startNodeProcess } from '@duban/runtime';
import type { RunningNode } from '@duban/runtime';
import { freshDatabase, testPostgres } from '@duban/testing';

export interface SingleHost {
  host: RunningNode;
  db: FreshDatabase;
  close(): Promise<void>;
}

/**
 * One host process serving `nodes` with every service (console included) on a fresh database, as
 * `pnpm start` serves the demo county: for tests that need real HTTP and real sign-in but not a
 * network of processes (test/network/harness.ts is that).
 */
export async function startSingleHost(
  name: string,
  nodes: readonly string[],
  options: {
    env?: Record<string, string>;
    reminders?: Parameters<typeof allServices>[0];
    org?: OrgTree;
  } = {},
): Promise<SingleHost> {
  const db = await freshDatabase(testPostgres(), name);
  try {
    const host = await startNodeProcess({
      config: NodeProcessConfig.parse({
        DATABASE_URL: db.url,
        DUBAN_NODES: nodes.join(','),
        DATABASE_POOL_SIZE: '2',
        LOG_LEVEL: 'silent',
        ...options.env,
      }),
      // The scheduler stays out of the way unless a test says otherwise.
      services: allServices({ REMINDER_POLL_MS: 60_000, ...options.reminders }),
      title: name,
      ...(options.org ? { org: options.org } : {}),
      logger: createLogger({ level: 'silent' }),
    });
    return {
      host,
      db,
      close: async () => {
        await host.close();
        await db.drop().catch(() => undefined);
      },
    };
  } catch (error) {
    await db.drop().catch(() => undefined);
    throw error;
  }
}
