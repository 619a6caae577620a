import type { DeliveryChannel, DigestMode, Kind, Locale, Preferences, QuietHours } from './kinds';
import { URGENT_KINDS, preferenceFor } from './kinds';

export interface RecipientView {
  personId: string;
  email: string | null;
  phone: string | null;
  locale: Locale;
  preferences: Preferences;
  wecomUserId?: string | null;
  quietHours?: QuietHours | null;
}

export interface EndpointView {
  id: string;
  url: string;
  kinds: readonly string[];
}

/** Which of the chat channels the node has configured (email and SMS are planned regardless). */
export interface NodeChannelView {
  wecomApp: boolean;
  wecomRobot: boolean;
  dingtalkRobot: boolean;
}
export const NO_CHAT_CHANNELS: NodeChannelView = { wecomApp: false, wecomRobot: false, dingtalkRobot: false };

export interface PlanOptions {
  channels?: NodeChannelView;
  urgentKinds?: readonly Kind[];
}

export interface PlannedDelivery {
  recipient: string;
  channel: DeliveryChannel;
  address: string;
  locale: Locale;
  /** null: send now; else hold it for the digest due then. */
  digestAt: Date | null;
  /** Not before this instant (the end of the person's quiet hours); null: at once. */
  notBefore: Date | null;
}

/** The group robots' recipient ids in the delivery log: one message per event to the node's group. */
export const ROBOT_RECIPIENT = { 'wecom-robot': 'wecom-robot', 'dingtalk-robot': 'dingtalk-robot' } as const;

const DAY = 24 * 3600_000;
const CST = 8 * 3600_000;
/** Digests go out at 08:00 Beijing time, before the working day starts. */
const DIGEST_HOUR = 8;

/**
 * When the digest that collects a message arriving at `now` goes out: the next 08:00 (daily), or the
 * next Monday 08:00 (weekly), Beijing time. The instant is the digest's identity, so every message
 * of one person's day lands in the same digest.
 */
export function nextDigestAt(mode: Exclude<DigestMode, 'immediate'>, now: Date): Date {
  const local = now.getTime() + CST;
  const dayStart = Math.floor(local / DAY) * DAY;
  let at = dayStart + DIGEST_HOUR * 3600_000;
  if (at <= local) at += DAY;
  if (mode === 'weekly') {
    // getUTCDay of a shifted instant is the Beijing weekday; Monday is 1.
    while (new Date(at).getUTCDay() !== 1) at += DAY;
  }
  return new Date(at - CST);
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The wall-clock minute of the day at `at` in `timeZone`. */
function localMinute(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return part('hour') * 60 + part('minute');
}

/**
 * If `at` falls in the quiet hours, the instant they end (the next `to` in the person's time zone);
 * else null. Minutes are counted on the wall clock, so a night that spans a DST change is off by
 * the change (China has none).
 */
export function quietUntil(quiet: QuietHours, at: Date): Date | null {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  const m = localMinute(at, quiet.timeZone);
  const inside = from < to ? m >= from && m < to : m >= from || m < to;
  if (!inside) return null;
  const minuteStart = at.getTime() - (at.getTime() % 60_000);
  return new Date(minuteStart + ((to - m + 1440) % 1440) * 60_000);
}

/** When a message of `kind` on `channel` may go to this person at `at` (`at` itself, or later). */
export function notBeforeFor(
  quiet: QuietHours | null | undefined,
  channel: DeliveryChannel,
  kind: Kind | 'digest',
  at: Date,
  urgentKinds: readonly Kind[] = URGENT_KINDS,
): Date | null {
  if (!quiet || !(quiet.channels as readonly string[]).includes(channel)) return null;
  if (kind !== 'digest' && urgentKinds.includes(kind)) return null;
  return quietUntil(quiet, at);
}

/** Which channels a message of one kind goes out on, for a node's people and systems. */
export function planDeliveries(
  kind: Kind,
  recipients: readonly RecipientView[],
  endpoints: readonly EndpointView[],
  now: Date,
  options: PlanOptions = {},
): PlannedDelivery[] {
  const available = options.channels ?? NO_CHAT_CHANNELS;
  const planned: PlannedDelivery[] = [];
  // The node's groups: one message each, @-mentioning everyone who chose it (by phone).
  const robots = new Map<'wecom-robot' | 'dingtalk-robot', string[]>();
  const mention = (robot: 'wecom-robot' | 'dingtalk-robot', phone: string | null) => {
    const list = robots.get(robot) ?? [];
    if (phone && !list.includes(phone)) list.push(phone);
    robots.set(robot, list);
  };
  for (const r of recipients) {
    const pref = preferenceFor(r.preferences, kind);
    const digestAt = pref.digest === 'immediate' ? null : nextDigestAt(pref.digest, now);
    const personal = (channel: DeliveryChannel, address: string) =>
      planned.push({
        recipient: r.personId,
        channel,
        address,
        locale: r.locale,
        digestAt,
        // A digest is checked when it is composed; an immediate message now.
        notBefore: digestAt ? null : notBeforeFor(r.quietHours, channel, kind, now, options.urgentKinds),
      });
    if (pref.channels.includes('email') && r.email) personal('email', r.email);
    if (pref.channels.includes('sms') && r.phone) personal('sms', r.phone);
    if (pref.channels.includes('wecom')) {
      if (available.wecomApp && r.wecomUserId) personal('wecom', r.wecomUserId);
      else if (available.wecomRobot) mention('wecom-robot', r.phone);
    }
    if (pref.channels.includes('dingtalk') && available.dingtalkRobot) mention('dingtalk-robot', r.phone);
  }
  for (const robot of ['wecom-robot', 'dingtalk-robot'] as const) {
    const phones = robots.get(robot);
    if (!phones) continue;
    // Groups are shared: no digests and no one person's quiet hours.
    planned.push({
      recipient: ROBOT_RECIPIENT[robot],
      channel: robot,
      address: phones.join(','),
      locale: 'zh-CN',
      digestAt: null,
      notBefore: null,
    });
  }
  for (const e of endpoints) {
    if (e.kinds.length > 0 && !e.kinds.includes(kind)) continue;
    // Other systems get every message at once: they keep their own schedules.
    planned.push({
      recipient: e.id,
      channel: 'webhook',
      address: e.url,
      locale: 'zh-CN',
      digestAt: null,
      notBefore: null,
    });
  }
  return planned;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/** After a failed attempt: when to try again (exponential back-off, capped), or give up. */
export function afterFailure(
  attempts: number,
  policy: RetryPolicy,
  now: Date,
): { dead: true } | { dead: false; at: Date } {
  if (attempts >= policy.maxAttempts) return { dead: true };
  const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return { dead: false, at: new Date(now.getTime() + delay) };
}
