import { z } from 'zod';

/** What the notifications service reads from its environment (on top of NodeProcessConfig). */
export const NotificationsConfig = z.object({
  /** smtp://user:pass@host:587 or smtps://…:465; absent: the email channel is off (logged at start). */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /** The From of every email, e.g. "睢县县委督查室 <duban@example.gov.cn>". */
  SMTP_FROM: z.string().min(3).max(200).default('duban <duban@localhost>'),
  /** The SMS gateway adapter's endpoint: POST JSON {to, text}; absent: the SMS channel is off. */
  SMS_GATEWAY_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** How often the delivery worker looks for due deliveries (it also runs after each batch). */
  NOTIFY_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** Webhooks keep trying longer: a county system down for a day still gets everything, in order. */
  NOTIFY_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(30),
  NOTIFY_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(30_000),
  NOTIFY_BACKOFF_MAX_MS: z.coerce.number().int().min(1).default(3_600_000),
  /**
   * How long a claimed ('sending') delivery is left alone before it is taken as interrupted by a
   * crash and sent again; longer than any send can take (sends time out after 30 s).
   */
  NOTIFY_LEASE_MS: z.coerce.number().int().min(1000).default(120_000),
});
export type NotificationsConfig = z.infer<typeof NotificationsConfig>;
