import { z } from 'zod';

let lastMs = -1;
let sequence = 0;

/**
 * UUIDv7 (RFC 9562): time-ordered, so event ids sort by creation time and index well. Within one
 * millisecond (or a virtual clock that stands still) a 12-bit counter in rand_a keeps them
 * monotonic in this process (RFC 9562 §6.2, method 1). Hand-rolled: this package depends on zod only.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  if (now <= lastMs && sequence < 0xfff) {
    now = lastMs;
    sequence += 1;
  } else {
    lastMs = Math.max(now, lastMs + (sequence >= 0xfff ? 1 : 0));
    now = lastMs;
    sequence = bytes[7]! & 0x7f; // a random start leaves room to count up
  }
  const ms = BigInt(now);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | ((sequence >> 8) & 0x0f);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An organisation node's id: lower-case slug, e.g. `county`, `township-01`, `unit-042`. */
export const NodeId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,62}$/, 'a node id is a lower-case slug such as "unit-042"');
export type NodeId = z.infer<typeof NodeId>;

export const EventId = z.uuid();
export type EventId = z.infer<typeof EventId>;

export const IsoTime = z.iso.datetime({ offset: true });
export type IsoTime = z.infer<typeof IsoTime>;
