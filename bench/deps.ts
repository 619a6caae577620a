/**
 * Everything the benchmark takes from the workspace, in one place. bench/ is not a workspace
 * package (it has no package.json and no node_modules of its own), so bare specifiers such as
 * `@duban/bus` or `kafkajs` do not resolve from here: the sources are imported by path, and kafkajs
 * from @duban/bus's own node_modules so that the raw baseline runs the very copy the bus runs.
 * Once bench/ is a workspace package, only this file changes.
 */
export {
  EmbeddedEventLog,
  KafkaEventLog,
  OutboxRelay,
  appendToOutbox,
  startConsumer,
} from '../packages/bus/src/index.ts';
export type {
  AppendRecord,
  EventHandler,
  EventLog,
  SubscribeOptions,
  Subscription,
} from '../packages/bus/src/index.ts';
export { createFreshDatabase, createPool, createPrisma } from '../packages/db/src/index.ts';
export type { PrismaClient, TransactionClient } from '../packages/db/src/index.ts';
export { ALL_TOPICS, TOPICS, createEvent, uuidv7 } from '../packages/events/src/index.ts';
export type { DubanEvent } from '../packages/events/src/index.ts';
export { createLogger } from '../packages/kit/src/index.ts';
export type { Logger } from '../packages/kit/src/index.ts';
// Not the package index: it also exports vitest helpers, which only work inside a test run.
export { startPostgresServer } from '../packages/testing/src/postgres.ts';
export { startKafkaServer } from '../packages/testing/src/kafka.ts';
export type { KafkaServer } from '../packages/testing/src/kafka.ts';
export { Kafka, Partitioners, logLevel } from '../packages/bus/node_modules/kafkajs';
export type { Consumer, Producer } from '../packages/bus/node_modules/kafkajs';

/** A pg pool as @duban/db makes them (pg itself does not resolve from here either). */
export type Pool = ReturnType<typeof import('../packages/db/src/index.ts').createPool>;
