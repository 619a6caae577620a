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
 * repeated runs leave nothing behind on a shared broker. Groups go first: once its topics are gone
 * an empty group may already have been removed with its offsets.
 */
export async function deleteTopics(
  brokers: string[],
  prefix: string,
  groups: string[],
  logger: Logger,
): Promise<void> {
  const admin = kafkaClient(brokers, 'bench-admin', logger).admin();
  await admin.connect();
  try {
    if (groups.length > 0) {
      await admin.deleteGroups(groups).catch((error: unknown) => {
        const failed = (
          (error as { groups?: Array<{ groupId: string; error?: { type?: string } }> }).groups ?? []
        ).filter((g) => g.error?.type !== 'GROUP_ID_NOT_FOUND');
        if (failed.length > 0) {
          throw new Error(
            `deleting groups: ${failed.map((g) => `${g.groupId}: ${g.error?.type ?? 'unknown error'}`).join(', ')}`,
          );
        }
      });
    }
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
