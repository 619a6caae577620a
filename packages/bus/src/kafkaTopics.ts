import type { Admin } from 'kafkajs';

export const TOPIC_READY_TIMEOUT_MS = 30_000;
/** Broker answers that mean "not yet" for a topic just created, not "no". */
const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

function protocolType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? type : undefined;
}

/**
 * Until every partition of `topics` has a leader. A KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION
 * for a topic the controller has just created until its metadata cache catches up; kafkajs's own
 * `waitForLeaders` gives up on that answer instead of waiting.
 */
export async function waitForLeaders(
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  topics: string[],
  timeoutMs: number,
  pauseMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let pending: string;
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const leaderless = found.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (leaderless.length === 0) return;
      pending = `no leader yet for ${leaderless.map((t) => t.name).join(', ')}`;
    } catch (error) {
      // kafkajs retries some answers itself and then wraps the last one (…RetriesExceeded, cause).
      const type = protocolType(error) ?? protocolType((error as { cause?: unknown }).cause);
      if (type === undefined || !NOT_YET.has(type)) throw error;
      pending = type;
    }
    if (Date.now() >= deadline) {
      throw new Error(`Kafka topics ${topics.join(', ')} not ready after ${timeoutMs} ms: ${pending}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
