import { z } from 'zod';
import { IsoTime, NodeId } from '../ids';
import { defineEvent } from './common';

/** A key id: the first 32 hex digits of the SHA-256 of the public key's SPKI DER. */
export const KeyId = z.string().regex(/^[0-9a-f]{32}$/, 'a key id is 32 lower-case hex digits');

export const KeyRotatedV1 = z.object({
  node: NodeId,
  /** The key the node signs with from now on. */
  keyId: KeyId,
  /** SPKI DER of the new Ed25519 public key, base64. */
  publicKey: z.string().min(40).max(200),
  /** The key this announcement is signed with; it stops signing now. */
  previousKeyId: KeyId,
  /** Until when the previous key still verifies events it signed before the rotation. */
  previousValidUntil: IsoTime,
});
export type KeyRotatedV1 = z.infer<typeof KeyRotatedV1>;

export const SECURITY_EVENTS = [
  defineEvent({
    type: 'security.key.rotated',
    version: 1,
    data: KeyRotatedV1,
    emittedBy: 'node whose key it is (signed with its previous key)',
    description:
      'A node replaces its signing key. Signed with the previous key, so only the holder of the key every consumer already trusts can announce its successor; consumers register the new public key and keep the previous one for events signed before the rotation until `previousValidUntil`.',
  }),
] as const;
