/**
 * What the ledger benchmark takes from the workspace. Like bench/deps.ts: bench/ is not a workspace
 * package, so `@duban/*`, fastify and pg do not resolve from here; they are imported by path, each
 * from the package that owns it, so the baselines run the very copies the product runs.
 */
export { createFreshDatabase, createPool, createPrisma, Prisma } from '../../packages/db/src/index.ts';
export type { FreshDatabase, PrismaClient } from '../../packages/db/src/index.ts';
export { createLogger, systemClock } from '../../packages/kit/src/index.ts';
export { demoCounty, DEMO_COUNTY_ID } from '../../packages/org/src/index.ts';
export { NodeProcessConfig, startNodeProcess } from '../../packages/runtime/src/index.ts';
export type { RunningNode } from '../../packages/runtime/src/index.ts';
export { tasksService } from '../../services/tasks/src/module.ts';
export { startPostgresServer } from '../../packages/testing/src/postgres.ts';
export { default as Fastify } from '../../packages/kit/node_modules/fastify/fastify.js';
export type { FastifyInstance } from '../../packages/kit/node_modules/fastify/fastify.js';
