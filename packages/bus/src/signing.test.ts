import { describe, expect, it } from 'vitest';
import { encodeEvent } from '@duban/events';
import { newSubject, sampleEvent } from './testing/fixtures';
import {
  checkSignature,
  generateNodeKey,
  keyIdOf,
  knownKey,
  parseSignature,
  signPayload,
  signingKey,
} from './signing';
import type { KnownKey } from './signing';

const county = generateNodeKey('county');
const unit = generateNodeKey('unit-001');
const ring = new Map<string, KnownKey>(
  [county, unit].map((k) => [
    k.keyId,
    knownKey({ keyId: k.keyId, node: k.node, publicKey: k.publicKey, status: 'active', validUntil: null }),
  ]),
);
const lookup = (id: string) => ring.get(id);
const now = new Date('2026-03-02T01:00:00Z');
const EVENT = sampleEvent(newSubject(), 1);
const signed = (key = county) =>
  JSON.parse(signPayload(encodeEvent(EVENT), signingKey(key.keyId, key.privateKey))) as Record<
    string,
    unknown
  >;

describe('event signatures', () => {
  it('names the key: a 32-hex fingerprint of the public key anyone can recompute', () => {
    expect(county.keyId).toBe(keyIdOf(county.publicKey));
    expect(county.keyId).toMatch(/^[0-9a-f]{32}$/);
    expect(parseSignature(signed().signature)?.keyId).toBe(county.keyId);
  });

  it('verifies whatever order the fields travel in (the canonical form sorts them)', () => {
    const envelope = signed();
    const reordered = Object.fromEntries(Object.entries(envelope).reverse());
    expect(checkSignature(reordered, lookup, now)).toEqual({ ok: true, keyId: county.keyId });
  });

  it('refuses an unsigned event, an added field, and a key of another node than the source', () => {
    expect(checkSignature({ ...signed(), signature: null }, lookup, now)).toMatchObject({
      ok: false,
      code: 'event.signature-invalid',
      reason: 'the event is not signed',
    });
    // A field the schema would strip still counts: the signature covers the bytes as sent.
    const extra = signed();
    (extra.data as Record<string, unknown>).injected = 'x';
    expect(checkSignature(extra, lookup, now)).toMatchObject({ ok: false, code: 'event.signature-invalid' });
    expect(checkSignature(signed(unit), lookup, now)).toMatchObject({
      ok: false,
      code: 'event.signature-invalid',
      reason: expect.stringContaining(`of unit-001, but the event claims source county`),
    });
  });

  it('refuses an unknown key, and a retired one only after its grace period', () => {
    const stranger = generateNodeKey('county');
    expect(checkSignature(signed(stranger), lookup, now)).toMatchObject({
      ok: false,
      code: 'event.key-unknown',
    });
    const retired = new Map(ring);
    retired.set(county.keyId, { ...ring.get(county.keyId)!, status: 'retired', validUntil: now });
    expect(checkSignature(signed(), (id) => retired.get(id), now).ok).toBe(true);
    expect(checkSignature(signed(), (id) => retired.get(id), new Date(now.getTime() + 1))).toMatchObject({
      ok: false,
      code: 'event.key-retired',
    });
  });

  it('signs deterministically, so a republished batch carries the same bytes', () => {
    expect(JSON.stringify(signed())).toBe(JSON.stringify(signed()));
  });
});
