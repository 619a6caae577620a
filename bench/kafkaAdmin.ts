import { Kafka, logLevel } from './deps';
import type { Logger } from './deps';

/** A kafkajs client that logs through our logger, as KafkaEventLog's does. */
export function kafkaClient(brokers: string[], clientId: string, logger: Logger): Kafka {
  const child = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...extra } = log;
        if (level <= logLevel.ERROR) child.error(extra, message);
        else child.warn(extra, message);
      },
  });
}

/**
 * Deletes every topic a run created (they all share its prefix) and its consumer groups, so that
 * repeated runs leave nothing behind on a shared broker.
 */
export async function deleteTopics(brokers: string[], prefix: string, groups: string[], logger: Logger): Promise<void> {
  const admin = kafkaClient(brokers, 'bench-admin', logger).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    if (groups.length > 0) await admin.deleteGroups(groups);
  } finally {
    await admin.disconnect();
  }
}
