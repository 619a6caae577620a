import { z } from 'zod';

/**
 * What people choose channels for: the kinds of message the office talks about, not event types
 * (new event types land in a kind without anyone's preferences changing).
 */
export const KINDS = [
  'notice',
  'chase',
  'escalation',
  'review',
  'decision',
  'sanction',
  'bulletin',
  'other',
] as const;
export const Kind = z.enum(KINDS);
export type Kind = z.infer<typeof Kind>;

export function kindOf(type: string): Kind {
  if (type === 'tasks.item.assigned' || type === 'tasks.deadline.replanned') return 'notice';
  if (type === 'reminders.item.chased') return 'chase';
  if (type === 'reminders.item.escalated') return 'escalation';
  if (type === 'tasks.item.reviewed' || type === 'tasks.item.closed' || type === 'tasks.item.reopened')
    return 'review';
  if (type.startsWith('scoring.sanction.')) return 'sanction';
  if (type.startsWith('scoring.')) return 'decision';
  if (type === 'notifications.bulletin.published') return 'bulletin';
  return 'other';
}

export const CHANNELS = ['inbox', 'email', 'sms', 'webhook'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;
/** Channels a person can choose (webhooks belong to the node's other systems, not to people). */
export const PersonChannel = z.enum(['inbox', 'email', 'sms']);
export type PersonChannel = z.infer<typeof PersonChannel>;

export const DigestMode = z.enum(['immediate', 'daily', 'weekly']);
export type DigestMode = z.infer<typeof DigestMode>;

export const Preference = z.object({
  channels: z.array(PersonChannel).max(3).default(['inbox']),
  digest: DigestMode.default('immediate'),
});
export type Preference = z.infer<typeof Preference>;

/** Per kind, plus `default` for kinds not named. */
export const Preferences = z.partialRecord(z.enum([...KINDS, 'default']), Preference);
export type Preferences = z.infer<typeof Preferences>;

export const LOCALES = ['zh-CN', 'en'] as const;
export const Locale = z.enum(LOCALES);
export type Locale = z.infer<typeof Locale>;

const INBOX_ONLY: Preference = { channels: ['inbox'], digest: 'immediate' };

export function preferenceFor(prefs: Preferences, kind: Kind): Preference {
  return prefs[kind] ?? prefs.default ?? INBOX_ONLY;
}
