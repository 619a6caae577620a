import { createHmac, randomBytes } from 'node:crypto';
import type { TransactionClient } from '@duban/db';

/** The calendar year of an instant in China (UTC+8, no daylight saving): the pseudonym key's year. */
export function chinaYear(time: string): number {
  return new Date(Date.parse(time) + 8 * 3600_000).getUTCFullYear();
}

/**
 * A person's pseudonym: HMAC-SHA256 under the year's key of who they are where (`scope`, the node
 * that knows them by this id: the same account id at two units is two people). The same person
 * gets the same pseudonym all year and an unrelated one the next; without the key nobody can go
 * back from it, or test a guessed name against it.
 */
export function pseudonym(key: Uint8Array, scope: string, value: string): string {
  return `psn_${createHmac('sha256', key).update(`${scope}\u0000${value}`).digest('base64url').slice(0, 22)}`;
}

/**
 * The node's key for a year, made on first use. Kept in the node's database only, never in an
 * event; rotation is the next year's key. Cached once it is known to be committed (someone else's
 * insert), since a key never changes after it exists.
 */
export class PseudonymKeys {
  private readonly known = new Map<string, Uint8Array>();

  async forYear(tx: TransactionClient, node: string, year: number): Promise<Uint8Array> {
    const cacheKey = `${node}/${year}`;
    const cached = this.known.get(cacheKey);
    if (cached) return cached;
    const made = await tx.analyticsKey.createMany({
      data: [{ nodeId: node, year, key: randomBytes(32) }],
      skipDuplicates: true,
    });
    const row = await tx.analyticsKey.findUniqueOrThrow({ where: { nodeId_year: { nodeId: node, year } } });
    const key = new Uint8Array(row.key);
    // Ours is committed only if this transaction commits: leave it to the next lookup to cache.
    if (made.count === 0) this.known.set(cacheKey, key);
    return key;
  }
}
