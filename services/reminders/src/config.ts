import { z } from 'zod';
import { parseConfig } from '@duban/kit';

export const RemindersConfig = z.object({
  /** How often the scheduler looks for due timers when idle (ms). */
  REMINDER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
});
export type RemindersConfig = z.infer<typeof RemindersConfig>;

export function remindersConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RemindersConfig {
  return parseConfig(RemindersConfig, env);
}
