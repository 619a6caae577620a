import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalForm } from '@duban/events';
import type { DubanEvent } from '@duban/events';

/**
 * Node keys and event signatures (docs/decisions/0012). Every event is signed by its source node
 * with Ed25519 over the canonical envelope (the events package defines it: every field but
 * `signature`, keys sorted, no whitespace). The signature names its key:
 * `ed25519:<keyId>:<base64 signature>`, so a consumer knows which public key to check it with and
 * a rotated node's old and new keys can both be in use while a rotation propagates.
 */

export const SIGNATURE_SCHEME = 'ed25519';

export interface NodeKeyPair {
  node: string;
  keyId: string;
  /** SPKI DER, base64: what trust stores and rotation events carry. */
  publicKey: string;
  /** PKCS#8 PEM: stays in the node's own database (or its key file before import). */
  privateKey: string;
}

/** First 32 hex digits of SHA-256 over the SPKI DER: stable, short, and computable by anyone. */
export function keyIdOf(publicKey: string): string {
  return createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 32);
}

export function generateNodeKey(node: string): NodeKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    node,
    keyId: keyIdOf(spki),
    publicKey: spki,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** The public half of a PKCS#8 private key, as SPKI DER base64 (to import key files). */
export function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem))
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
}

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
}

export function signingKey(keyId: string, privateKeyPem: string): SigningKey {
  return { keyId, privateKey: createPrivateKey(privateKeyPem) };
}

type Envelope = Record<string, unknown>;

/** The signature string of an envelope (any value of its `signature` field is ignored). */
export function signatureOf(envelope: Envelope, key: SigningKey): string {
  const canonical = canonicalForm(envelope as unknown as DubanEvent);
  const bytes = sign(null, Buffer.from(canonical, 'utf8'), key.privateKey);
  return `${SIGNATURE_SCHEME}:${key.keyId}:${bytes.toString('base64')}`;
}

/**
 * Signs an encoded envelope (an outbox payload) and returns the bytes to publish. Ed25519 is
 * deterministic, so a batch republished after a crash carries the same bytes.
 */
export function signPayload(payload: string, key: SigningKey): string {
  const envelope = JSON.parse(payload) as Envelope;
  return JSON.stringify({ ...envelope, signature: signatureOf(envelope, key) });
}

export function parseSignature(signature: unknown): { keyId: string; bytes: Buffer } | undefined {
  if (typeof signature !== 'string') return undefined;
  const match = /^ed25519:([0-9a-f]{32}):([A-Za-z0-9+/]+={0,2})$/.exec(signature);
  if (!match) return undefined;
  const bytes = Buffer.from(match[2]!, 'base64');
  return bytes.length === 64 ? { keyId: match[1]!, bytes } : undefined;
}

/** A public key a host knows, and until when it verifies. */
export interface KnownKey {
  keyId: string;
  node: string;
  publicKey: KeyObject;
  status: string;
  /** Set once the key is retired: events it signed are accepted until then. */
  validUntil: Date | null;
}

export function knownKey(row: {
  keyId: string;
  node: string;
  publicKey: string;
  status: string;
  validUntil: Date | null;
}): KnownKey {
  return {
    keyId: row.keyId,
    node: row.node,
    publicKey: createPublicKey({ key: Buffer.from(row.publicKey, 'base64'), format: 'der', type: 'spki' }),
    status: row.status,
    validUntil: row.validUntil,
  };
}

export type VerifyCode = 'event.signature-invalid' | 'event.key-unknown' | 'event.key-retired';
export type Verdict = { ok: true; keyId: string } | { ok: false; code: VerifyCode; reason: string };

/**
 * Checks one envelope as it travelled (parsed JSON, before any schema parsing could drop or default a
 * field) against the key its signature names. `now` decides whether a retired key still verifies.
 */
export function checkSignature(
  envelope: Envelope,
  lookup: (keyId: string) => KnownKey | undefined,
  now: Date,
): Verdict {
  const parsed = parseSignature(envelope.signature);
  if (!parsed) {
    return {
      ok: false,
      code: 'event.signature-invalid',
      reason:
        envelope.signature === null || envelope.signature === undefined
          ? 'the event is not signed'
          : 'the signature is not ed25519:<keyId>:<base64>',
    };
  }
  const key = lookup(parsed.keyId);
  if (!key)
    return { ok: false, code: 'event.key-unknown', reason: `no node has registered key ${parsed.keyId}` };
  if (key.node !== envelope.source) {
    return {
      ok: false,
      code: 'event.signature-invalid',
      reason: `signed with key ${key.keyId} of ${key.node}, but the event claims source ${String(envelope.source)}`,
    };
  }
  const canonical = canonicalForm(envelope as unknown as DubanEvent);
  if (!verify(null, Buffer.from(canonical, 'utf8'), key.publicKey, parsed.bytes)) {
    return {
      ok: false,
      code: 'event.signature-invalid',
      reason: `the signature by ${key.node}'s key ${key.keyId} does not match the envelope (altered after signing)`,
    };
  }
  if (key.status === 'retired' && key.validUntil && now.getTime() > key.validUntil.getTime()) {
    return {
      ok: false,
      code: 'event.key-retired',
      reason: `${key.node}'s key ${key.keyId} was retired and stopped verifying at ${key.validUntil.toISOString()}`,
    };
  }
  return { ok: true, keyId: key.keyId };
}
