import { buffer } from 'node:stream/consumers';
import type { Fill } from 'exceljs';
import { describe, expect, it } from 'vitest';
import { EXPORT_HEADERS } from './columns';
import type { ExportContext } from './columns';
import { readXlsx } from './readBack';
import { sampleRow, samplePages } from './sampleRows';
import { DATE_FORMAT, ledgerXlsx } from './xlsx';

const ctx: ExportContext = {
  nodeName: (id) => ({ county: '睢县县委督查室', 'unit-001': '县委办公室' })[id] ?? id,
};
const meta = { title: '督查工作台帐　睢县县委督查室', exportedAt: new Date('2026-03-02T01:00:00Z') };
const col = (h: string) => EXPORT_HEADERS.indexOf(h) + 1;
const argb = (fill: Fill | undefined) => (fill?.type === 'pattern' ? fill.fgColor?.argb : undefined);

describe('ledgerXlsx', () => {
  it('writes a real workbook: title, bold header, frozen panes, widths, dates, lights, autofilter', async () => {
    const rows = [
      sampleRow({ light: 'red', title: '=1+2', deadline: '2026-03-02T00:00:00.000Z' }),
      sampleRow({ light: 'yellow', title: '修路, "村村通"\n第二行' }),
      sampleRow({ light: 'green', progress: null }),
      sampleRow({ light: 'done', status: 'closed', closedAt: '2026-03-20T08:00:00.000Z' }),
    ];
    async function* one() {
      yield rows;
    }
    const bytes = await buffer(ledgerXlsx(one(), ctx, meta));
    expect(bytes.subarray(0, 2).toString()).toBe('PK'); // a zip
    const wb = await readXlsx(bytes);
    expect(wb.worksheets).toHaveLength(1);
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('督查工作台帐');
    expect(ws.rowCount).toBe(2 + rows.length);

    const title = ws.getCell('A1');
    expect(title.value).toBe('督查工作台帐　睢县县委督查室（导出时间：2026-03-02 09:00）');
    expect(title.font.bold).toBe(true);
    expect(ws.model.merges).toEqual([`A1:W1`]);
    expect(ws.getRow(2).values).toEqual([undefined, ...EXPORT_HEADERS]);
    expect(ws.getCell(2, 1).font.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2, topLeftCell: 'A3' });
    expect(ws.getColumn(col('事项名称')).width).toBe(40);
    expect(ws.autoFilter).toBe('A2:W6');

    expect(ws.getCell(3, col('事项名称')).value).toBe('=1+2'); // text, never a formula
    expect(ws.getCell(3, col('事项名称')).type).toBe(3); // ValueType.String
    expect(ws.getCell(4, col('事项名称')).value).toBe('修路, "村村通"\n第二行');
    expect(ws.getCell(3, col('序号')).value).toBe(1);
    expect(ws.getCell(3, col('责任单位')).value).toBe('县委办公室');

    const deadline = ws.getCell(3, col('办结时限'));
    expect(deadline.value).toEqual(new Date('2026-03-02T08:00:00.000Z')); // 08:00 Beijing, as wall time
    expect(deadline.numFmt).toBe(DATE_FORMAT);
    expect(ws.getCell(6, col('办结日期')).value).toEqual(new Date('2026-03-20T16:00:00.000Z'));
    expect(ws.getCell(5, col('进度(%)')).value).toBeNull();

    const light = col('红黄绿灯');
    expect([3, 4, 5, 6].map((r) => ws.getCell(r, light).value)).toEqual(['红灯', '黄灯', '绿灯', '已办结']);
    expect([3, 4, 5].map((r) => argb(ws.getCell(r, light).fill))).toEqual([
      'FFFF0000',
      'FFFFFF00',
      'FF00B050',
    ]);
    expect(argb(ws.getCell(6, light).fill)).toBeUndefined();
  });

  it('writes a header-only workbook for an empty ledger', async () => {
    const wb = await readXlsx(await buffer(ledgerXlsx(samplePages(0, 10).pages, ctx, meta)));
    const ws = wb.worksheets[0]!;
    expect(ws.rowCount).toBe(2);
    expect(ws.getCell(2, 3).value).toBe('事项名称');
  });

  it('continues on another sheet past the rows a sheet holds', async () => {
    const source = samplePages(25, 4);
    const wb = await readXlsx(
      await buffer(ledgerXlsx(source.pages, ctx, { ...meta, maxDataRowsPerSheet: 10 })),
    );
    expect(wb.worksheets.map((w) => [w.name, w.rowCount])).toEqual([
      ['督查工作台帐', 12],
      ['督查工作台帐(2)', 12],
      ['督查工作台帐(3)', 7],
    ]);
    expect(wb.worksheets[2]!.getCell(2, 1).value).toBe('序号');
    expect(wb.worksheets[2]!.getCell(7, 1).value).toBe(25);
  });

  it('stops writing while nobody reads, and stops reading the ledger when destroyed', async () => {
    const source = samplePages(200_000, 2000);
    const stream = ledgerXlsx(source.pages, ctx, { ...meta, maxPendingBytes: 256 * 1024 });
    // How many pages fit under the bound depends on compression and on how busy the machine is;
    // what must hold is that reading settles after a bounded number of the 100 pages (the deflate
    // stream and the zip writer buffer some past the bound: 11 pages here) while nobody reads.
    let pulled = -1;
    for (let waited = 0; source.pulled() !== pulled && waited < 20_000; waited += 500) {
      pulled = source.pulled();
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(pulled).toBeGreaterThan(0);
    expect(pulled).toBeLessThanOrEqual(20);
    stream.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(source.pulled()).toBe(pulled);
  });

  it('fails the stream when reading the ledger fails midway', async () => {
    async function* failing() {
      yield [sampleRow()];
      throw new Error('db down');
    }
    await expect(buffer(ledgerXlsx(failing(), ctx, meta))).rejects.toThrow('db down');
  });
});
