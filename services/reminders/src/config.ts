import { z } from 'zod';
import { parseConfig } from '@duban/kit';

/** The scheduler's defaults (bench/timers.ts: batches of 2000 on two loops drained a burst fastest). */
export const SCHEDULER_DEFAULTS = { pollMs: 250, batchSize: 2000, loops: 2 } as const;

export const RemindersConfig = z.object({
  /** How often the scheduler looks for due timers when idle (ms). */
  REMINDER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(SCHEDULER_DEFAULTS.pollMs),
  /** Timers claimed and fired per transaction. */
  REMINDER_BATCH: z.coerce.number().int().min(1).max(10_000).default(SCHEDULER_DEFAULTS.batchSize),
  /**
   * Scheduler loops per process, each holding a database connection while it fires: two keep both
   * of a small server's cores busy on a burst (SKIP LOCKED shares the work).
   */
  REMINDER_LOOPS: z.coerce.number().int().min(1).max(8).default(SCHEDULER_DEFAULTS.loops),
});
export type RemindersConfig = z.infer<typeof RemindersConfig>;

export function remindersConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RemindersConfig {
  return parseConfig(RemindersConfig, env);
}
