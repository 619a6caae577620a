import { describe, expect, it } from 'vitest';
import { ItemKind, ItemSource, MustSupervise, Priority } from '@duban/events';
import { ITEM_STATUSES } from '../domain/item';
import {
  EXPORT_HEADERS,
  KIND_LABELS,
  MUST_SUPERVISE_LABELS,
  PRIORITY_LABELS,
  SOURCE_LABELS,
  STATUS_LABELS,
  beijingDateTime,
  beijingExcelDate,
  contentDisposition,
  exportFileName,
  toExportRow,
} from './columns';
import type { ExportContext } from './columns';
import { openLedgerPages } from './pages';
import { sampleRow } from './sampleRows';
import type { LedgerRow } from '../repositories/ledger';

const NAMES: Record<string, string> = {
  county: '睢县县委督查室',
  'unit-001': '县委办公室',
  'unit-002': '县人大常委会办公室',
};
const ctx: ExportContext = { nodeName: (id) => NAMES[id] ?? id };

describe('export columns', () => {
  it('has the office’s columns in the office’s order', () => {
    expect(EXPORT_HEADERS).toEqual([
      '序号',
      '督办编号',
      '事项名称',
      '类别',
      '来源',
      '五必督',
      '紧急程度',
      '分包领导',
      '交办单位',
      '责任单位',
      '协办单位',
      '责任人',
      '交办日期',
      '签收时限',
      '办结时限',
      '当前状态',
      '进度(%)',
      '退回次数',
      '延期次数',
      '复查复议次数',
      '办结日期',
      '红黄绿灯',
      '备注',
    ]);
  });

  it('labels every code in Chinese', () => {
    for (const k of ItemKind.options) expect(KIND_LABELS[k]).toMatch(/\p{Script=Han}/u);
    for (const s of ItemSource.options) expect(SOURCE_LABELS[s]).toMatch(/\p{Script=Han}/u);
    for (const m of MustSupervise.options) expect(MUST_SUPERVISE_LABELS[m]).toMatch(/\p{Script=Han}/u);
    for (const p of Priority.options) expect(PRIORITY_LABELS[p]).toMatch(/\p{Script=Han}/u);
    for (const s of ITEM_STATUSES) expect(STATUS_LABELS[s]).toMatch(/\p{Script=Han}/u);
    expect(Object.values(KIND_LABELS)).toEqual([
      '年度目标任务',
      '经济和项目工作',
      '重大活动',
      '信访稳定',
      '干部作风',
      '领导批示件',
      '民意快线',
    ]);
    expect(ITEM_STATUSES.map((s) => STATUS_LABELS[s])).toEqual([
      '已交办',
      '已签收',
      '已报结',
      '复核中',
      '退回重办',
      '已办结',
      '复查复议',
    ]);
  });

  it('names the units as they were called when the item was assigned (机构调整)', () => {
    const asked: Array<[string, string | undefined]> = [];
    const renamed: ExportContext = { nodeName: (id, at) => (asked.push([id, at]), id) };
    const row = sampleRow({});
    toExportRow(row, 0, renamed);
    expect(asked).toContainEqual([row.assignee, row.assignedAt]);
    expect(asked).toContainEqual([row.assigner, row.assignedAt]);
  });

  it('maps a ledger row to the cells of one line', () => {
    const cells = toExportRow(
      sampleRow({
        pendingExtension: {
          requestId: 'r',
          newDeadline: '2026-04-10T09:30:00.000Z',
          reason: '征地手续未完成',
          by: 'unit-001:王局长',
          at: '2026-03-20T01:00:00.000Z',
        },
        caseRef: 'RX-2026-001',
      }),
      4,
      ctx,
    );
    expect(Object.fromEntries(EXPORT_HEADERS.map((h, i) => [h, cells[i]]))).toEqual({
      序号: 5,
      督办编号: '督〔2026〕1号',
      事项名称: '推进产业集聚区标准化厂房建设',
      类别: '年度目标任务',
      来源: '年度计划',
      五必督: '年度目标任务、全局性重大事项',
      紧急程度: '特急',
      分包领导: '张副县长',
      交办单位: '睢县县委督查室',
      责任单位: '县委办公室',
      协办单位: '县人大常委会办公室',
      责任人: '王局长',
      交办日期: new Date('2026-03-02T01:00:00.000Z'),
      签收时限: new Date('2026-03-03T01:00:00.000Z'),
      办结时限: new Date('2026-03-31T09:30:00.000Z'),
      当前状态: '已签收',
      '进度(%)': 40,
      退回次数: 1,
      延期次数: 0,
      复查复议次数: 0,
      办结日期: null,
      红黄绿灯: '绿灯',
      备注: '延期申请待审批：申请延至2026-04-10 17:30（征地手续未完成）；案号：RX-2026-001',
    });
  });

  it('shows a closed item, an extended deadline and empty optional fields', () => {
    const cells = toExportRow(
      sampleRow({
        status: 'closed',
        light: 'done',
        closedAt: '2026-03-20T08:00:00.000Z',
        deadline: '2026-04-30T09:30:00.000Z',
        extensionCount: 1,
        leader: null,
        responsiblePerson: null,
        coUnits: [],
        mustSupervise: [],
        progress: null,
        assignee: 'unit-999',
      }),
      0,
      ctx,
    );
    const at = (h: string) => cells[EXPORT_HEADERS.indexOf(h)];
    expect(at('当前状态')).toBe('已办结');
    expect(at('红黄绿灯')).toBe('已办结');
    expect(at('办结日期')).toEqual(new Date('2026-03-20T08:00:00.000Z'));
    expect(at('备注')).toBe('原办结时限2026-03-31 17:30');
    expect(at('分包领导')).toBeNull();
    expect(at('责任人')).toBeNull();
    expect(at('协办单位')).toBe('');
    expect(at('五必督')).toBe('');
    expect(at('进度(%)')).toBeNull();
    expect(at('责任单位')).toBe('unit-999'); // a node the tree does not know: its id
  });

  it('shows instants in Beijing time', () => {
    expect(beijingDateTime('2026-03-31T16:30:00Z')).toBe('2026-04-01 00:30');
    expect(beijingDateTime(new Date('2026-12-31T15:59:00Z'))).toBe('2026-12-31 23:59');
    // Excel has no zones: the cell's Date carries Beijing wall time in its UTC fields.
    expect(beijingExcelDate(new Date('2026-03-02T01:00:00Z')).toISOString()).toBe('2026-03-02T09:00:00.000Z');
  });

  it('names the file in Chinese and sends it as RFC 5987 UTF-8', () => {
    const name = exportFileName('睢县县委督查室', new Date('2026-03-01T16:30:00Z'), 'xlsx');
    expect(name).toBe('督查工作台帐-睢县县委督查室-20260302.xlsx');
    expect(exportFileName('a/b:c', new Date('2026-03-02T01:00:00Z'), 'csv')).toBe(
      '督查工作台帐-a_b_c-20260302.csv',
    );
    const header = contentDisposition("台帐 (1)'*.csv", 'ledger-county-20260302.csv');
    expect(header).toBe(
      `attachment; filename="ledger-county-20260302.csv"; filename*=UTF-8''%E5%8F%B0%E5%B8%90%20%281%29%27%2A.csv`,
    );
    const encoded = /filename\*=UTF-8''(.+)$/.exec(header)![1]!;
    expect(decodeURIComponent(encoded)).toBe("台帐 (1)'*.csv");
    expect(encoded).toMatch(/^[A-Za-z0-9!#$&+\-.^_`|~%]+$/); // RFC 5987 attr-char / pct-encoded only
  });
});

describe('openLedgerPages', () => {
  const rows = Array.from({ length: 7 }, (_, i) =>
    sampleRow({ id: `00000000-0000-7000-8000-00000000000${i}`, deadline: `2026-03-0${i + 1}T00:00:00.000Z` }),
  );
  const fetcher = (calls: Array<{ after: unknown; limit: number }>) => {
    return async (after: { deadline: Date; id: string } | undefined, limit: number): Promise<LedgerRow[]> => {
      calls.push({ after, limit });
      const from = after ? rows.findIndex((r) => r.id === after.id) + 1 : 0;
      return rows.slice(from, from + limit);
    };
  };
  const collect = async (pages: AsyncIterable<LedgerRow[]>) => {
    const out: LedgerRow[][] = [];
    for await (const p of pages) out.push(p);
    return out;
  };

  it('walks the keyset page by page, reading the first page before it returns', async () => {
    const calls: Array<{ after: unknown; limit: number }> = [];
    const pages = await openLedgerPages(fetcher(calls), 3);
    expect(calls).toHaveLength(1);
    const got = await collect(pages);
    expect(got.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(got.flat().map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect(calls[1]!.after).toEqual({ deadline: new Date(rows[2]!.deadline), id: rows[2]!.id });
  });

  it('stops after a full last page with one empty read, and yields nothing for no rows', async () => {
    const calls: Array<{ after: unknown; limit: number }> = [];
    expect((await collect(await openLedgerPages(fetcher(calls), 7))).map((p) => p.length)).toEqual([7]);
    expect(calls).toHaveLength(2);
    expect(await collect(await openLedgerPages(async () => [], 7))).toEqual([]);
  });

  it('reads the next page while the current one is written, and surfaces its failure', async () => {
    let reads = 0;
    const failing = async (after: unknown, limit: number) => {
      reads += 1;
      if (after) throw new Error('db down');
      return rows.slice(0, limit);
    };
    const pages = (await openLedgerPages(failing, 3))[Symbol.asyncIterator]();
    expect((await pages.next()).value).toHaveLength(3);
    expect(reads).toBe(2); // the second page is under way before the first is written
    await expect(pages.next()).rejects.toThrow('db down');

    // A consumer that stops after one page leaves no unhandled rejection behind.
    const abandoned = (await openLedgerPages(failing, 3))[Symbol.asyncIterator]();
    await abandoned.next();
    await abandoned.return?.(undefined);
    await new Promise((r) => setTimeout(r, 10));
  });

  it('lets a failing first page fail the request itself', async () => {
    await expect(openLedgerPages(() => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
  });
});
