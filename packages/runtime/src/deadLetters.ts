import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { SASLOptions } from 'kafkajs';
import { EmbeddedEventLog, KafkaEventLog } from '@duban/bus';
import type { DeadLetter, EventLog } from '@duban/bus';
import { TOPICS } from '@duban/events';
import { createLogger } from '@duban/kit';
import { UsageError } from './cliErrors';
import { NodeProcessConfig } from './config';
import { kafkaSecurity } from './config';
import { KafkaAdmin } from './kafkaAdmin';
import { LETTER_CODE } from './metrics';

export const DEAD_LETTERS_USAGE = `  dead-letters list [--code C] [--limit N]
                                          the newest dead letters (default 20), optionally of one code
  dead-letters show ID                    one letter: its reason, the original message and its replays
  dead-letters replay ID [--force] [--by W]
                                          append the original message to its topic again, where it is
                                          verified like any other; refused when it was replayed before
                                          (--force replays anyway; --by names who, default the OS user)`;

export const DEAD_LETTERS_NOTE = `dead-letters reads the embedded log (EVENT_LOG_DATABASE_URL, else DATABASE_URL) or, with KAFKA_BROKERS,
the Kafka topic (KAFKA_TOPIC_PREFIX and KAFKA_SASL_* as the host has them); replays are recorded in
DATABASE_URL.`;

/** A dead letter as stored: its id on the dead-letter topic and what the consumer wrote. */
export interface StoredLetter {
  /** The embedded log's seq, or `<partition>:<offset>` on Kafka. */
  id: string;
  letter: DeadLetter;
}

interface Replay {
  letter_id: string;
  original: string;
  replayed_by: string;
  replayed_at: Date;
  forced: boolean;
}

/**
 * A record of the dead-letter topic as the consumers write it; anything else (anyone who can append
 * to the log can put bytes there) is not a letter: nothing to show or replay.
 */
function parseLetter(value: string | null): DeadLetter | undefined {
  try {
    const letter = JSON.parse(value ?? 'null') as Partial<DeadLetter> | null;
    return typeof letter?.group === 'string' &&
      typeof letter.code === 'string' &&
      typeof letter.topic === 'string' &&
      typeof letter.position === 'string'
      ? (letter as DeadLetter)
      : undefined;
  } catch {
    return undefined;
  }
}

const originalOf = (l: DeadLetter) => `${l.topic}/${l.partition}/${l.position}`;

/** How long reading the Kafka dead-letter topic to its end may take. */
const KAFKA_READ_TIMEOUT_MS = 60_000;

/** Where the letters are, for one command: the embedded log's table or the Kafka topic. */
class LetterStore {
  readonly transport: 'embedded' | 'kafka';
  private readonly log: EventLog;
  private readonly logPool: pg.Pool | undefined;
  private readonly admin: KafkaAdmin | undefined;

  constructor(
    private readonly config: NodeProcessConfig,
    url: string,
  ) {
    const logger = createLogger({ level: 'silent' });
    if (config.KAFKA_BROKERS) {
      const security = kafkaSecurity(config);
      this.transport = 'kafka';
      this.log = new KafkaEventLog({
        brokers: config.KAFKA_BROKERS,
        clientId: 'duban-cli-dead-letters',
        logger,
        ...(config.KAFKA_TOPIC_PREFIX ? { topicPrefix: config.KAFKA_TOPIC_PREFIX } : {}),
        ...(security.sasl ? { sasl: security.sasl as SASLOptions } : {}),
        ...(security.ssl ? { ssl: security.ssl } : {}),
        ...(security.groupPrefix ? { groupPrefix: security.groupPrefix } : {}),
      });
      this.admin = new KafkaAdmin(config, 'duban-cli-dead-letters');
    } else {
      const logUrl = config.EVENT_LOG_DATABASE_URL ?? url;
      this.transport = 'embedded';
      this.logPool = new pg.Pool({ connectionString: logUrl, max: 1 });
      this.log = new EmbeddedEventLog({ pool: this.logPool, url: logUrl, logger });
    }
  }

  /** Newest first. */
  async list(filter: { code?: string; limit: number }): Promise<StoredLetter[]> {
    if (this.logPool) {
      const { rows } = await this.logPool.query<{ seq: string; value: string }>(
        `SELECT seq::text AS seq, value FROM log_record
          WHERE topic = $1 AND ($2::text IS NULL OR substring(value from $4) = $2)
          ORDER BY log_record.seq DESC LIMIT $3`,
        [TOPICS.deadLetters, filter.code ?? null, filter.limit, LETTER_CODE],
      );
      return rows.flatMap((r) => {
        const letter = parseLetter(r.value);
        return letter ? [{ id: r.seq, letter }] : [];
      });
    }
    return (await this.readKafka())
      .filter((l) => filter.code === undefined || l.letter.code === filter.code)
      .sort((a, b) => (a.letter.at < b.letter.at ? 1 : a.letter.at > b.letter.at ? -1 : 0))
      .slice(0, filter.limit);
  }

  async get(id: string): Promise<StoredLetter | undefined> {
    if (this.logPool) {
      if (!/^\d+$/.test(id))
        throw new UsageError(`${id} is not a dead letter id here (a number on the embedded log)`);
      const { rows } = await this.logPool.query<{ value: string }>(
        'SELECT value FROM log_record WHERE topic = $1 AND seq = $2',
        [TOPICS.deadLetters, id],
      );
      const letter = rows[0] && parseLetter(rows[0].value);
      return letter && { id, letter };
    }
    if (!/^\d+:\d+$/.test(id))
      throw new UsageError(`${id} is not a dead letter id here (<partition>:<offset> on Kafka)`);
    return (await this.readKafka()).find((l) => l.id === id);
  }

  /** Back onto the original topic, under the original key: consumers verify it like any message. */
  async replay(letter: DeadLetter): Promise<void> {
    await this.log.append([{ topic: letter.topic, key: letter.key, value: letter.value! }]);
  }

  /**
   * The whole dead-letter topic, read to the high watermarks it had when this started, by a
   * throwaway consumer group (deleted afterwards) that commits nothing anyone else reads.
   */
  private async readKafka(): Promise<StoredLetter[]> {
    const log = this.log as KafkaEventLog;
    const admin = await this.admin!.get();
    const ends = new Map<number, bigint>();
    for (const p of await admin.fetchTopicOffsets(log.physical(TOPICS.deadLetters)))
      if (BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high));
    const found: StoredLetter[] = [];
    if (ends.size === 0) return found;
    const groupId = `dead-letter-reader.cli-${randomUUID()}`;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const subscription = await log.subscribe({
      groupId,
      topics: [TOPICS.deadLetters],
      onMessage: async (m) => {
        const letter = parseLetter(m.value);
        if (letter) found.push({ id: `${m.partition}:${m.position}`, letter });
        const end = ends.get(m.partition);
        if (end !== undefined && BigInt(m.position) + 1n >= end) ends.delete(m.partition);
        if (ends.size === 0) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        finished,
        subscription.stopped,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(new Error(`the dead-letter topic was not read in ${KAFKA_READ_TIMEOUT_MS / 1000} s`)),
            KAFKA_READ_TIMEOUT_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await subscription.stop();
      await admin.deleteGroups([log.physicalGroup(groupId)]).catch(() => undefined);
    }
    return found;
  }

  async close(): Promise<void> {
    await this.log.close();
    await this.admin?.close();
    await this.logPool?.end();
  }
}

function describeLetter(s: StoredLetter, replays: readonly Replay[]): string {
  const l = s.letter;
  const replayed = replays.length > 0 ? `  replayed ×${replays.length}` : '';
  return `${s.id}  ${l.at}  ${l.code}  ${l.group}  ${originalOf(l)}${replayed}`;
}

/** `pnpm duban dead-letters …`; returns the exit code. */
export async function runDeadLetters(
  argv: readonly string[],
  out: (line: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      code: { type: 'string' },
      limit: { type: 'string' },
      force: { type: 'boolean' },
      by: { type: 'string' },
    },
  });
  const [command, id, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`dead-letters: unexpected ${rest.join(' ')}`);
  const url = env.DATABASE_URL;
  if (!url) throw new UsageError('DATABASE_URL is not set');
  const config = NodeProcessConfig.parse({ ...env, DUBAN_NODES: undefined });
  const store = new LetterStore(config, url);
  const db = new pg.Pool({ connectionString: url, max: 1 });
  const replaysOf = async (letters: readonly StoredLetter[]): Promise<Replay[]> =>
    (
      await db.query<Replay>(
        `SELECT letter_id, original, replayed_by, replayed_at, forced FROM dead_letter_replay
          WHERE transport = $1 AND (letter_id = ANY($2::text[]) OR original = ANY($3::text[]))
          ORDER BY id`,
        [store.transport, letters.map((l) => l.id), letters.map((l) => originalOf(l.letter))],
      )
    ).rows;
  const mine = (s: StoredLetter, replays: readonly Replay[]) =>
    replays.filter((r) => r.letter_id === s.id || r.original === originalOf(s.letter));
  try {
    switch (command) {
      case 'list': {
        if (id !== undefined) throw new UsageError('dead-letters list takes no id');
        const limit = values.limit === undefined ? 20 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
          throw new UsageError('--limit is a whole number from 1 to 10000');
        const letters = await store.list({ limit, ...(values.code ? { code: values.code } : {}) });
        const replays = await replaysOf(letters);
        if (letters.length === 0) out('no dead letters');
        for (const s of letters) out(describeLetter(s, mine(s, replays)));
        return 0;
      }
      case 'show': {
        if (!id) throw new UsageError('dead-letters show needs an ID');
        const found = await store.get(id);
        if (!found) {
          out(`no dead letter ${id}`);
          return 1;
        }
        out(
          JSON.stringify(
            { id: found.id, ...found.letter, replays: mine(found, await replaysOf([found])) },
            null,
            2,
          ),
        );
        return 0;
      }
      case 'replay': {
        if (!id) throw new UsageError('dead-letters replay needs an ID');
        const found = await store.get(id);
        if (!found) {
          out(`no dead letter ${id}`);
          return 1;
        }
        if (found.letter.value === null) {
          out(`dead letter ${id} has no message value to replay`);
          return 1;
        }
        const original = originalOf(found.letter);
        const by = values.by ?? env.USER ?? userInfo().username;
        const client = await db.connect();
        try {
          await client.query('BEGIN');
          // Two operators replaying letters of one message at once: one waits, then sees the other's.
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`duban.replay:${original}`]);
          const before = mine(
            found,
            (
              await client.query<Replay>(
                `SELECT letter_id, original, replayed_by, replayed_at, forced FROM dead_letter_replay
              WHERE transport = $1 AND (letter_id = $2 OR original = $3) ORDER BY id`,
                [store.transport, found.id, original],
              )
            ).rows,
          );
          if (before.length > 0 && !values.force) {
            await client.query('ROLLBACK');
            const last = before.at(-1)!;
            out(
              `refused: ${original} was replayed already (letter ${last.letter_id}, by ${last.replayed_by} at ${last.replayed_at.toISOString()}); --force replays it again`,
            );
            return 1;
          }
          await client.query(
            `INSERT INTO dead_letter_replay (letter_id, transport, original, replayed_by, forced)
             VALUES ($1, $2, $3, $4, $5)`,
            [found.id, store.transport, original, by, before.length > 0],
          );
          // Appended before the record commits: a failed append leaves no record of a replay.
          await store.replay(found.letter);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
        out(
          `replayed ${id}: ${original} is on ${found.letter.topic} again (key ${found.letter.key ?? '-'}); every consumer of the topic verifies it anew`,
        );
        return 0;
      }
      default:
        throw new UsageError(
          command ? `unknown command: dead-letters ${command}` : 'dead-letters needs a command',
        );
    }
  } finally {
    await store.close();
    await db.end();
  }
}
