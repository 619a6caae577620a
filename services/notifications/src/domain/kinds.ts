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
/**
 * Channels a person can choose (webhooks belong to the node's other systems, not to people).
 * `wecom`: a WeCom application message to the person's userid, or, where the node has only a
 * group robot, the group with the person @-mentioned; `dingtalk`: the node's DingTalk group robot.
 */
export const PersonChannel = z.enum(['inbox', 'email', 'sms', 'wecom', 'dingtalk']);
export type PersonChannel = z.infer<typeof PersonChannel>;

/** What a delivery row goes out on (a person's choice resolved against the node's configuration). */
export const DELIVERY_CHANNELS = [
  'email',
  'sms',
  'webhook',
  'wecom',
  'wecom-robot',
  'dingtalk-robot',
] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/**
 * Kinds that go out during a person's quiet hours: an escalation means an item is overdue and has
 * gone up to a leader; everything else can wait for the morning.
 */
export const URGENT_KINDS: readonly Kind[] = ['escalation'];

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
/** A person's nights: the channels named are held until `to` (the morning), urgent kinds excepted. */
export const QuietHours = z
  .object({
    from: HHMM,
    to: HHMM,
    timeZone: z.string().refine(isTimeZone, 'an IANA time zone, e.g. Asia/Shanghai').default('Asia/Shanghai'),
    channels: z
      .array(z.enum(['email', 'sms', 'wecom']))
      .min(1)
      .max(3)
      .default(['sms']),
  })
  .refine((q) => q.from !== q.to, { message: 'from and to must differ', path: ['to'] });
export type QuietHours = z.infer<typeof QuietHours>;

export const DigestMode = z.enum(['immediate', 'daily', 'weekly']);
export type DigestMode = z.infer<typeof DigestMode>;

export const Preference = z.object({
  channels: z.array(PersonChannel).max(5).default(['inbox']),
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
