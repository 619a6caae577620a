import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import type { Fill, Font, Style, Worksheet } from 'exceljs';
import type { TrafficLight } from '../domain/item';
import type { LedgerRow } from '../repositories/ledger';
import { EXPORT_COLUMNS, EXPORT_HEADERS, beijingDateTime, beijingExcelDate, toExportRow } from './columns';
import type { ExportContext } from './columns';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const DATE_FORMAT = 'yyyy-mm-dd hh:mm';
/** Excel's limit is 1,048,576 rows a sheet; past it the ledger continues on another sheet. */
export const EXCEL_MAX_ROWS = 1_048_576;

const solid = (argb: string): Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });

export const LIGHT_FILLS: Record<TrafficLight, Fill | undefined> = {
  red: solid('FFFF0000'),
  yellow: solid('FFFFFF00'),
  green: solid('FF00B050'),
  done: undefined,
};

const thin = { style: 'thin' as const, color: { argb: 'FFBFBFBF' } };
const BORDER: Partial<Style['border']> = { top: thin, left: thin, bottom: thin, right: thin };
const FONT: Partial<Font> = { name: '宋体', size: 10 };
const HEADER_FILL = solid('FFD9E1F2');
const LIGHT_COLUMN = EXPORT_COLUMNS.findIndex((c) => c.key === 'light') + 1;

export interface XlsxOptions {
  /** The title row: 督查工作台帐 and the node. */
  title: string;
  exportedAt: Date;
  /** For tests: rows of data a sheet holds before the next sheet starts. */
  maxDataRowsPerSheet?: number;
  /** Uncompressed bytes allowed to wait inside the zip pipeline before writing pauses. */
  maxPendingBytes?: number;
}

/** The part of exceljs's streaming worksheet this module relies on beyond its typings. */
interface SheetStreamInternals {
  stream?: {
    buffers?: Array<{ length: number }>;
    pipes?: Array<{ _writableState?: { length?: number }; _readableState?: { length?: number } }>;
  };
}

/**
 * Bytes a streaming worksheet has written that the zip has not taken yet. exceljs's sheet buffer
 * pushes into the archiver without honouring backpressure, so without this check a slow client
 * would let the whole workbook pile up in memory. Falls back to 0 (never waits) if the internals
 * change shape.
 */
function pendingBytes(sheet: Worksheet): number {
  const stream = (sheet as unknown as SheetStreamInternals).stream;
  if (!stream) return 0;
  let n = 0;
  for (const b of stream.buffers ?? []) n += b.length;
  for (const p of stream.pipes ?? []) n += (p._writableState?.length ?? 0) + (p._readableState?.length ?? 0);
  return n;
}

/**
 * The ledger as a real workbook, streamed: exceljs's WorkbookWriter commits each row as it is
 * written, and writing pauses while the client has not taken what was written, so memory holds about
 * one page however large the ledger is. The stream ends early with an error if reading the ledger
 * fails midway (the client sees a broken download, never a short file that looks complete), and
 * stops reading the ledger when it is destroyed (the client went away).
 */
export function ledgerXlsx(
  pages: AsyncIterable<LedgerRow[]>,
  ctx: ExportContext,
  options: XlsxOptions,
): Readable {
  const out = new PassThrough({ highWaterMark: 64 * 1024 });
  let gone = false;
  out.once('close', () => {
    gone = true;
  });

  async function pump(): Promise<void> {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: true,
      useSharedStrings: false,
    });
    workbook.creator = 'duban 督办';
    workbook.created = options.exportedAt;
    (workbook as unknown as { zip: PassThrough }).zip.on('error', (e: Error) => out.destroy(e));

    const perSheet = Math.min(options.maxDataRowsPerSheet ?? EXCEL_MAX_ROWS - 2, EXCEL_MAX_ROWS - 2);
    const maxPending = options.maxPendingBytes ?? 1024 * 1024;
    let sheet: Worksheet | undefined;
    let sheetCount = 0;
    let rowsInSheet = 0;
    let index = 0;

    const closeSheet = () => {
      if (!sheet) return;
      const lastRow = 2 + rowsInSheet;
      sheet.autoFilter = { from: { row: 2, column: 1 }, to: { row: lastRow, column: EXPORT_COLUMNS.length } };
      sheet.commit();
    };
    const openSheet = () => {
      closeSheet();
      sheetCount += 1;
      sheet = startSheet(
        workbook,
        sheetCount === 1 ? '督查工作台帐' : `督查工作台帐(${sheetCount})`,
        options,
      );
      rowsInSheet = 0;
      return sheet;
    };

    for await (const page of pages) {
      for (const row of page) {
        if (gone) return;
        const target = sheet && rowsInSheet < perSheet ? sheet : openSheet();
        writeRow(target, row, index++, ctx);
        rowsInSheet += 1;
        if (index % 250 === 0) {
          while (!gone && pendingBytes(target) > maxPending) await sleep(5);
        }
      }
    }
    if (gone) return;
    if (!sheet) openSheet();
    closeSheet();
    await workbook.commit();
  }

  pump().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  return out;
}

function startSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, name: string, options: XlsxOptions) {
  const sheet = workbook.addWorksheet(name, {
    // Frozen below the header (row 1: the title, row 2: the header).
    views: [{ state: 'frozen', xSplit: 0, ySplit: 2, topLeftCell: 'A3', activeCell: 'A3' }],
    properties: { defaultRowHeight: 18 },
    pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  sheet.columns = EXPORT_COLUMNS.map((c) => ({ key: c.key, width: c.width }));

  const title = sheet.addRow([`${options.title}（导出时间：${beijingDateTime(options.exportedAt)}）`]);
  title.height = 30;
  const titleCell = title.getCell(1);
  titleCell.font = { ...FONT, size: 16, bold: true };
  titleCell.alignment = { horizontal: 'center', vertical: 'middle' };
  sheet.mergeCells(1, 1, 1, EXPORT_COLUMNS.length);
  title.commit();

  const header = sheet.addRow([...EXPORT_HEADERS]);
  header.height = 22;
  header.eachCell((cell) => {
    cell.font = { ...FONT, bold: true };
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  });
  header.commit();
  return sheet;
}

/**
 * One shared style object per column (and per light): exceljs caches a style's id by the object's
 * identity, so shared objects save serialising a style for every cell (5x faster on large exports).
 */
const COLUMN_STYLES: ReadonlyArray<Partial<Style>> = EXPORT_COLUMNS.map((col) => {
  switch (col.type) {
    case 'datetime':
      return {
        font: FONT,
        border: BORDER,
        numFmt: DATE_FORMAT,
        alignment: { horizontal: 'center', vertical: 'middle' },
      };
    case 'int':
      return { font: FONT, border: BORDER, alignment: { horizontal: 'center', vertical: 'middle' } };
    case 'text':
      return { font: FONT, border: BORDER, alignment: { vertical: 'middle', wrapText: col.width >= 20 } };
  }
});
const LIGHT_STYLES = Object.fromEntries(
  Object.entries(LIGHT_FILLS).map(([light, fill]) => [
    light,
    {
      ...COLUMN_STYLES[LIGHT_COLUMN - 1],
      alignment: { horizontal: 'center', vertical: 'middle' },
      ...(fill ? { fill } : {}),
    },
  ]),
) as Record<TrafficLight, Partial<Style>>;

function writeRow(sheet: Worksheet, row: LedgerRow, index: number, ctx: ExportContext): void {
  const cells = toExportRow(row, index, ctx);
  const r = sheet.addRow(cells.map((v) => (v instanceof Date ? beijingExcelDate(v) : v)));
  for (let i = 0; i < COLUMN_STYLES.length; i++) {
    r.getCell(i + 1).style = i + 1 === LIGHT_COLUMN ? LIGHT_STYLES[row.light] : COLUMN_STYLES[i]!;
  }
  r.commit();
}
