/**
 * A consumer process that kills itself (SIGKILL: no cleanup, no offset commit) right after the
 * effects of its Nth event committed. Spawned by the contract suite to prove that a crash between
 * processing and committing neither loses nor duplicates an effect.
 */
import { createPool, createPrisma } from '@duban/db';
import { createLogger } from '@duban/kit';
import { startConsumer } from '../consumer';
import { EmbeddedEventLog } from '../embeddedLog';
import type { EventLog } from '../eventLog';
import { KafkaEventLog } from '../kafkaLog';
import { contractHandler } from './fixtures';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const url = env('CRASH_DATABASE_URL');
const killAfter = Number(env('CRASH_KILL_AFTER'));
const logger = createLogger({ level: 'warn', name: 'crashing-consumer' });
const prisma = createPrisma(url);
const pool = createPool(url);
const log: EventLog =
  env('CRASH_TRANSPORT') === 'kafka'
    ? new KafkaEventLog({
        brokers: env('CRASH_KAFKA_BROKERS').split(','),
        clientId: 'crashing-consumer',
        topicPrefix: env('CRASH_TOPIC_PREFIX'),
        sessionTimeoutMs: 6000,
        logger,
      })
    : new EmbeddedEventLog({ pool, url, logger });

let applied = 0;
await startConsumer({
  log,
  prisma,
  handler: contractHandler(env('CRASH_HANDLER')),
  groupId: env('CRASH_GROUP'),
  logger,
  failpoints: {
    afterEffects: () => {
      applied += 1;
      if (applied === killAfter) process.kill(process.pid, 'SIGKILL');
    },
  },
});
