import { join, resolve } from 'node:path';
import type pg from 'pg';
import { AuthService, DEMO_PASSWORD, registerAuth, seedDemoAccounts, signingSecret } from '@duban/auth';
import {
  DEFAULT_KEY_GRACE_MS,
  KeyRing,
  KeyRotationRefused,
  rotateNodeKey,
  createEventLog,
  ensureNodeKeys,
  importTrustStore,
  keyRotationHandler,
  readTrustStore,
  startDelivery,
} from '@duban/bus';
import type { Delivery, EventHandler, EventLog, Failpoints } from '@duban/bus';
import { createPool, createPrisma, migrate, resolveDatabase } from '@duban/db';
import { NodeId, authorityProblem } from '@duban/events';
import { z } from 'zod';
import type { PrismaClient } from '@duban/db';
import {
  AppError,
  EVERYONE,
  HostedNodes,
  access,
  actorOf,
  createHttpApp,
  createLogger,
  systemClock,
} from '@duban/kit';
import type { Clock, HttpApp, Logger } from '@duban/kit';
import { configuredOrg, countyNodeIds } from '@duban/org';
import type { OrgTree } from '@duban/org';
import { CalendarBook } from './calendars';
import { OrgBook, ensureKeyInTx, orgHandler } from './orgBook';
import { registerOrgRoutes } from './orgRoutes';
import { kafkaSecurity } from './config';
import { ProcessMetrics } from './metrics';
import type { NodeProcessConfig } from './config';

/** What every service of a process shares. */
export interface NodeContext {
  prisma: PrismaClient;
  pool: pg.Pool;
  url: string;
  /** The current tree: the initial one plus the re-organisations applied (it changes in place). */
  org: OrgTree;
  /** How the tree changes: records org events, refreshes from the node's database (ADR 0025). */
  orgBook: OrgBook;
  hosted: HostedNodes;
  clock: Clock;
  logger: Logger;
  calendars: CalendarBook;
  auth: AuthService;
}

export interface Background {
  stop(): Promise<void>;
  healthy?(): boolean;
}

/** A service as a process mounts it: its routes, its consumers and any background loop. */
export interface ServiceModule {
  readonly name: string;
  register(app: HttpApp, ctx: NodeContext): void;
  handlers(ctx: NodeContext): EventHandler[];
  start?(ctx: NodeContext): Background;
  /**
   * One of its handlers records every org event in ctx.orgBook (the tasks service's, which also
   * transfers items): the process then needs no `org` consumer of its own, one group less.
   */
  readonly recordsOrgChanges?: boolean;
}

export interface StartNodeOptions {
  config: NodeProcessConfig;
  services: readonly ServiceModule[];
  title: string;
  clock?: Clock;
  org?: OrgTree;
  logger?: Logger;
  failpoints?: Failpoints;
  /** Base directory for DUBAN_DATA_DIR when it is relative (default: the working directory). */
  cwd?: string;
  /**
   * Time for token and session lifetimes (default: the system clock, even when `clock` is
   * virtual: a test replaying a year must not expire its own sign-ins).
   */
  authClock?: Clock;
}

export interface RunningNode {
  app: HttpApp;
  ctx: NodeContext;
  log: EventLog;
  delivery: Delivery;
  /** true when this process started its own embedded PostgreSQL. */
  embeddedDatabase: boolean;
  close(): Promise<void>;
}

/**
 * Wires one process: database (given or embedded) and its migrations, the event log (Kafka or
 * embedded), every service's routes, consumers and loops. It does not listen: main.ts does.
 */
export async function startNodeProcess(options: StartNodeOptions): Promise<RunningNode> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const clock = options.clock ?? systemClock;
  // First, before a database starts: a bad org.yaml fails the start at once, in one line. The
  // process works on its own copy: the tree changes in place as it applies re-organisations.
  const org = (options.org ?? configuredOrg(config, options.cwd ?? process.cwd())).copy();
  // The host id comes from the nodes of the tree the process was given, before any re-organisation
  // is replayed: a unit the county adds later joins the set without moving the consumer groups
  // (ADR 0025). Without DUBAN_NODES the process serves the whole county, added units included.
  const servesCounty = !config.DUBAN_NODES;
  const hosted = new HostedNodes(config.DUBAN_NODES ?? countyNodeIds(org));

  const closers: Array<() => Promise<void>> = [];
  // Once: a second close (a test that closed the process itself, then its cleanup) waits for the first.
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      for (const fn of closers.reverse())
        await fn().catch((error: unknown) => logger.error({ err: error }, 'close failed'));
    })());
  try {
    const dataDir = resolve(options.cwd ?? process.cwd(), config.DUBAN_DATA_DIR);
    const database = await resolveDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: join(dataDir, 'pg'),
      port: config.EMBEDDED_POSTGRES_PORT,
    });
    closers.push(() => database.stop());
    const migrated = await migrate(database.url);
    logger.info({ embedded: database.embedded, ...migrated }, 'database ready');

    const prisma = createPrisma(database.url, { pool: { max: config.DATABASE_POOL_SIZE } });
    closers.push(() => prisma.$disconnect());
    const pool = createPool(database.url, { max: config.DATABASE_POOL_SIZE });
    closers.push(() => pool.end());

    const orgBook = await OrgBook.load(prisma, org, {
      added: async (node, tx) => {
        if (!servesCounty || node.parentId === null || !hosted.has(node.parentId)) return;
        hosted.add(node.id);
        if (tx) await ensureKeyInTx(tx, node.id);
        logger.info({ node: node.id, name: node.name }, 'serving a unit the county added');
      },
    });
    for (const id of hosted.list()) {
      if (!org.has(id)) throw new Error(`DUBAN_NODES names ${id}, which is not in the organisation tree`);
    }
    // Other processes of this node (its services run apart in the distributed mode) record changes
    // too; this one reads them on its next look, and at least this often.
    const orgRefresh = setInterval(() => {
      orgBook.refresh().catch((error: unknown) => logger.error({ err: error }, 'org refresh failed'));
    }, 5_000);
    orgRefresh.unref();
    closers.push(async () => clearInterval(orgRefresh));

    // Keys before anything can publish: the relay signs with them, consumers verify with them.
    const fresh = await ensureNodeKeys(
      pool,
      hosted.list(),
      config.DUBAN_NODE_KEYS ? resolve(options.cwd ?? process.cwd(), config.DUBAN_NODE_KEYS) : undefined,
    );
    if (fresh.length > 0 && config.DUBAN_TRUST_STORE)
      logger.warn(
        { nodes: fresh },
        'new keys generated: other hosts will not trust them until their trust store has them',
      );
    if (config.DUBAN_TRUST_STORE)
      await importTrustStore(
        pool,
        readTrustStore(resolve(options.cwd ?? process.cwd(), config.DUBAN_TRUST_STORE)),
      );
    const keyRing = await new KeyRing(pool, clock).load();

    const calendars = await CalendarBook.load(prisma);
    const auth = new AuthService({
      prisma,
      sql: pool,
      org,
      secret: await signingSecret(prisma, config.DUBAN_JWT_SECRET),
      clock: options.authClock ?? systemClock,
      accessTtl: config.DUBAN_ACCESS_TOKEN_TTL,
      sessionTtl: config.DUBAN_SESSION_TTL,
    });
    const demo =
      config.DUBAN_DEMO_ACCOUNTS === 'on' ||
      (config.DUBAN_DEMO_ACCOUNTS === 'auto' &&
        database.embedded &&
        !config.DUBAN_NODES &&
        !config.DUBAN_ORG);
    if (demo) {
      const seeded = await seedDemoAccounts(auth, (n) => hosted.has(n));
      if (seeded.length > 0)
        logger.warn(
          { logins: seeded, password: DEMO_PASSWORD },
          `demo accounts created (${seeded.join(', ')}), all with the password ${DEMO_PASSWORD}: for the demo only`,
        );
    }
    const ctx: NodeContext = {
      prisma,
      pool,
      url: database.url,
      org,
      orgBook,
      hosted,
      clock,
      logger,
      calendars,
      auth,
    };
    let logDb = { pool, url: database.url };
    if (!config.KAFKA_BROKERS && config.EVENT_LOG_DATABASE_URL) {
      await migrate(config.EVENT_LOG_DATABASE_URL);
      const logPool = createPool(config.EVENT_LOG_DATABASE_URL, {
        max: Math.min(4, config.DATABASE_POOL_SIZE),
      });
      closers.push(() => logPool.end());
      logDb = { pool: logPool, url: config.EVENT_LOG_DATABASE_URL };
    }
    const security = config.KAFKA_BROKERS ? kafkaSecurity(config) : undefined;
    const log = createEventLog(
      {
        kafkaBrokers: config.KAFKA_BROKERS,
        kafkaTopicPrefix: config.KAFKA_TOPIC_PREFIX,
        kafkaClientId: `duban-${hosted.hostId}`,
        kafkaPartitions: config.KAFKA_PARTITIONS,
        kafkaReplicationFactor: config.KAFKA_REPLICATION_FACTOR,
        kafkaSasl: security?.sasl,
        kafkaSsl: security?.ssl,
        kafkaGroupPrefix: security?.groupPrefix,
        kafkaCreateTopics: security?.createTopics,
      },
      logDb,
      logger,
    );
    closers.push(() => log.close());
    const metrics = new ProcessMetrics({ config, log, pool, logPool: logDb.pool, hosted, clock, logger });
    closers.push(() => metrics.close());

    const background: Background[] = [];
    // Readiness asks for delivery before it exists (it starts after the routes are mounted).
    const started: { delivery?: Delivery } = {};
    const app = await createHttpApp({
      logger,
      title: options.title,
      description: `duban 督办 — nodes served here: ${hosted.size}; transport: ${log.transport}`,
      accessControl: {
        isAncestor: (ancestor, node) => org.has(node) && org.has(ancestor) && org.isAncestor(ancestor, node),
      },
      readiness: async () => ({
        database: await pool.query('SELECT 1').then(
          () => true,
          () => false,
        ),
        delivery: started.delivery?.healthy() ?? false,
        background: background.every((b) => b.healthy?.() ?? true),
      }),
      bodyLimit: config.DUBAN_BODY_LIMIT,
      corsOrigins: config.DUBAN_CONSOLE_ORIGIN ?? [],
      onResponse: metrics.observeRequest,
    });
    // Before every other route: the bearer hook must cover them all.
    await registerAuth(app, auth, hosted, { loginRateLimit: config.DUBAN_LOGIN_RATE_LIMIT });
    metrics.mount(app);
    app.get(
      '/nodes',
      {
        config: { access: access.read(EVERYONE) },
        schema: { tags: ['nodes'], summary: 'The nodes this process serves' },
      },
      async () => ({
        transport: log.transport,
        nodes: hosted.list().map((id) => {
          // A renamed unit also says what it was called before, so readers can name it as it was.
          const names = org.namesOf(id);
          return { ...org.get(id), status: org.statusOf(id), ...(names.length > 1 ? { names } : {}) };
        }),
      }),
    );
    registerOrgRoutes(app, { prisma, book: orgBook, hosted, clock });
    app.post(
      '/nodes/:nodeId/keys/rotate',
      {
        config: { access: access.act(['admin']) },
        schema: {
          tags: ['nodes'],
          summary:
            'Rotate the node’s signing key (admin): the relay announces the new key signed with the old one, which verifies for graceDays more',
          params: z.object({ nodeId: NodeId }),
          body: z.object({ graceDays: z.number().min(0).max(365).optional() }),
        },
      },
      async (request) => {
        const nodeId = hosted.require(request.params.nodeId);
        actorOf(request, nodeId);
        const grace = request.body.graceDays;
        try {
          return await rotateNodeKey(
            prisma,
            nodeId,
            clock.now(),
            grace === undefined ? DEFAULT_KEY_GRACE_MS : grace * 24 * 3600_000,
          );
        } catch (error) {
          if (error instanceof KeyRotationRefused)
            throw new AppError('conflict', 'keys.rotation_refused', error.message);
          throw error;
        }
      },
    );
    for (const service of options.services) service.register(app, ctx);
    await app.ready();
    const handlers = [
      ...options.services.flatMap((s) => s.handlers(ctx)),
      keyRotationHandler(keyRing),
      ...(options.services.some((s) => s.recordsOrgChanges) ? [] : [orgHandler(orgBook, () => clock.now())]),
    ];
    metrics.watch(handlers, hosted.hostId);

    const delivery = await startDelivery({
      log,
      prisma,
      pool,
      url: database.url,
      handlers,
      observer: metrics.observer,
      hostId: hosted.hostId,
      logger,
      security: {
        verifier: keyRing,
        authority: (event) =>
          authorityProblem(event, {
            kindOf: (id) => org.find(id)?.kind,
            isAncestor: (a, b) => org.has(a) && org.has(b) && org.isAncestor(a, b),
          }),
      },
      ...(options.failpoints ? { failpoints: options.failpoints } : {}),
    });
    started.delivery = delivery;
    closers.push(() => delivery.close());
    for (const service of options.services) {
      const started = service.start?.(ctx);
      if (started) {
        background.push(started);
        closers.push(() => started.stop());
      }
    }
    // Closers run in reverse: HTTP first (no new work), then loops, consumers, the relay, the log,
    // pools, and the embedded database last.
    closers.push(() => app.close());
    return { app, ctx, log, delivery, embeddedDatabase: database.embedded, close };
  } catch (error) {
    await close();
    throw error;
  }
}
