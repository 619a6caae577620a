import { describe, expect, it } from 'vitest';
import { ReplayCache, signWebhook, verifyWebhook } from './webhooks';

const secret = 'endpoint-secret-0123456789abcdef';
const body = JSON.stringify({ title: '督办通知：整改信访积案' });
const headers = (ts: number, id = '01a21969-9769-7019-bd16-894046c030b2', b = body) => ({
  'x-duban-delivery-id': id,
  'x-duban-timestamp': String(ts),
  'x-duban-signature': signWebhook(secret, ts, b),
});

describe('webhook signatures', () => {
  const now = 1_772_000_000;
  it('signs HMAC-SHA256 over timestamp.body and verifies it', () => {
    expect(signWebhook(secret, now, body)).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhook({ secret, headers: headers(now), body, nowSeconds: now })).toMatchObject({
      ok: true,
    });
  });

  it('refuses a changed body, a wrong secret, missing headers and an old timestamp', () => {
    expect(
      verifyWebhook({ secret, headers: headers(now), body: body.replace('整改', '撤销'), nowSeconds: now }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    expect(
      verifyWebhook({ secret: 'other-secret-0123456789', headers: headers(now), body, nowSeconds: now }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyWebhook({ secret, headers: {}, body, nowSeconds: now })).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
    expect(verifyWebhook({ secret, headers: headers(now - 301), body, nowSeconds: now })).toEqual({
      ok: false,
      reason: 'stale-timestamp',
    });
    // The timestamp is signed: moving it forward breaks the signature.
    const replayed = { ...headers(now - 3600), 'x-duban-timestamp': String(now) };
    expect(verifyWebhook({ secret, headers: replayed, body, nowSeconds: now })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('recognises a replayed delivery id', () => {
    const replay = new ReplayCache();
    expect(verifyWebhook({ secret, headers: headers(now), body, nowSeconds: now, replay }).ok).toBe(true);
    expect(verifyWebhook({ secret, headers: headers(now + 1), body, nowSeconds: now + 1, replay })).toEqual({
      ok: false,
      reason: 'replay',
    });
    expect(replay.remember('other', now + 10_000)).toBe(true); // old ids expire with their timestamps
  });
});
