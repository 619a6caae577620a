import { join, resolve } from 'node:path';
import pg from 'pg';
import { createPrisma, migrate, resolveDatabase } from '@duban/db';
import { configuredOrg } from '@duban/org';
import { runCli } from './app';

/**
 * `pnpm duban …`: the admin CLI against the host's database. DATABASE_URL when set; else the
 * embedded PostgreSQL under DUBAN_DATA_DIR, reached on its port when the host is running, or
 * started for the command when it is not.
 */
async function main(): Promise<number> {
  // The county the host serves (DUBAN_ORG), so accounts are made for its nodes; read before any database.
  const org = configuredOrg();
  const port = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329);
  let url = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!url) {
    const running = `postgres://postgres:postgres@127.0.0.1:${port}/duban`;
    if (await reachable(running)) url = running;
    else {
      const db = await resolveDatabase({
        dataDir: join(resolve(process.env.DUBAN_DATA_DIR ?? '.duban'), 'pg'),
        port,
      });
      url = db.url;
      stop = db.stop;
    }
  }
  try {
    await migrate(url);
    const prisma = createPrisma(url, { pool: { max: 2 } });
    try {
      return await runCli(process.argv.slice(2), {
        prisma,
        org,
        io: {
          readStdin: async () => {
            const chunks: Buffer[] = [];
            for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks).toString('utf8');
          },
          out: (line) => console.log(line),
          err: (line) => console.error(line),
        },
      });
    } finally {
      await prisma.$disconnect();
    }
  } finally {
    await stop();
  }
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`duban: ${(error as Error).message ?? String(error)}`);
    process.exit(1);
  },
);
