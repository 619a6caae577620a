import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, createPool } from '@duban/db';
import type { FreshDatabase } from '@duban/db';
import { calendarDaysBefore, trafficLight, yellowFrom } from '../domain/item';
import type { ItemState, ItemStatus } from '../domain/item';
import { sampleRow } from '../export/sampleRows';
import { LEDGER_OMITS, listLedger, listLedgerPage } from './ledger';

declare module 'vitest' {
  interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

/**
 * The ledger row is built by PostgreSQL (listLedgerPage): these hold it to what the domain says, the
 * stored copy without its long texts, and the light trafficLight() gives, at every boundary.
 */

const NOW = new Date('2026-06-15T04:00:00.000Z');
const DAY = 86_400_000;
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

function state(i: number, status: ItemStatus, assignedAt: string, deadline: string): ItemState {
  const { relation: _relation, light: _light, ...row } = sampleRow();
  return {
    ...row,
    id: `01a21969-9769-7019-bd16-${String(i).padStart(12, '0')}`,
    status,
    assignedAt,
    deadline,
    originalDeadline: deadline,
    description: `第${i}项的说明`.repeat(20),
    draft: null,
    report:
      status === 'closed'
        ? { summary: '已办结。', draftedBy: '李四', signedOffBy: '王局长', at: assignedAt }
        : null,
    lastReview: null,
  } as ItemState;
}

// Every light and both sides of each boundary: the deadline (red after it, not at it) and the
// yellow line (3 calendar days before the deadline or 75% of the time, whichever is first).
const STATES: ItemState[] = [
  state(1, 'closed', at(-20 * DAY), at(-5 * DAY)),
  state(2, 'acknowledged', at(-20 * DAY), at(-1)),
  state(3, 'acknowledged', at(-20 * DAY), at(0)),
  state(4, 'assigned', at(-20 * DAY), at(3 * DAY)),
  state(5, 'assigned', at(-20 * DAY), at(3 * DAY + 1)),
  state(6, 'reported', at(-1 * DAY), at(40 * DAY)),
  state(7, 'returned', at(-30 * DAY), at(9 * DAY)),
  state(8, 'returned', at(-30 * DAY), at(11 * DAY)),
];

describe('ledger rows (listLedgerPage)', () => {
  let db: FreshDatabase;
  let pool: ReturnType<typeof createPool>;

  beforeAll(async () => {
    db = await createFreshDatabase(inject('postgresAdminUrl'), 't_ledger_rows');
    pool = createPool(db.url, { max: 2 });
    for (const s of STATES) {
      const yellow = yellowFrom(new Date(s.assignedAt), new Date(s.deadline), calendarDaysBefore);
      await pool.query(
        `INSERT INTO item (node_id, id, relation, kind, source, priority, title, assigner, assignee, leader,
                           parent_id, status, deadline, yellow_from, assigned_at, closed_at, state, revision, updated_at)
         VALUES ('county', $1, 'assigner', $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11, $12, NULL, $13, $14, now())`,
        [
          s.id,
          s.kind,
          s.source,
          s.priority,
          s.title,
          s.assigner,
          s.assignee,
          s.leader,
          s.status,
          s.deadline,
          yellow,
          s.assignedAt,
          JSON.stringify(s),
          s.revision,
        ],
      );
    }
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const all = { scope: 'own' as const, now: NOW, limit: 50 };
  const scope = { node: 'county', leader: null };

  it('is the stored copy without its long texts, with the relation and the light trafficLight() gives', async () => {
    const rows = await listLedger(pool, scope, all);
    expect(rows.map((r) => r.id)).toEqual(
      [...STATES].sort((a, b) => a.deadline.localeCompare(b.deadline)).map((s) => s.id),
    );
    for (const row of rows) {
      const s = STATES.find((x) => x.id === row.id)!;
      const yellow = yellowFrom(new Date(s.assignedAt), new Date(s.deadline), calendarDaysBefore);
      const kept = Object.fromEntries(
        Object.entries(s).filter(([k]) => !(LEDGER_OMITS as readonly string[]).includes(k)),
      );
      expect(row).toEqual({ ...kept, relation: 'assigner', light: trafficLight(s, NOW, yellow) });
      for (const omitted of LEDGER_OMITS) expect(row).not.toHaveProperty(omitted);
    }
    expect(rows.map((r) => r.light)).toEqual(expect.arrayContaining(['done', 'red', 'yellow', 'green']));
  });

  it('filters by light with the conditions the rows are lit by', async () => {
    for (const light of ['done', 'red', 'yellow', 'green'] as const) {
      const rows = await listLedger(pool, scope, { ...all, light: [light] });
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.light === light)).toBe(true);
    }
  });

  it('pages by (deadline, id) with the last row’s position', async () => {
    const first = await listLedgerPage(pool, scope, { ...all, limit: 3 });
    expect(first.rows).toHaveLength(3);
    const lastRow = JSON.parse(first.rows[2]!) as { id: string; deadline: string };
    expect(first.last).toEqual({ deadline: new Date(lastRow.deadline), id: lastRow.id });
    const rest = await listLedger(pool, scope, { ...all, after: first.last });
    expect(rest).toHaveLength(STATES.length - 3);
    expect(rest.map((r) => r.id)).not.toContain(lastRow.id);
  });
});
