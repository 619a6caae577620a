import { Readable } from 'node:stream';
import type { LedgerRow } from '../repositories/ledger';
import { EXPORT_HEADERS, beijingDateTime, toExportRow } from './columns';
import type { ExportCell, ExportContext } from './columns';

/** UTF-8 byte order mark: without it Excel reads a UTF-8 CSV as the local code page (GBK) and garbles Chinese. */
export const BOM = '\uFEFF';
const CRLF = '\r\n';

/**
 * CSV/formula injection guard (OWASP): a text cell that a spreadsheet would run as a formula
 * (= + - @, or tab / carriage return before one) gets a leading apostrophe, so it is shown as text.
 */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One field, RFC 4180: quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A cell as CSV text: dates in Beijing time, numbers as they are, text guarded then quoted. */
export function csvCell(cell: ExportCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  if (cell instanceof Date) return beijingDateTime(cell);
  return csvField(guardFormula(cell));
}

export function csvLine(cells: readonly ExportCell[]): string {
  return cells.map(csvCell).join(',') + CRLF;
}

async function* csvChunks(pages: AsyncIterable<LedgerRow[]>, ctx: ExportContext): AsyncGenerator<string> {
  yield BOM + EXPORT_HEADERS.map(csvField).join(',') + CRLF;
  let index = 0;
  for await (const page of pages) {
    let chunk = '';
    for (const row of page) chunk += csvLine(toExportRow(row, index++, ctx));
    yield chunk;
  }
}

/**
 * The ledger as CSV (UTF-8 with BOM, CRLF, RFC 4180), one chunk per page. The stream pulls the
 * next page only when the reader has taken the previous one, and stops reading the ledger when it
 * is destroyed (the client went away).
 */
export function ledgerCsv(pages: AsyncIterable<LedgerRow[]>, ctx: ExportContext): Readable {
  return Readable.from(csvChunks(pages, ctx), { objectMode: false, highWaterMark: 64 * 1024 });
}
