/**
 * The one interface both transports implement: Kafka (kafkajs) when deployed, PostgreSQL tables when
 * embedded. Topic names here are logical (`duban.tasks`); an implementation may prefix them.
 */
export interface EventLog {
  readonly transport: 'kafka' | 'embedded';
  ensureTopics(topics: readonly string[]): Promise<void>;
  /** Durably appends, in order; resolves only once the log has them (acks=all on Kafka). */
  append(records: readonly AppendRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  close(): Promise<void>;
}

export interface AppendRecord {
  topic: string;
  /** Records with the same key stay in order (Kafka: same partition). */
  key: string | null;
  value: string;
}

export interface LogMessage {
  topic: string;
  partition: number;
  /** Transport position, opaque outside the log (Kafka offset or embedded sequence number). */
  position: string;
  key: string | null;
  value: string | null;
}

export interface SubscribeOptions {
  groupId: string;
  topics: readonly string[];
  /**
   * Called once per batch: consecutive messages, in log order (Kafka: of one partition; embedded:
   * of the one global sequence), never more than `maxBatch`. Resolving means the effects of every
   * message in it are committed, so the log moves its position past the batch. Rejecting stops the
   * subscription without committing the batch: all of it is delivered again to the group's next
   * member (the inbox recognises what was applied already). On Kafka, batches of different
   * partitions may run concurrently; batches of one partition never do.
   */
  onBatch?(messages: readonly LogMessage[]): Promise<void>;
  /** The one-message form (dead-letter readers, tests): what `onBatch` would do, one message at a time. */
  onMessage?(message: LogMessage): Promise<void>;
  /** Most messages per `onBatch` call (default 100). */
  maxBatch?: number;
}

/** Exactly one of `onBatch` and `onMessage`, as one batch callback the transports call. */
export function batchCallback(options: SubscribeOptions): (messages: readonly LogMessage[]) => Promise<void> {
  const { onBatch, onMessage } = options;
  if (onBatch && !onMessage) return (messages) => onBatch.call(options, messages);
  if (onMessage && !onBatch)
    return async (messages) => {
      for (const message of messages) await onMessage.call(options, message);
    };
  throw new Error(`subscription ${options.groupId}: give exactly one of onBatch and onMessage`);
}

export const DEFAULT_MAX_BATCH = 100;

export interface Subscription {
  readonly groupId: string;
  /** Settles when the subscription stops: resolves on stop(), rejects with the error that stopped it. */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

/** A subscription's loop stopped because its handler failed: nothing past the failure was committed. */
export class SubscriptionStopped extends Error {
  override readonly name = 'SubscriptionStopped';
}
