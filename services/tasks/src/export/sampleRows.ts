import type { LedgerRow } from '../repositories/ledger';

/** A ledger row for tests and measurements of the export writers (no database needed). */
export function sampleRow(overrides: Partial<LedgerRow> = {}): LedgerRow {
  return {
    id: '01a21969-9769-7019-bd16-894046c030b2',
    kind: 'annual-target',
    source: 'annual-plan',
    mustSupervise: ['annual-target', 'county-wide-impact'],
    priority: 'urgent',
    title: '推进产业集聚区标准化厂房建设',
    noticeNo: '督〔2026〕1号',
    caseRef: null,
    calendarVersion: null,
    deadlineRule: null,
    deadlineProvisional: false,
    assigner: 'county',
    assignee: 'unit-001',
    coUnits: ['unit-002'],
    leader: '张副县长',
    responsiblePerson: '王局长',
    parentId: null,
    status: 'acknowledged',
    deadline: '2026-03-31T09:30:00.000Z',
    originalDeadline: '2026-03-31T09:30:00.000Z',
    ackDeadline: '2026-03-03T01:00:00.000Z',
    assignedAt: '2026-03-02T01:00:00.000Z',
    acknowledgedAt: '2026-03-02T03:00:00.000Z',
    progress: 40,
    lastProgressAt: null,
    reportedAt: null,
    closedAt: null,
    returnCount: 1,
    recheckCount: 0,
    reopenCount: 0,
    extensionCount: 0,
    pendingExtension: null,
    feedback: { city: null, citizen: null, satisfaction: null },
    revision: 3,
    relation: 'assigner',
    light: 'green',
    ...overrides,
  };
}

/** `count` rows in `pageSize` pages, made on demand; `pulled()` tells how many pages were taken. */
export function samplePages(
  count: number,
  pageSize: number,
  make: (i: number) => LedgerRow = (i) =>
    sampleRow({
      id: `00000000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`,
      noticeNo: `督〔2026〕${i + 1}号`,
      title: `第${i + 1}项：推进重点项目建设，确保按期完成年度目标任务`,
      light: (['red', 'yellow', 'green', 'done'] as const)[i % 4]!,
    }),
): { pages: AsyncIterable<LedgerRow[]>; pulled(): number } {
  let pulled = 0;
  async function* pages() {
    for (let start = 0; start < count; start += pageSize) {
      pulled += 1;
      await Promise.resolve();
      yield Array.from({ length: Math.min(pageSize, count - start) }, (_, k) => make(start + k));
    }
  }
  return { pages: pages(), pulled: () => pulled };
}
