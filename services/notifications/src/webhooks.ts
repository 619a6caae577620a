import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed webhooks for other county systems. Each request carries
 *
 *   X-Duban-Delivery-Id: <uuid>      stable across retries: dedupe on it
 *   X-Duban-Timestamp:   <unix seconds>
 *   X-Duban-Signature:   v1=<hex HMAC-SHA256 of `${timestamp}.${raw body}` with the endpoint secret>
 *
 * The timestamp is inside the signature so an old request cannot be replayed with a new one; a
 * receiver refuses timestamps more than 5 minutes away and delivery ids it has already seen.
 */
export const WEBHOOK_HEADERS = {
  id: 'x-duban-delivery-id',
  timestamp: 'x-duban-timestamp',
  signature: 'x-duban-signature',
  event: 'x-duban-event',
} as const;

export const WEBHOOK_TOLERANCE_SECONDS = 300;

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Remembers delivery ids a receiver accepted for as long as their timestamps could be valid. */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly ttlSeconds = 2 * WEBHOOK_TOLERANCE_SECONDS) {}
  /** true the first time an id is offered; false for a replay. */
  remember(id: string, nowSeconds: number): boolean {
    for (const [key, at] of this.seen) {
      if (at + this.ttlSeconds < nowSeconds) this.seen.delete(key);
      else break; // insertion order is time order
    }
    if (this.seen.has(id)) return false;
    this.seen.set(id, nowSeconds);
    return true;
  }
}

export type WebhookVerdict =
  | { ok: true; deliveryId: string; timestamp: number }
  | { ok: false; reason: 'missing-headers' | 'bad-signature' | 'stale-timestamp' | 'replay' };

/**
 * What a receiving system runs on each request, before parsing the body: checks the signature over
 * the raw body, the timestamp's freshness, and (with a cache) that the delivery id is new. A replay
 * should be answered 2xx (the message was received) and not processed again.
 */
export function verifyWebhook(input: {
  secret: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  nowSeconds?: number;
  toleranceSeconds?: number;
  replay?: ReplayCache;
}): WebhookVerdict {
  const header = (name: string) => {
    const v = input.headers[name] ?? input.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = header(WEBHOOK_HEADERS.id);
  const ts = header(WEBHOOK_HEADERS.timestamp);
  const signature = header(WEBHOOK_HEADERS.signature);
  if (!id || !ts || !signature || !/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'missing-headers' };
  const timestamp = Number(ts);
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad-signature' };
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS))
    return { ok: false, reason: 'stale-timestamp' };
  if (input.replay && !input.replay.remember(id, now)) return { ok: false, reason: 'replay' };
  return { ok: true, deliveryId: id, timestamp };
}
