import { z } from 'zod';
import { parseConfig } from '@duban/kit';
import type { ReminderPolicy } from './domain/ladder';

export const RemindersConfig = z.object({
  /** Minutes after the deadline before the overdue chase (催办). */
  REMINDER_CHASE_AFTER_MINUTES: z.coerce.number().min(0).default(0),
  /** Minutes after the chase before the escalation to the unit's parent. */
  REMINDER_ESCALATE_AFTER_MINUTES: z.coerce
    .number()
    .min(0)
    .default(24 * 60),
  REMINDER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
});
export type RemindersConfig = z.infer<typeof RemindersConfig>;

export function remindersConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RemindersConfig {
  return parseConfig(RemindersConfig, env);
}

export function policyOf(config: RemindersConfig): ReminderPolicy {
  return {
    chaseAfterMs: config.REMINDER_CHASE_AFTER_MINUTES * 60_000,
    escalateAfterMs: config.REMINDER_ESCALATE_AFTER_MINUTES * 60_000,
  };
}
