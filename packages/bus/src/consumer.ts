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
  /**
   * Optional batch form: applies several new events, in the given order, inside the one transaction
   * that records them in the inbox; it must leave what `handle` would leave for each in turn. When
   * it fails the consumer cannot tell which event failed and splits the batch in halves.
   */
  handleMany?(events: readonly DubanEvent[], tx: TransactionClient): Promise<void>;
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
  /**
   * Called for each event of a batch after the batch's effects committed and before the log commits
   * its position.
   */
  afterEffects?(event: DubanEvent): void | Promise<void>;
  /**
   * Called inside a batch's transaction just before its handler sees the event (`index` of `size`
   * new events in this transaction): a kill here leaves the whole batch uncommitted.
   *
   * Both are awaited: a test process can hold a consumer at its point (a promise that never
   * settles) while others reach theirs, and then kill them all at once.
   */
  beforeHandle?(event: DubanEvent, index: number, size: number): void | Promise<void>;
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
  /** Most events per batch, i.e. per transaction (default DEFAULT_MAX_BATCH, 100). */
  maxBatch?: number;
}

/** One event of a batch that passed the checks and goes to the transaction. */
interface Candidate {
  message: LogMessage;
  event: DubanEvent;
  /** `topic/partition/position`, what the inbox keeps as the event's first position. */
  position: string;
  /** Index in the delivered batch, so that dead letters keep log order. */
  index: number;
}

interface Outcome {
  fresh: Candidate[];
  duplicates: Candidate[];
  replays: Array<{ candidate: Candidate; first: string }>;
  /** The handler failed on `at` (an index of the transaction's items): nothing from it on committed. */
  failed?: { at: number; error: unknown };
}

/** A transaction failed in a handler: which candidate it was handling, when it is known. */
class BatchFailed extends Error {
  override readonly name = 'BatchFailed';
  constructor(
    readonly at: number | undefined,
    readonly error: unknown,
  ) {
    super((error as Error)?.message ?? String(error));
  }
}

/**
 * Runs a handler over the log: decode and validate, de-duplicate through the inbox in the effects'
 * own transaction, retry handler failures with back-off, and dead-letter what cannot be applied,
 * so one bad message never blocks the ones behind it.
 *
 * The log delivers batches (docs/decisions/0027): a batch's new events are recorded in the inbox by
 * one multi-row insert and applied in order in ONE transaction. A batch that fails is split (around
 * the event its handler failed on, else in halves) until the bad event is alone; alone, it is
 * retried with back-off and dead-lettered, while the events around it are applied without it.
 */
export async function startConsumer(options: ConsumerOptions): Promise<Subscription> {
  const { log, prisma, handler, groupId, logger } = options;
  const attempts = options.retry?.attempts ?? 5;
  const baseMs = options.retry?.baseMs ?? 100;
  const maxMs = options.retry?.maxMs ?? 5000;

  const letter = (message: LogMessage, code: string, reason: string): DeadLetter => ({
    group: groupId,
    code,
    reason,
    topic: message.topic,
    partition: message.partition,
    position: message.position,
    key: message.key,
    value: message.value,
    at: new Date().toISOString(),
  });

  /**
   * One transaction over `items` (in log order): the inbox insert says which are new, the handler
   * applies those in order. When the handler fails on an event of several, the transaction rolls
   * back to the savepoint before it and commits the events before it alone (`failed` names it):
   * they are not applied twice, and the failing one is retried before anything after it.
   */
  const transact = async (items: readonly Candidate[]): Promise<Outcome> => {
    let handling: number | undefined;
    try {
      return await prisma.$transaction(
        async (tx): Promise<Outcome> => {
          // The first copy of an event id in the batch is the one that can be new; a later copy at
          // another position is a replay of it.
          const firstOf = new Map<string, Candidate>();
          for (const c of items) if (!firstOf.has(c.event.id)) firstOf.set(c.event.id, c);
          const firsts = [...firstOf.values()];
          const inserted = await tx.$queryRaw<Array<{ id: string }>>`
            INSERT INTO inbox_entry (consumer, event_id, position)
            SELECT ${groupId}, u.id::uuid, u.position
              FROM unnest(${firsts.map((c) => c.event.id)}::text[], ${firsts.map((c) => c.position)}::text[])
                AS u(id, position)
            ON CONFLICT DO NOTHING
            RETURNING event_id::text AS id`;
          const isNew = new Set(inserted.map((r) => r.id));
          const fresh = firsts.filter((c) => isNew.has(c.event.id));
          const seen = items.filter((c) => !(isNew.has(c.event.id) && firstOf.get(c.event.id) === c));
          // Applied before. At the same position it is a redelivery (a crash before the log committed
          // the position): skip it silently. Elsewhere in the log it was appended again: a replay
          // (or a batch the relay republished after a crash): it changes nothing either way, but
          // an operator should see it.
          const firstPosition = new Map<string, string | null>();
          for (const c of fresh) firstPosition.set(c.event.id, c.position);
          const unknown = [...new Set(seen.map((c) => c.event.id))].filter((id) => !firstPosition.has(id));
          if (unknown.length > 0) {
            const rows = await tx.$queryRaw<Array<{ id: string; position: string | null }>>`
              SELECT event_id::text AS id, position FROM inbox_entry
               WHERE consumer = ${groupId} AND event_id = ANY(${unknown}::text[]::uuid[])`;
            for (const r of rows) firstPosition.set(r.id, r.position);
          }
          const duplicates: Candidate[] = [];
          const replays: Outcome['replays'] = [];
          for (const c of seen) {
            const first = firstPosition.get(c.event.id);
            if (first && first !== c.position) replays.push({ candidate: c, first });
            else duplicates.push(c);
          }
          if (handler.handleMany && fresh.length > 1) {
            for (const [i, c] of fresh.entries())
              await options.failpoints?.beforeHandle?.(c.event, i, fresh.length);
            await handler.handleMany(
              fresh.map((c) => c.event),
              tx,
            );
            return { fresh, duplicates, replays };
          }
          const several = fresh.length > 1;
          for (const [i, c] of fresh.entries()) {
            handling = items.indexOf(c);
            // Cheap insurance for the rare failure: without it a failing event would roll back, and
            // make the consumer apply again, every event before it in the batch.
            // (The first needs none: nothing before it would be lost.)
            if (several && i > 0) await tx.$executeRawUnsafe('SAVEPOINT duban_event');
            await options.failpoints?.beforeHandle?.(c.event, i, fresh.length);
            try {
              await handler.handle(c.event, tx);
            } catch (error) {
              if (!several || i === 0) throw error;
              await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT duban_event');
              // This event and those after it go again, as new: their inbox rows must go too.
              await tx.$executeRaw`
                DELETE FROM inbox_entry WHERE consumer = ${groupId}
                   AND event_id = ANY(${fresh.slice(i).map((f) => f.event.id)}::text[]::uuid[])`;
              const at = handling;
              const before = (d: { index: number }) => d.index < c.index;
              return {
                fresh: fresh.slice(0, i),
                duplicates: duplicates.filter(before),
                replays: replays.filter((r) => before(r.candidate)),
                failed: { at, error },
              };
            }
            handling = undefined;
          }
          return { fresh, duplicates, replays };
        },
        // A batch holds many events' work, and on Kafka several partitions' batches wait for the pool.
        { maxWait: 30_000, timeout: 60_000 },
      );
    } catch (error) {
      throw new BatchFailed(handling, error);
    }
  };

  /** Observers and failpoints once a transaction committed, in log order. */
  const committed = async (outcome: Outcome, letters: Array<[number, DeadLetter]>) => {
    for (const { candidate, first } of outcome.replays) {
      letters.push([
        candidate.index,
        letter(
          candidate.message,
          'event.replayed',
          `event ${candidate.event.id} was applied already at ${first}; this copy at ${candidate.position} is a replay`,
        ),
      ]);
    }
    const fresh = new Set(outcome.fresh);
    const done = [...outcome.fresh, ...outcome.duplicates].sort((a, b) => a.index - b.index);
    for (const c of done) {
      if (fresh.has(c)) options.observer?.applied?.(c.event);
      else options.observer?.duplicate?.(c.event);
    }
    for (const c of done) await options.failpoints?.afterEffects?.(c.event);
  };

  /**
   * One event alone: retried with back-off, dead-lettered when rejected or out of attempts.
   * `failedOnce`: the error of the batch attempt that already counted as its first.
   */
  const applyOne = async (
    c: Candidate,
    letters: Array<[number, DeadLetter]>,
    failedOnce?: { error: unknown },
  ): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      let error: unknown;
      if (attempt === 1 && failedOnce) error = failedOnce.error;
      else {
        try {
          const outcome = await transact([c]);
          await committed(outcome, letters);
          return;
        } catch (failure) {
          error = failure instanceof BatchFailed ? failure.error : failure;
        }
      }
      if (error instanceof RejectedEvent) {
        letters.push([c.index, letter(c.message, error.code, error.message)]);
        return;
      }
      if (attempt >= attempts) {
        const reason = `handler failed ${attempts} times: ${(error as Error).message ?? String(error)}`;
        letters.push([c.index, letter(c.message, 'handler.failed', reason)]);
        return;
      }
      const delay = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
      logger.warn(
        { err: error, group: groupId, event: c.event.id, attempt, delay },
        'handler failed; retrying',
      );
      await new Promise((r) => setTimeout(r, delay));
    }
  };

  /**
   * The batch in one transaction. When its handler fails on an event, the events before it are
   * committed without it, it is retried alone, and the events after it go on as a batch; when the
   * transaction fails elsewhere (the inbox insert, the commit, a lost connection), the batch is
   * applied again in halves. Parts run in log order, so a subject's events keep their order.
   */
  const applyBatch = async (
    items: readonly Candidate[],
    letters: Array<[number, DeadLetter]>,
  ): Promise<void> => {
    if (items.length === 0) return;
    let outcome: Outcome;
    try {
      outcome = await transact(items);
    } catch (error) {
      const failure = error as BatchFailed;
      if (items.length === 1) return applyOne(items[0]!, letters, { error: failure.error });
      logger.debug(
        { err: failure.error, group: groupId, size: items.length, at: failure.at },
        'batch failed; splitting it',
      );
      if (failure.at !== undefined) {
        // Only duplicates came before it (else the savepoint would have caught the failure).
        await applyBatch(items.slice(0, failure.at), letters);
        await applyOne(items[failure.at]!, letters, { error: failure.error });
        return applyBatch(items.slice(failure.at + 1), letters);
      }
      const middle = Math.ceil(items.length / 2);
      await applyBatch(items.slice(0, middle), letters);
      return applyBatch(items.slice(middle), letters);
    }
    await committed(outcome, letters);
    if (outcome.failed) {
      await applyOne(items[outcome.failed.at]!, letters, { error: outcome.failed.error });
      await applyBatch(items.slice(outcome.failed.at + 1), letters);
    }
  };

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
    ...(options.maxBatch ? { maxBatch: options.maxBatch } : {}),
    onBatch: async (messages) => {
      const letters: Array<[number, DeadLetter]> = [];
      const candidates: Candidate[] = [];
      // Decoding, signatures and authority stay per event: a bad one is a letter, not a failed batch.
      for (const [index, message] of messages.entries()) {
        const decoded = decodeMessage(message.value);
        if (!decoded.ok) {
          letters.push([index, letter(message, 'event.invalid', decoded.reason)]);
          continue;
        }
        const event = decoded.event;
        if (!handler.accepts(event)) continue;
        if (options.verifier) {
          const verdict = await verify(message.value!);
          if (!verdict.ok) {
            letters.push([index, letter(message, verdict.code, verdict.reason)]);
            continue;
          }
        }
        const unauthorised = options.authority?.(event);
        if (unauthorised) {
          letters.push([index, letter(message, 'event.unauthorised', unauthorised)]);
          continue;
        }
        const position = `${message.topic}/${message.partition}/${message.position}`;
        candidates.push({ message, event, position, index });
      }
      await applyBatch(candidates, letters);
      if (letters.length === 0) return;
      // Before the log commits the batch: a crash in between dead-letters these again, never loses them.
      const ordered = letters.sort((a, b) => a[0] - b[0]).map(([, l]) => l);
      for (const l of ordered) {
        logger.warn(
          { group: groupId, code: l.code, reason: l.reason, topic: l.topic, position: l.position },
          'dead-lettered',
        );
      }
      await log.append(
        ordered.map((l) => ({ topic: TOPICS.deadLetters, key: l.key, value: JSON.stringify(l) })),
      );
      for (const l of ordered) options.observer?.deadLettered?.(l);
    },
  });
}
