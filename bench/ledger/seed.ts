/**
 * Bulk-loads the county office's ledger: `items` rows of `item` for node 'county', relation
 * 'assigner', assigned to the county's 112 children, in SQL (INSERT … SELECT FROM generate_series)
 * so that a million rows load in well under a minute.
 *
 * Every row is what the tasks consumer would have stored after applying the item's events: `state`
 * is a whole ItemState as evolve() builds it (assigned → acknowledged → progressed → reported →
 * reviewed → closed / returned / rechecking / reopened, extensions, feedback), the columns are
 * copied from it, and `yellow_from` is computed as yellowFrom() does with calendar days (3 days
 * before the deadline or 75% of the time used, whichever is first). The data are deterministic:
 * pseudo-random numbers come from hashint4 of the row number, never from random().
 *
 * The secondary indexes are dropped for the load and rebuilt afterwards (the same definitions, read
 * back from pg_indexes), the load and the rebuilds run on as many connections as there are cores,
 * then the table is ANALYZEd.
 */
import os from 'node:os';
import { createPool } from './deps';

export interface SeedResult {
  rows: number;
  loadMs: number;
  indexMs: number;
  analyzeMs: number;
  tableBytes: number;
  meanStateBytes: number;
}

const KINDS_SQL = `CASE
  WHEN u.k < 0.30 THEN 'hotline'
  WHEN u.k < 0.45 THEN 'annual-target'
  WHEN u.k < 0.60 THEN 'project'
  WHEN u.k < 0.75 THEN 'leader-instruction'
  WHEN u.k < 0.83 THEN 'major-event'
  WHEN u.k < 0.92 THEN 'petition'
  ELSE 'conduct' END`;

/**
 * One statement per chunk of row numbers [$1, $2]; $3: the 112 children, $4: now.
 * Stages (LATERAL): u = uniform numbers in [0, 1); a = kind, parties, dates; s = status and its
 * timestamps; st = the ItemState JSON.
 */
export const INSERT_SQL = `
INSERT INTO item (node_id, id, relation, kind, source, priority, title, assigner, assignee, leader,
                  parent_id, status, deadline, yellow_from, assigned_at, closed_at, state, revision, updated_at)
SELECT 'county', a.id, 'assigner', a.kind, a.source, a.priority, a.title, 'county', a.assignee, a.leader,
       NULL, s.status, a.deadline,
       date_trunc('milliseconds', greatest(a.assigned_at, least(a.deadline - interval '3 days',
                  a.assigned_at + (a.deadline - a.assigned_at) * 0.75))),
       a.assigned_at, s.closed_at, st.state, s.revision, s.updated_at
FROM generate_series($1::int, $2::int) AS g
CROSS JOIN LATERAL (
  SELECT (hashint4(g * 16 + 0) & 2147483647)::float8 / 2147483648 AS k,
         (hashint4(g * 16 + 1) & 2147483647)::float8 / 2147483648 AS day,
         (hashint4(g * 16 + 2) & 2147483647)::float8 / 2147483648 AS span,
         (hashint4(g * 16 + 3) & 2147483647)::float8 / 2147483648 AS st,
         (hashint4(g * 16 + 4) & 2147483647)::float8 / 2147483648 AS who,
         (hashint4(g * 16 + 5) & 2147483647)::float8 / 2147483648 AS pri,
         (hashint4(g * 16 + 6) & 2147483647)::float8 / 2147483648 AS lead,
         (hashint4(g * 16 + 7) & 2147483647)::float8 / 2147483648 AS txt,
         (hashint4(g * 16 + 8) & 2147483647)::float8 / 2147483648 AS prog,
         (hashint4(g * 16 + 9) & 2147483647)::float8 / 2147483648 AS ext,
         (hashint4(g * 16 + 10) & 2147483647)::float8 / 2147483648 AS co,
         (hashint4(g * 16 + 11) & 2147483647)::float8 / 2147483648 AS hr,
         md5('duban-ledger-bench-' || g) AS h
  OFFSET 0
) AS u
CROSS JOIN LATERAL (
  SELECT d.*,
         -- a UUIDv7 like uuidv7() makes: the assignment's millisecond, then pseudo-random bits
         (substr(lpad(to_hex((extract(epoch FROM d.assigned_at) * 1000)::bigint), 12, '0'), 1, 8) || '-' ||
          substr(lpad(to_hex((extract(epoch FROM d.assigned_at) * 1000)::bigint), 12, '0'), 9, 4) || '-7' ||
          substr(u.h, 1, 3) || '-' || substr('89ab', 1 + (get_byte(decode(substr(u.h, 4, 2), 'hex'), 0) % 4), 1) ||
          substr(u.h, 6, 3) || '-' || substr(u.h, 9, 12))::uuid AS id
  FROM (
    SELECT c.*,
           CASE WHEN c.kind = 'hotline' THEN 'city-hotline'
                WHEN c.kind = 'annual-target' THEN 'annual-plan'
                WHEN c.kind = 'leader-instruction' THEN (CASE WHEN u.lead < 0.7 THEN 'county-leader' ELSE 'city-leader' END)
                WHEN u.txt < 0.4 THEN 'meeting' WHEN u.txt < 0.7 THEN 'inspection' ELSE 'other' END AS source,
           CASE WHEN u.pri < 0.70 THEN 'normal' WHEN u.pri < 0.92 THEN 'high' ELSE 'urgent' END AS priority,
           CASE WHEN u.lead < 0.6 THEN (ARRAY['县委书记','县长','常务副县长','县委副书记','组织部长','宣传部长',
                 '政法委书记','分管工业副县长','分管农业副县长','分管城建副县长','分管教育副县长','分管卫健副县长'])[1 + floor(u.lead * 20)::int]
                END AS leader,
           (ARRAY['推进','落实','督促','整改','办理','完成','化解','提升'])[1 + floor(u.txt * 8)::int] ||
           (ARRAY['产业集聚区标准化厂房建设','高标准农田建设','农村人居环境整治','城区道路积水点改造','重点项目手续办理',
                  '营商环境优化','信访积案化解','安全生产大排查','秸秆禁烧','义务教育学校扩容','医共体建设','老旧小区改造',
                  '城乡供水一体化','乡村振兴示范村创建','民生实事','招商引资签约项目','食品安全专项整治','河长制巡河'])[1 + floor(u.co * 18)::int] ||
           CASE WHEN c.kind = 'hotline' THEN '（市民意快线转办第' || g || '号）' ELSE '工作（督〔2026〕' || g || '号）' END AS title,
           '根据县委、县政府工作部署，请承办单位对照目标任务，明确责任领导和具体责任人，倒排工期、挂图作战，' ||
           (ARRAY['按时保质完成各项任务，确保取得实效。','及时向县委督查室报送进展情况，遇有重大问题第一时间报告。',
                  '逐项建立台帐，办结一项、销号一项。','对群众反映的问题认真核实，依法依规妥善处理并做好答复解释工作。'])[1 + floor(u.hr * 4)::int] ||
           CASE WHEN u.txt < 0.5 THEN '县委督查室将适时开展专项督查，对工作推进不力、敷衍应付的，按有关规定予以通报批评。' ELSE '' END AS description,
           CASE WHEN c.kind = 'annual-target' THEN ARRAY['annual-target']
                WHEN c.kind = 'leader-instruction' THEN ARRAY['leader-assigned']
                WHEN c.kind = 'petition' THEN ARRAY['social-stability']
                WHEN c.kind = 'project' AND u.lead < 0.3 THEN ARRAY['county-wide-impact', 'development-environment']
                ELSE ARRAY[]::text[] END AS must_supervise,
           CASE WHEN u.co < 0.2 THEN ARRAY[($3::text[])[1 + floor(u.co * 560)::int % 112]]
                WHEN u.co < 0.25 THEN ARRAY[($3::text[])[1 + floor(u.co * 560)::int % 112], ($3::text[])[1 + floor(u.co * 1120)::int % 112]]
                ELSE ARRAY[]::text[] END AS co_units,
           (ARRAY['张伟','王芳','李娜','刘洋','陈静','杨勇','赵磊','黄敏','周杰','吴霞','徐刚','孙丽'])[1 + floor(u.who * 12)::int] AS responsible_person,
           date_trunc('milliseconds', least(c.deadline - (5 + floor(u.span * u.span * 120)) * interval '1 day' - u.hr * interval '8 hours',
                 $4::timestamptz - interval '1 hour' - u.span * interval '30 days')) AS assigned_at
    FROM (
      SELECT ${KINDS_SQL} AS kind,
             ($3::text[])[1 + floor(u.who * 112)::int] AS assignee,
             -- the deadline: a day of 2026 at 17:30 Beijing time (a fifth at noon)
             timestamptz '2026-01-01 17:30:00+08' + floor(u.day * 365) * interval '1 day'
               - CASE WHEN u.hr < 0.2 THEN interval '5 hours 30 minutes' ELSE interval '0' END AS deadline
      OFFSET 0
    ) AS c
    OFFSET 0
  ) AS d
  OFFSET 0
) AS a
CROSS JOIN LATERAL (
  SELECT t.*,
         1 + (t.acknowledged_at IS NOT NULL AND t.status <> 'assigned')::int + (t.progress IS NOT NULL)::int
           + (t.reported_at IS NOT NULL)::int * 2 + (t.status IN ('closed','reopened','returned','rechecking'))::int
           + (t.status IN ('closed','reopened'))::int + (t.status = 'reopened')::int + t.extension_count * 2
           + (t.pending_extension)::int + (t.feedback_citizen IS NOT NULL)::int AS revision,
         coalesce(t.closed_at, t.reported_at, t.last_progress_at, t.acknowledged_at, a.assigned_at) AS updated_at
  FROM (
    SELECT r.*,
           CASE WHEN r.status IN ('closed') THEN date_trunc('milliseconds', least(r.reported_at + (1 + u.hr * 3) * interval '1 day', $4::timestamptz - interval '1 hour')) END AS closed_at,
           CASE WHEN r.status = 'closed' AND a.kind = 'hotline' AND u.txt < 0.6 THEN
                (ARRAY['群众对办理结果表示满意。','已电话回访，群众基本满意。','群众对办理结果不满意，已作解释。'])[1 + floor(u.txt * 5)::int % 3] END AS feedback_citizen
    FROM (
      SELECT q.*,
             CASE WHEN q.status <> 'assigned' THEN date_trunc('milliseconds', a.assigned_at + u.hr * interval '2 days') END AS acknowledged_at,
             CASE WHEN q.status IN ('reported','rechecking','returned','closed','reopened')
                  THEN date_trunc('milliseconds', greatest(a.assigned_at + interval '3 hours',
                         least(a.deadline, $4::timestamptz - interval '2 days') - u.prog * interval '3 days')) END AS reported_at,
             CASE WHEN q.status IN ('acknowledged','returned','reopened') AND u.prog < 0.7 THEN (floor(u.prog * 14) * 10)::int % 100
                  WHEN q.status IN ('reported','rechecking','closed') THEN 100 END AS progress,
             CASE WHEN q.status IN ('acknowledged','returned','reopened') AND u.prog < 0.7
                    OR q.status IN ('reported','rechecking','closed')
                  THEN date_trunc('milliseconds', a.assigned_at + (a.deadline - a.assigned_at) * (0.2 + u.prog * 0.5)) END AS last_progress_at,
             (q.status IN ('acknowledged','returned') AND u.ext < 0.02) AS pending_extension,
             (u.ext > 0.95)::int AS extension_count
      FROM (
        SELECT CASE WHEN a.deadline < $4::timestamptz THEN
                      CASE WHEN u.st < 0.78 THEN 'closed' WHEN u.st < 0.83 THEN 'reported' WHEN u.st < 0.85 THEN 'rechecking'
                           WHEN u.st < 0.88 THEN 'returned' WHEN u.st < 0.90 THEN 'reopened' WHEN u.st < 0.96 THEN 'acknowledged'
                           ELSE 'assigned' END
                    ELSE
                      CASE WHEN u.st < 0.20 THEN 'assigned' WHEN u.st < 0.70 THEN 'acknowledged' WHEN u.st < 0.80 THEN 'reported'
                           WHEN u.st < 0.83 THEN 'rechecking' WHEN u.st < 0.88 THEN 'returned' WHEN u.st < 0.95 THEN 'closed'
                           ELSE 'reopened' END
                    END AS status
        OFFSET 0
      ) AS q
      OFFSET 0
    ) AS r
    OFFSET 0
  ) AS t
  OFFSET 0
) AS s
CROSS JOIN LATERAL (
  SELECT jsonb_build_object(
    'id', a.id, 'kind', a.kind, 'source', a.source, 'mustSupervise', to_jsonb(a.must_supervise),
    'priority', a.priority, 'title', a.title, 'description', a.description,
    'noticeNo', '督〔2026〕' || g || '号',
    'caseRef', CASE WHEN a.kind = 'hotline' THEN 'SQ12345-2026-' || lpad(g::text, 7, '0') END,
    'calendarVersion', NULL,
    'assigner', 'county', 'assignee', a.assignee, 'coUnits', to_jsonb(a.co_units),
    'leader', a.leader, 'responsiblePerson', a.responsible_person, 'parentId', NULL,
    'status', s.status, 'deadline', pg_temp.iso(a.deadline),
    'originalDeadline', pg_temp.iso(CASE WHEN s.extension_count > 0 THEN a.deadline - interval '14 days' ELSE a.deadline END),
    'ackDeadline', pg_temp.iso(a.assigned_at + interval '1 day'),
    'assignedAt', pg_temp.iso(a.assigned_at), 'acknowledgedAt', pg_temp.iso(s.acknowledged_at),
    'progress', s.progress, 'lastProgressAt', pg_temp.iso(s.last_progress_at),
    'draft', NULL,
    'report', CASE WHEN s.reported_at IS NOT NULL THEN jsonb_build_object(
        'summary', '经认真办理，' || a.title || '已按要求完成。' ||
                   '一是成立工作专班，主要负责同志亲自部署；二是细化任务分工，逐项明确时间节点；三是加强跟踪问效，确保按期办结。',
        'draftedBy', a.assignee, 'signedOffBy', a.assignee, 'at', pg_temp.iso(s.reported_at)) END,
    'reportedAt', pg_temp.iso(s.reported_at), 'closedAt', pg_temp.iso(s.closed_at),
    'returnCount', (s.status = 'returned')::int, 'recheckCount', (s.status = 'rechecking')::int,
    'reopenCount', (s.status = 'reopened')::int, 'extensionCount', s.extension_count,
    'pendingExtension', CASE WHEN s.pending_extension THEN jsonb_build_object(
        'requestId', md5(u.h)::uuid, 'newDeadline', pg_temp.iso(a.deadline + interval '14 days'),
        'reason', '受天气影响，施工进度滞后，申请延期办结。', 'by', a.assignee, 'at', pg_temp.iso(s.acknowledged_at + interval '1 day')) END,
    'lastReview', CASE s.status
        WHEN 'returned' THEN jsonb_build_object('outcome', 'returned', 'reasons', jsonb_build_array('facts-or-procedure'),
             'comment', '事实不清，请补充佐证材料后重新报结。', 'by', 'county', 'at', pg_temp.iso(s.reported_at + interval '1 day'))
        WHEN 'rechecking' THEN jsonb_build_object('outcome', 'recheck', 'reasons', '[]'::jsonb,
             'comment', '', 'by', 'county', 'at', pg_temp.iso(s.reported_at + interval '1 day'))
        WHEN 'closed' THEN jsonb_build_object('outcome', 'accepted', 'reasons', '[]'::jsonb,
             'comment', '', 'by', 'county', 'at', pg_temp.iso(s.closed_at))
        WHEN 'reopened' THEN jsonb_build_object('outcome', 'accepted', 'reasons', '[]'::jsonb,
             'comment', '', 'by', 'county', 'at', pg_temp.iso(s.reported_at + interval '1 day')) END,
    'feedback', jsonb_build_object('city', NULL, 'citizen', s.feedback_citizen,
        'satisfaction', CASE WHEN s.feedback_citizen IS NULL THEN NULL WHEN s.feedback_citizen LIKE '%不满意%' THEN 'unsatisfied' ELSE 'satisfied' END),
    'revision', s.revision
  ) AS state
) AS st`;

/** Creates pg_temp.iso on the session: a timestamptz as Date.prototype.toISOString() writes it. */
export const ISO_FN = `CREATE OR REPLACE FUNCTION pg_temp.iso(t timestamptz) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$`;

export async function seedLedger(
  url: string,
  children: readonly string[],
  items: number,
  now: Date,
): Promise<SeedResult> {
  if (children.length !== 112) throw new Error(`expected the county's 112 children, got ${children.length}`);
  const workers = Math.max(1, Math.min(4, os.availableParallelism()));
  const pool = createPool(url, { max: workers });
  try {
    const { rows: indexes } = await pool.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'item' AND indexname <> 'item_pkey'`,
    );
    for (const ix of indexes) await pool.query(`DROP INDEX ${ix.indexname}`);

    const loadStart = performance.now();
    const chunk = Math.ceil(items / workers);
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        const from = w * chunk + 1;
        const to = Math.min(items, (w + 1) * chunk);
        if (from > to) return;
        const client = await pool.connect();
        try {
          await client.query(ISO_FN);
          await client.query('SET synchronous_commit = off');
          await client.query(INSERT_SQL, [from, to, children, now]);
        } finally {
          client.release();
        }
      }),
    );
    const loadMs = performance.now() - loadStart;

    const indexStart = performance.now();
    const queue = [...indexes];
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const client = await pool.connect();
        try {
          await client.query(`SET maintenance_work_mem = '256MB'`);
          for (let ix = queue.shift(); ix; ix = queue.shift()) await client.query(ix.indexdef);
        } finally {
          client.release();
        }
      }),
    );
    const indexMs = performance.now() - indexStart;

    const analyzeStart = performance.now();
    await pool.query('VACUUM (ANALYZE) item');
    const analyzeMs = performance.now() - analyzeStart;

    const { rows } = await pool.query<{ n: string; bytes: string; state: string }>(
      `SELECT (SELECT count(*) FROM item WHERE node_id = 'county') AS n,
              pg_total_relation_size('item') AS bytes,
              (SELECT avg(octet_length(state::text)) FROM (SELECT state FROM item TABLESAMPLE SYSTEM (1)) x) AS state`,
    );
    const row = rows[0]!;
    return {
      rows: Number(row.n),
      loadMs,
      indexMs,
      analyzeMs,
      tableBytes: Number(row.bytes),
      meanStateBytes: Number(row.state),
    };
  } finally {
    await pool.end();
  }
}
