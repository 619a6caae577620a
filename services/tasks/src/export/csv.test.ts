import { buffer } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXPORT_HEADERS } from './columns';
import type { ExportContext } from './columns';
import { BOM, csvCell, csvField, csvLine, guardFormula, ledgerCsv } from './csv';
import { parseCsv } from './readBack';
import { sampleRow, samplePages } from './sampleRows';

/** The body as text, keeping the BOM (TextDecoder, and so text(), drops it by default). */
const text = async (stream: Readable) =>
  new TextDecoder('utf-8', { ignoreBOM: true, fatal: true }).decode(await buffer(stream));

const ctx: ExportContext = { nodeName: (id) => ({ county: '睢县县委督查室' })[id] ?? id };

describe('csv escaping', () => {
  it('quotes fields with a comma, a quote, CR or LF (RFC 4180), and only those', () => {
    expect(csvField('推进厂房建设')).toBe('推进厂房建设');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('他说"尽快"办')).toBe('"他说""尽快""办"');
    expect(csvField('一行\r\n两行')).toBe('"一行\r\n两行"');
    expect(csvField('x\ny')).toBe('"x\ny"');
    expect(csvField('')).toBe('');
  });

  it('guards cells a spreadsheet would run as a formula', () => {
    for (const bad of ['=1+2', '+86 138', '-2', '@SUM(A1)', '\t=cmd', '\r=cmd']) {
      expect(guardFormula(bad)).toBe(`'${bad}`);
    }
    for (const ok of ['推进', '1+1', 'a=b', ' =1', "'=1"]) expect(guardFormula(ok)).toBe(ok);
    // Guarded first, then quoted: the apostrophe lands inside the quotes.
    expect(csvCell('=HYPERLINK("http://x","点我")')).toBe(`"'=HYPERLINK(""http://x"",""点我"")"`);
    expect(csvCell('-1,2')).toBe(`"'-1,2"`);
  });

  it('writes numbers plain, dates in Beijing time, empties as nothing', () => {
    expect(csvLine([1, 'a', null, new Date('2026-03-31T09:30:00Z'), 0])).toBe('1,a,,2026-03-31 17:30,0\r\n');
  });

  it('parses back what it wrote, for every awkward string', () => {
    const awkward = ['a,b', '"', '""', 'x\r\ny', '=1', '-', '', ' 空格 ', '中文，全角逗号', '\n'];
    const parsed = parseCsv(csvLine(awkward));
    expect(parsed).toEqual([awkward.map((s) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s))]);
  });
});

describe('ledgerCsv', () => {
  it('streams a BOM, the header and one CRLF line per row', async () => {
    const { pages } = samplePages(0, 10);
    const bytes = await buffer(ledgerCsv(pages, ctx));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const empty = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(empty).toBe(`${BOM}${EXPORT_HEADERS.join(',')}\r\n`);

    const rows = [
      sampleRow({ title: '=1+2', noticeNo: '督〔2026〕1号' }),
      sampleRow({ title: '修路, "村村通"', noticeNo: '督〔2026〕2号' }),
    ];
    async function* two() {
      yield rows;
    }
    const body = await text(ledgerCsv(two(), ctx));
    const records = parseCsv(body.slice(1));
    expect(records).toHaveLength(3);
    expect(records[0]).toEqual([...EXPORT_HEADERS]);
    expect(records[1]![2]).toBe("'=1+2");
    expect(records[2]![2]).toBe('修路, "村村通"');
    expect(records[2]![0]).toBe('2');
    expect(records[1]![8]).toBe('睢县县委督查室');
    expect(body).toContain('"修路, ""村村通"""');
  });

  it('numbers rows across pages and reads pages only as fast as the reader takes them', async () => {
    const source = samplePages(10_000, 500);
    const stream = ledgerCsv(source.pages, ctx);
    await new Promise((r) => setTimeout(r, 50));
    expect(source.pulled()).toBeLessThanOrEqual(2); // nobody reads: the ledger is not read either
    const records = parseCsv((await text(stream)).slice(1));
    expect(records).toHaveLength(10_001);
    expect(records.at(-1)![0]).toBe('10000');
    expect(source.pulled()).toBe(20);
  });

  it('stops reading the ledger when the stream is destroyed', async () => {
    const source = samplePages(100_000, 500);
    const stream = ledgerCsv(source.pages, ctx);
    for await (const _chunk of stream) break; // for-await's break destroys the stream
    await new Promise((r) => setTimeout(r, 20));
    expect(source.pulled()).toBeLessThanOrEqual(3);
  });
});
