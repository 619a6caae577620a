import ExcelJS from 'exceljs';

/**
 * Reading an export back, for tests (here and in test/network, which has no exceljs of its own)
 * and for tools that check a downloaded file.
 */

/** A workbook from .xlsx bytes. */
export async function readXlsx(bytes: ArrayBuffer | Uint8Array): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  // exceljs declares its own `Buffer` (an ArrayBuffer); at runtime it takes Node's.
  type XlsxInput = Parameters<ExcelJS.Xlsx['load']>[0];
  await workbook.xlsx.load(
    Buffer.from(view.buffer, view.byteOffset, view.byteLength) as unknown as XlsxInput,
  );
  return workbook;
}

/**
 * A strict RFC 4180 parser: records end with CRLF, fields may be quoted ("" inside a quoted field is
 * a quote), a bare quote inside an unquoted field or a lone CR or LF outside quotes is an error.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return records;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new Error('csv: unterminated quoted field');
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += c;
        i++;
      }
    } else {
      while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`csv: bare quote at ${i}`);
        field += text[i];
        i++;
      }
    }
    record.push(field);
    if (i >= n) {
      records.push(record);
      return records;
    }
    const c = text[i];
    if (c === ',') {
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') {
      records.push(record);
      record = [];
      i += 2;
      if (i >= n) return records;
      continue;
    }
    throw new Error(`csv: unexpected ${JSON.stringify(c)} at ${i}`);
  }
}
