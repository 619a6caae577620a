import { TOPICS, createEvent } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import type { PrismaClient } from '@duban/db';
import { RejectedEvent } from './consumer';
import type { EventHandler } from './consumer';
import type { KeyRing } from './keyStore';
import { generateNodeKey, keyIdOf, knownKey, parseSignature } from './signing';
import { appendToOutbox } from './outbox';

export const DEFAULT_KEY_GRACE_MS = 7 * 24 * 3600_000;

/** A rotation this database cannot start: no key of the node here, or one in progress. */
export class KeyRotationRefused extends Error {
  override readonly name = 'KeyRotationRefused';
}

/**
 * Starts a rotation without downtime: a successor key is stored (status `next`) and its announcement
 * goes into the outbox. The relay signs the announcement with the current key and switches to the
 * successor in the same transaction, so every event before it in the outbox carries the old key and
 * every one after it the new. The old key keeps verifying until `now + graceMs`.
 */
export async function rotateNodeKey(
  prisma: PrismaClient,
  node: string,
  now: Date,
  graceMs = DEFAULT_KEY_GRACE_MS,
): Promise<{ previousKeyId: string; keyId: string; eventId: string }> {
  return prisma.$transaction(async (tx) => {
    const current = await tx.nodeKey.findFirst({
      where: { node, status: 'active', privateKey: { not: null } },
      orderBy: { validFrom: 'desc' },
    });
    if (!current) throw new KeyRotationRefused(`this database holds no active key of ${node}`);
    const pending = await tx.nodeKey.findFirst({ where: { node, status: 'next' } });
    if (pending) throw new KeyRotationRefused(`${node} has a rotation in progress (key ${pending.keyId})`);
    const next = generateNodeKey(node);
    await tx.nodeKey.create({
      data: {
        keyId: next.keyId,
        node,
        publicKey: next.publicKey,
        privateKey: next.privateKey,
        status: 'next',
      },
    });
    const event = createEvent({
      type: 'security.key.rotated',
      source: node,
      to: [],
      subject: `keys:${node}`,
      time: now,
      data: {
        node,
        keyId: next.keyId,
        publicKey: next.publicKey,
        previousKeyId: current.keyId,
        previousValidUntil: new Date(now.getTime() + graceMs).toISOString(),
      },
    });
    await appendToOutbox(tx, [event]);
    return { previousKeyId: current.keyId, keyId: next.keyId, eventId: event.id };
  });
}

/**
 * Every host's consumer of rotations: registers the announced key and retires the one that signed
 * the announcement. The consumer verified the signature before this runs; this checks that the key
 * that signed it is the one the announcement retires (no key can introduce a successor for another).
 */
export function keyRotationHandler(ring: KeyRing): EventHandler {
  return {
    name: 'keys',
    topics: [TOPICS.security],
    accepts: (event: DubanEvent) => event.type === 'security.key.rotated',
    async handle(event, tx) {
      if (event.type !== 'security.key.rotated') return;
      const d = event.data;
      if (d.node !== event.source)
        throw new RejectedEvent('event.unauthorised', `${event.source} may not rotate the key of ${d.node}`);
      if (parseSignature(event.signature)?.keyId !== d.previousKeyId)
        throw new RejectedEvent(
          'event.unauthorised',
          `a rotation must be signed by the key it retires (${d.previousKeyId})`,
        );
      if (keyIdOf(d.publicKey) !== d.keyId)
        throw new RejectedEvent(
          'event.invalid',
          `key id ${d.keyId} is not the fingerprint of the key announced`,
        );
      const retiredAt = new Date(event.time);
      const validUntil = new Date(d.previousValidUntil);
      await tx.$executeRaw`
        INSERT INTO node_key (key_id, node, public_key, status, valid_from)
        VALUES (${d.keyId}, ${d.node}, ${d.publicKey}, 'active', ${retiredAt})
        ON CONFLICT (key_id) DO NOTHING`;
      await tx.$executeRaw`
        UPDATE node_key SET status = 'retired', retired_at = COALESCE(retired_at, ${retiredAt}),
               valid_until = COALESCE(valid_until, ${validUntil})
         WHERE key_id = ${d.previousKeyId} AND node = ${d.node}`;
      ring.remember(
        knownKey({
          keyId: d.keyId,
          node: d.node,
          publicKey: d.publicKey,
          status: 'active',
          validUntil: null,
        }),
      );
      ring.retire(d.previousKeyId, validUntil);
    },
  };
}
