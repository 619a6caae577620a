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
   * Called once per message, in order per partition. Resolving means the message's effects are
   * committed, so the log may commit the position past it. Rejecting stops the subscription
   * without committing that position: the message is delivered again to the group's next member.
   */
  onMessage(message: LogMessage): Promise<void>;
}

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
