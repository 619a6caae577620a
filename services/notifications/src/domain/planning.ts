import type { DigestMode, Kind, Locale, Preferences } from './kinds';
import { preferenceFor } from './kinds';

export interface RecipientView {
  personId: string;
  email: string | null;
  phone: string | null;
  locale: Locale;
  preferences: Preferences;
}

export interface EndpointView {
  id: string;
  url: string;
  kinds: readonly string[];
}

export interface PlannedDelivery {
  recipient: string;
  channel: 'email' | 'sms' | 'webhook';
  address: string;
  locale: Locale;
  /** null: send now; else hold it for the digest due then. */
  digestAt: Date | null;
}

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

/** Which channels a message of one kind goes out on, for a node's people and systems. */
export function planDeliveries(
  kind: Kind,
  recipients: readonly RecipientView[],
  endpoints: readonly EndpointView[],
  now: Date,
): PlannedDelivery[] {
  const planned: PlannedDelivery[] = [];
  for (const r of recipients) {
    const pref = preferenceFor(r.preferences, kind);
    const digestAt = pref.digest === 'immediate' ? null : nextDigestAt(pref.digest, now);
    if (pref.channels.includes('email') && r.email)
      planned.push({ recipient: r.personId, channel: 'email', address: r.email, locale: r.locale, digestAt });
    if (pref.channels.includes('sms') && r.phone)
      planned.push({ recipient: r.personId, channel: 'sms', address: r.phone, locale: r.locale, digestAt });
  }
  for (const e of endpoints) {
    if (e.kinds.length > 0 && !e.kinds.includes(kind)) continue;
    // Other systems get every message at once: they keep their own schedules.
    planned.push({ recipient: e.id, channel: 'webhook', address: e.url, locale: 'zh-CN', digestAt: null });
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
