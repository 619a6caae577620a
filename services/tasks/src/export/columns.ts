import type { ItemKind, ItemSource, MustSupervise, Priority } from '@duban/events';
import type { ItemStatus, TrafficLight } from '../domain/item';
import type { LedgerRow } from '../repositories/ledger';

/**
 * The ledger export's columns and Chinese labels (督查工作台帐), shared by the .xlsx and the .csv
 * writers so both show the same table.
 */

export const KIND_LABELS: Record<ItemKind, string> = {
  'annual-target': '年度目标任务',
  project: '经济和项目工作',
  'major-event': '重大活动',
  petition: '信访稳定',
  conduct: '干部作风',
  'leader-instruction': '领导批示件',
  hotline: '民意快线',
};

export const SOURCE_LABELS: Record<ItemSource, string> = {
  'annual-plan': '年度计划',
  'county-leader': '县领导交办',
  'city-leader': '市领导交办',
  'city-hotline': '市民意快线',
  meeting: '会议议定',
  inspection: '督查发现',
  other: '其他',
};

/** 五必督. */
export const MUST_SUPERVISE_LABELS: Record<MustSupervise, string> = {
  'county-wide-impact': '全局性重大事项',
  'leader-assigned': '领导交办事项',
  'annual-target': '年度目标任务',
  'social-stability': '涉及社会稳定',
  'development-environment': '涉及发展环境',
};

export const PRIORITY_LABELS: Record<Priority, string> = {
  normal: '一般',
  high: '紧急',
  urgent: '特急',
};

export const STATUS_LABELS: Record<ItemStatus, string> = {
  assigned: '已交办',
  acknowledged: '已签收',
  reported: '已报结',
  rechecking: '复核中',
  returned: '退回重办',
  closed: '已办结',
  reopened: '复查复议',
};

export const LIGHT_LABELS: Record<TrafficLight, string> = {
  red: '红灯',
  yellow: '黄灯',
  green: '绿灯',
  done: '已办结',
};

/** A cell: text, a count, an instant (each writer shows it in Beijing time), or empty. */
export type ExportCell = string | number | Date | null;

export interface ExportContext {
  /**
   * A node's Chinese name (falls back to its id for a node the tree does not know); with `at`, the
   * name it had then (a unit renamed since keeps its old name on its old items, 机构调整).
   */
  nodeName(id: string, at?: string): string;
}

export interface ExportColumn {
  key: string;
  header: string;
  /** Excel column width, in characters. */
  width: number;
  type: 'text' | 'int' | 'datetime';
  value(row: LedgerRow, ctx: ExportContext, index: number): ExportCell;
}

const BEIJING_OFFSET_MS = 8 * 3600_000;

/** The instant as Beijing wall-clock time, e.g. 2026-03-04 17:30 (China has no daylight saving). */
export function beijingDateTime(at: Date | string): string {
  const iso = new Date(new Date(at).getTime() + BEIJING_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** The Beijing calendar date as YYYYMMDD (for file names). */
export function beijingYmd(at: Date): string {
  return new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * A Date whose UTC fields are the Beijing wall-clock time: Excel dates carry no zone, and exceljs
 * writes a Date by its UTC fields, so this makes the cell show Beijing time.
 */
export function beijingExcelDate(at: Date): Date {
  return new Date(at.getTime() + BEIJING_OFFSET_MS);
}

const instant = (s: string | null): Date | null => (s === null ? null : new Date(s));

/** 备注: what the other columns do not say. */
export function remarks(row: LedgerRow): string {
  const notes: string[] = [];
  if (row.pendingExtension) {
    notes.push(
      `延期申请待审批：申请延至${beijingDateTime(row.pendingExtension.newDeadline)}（${row.pendingExtension.reason}）`,
    );
  }
  if (row.deadline !== row.originalDeadline) {
    notes.push(`原办结时限${beijingDateTime(row.originalDeadline)}`);
  }
  if (row.caseRef) notes.push(`案号：${row.caseRef}`);
  return notes.join('；');
}

export const EXPORT_COLUMNS: readonly ExportColumn[] = [
  { key: 'seq', header: '序号', width: 7, type: 'int', value: (_r, _c, i) => i + 1 },
  { key: 'noticeNo', header: '督办编号', width: 16, type: 'text', value: (r) => r.noticeNo },
  { key: 'title', header: '事项名称', width: 40, type: 'text', value: (r) => r.title },
  { key: 'kind', header: '类别', width: 14, type: 'text', value: (r) => KIND_LABELS[r.kind] ?? r.kind },
  {
    key: 'source',
    header: '来源',
    width: 12,
    type: 'text',
    value: (r) => SOURCE_LABELS[r.source] ?? r.source,
  },
  {
    key: 'mustSupervise',
    header: '五必督',
    width: 20,
    type: 'text',
    value: (r) => r.mustSupervise.map((m) => MUST_SUPERVISE_LABELS[m] ?? m).join('、'),
  },
  {
    key: 'priority',
    header: '紧急程度',
    width: 10,
    type: 'text',
    value: (r) => PRIORITY_LABELS[r.priority] ?? r.priority,
  },
  { key: 'leader', header: '分包领导', width: 12, type: 'text', value: (r) => r.leader },
  {
    key: 'assigner',
    header: '交办单位',
    width: 20,
    type: 'text',
    value: (r, c) => c.nodeName(r.assigner, r.assignedAt),
  },
  {
    key: 'assignee',
    header: '责任单位',
    width: 20,
    type: 'text',
    value: (r, c) => c.nodeName(r.assignee, r.assignedAt),
  },
  {
    key: 'coUnits',
    header: '协办单位',
    width: 24,
    type: 'text',
    value: (r, c) => r.coUnits.map((u) => c.nodeName(u)).join('、'),
  },
  { key: 'responsiblePerson', header: '责任人', width: 10, type: 'text', value: (r) => r.responsiblePerson },
  { key: 'assignedAt', header: '交办日期', width: 17, type: 'datetime', value: (r) => instant(r.assignedAt) },
  {
    key: 'ackDeadline',
    header: '签收时限',
    width: 17,
    type: 'datetime',
    value: (r) => instant(r.ackDeadline),
  },
  { key: 'deadline', header: '办结时限', width: 17, type: 'datetime', value: (r) => instant(r.deadline) },
  {
    key: 'status',
    header: '当前状态',
    width: 10,
    type: 'text',
    value: (r) => STATUS_LABELS[r.status] ?? r.status,
  },
  { key: 'progress', header: '进度(%)', width: 8, type: 'int', value: (r) => r.progress },
  { key: 'returnCount', header: '退回次数', width: 9, type: 'int', value: (r) => r.returnCount },
  { key: 'extensionCount', header: '延期次数', width: 9, type: 'int', value: (r) => r.extensionCount },
  { key: 'reopenCount', header: '复查复议次数', width: 12, type: 'int', value: (r) => r.reopenCount },
  { key: 'closedAt', header: '办结日期', width: 17, type: 'datetime', value: (r) => instant(r.closedAt) },
  {
    key: 'light',
    header: '红黄绿灯',
    width: 9,
    type: 'text',
    value: (r) => LIGHT_LABELS[r.light] ?? r.light,
  },
  { key: 'remarks', header: '备注', width: 40, type: 'text', value: (r) => remarks(r) || null },
];

export const EXPORT_HEADERS: readonly string[] = EXPORT_COLUMNS.map((c) => c.header);

/** One ledger row as the export's cells, in column order; `index` is its 0-based position. */
export function toExportRow(row: LedgerRow, index: number, ctx: ExportContext): ExportCell[] {
  return EXPORT_COLUMNS.map((c) => c.value(row, ctx, index));
}

/** The export's file name, e.g. 督查工作台帐-睢县县委督查室-20260302.xlsx. */
export function exportFileName(nodeName: string, at: Date, ext: 'xlsx' | 'csv'): string {
  const safe = nodeName.replace(/[\\/:*?"<>|\p{Cc}]/gu, '_');
  return `督查工作台帐-${safe}-${beijingYmd(at)}.${ext}`;
}

/**
 * Content-Disposition for a download with a non-ASCII name: an ASCII fallback for old clients and
 * the real name as RFC 5987/6266 `filename*=UTF-8''…`.
 */
export function contentDisposition(fileName: string, asciiFallback: string): string {
  const ext = (s: string) =>
    encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const fallback = asciiFallback.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${ext(fileName)}`;
}
