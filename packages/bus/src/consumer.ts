import type { Logger } from '@duban/kit';
import { TOPICS, decodeMessage } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import type { PrismaClient, TransactionClient } from '@duban/db';
import type { EventLog, LogMessage, Subscription } from './eventLog';
import type { Verdict } from './signing';

/**
 * An event that can never be applied (a forged source, a transition the item does not allow): it goes
 * to dead letters at once with its reason, without retries.
 */
export class RejectedEvent extends Error {
  override readonly name = 'RejectedEvent';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface EventHandler {
  /** Stable name; with the host it forms the consumer group and the inbox key. */
  readonly name: string;
  readonly topics: readonly string[];
  /** Cheap pre-filter: events this host has nothing to do with skip the transaction entirely. */
  accepts(event: DubanEvent): boolean;
  /** Applies one event inside the transaction that records it in the inbox. */
  handle(event: DubanEvent, tx: TransactionClient): Promise<void>;
}

export interface DeadLetter {
  group: string;
  reason: string;
  code: string;
  topic: string;
  partition: number;
  position: string;
  key: string | null;
  value: string | null;
  at: string;
}

/** Points where a test can kill the process to prove that nothing is lost or applied twice. */
export interface Failpoints {
  /** Called after a message's effects committed and before the log commits its position. */
  afterEffects?(event: DubanEvent): void;
}

/** Counters for metrics and tests: how many events were applied, skipped as duplicates, dead-lettered. */
export interface ConsumerObserver {
  applied?(event: DubanEvent): void;
  duplicate?(event: DubanEvent): void;
  deadLettered?(letter: DeadLetter): void;
}

/** Checks a message's signature as it travelled (the bytes, not the decoded event). */
export interface EventVerifier {
  verify(value: string): Promise<Verdict>;
}

export interface ConsumerOptions {
  log: EventLog;
  prisma: PrismaClient;
  handler: EventHandler;
  /** Consumer group (and inbox key): one per (handler, host), e.g. `tasks@county`. */
  groupId: string;
  logger: Logger;
  retry?: { attempts?: number; baseMs?: number; maxMs?: number };
  failpoints?: Failpoints;
  observer?: ConsumerObserver;
  /**
   * Signature check before the handler sees an event (docs/decisions/0012). Absent only in transport
   * tests whose events nobody signed.
   */
  verifier?: EventVerifier;
  /**
   * Whether the (verified) source may emit this event at all (the catalogue's authority table); a
   * reason dead-letters it as `event.unauthorised` before any handler sees it.
   */
  authority?: (event: DubanEvent) => string | undefined;
  /** How long an unknown signing key is looked for before the event is dead-lettered (default 10 s). */
  keyWaitMs?: number;
}

/**
 * Runs a handler over the log: decode and validate, de-duplicate through the inbox in the effects'
 * own transaction, retry handler failures with back-off, and dead-letter what cannot be applied,
 * so one bad message never blocks the ones behind it.
 */
export async function startConsumer(options: ConsumerOptions): Promise<Subscription> {
  const { log, prisma, handler, groupId, logger } = options;
  const attempts = options.retry?.attempts ?? 5;
  const baseMs = options.retry?.baseMs ?? 100;
  const maxMs = options.retry?.maxMs ?? 5000;

  const deadLetter = async (message: LogMessage, code: string, reason: string) => {
    const letter: DeadLetter = {
      group: groupId,
      code,
      reason,
      topic: message.topic,
      partition: message.partition,
      position: message.position,
      key: message.key,
      value: message.value,
      at: new Date().toISOString(),
    };
    logger.warn(
      { group: groupId, code, reason, topic: message.topic, position: message.position },
      'dead-lettered',
    );
    await log.append([{ topic: TOPICS.deadLetters, key: message.key, value: JSON.stringify(letter) }]);
    options.observer?.deadLettered?.(letter);
  };

  const apply = async (event: DubanEvent, position: string): Promise<boolean> =>
    prisma.$transaction(async (tx) => {
      const inserted = await tx.$executeRaw`
        INSERT INTO inbox_entry (consumer, event_id, position) VALUES (${groupId}, ${event.id}::uuid, ${position})
        ON CONFLICT DO NOTHING`;
      if (inserted === 0) {
        // Applied before. At the same position it is a redelivery (a crash before the log committed
        // the position): skip it silently. Elsewhere in the log it was appended again: a replay
        // (or a batch the relay republished after a crash): it changes nothing either way, but
        // an operator should see it.
        const first = await tx.inboxEntry.findUnique({
          where: { consumer_eventId: { consumer: groupId, eventId: event.id } },
          select: { position: true },
        });
        if (first?.position && first.position !== position)
          throw new RejectedEvent(
            'event.replayed',
            `event ${event.id} was applied already at ${first.position}; this copy at ${position} is a replay`,
          );
        return false;
      }
      await handler.handle(event, tx);
      return true;
    });

  /**
   * An unknown key is looked up again for a while before the event is dead-lettered: after a
   * rotation, events signed with the new key can overtake the announcement (another topic, another
   * consumer group), and this host's key consumer registers it meanwhile. The wait is bounded, so a
   * flood of unknown-key forgeries delays a partition by at most this much per message.
   */
  const keyWaitMs = options.keyWaitMs ?? 10_000;
  const verify = async (value: string): Promise<Verdict> => {
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const verdict = await options.verifier!.verify(value);
      if (verdict.ok || verdict.code !== 'event.key-unknown' || waited >= keyWaitMs) return verdict;
      const delay = Math.min(maxMs, baseMs * 2 ** (attempt - 1), keyWaitMs - waited);
      waited += delay;
      await new Promise((r) => setTimeout(r, delay));
    }
  };

  return log.subscribe({
    groupId,
    topics: handler.topics,
    onMessage: async (message) => {
      const decoded = decodeMessage(message.value);
      if (!decoded.ok) return deadLetter(message, 'event.invalid', decoded.reason);
      const event = decoded.event;
      if (!handler.accepts(event)) return;
      if (options.verifier) {
        const verdict = await verify(message.value!);
        if (!verdict.ok) return deadLetter(message, verdict.code, verdict.reason);
      }
      const unauthorised = options.authority?.(event);
      if (unauthorised) return deadLetter(message, 'event.unauthorised', unauthorised);
      const position = `${message.topic}/${message.partition}/${message.position}`;
      for (let attempt = 1; ; attempt++) {
        try {
          const fresh = await apply(event, position);
          if (fresh) options.observer?.applied?.(event);
          else options.observer?.duplicate?.(event);
          break;
        } catch (error) {
          if (error instanceof RejectedEvent) return deadLetter(message, error.code, error.message);
          if (attempt >= attempts) {
            return deadLetter(
              message,
              'handler.failed',
              `handler failed ${attempts} times: ${(error as Error).message ?? String(error)}`,
            );
          }
          const delay = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
          logger.warn(
            { err: error, group: groupId, event: event.id, attempt, delay },
            'handler failed; retrying',
          );
          await new Promise((r) => setTimeout(r, delay));
        }
      }
      options.failpoints?.afterEffects?.(event);
    },
  });
}
