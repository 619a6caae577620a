import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EmbeddedEventLog,
  KeyRotationRefused,
  OutboxRelay,
  appendToOutbox,
  chainHash,
  ensureNodeKeys,
  parseSignature,
  rotateNodeKey,
} from '@duban/bus';
import { createPool, createPrisma } from '@duban/db';
import type { FreshDatabase, PrismaClient } from '@duban/db';
import { createEvent, uuidv7 } from '@duban/events';
import { createLogger } from '@duban/kit';
import { runCli } from '@duban/runtime';
import { freshDatabase, testPostgres } from '@duban/testing';
import type pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/runtime/src/bin/duban.ts');

/** `pnpm duban audit verify` as an operator runs it: a child process reading DATABASE_URL. */
function verifyAsChild(url: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'audit', 'verify'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

/** The same function the CLI runs, in this process (quicker for the many tamperings). */
async function verifyInProcess(url: string): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runCli(['audit', 'verify'], (l) => lines.push(l), { DATABASE_URL: url });
  return { code, out: lines.join('\n') };
}

describe('the audit trail', () => {
  let db: FreshDatabase;
  let prisma: PrismaClient;
  let pool: pg.Pool;
  let log: EmbeddedEventLog;
  const logger = createLogger({ level: 'warn', name: 'audit' });
  type Row = {
    node: string;
    seq: string;
    event_id: string;
    type: string;
    payload: string;
    prev_hash: string;
    hash: string;
  };
  let original: Row[] = [];

  const closure = (n: number) => {
    const itemId = uuidv7();
    return createEvent({
      type: 'tasks.item.closed',
      source: n % 2 === 0 ? 'county' : 'unit-001',
      to: [],
      subject: itemId,
      time: new Date(Date.UTC(2026, 2, 2, 1, 0, n)),
      data: {
        itemId,
        assigner: n % 2 === 0 ? 'county' : 'unit-001',
        assignee: 'unit-002',
        closedAt: new Date(Date.UTC(2026, 2, 2, 1, 0, n)).toISOString(),
        comment: `办结 ${n}`,
        by: 'county:督查室',
      },
    });
  };
  const rows = async () =>
    (
      await pool.query<Row>(
        `SELECT node, seq::text AS seq, event_id::text AS event_id, type, payload, prev_hash, hash
           FROM audit_record a ORDER BY a.node, a.seq`,
      )
    ).rows;
  /** Puts the chain back as the relay wrote it, between tamperings. */
  const restore = async () => {
    await pool.query('DELETE FROM audit_record');
    for (const r of original) {
      await pool.query(
        `INSERT INTO audit_record (node, seq, event_id, type, payload, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [r.node, r.seq, r.event_id, r.type, r.payload, r.prev_hash, r.hash],
      );
    }
  };

  beforeAll(async () => {
    db = await freshDatabase(testPostgres(), 'audit');
    prisma = createPrisma(db.url, { pool: { max: 2 } });
    pool = createPool(db.url, { max: 2 });
    await ensureNodeKeys(pool, ['county', 'unit-001']);
    log = new EmbeddedEventLog({ pool, url: db.url, logger });
    const relay = new OutboxRelay({ pool, url: db.url, log, logger, sign: true });
    // Three batches, so the chain crosses relay transactions; past seq 9, where text order would differ.
    for (const batch of [[0, 1, 2], [3, 4, 5, 6], Array.from({ length: 17 }, (_, i) => 7 + i)]) {
      await prisma.$transaction((tx) => appendToOutbox(tx, batch.map(closure)));
      expect(await relay.publishBatch()).toBe(batch.length);
    }
    original = await rows();
  });

  afterAll(async () => {
    await log?.close();
    await prisma?.$disconnect();
    await pool?.end();
    await db?.drop();
  });

  it('chains each node’s published events, signed, in publication order', async () => {
    const county = original.filter((r) => r.node === 'county');
    expect(county.map((r) => r.seq)).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
    expect(county[0]!.prev_hash).toBe('0'.repeat(64));
    for (const [i, r] of county.entries()) {
      if (i > 0) expect(r.prev_hash).toBe(county[i - 1]!.hash);
      expect(r.hash).toBe(chainHash(r.prev_hash, r.node, BigInt(r.seq), r.payload));
      expect((JSON.parse(r.payload) as { signature: string }).signature).toMatch(/^ed25519:[0-9a-f]{32}:/);
    }
    // The published bytes are the chained bytes.
    const { rows: published } = await pool.query<{ value: string }>(
      `SELECT value FROM log_record WHERE value LIKE '%"source":"county"%' ORDER BY seq`,
    );
    expect(published.map((p) => p.value)).toEqual(county.map((r) => r.payload));
  });

  it('verify passes on a clean database', async () => {
    const { code, out } = await verifyAsChild(db.url);
    expect(out).toContain('audit trail intact (2 nodes)');
    expect(code).toBe(0);
  });

  it('catches an UPDATE made directly in the database, at that seq', async () => {
    await pool.query(
      `UPDATE audit_record SET payload = replace(payload, '办结 4', '办结 4（改）') WHERE node = 'county' AND seq = 3`,
    );
    const { code, out } = await verifyAsChild(db.url);
    expect(code).toBe(1);
    expect(out).toMatch(/BROKEN county at seq 3 \(event [0-9a-f-]{36}\): edited/);
    expect(out).toMatch(/ok {5}unit-001: 12 records/);
    await restore();
  });

  it('catches an edit whose author re-hashed the rest of the chain (only the key could re-sign it)', async () => {
    const county = original.filter((r) => r.node === 'county');
    let prev = county[1]!.hash;
    for (const r of county.slice(2)) {
      const payload = r.seq === '3' ? r.payload.replace('办结 4', '办结 4（改）') : r.payload;
      const hash = chainHash(prev, r.node, BigInt(r.seq), payload);
      await pool.query(
        `UPDATE audit_record SET payload = $3, prev_hash = $4, hash = $5 WHERE node = $1 AND seq = $2`,
        [r.node, r.seq, payload, prev, hash],
      );
      prev = hash;
    }
    const { code, out } = await verifyInProcess(db.url);
    expect(code).toBe(1);
    expect(out).toMatch(/BROKEN county at seq 3 .*: edited: seq 3: .*altered after signing/);
    await restore();
  });

  it('catches a removed record', async () => {
    await pool.query(`DELETE FROM audit_record WHERE node = 'county' AND seq = 4`);
    const { code, out } = await verifyInProcess(db.url);
    expect(code).toBe(1);
    expect(out).toMatch(/BROKEN county at seq 5 .*: removed: seq 4 missing before seq 5/);
    await restore();
  });

  it('catches a removed record whose successors were renumbered', async () => {
    await pool.query(`DELETE FROM audit_record WHERE node = 'county' AND seq = 4`);
    await pool.query(`UPDATE audit_record SET seq = seq - 1 WHERE node = 'county' AND seq > 4`);
    const { code, out } = await verifyInProcess(db.url);
    expect(code).toBe(1);
    expect(out).toMatch(/BROKEN county at seq 4 .*: removed/);
    await restore();
  });

  it('catches two records swapped', async () => {
    // Records 2 and 3 trade places (through a free seq: the key is unique at every step).
    await pool.query(`UPDATE audit_record SET seq = -2 WHERE node = 'county' AND seq = 2`);
    await pool.query(`UPDATE audit_record SET seq = 2 WHERE node = 'county' AND seq = 3`);
    await pool.query(`UPDATE audit_record SET seq = 3 WHERE node = 'county' AND seq = -2`);
    const { code, out } = await verifyInProcess(db.url);
    expect(code).toBe(1);
    expect(out).toMatch(/BROKEN county at seq 2 .*: reordered: seq 2 follows seq 3/);
    await restore();
    expect((await verifyInProcess(db.url)).code).toBe(0);
  });

  it('rotates a key in the relay: the announcement under the old key, what follows under the new', async () => {
    const at = new Date('2026-03-03T01:00:00Z');
    const r = await rotateNodeKey(prisma, 'county', at, 24 * 3600_000);
    // One rotation at a time: the second waits until the relay has published the first.
    await expect(rotateNodeKey(prisma, 'county', at)).rejects.toBeInstanceOf(KeyRotationRefused);
    await prisma.$transaction((tx) => appendToOutbox(tx, [closure(100)]));
    const relay = new OutboxRelay({ pool, url: db.url, log, logger, sign: true });
    expect(await relay.publishBatch()).toBe(2);
    const county = (await rows()).filter((row) => row.node === 'county').slice(-2);
    expect(county.map((row) => row.type)).toEqual(['security.key.rotated', 'tasks.item.closed']);
    expect(county.map((row) => parseSignature(JSON.parse(row.payload).signature)?.keyId)).toEqual([
      r.previousKeyId,
      r.keyId,
    ]);
    const { rows: keys } = await pool.query<{ key_id: string; status: string; valid_until: Date | null }>(
      `SELECT key_id, status, valid_until FROM node_key WHERE node = 'county' ORDER BY status DESC`,
    );
    expect(keys).toEqual([
      { key_id: r.previousKeyId, status: 'retired', valid_until: new Date('2026-03-04T01:00:00Z') },
      { key_id: r.keyId, status: 'active', valid_until: null },
    ]);
    expect((await verifyInProcess(db.url)).code).toBe(0);
  });
});
