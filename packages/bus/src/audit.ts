import { createHash } from 'node:crypto';
import type { Queryable } from './keyStore';
import { checkSignature, knownKey } from './signing';
import type { KnownKey } from './signing';

/**
 * Each node's tamper-evident history (docs/decisions/0013): every event a node emitted, exactly as
 * published (signed), chained by hash in emission order. Written by the outbox relay in the
 * transaction that marks the events published, so the chain is the publication order and has a single
 * writer per database (the relay's advisory lock).
 */

export const GENESIS_HASH = '0'.repeat(64);

/** Node and seq are hashed too, so renumbering records breaks the chain as surely as editing them. */
export function chainHash(prevHash: string, node: string, seq: bigint | number, payload: string): string {
  return createHash('sha256')
    .update(`${prevHash}\n${node}\n${String(seq)}\n${payload}`, 'utf8')
    .digest('hex');
}

export interface AuditEntry {
  node: string;
  eventId: string;
  type: string;
  payload: string;
}

/** Appends to each node's chain, in the given order, inside the caller's transaction. */
export async function appendAudit(db: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const nodes = [...new Set(entries.map((e) => e.node))];
  const { rows } = await db.query<{ node: string; seq: string; hash: string }>(
    // Order by the bigint column, not its text alias ("9" sorts after "10").
    `SELECT DISTINCT ON (a.node) a.node, a.seq::text AS seq, a.hash FROM audit_record a
      WHERE a.node = ANY($1) ORDER BY a.node, a.seq DESC`,
    [nodes],
  );
  const heads = new Map(rows.map((r) => [r.node, { seq: BigInt(r.seq), hash: r.hash }]));
  const columns = {
    node: [] as string[],
    seq: [] as string[],
    eventId: [] as string[],
    type: [] as string[],
    payload: [] as string[],
    prevHash: [] as string[],
    hash: [] as string[],
  };
  for (const e of entries) {
    const head = heads.get(e.node) ?? { seq: 0n, hash: GENESIS_HASH };
    const seq = head.seq + 1n;
    const hash = chainHash(head.hash, e.node, seq, e.payload);
    heads.set(e.node, { seq, hash });
    columns.node.push(e.node);
    columns.seq.push(String(seq));
    columns.eventId.push(e.eventId);
    columns.type.push(e.type);
    columns.payload.push(e.payload);
    columns.prevHash.push(head.hash);
    columns.hash.push(hash);
  }
  await db.query(
    `INSERT INTO audit_record (node, seq, event_id, type, payload, prev_hash, hash)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])`,
    [
      columns.node,
      columns.seq,
      columns.eventId,
      columns.type,
      columns.payload,
      columns.prevHash,
      columns.hash,
    ],
  );
}

export type AuditProblem = 'edited' | 'removed' | 'reordered';

export interface AuditBreak {
  node: string;
  /** The first record whose link is broken (for a removal: the record after the gap). */
  seq: string;
  eventId: string;
  problem: AuditProblem;
  detail: string;
}

export interface AuditNodeReport {
  node: string;
  records: number;
  /** The last record's hash: export it elsewhere to anchor the chain (see docs/operations.md). */
  head: string;
  broken: AuditBreak | null;
}

export interface AuditReport {
  ok: boolean;
  nodes: AuditNodeReport[];
}

type Row = {
  seq: string;
  event_id: string;
  type: string;
  payload: string;
  prev_hash: string;
  hash: string;
};

/**
 * Walks each node's chain from its first record and names the first broken link: a gap in seq or a
 * prev_hash that matches no record (removed), a prev_hash that matches a record elsewhere in the chain
 * (reordered), a hash that does not recompute, or a payload that is not the signed event its row
 * names (edited). What it cannot see: records cut off the end (compare the head with an exported one).
 */
export async function verifyAuditTrail(db: Queryable, options: { node?: string } = {}): Promise<AuditReport> {
  const { rows: nodeRows } = await db.query<{ node: string }>(
    `SELECT DISTINCT node FROM audit_record WHERE ($1::text IS NULL OR node = $1) ORDER BY node`,
    [options.node ?? null],
  );
  const { rows: keyRows } = await db.query<{
    key_id: string;
    node: string;
    public_key: string;
  }>('SELECT key_id, node, public_key FROM node_key');
  // History is checked against every key the node ever had: a retired key still proves what it signed.
  const keys = new Map<string, KnownKey>(
    keyRows.map((r) => [
      r.key_id,
      knownKey({
        keyId: r.key_id,
        node: r.node,
        publicKey: r.public_key,
        status: 'active',
        validUntil: null,
      }),
    ]),
  );
  const nodes: AuditNodeReport[] = [];
  for (const { node } of nodeRows) {
    const { rows } = await db.query<Row>(
      `SELECT a.seq::text AS seq, a.event_id::text AS event_id, a.type, a.payload, a.prev_hash, a.hash
         FROM audit_record a WHERE a.node = $1 ORDER BY a.seq`,
      [node],
    );
    const seqOfHash = new Map(rows.map((r) => [r.hash, r.seq]));
    let prev = GENESIS_HASH;
    let expected = 1n;
    let broken: AuditBreak | null = null;
    const fail = (r: Row, problem: AuditProblem, detail: string): AuditBreak => ({
      node,
      seq: r.seq,
      eventId: r.event_id,
      problem,
      detail,
    });
    for (const r of rows) {
      const seq = BigInt(r.seq);
      if (seq !== expected) {
        broken = fail(
          r,
          'removed',
          `seq ${expected}${seq - 1n > expected ? `–${seq - 1n}` : ''} missing before seq ${seq}`,
        );
        break;
      }
      if (r.prev_hash !== prev) {
        const other = seqOfHash.get(r.prev_hash);
        broken =
          other !== undefined
            ? fail(r, 'reordered', `seq ${seq} follows seq ${other} in the chain, not seq ${seq - 1n}`)
            : fail(
                r,
                'removed',
                `seq ${seq} does not follow the record before it (one was removed or replaced)`,
              );
        break;
      }
      if (chainHash(r.prev_hash, node, seq, r.payload) !== r.hash) {
        broken = fail(r, 'edited', `the hash of seq ${seq} does not recompute: the record was changed`);
        break;
      }
      const problem = payloadProblem(r, node, keys);
      if (problem) {
        broken = fail(r, 'edited', problem);
        break;
      }
      prev = r.hash;
      expected = seq + 1n;
    }
    nodes.push({ node, records: rows.length, head: prev, broken });
  }
  return { ok: nodes.every((n) => n.broken === null), nodes };
}

/** A record re-hashed after an edit still fails here: only the node's private key can re-sign it. */
function payloadProblem(r: Row, node: string, keys: Map<string, KnownKey>): string | undefined {
  let envelope: Record<string, unknown>;
  try {
    envelope = JSON.parse(r.payload) as Record<string, unknown>;
  } catch {
    return `the payload of seq ${r.seq} is not JSON`;
  }
  if (envelope.id !== r.event_id || envelope.type !== r.type || envelope.source !== node)
    return `the payload of seq ${r.seq} is not the event its record names`;
  // The epoch as `now`: the audit asks whether the node signed it, not whether the key is still in use.
  const verdict = checkSignature(envelope, (id) => keys.get(id), new Date(0));
  return verdict.ok ? undefined : `seq ${r.seq}: ${verdict.reason}`;
}

export function formatAuditReport(report: AuditReport): string {
  const lines = report.nodes.map((n) =>
    n.broken
      ? `BROKEN ${n.node} at seq ${n.broken.seq} (event ${n.broken.eventId}): ${n.broken.problem}: ${n.broken.detail}`
      : `ok     ${n.node}: ${n.records} records, head ${n.head}`,
  );
  lines.push(
    report.ok
      ? `audit trail intact (${report.nodes.length} nodes)`
      : `audit trail BROKEN on ${report.nodes.filter((n) => n.broken).length} of ${report.nodes.length} nodes`,
  );
  return lines.join('\n');
}
