import { z } from 'zod';
import { parseConfig } from '@duban/kit';

export const RemindersConfig = z.object({
  /** How often the scheduler looks for due timers when idle (ms). */
  REMINDER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  /** Timers claimed and fired per transaction. */
  REMINDER_BATCH: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Scheduler loops per process (each holds a database connection while it fires). */
  REMINDER_LOOPS: z.coerce.number().int().min(1).max(8).default(1),
});
export type RemindersConfig = z.infer<typeof RemindersConfig>;

export function remindersConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RemindersConfig {
  return parseConfig(RemindersConfig, env);
}
