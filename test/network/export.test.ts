import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@duban/testing';
// test/ has no exceljs of its own: the tasks service's read-back helpers bring it.
import { parseCsv, readXlsx } from '../../services/tasks/src/export/readBack';
import { TestNetwork } from './harness';

type Item = { id: string; title: string; assignee: string; noticeNo: string };

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const HEADERS = [
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
];
const col = (h: string) => HEADERS.indexOf(h);

interface Download {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

/** Beijing wall time of an instant, as Excel shows it (in the Date's UTC fields). */
const wall = (iso: string) => new Date(new Date(iso).getTime() + 8 * HOUR);

describe('ledger export over HTTP (embedded)', () => {
  // Monday 2 March 2026, 09:00 Beijing time.
  const start = new Date('2026-03-02T01:00:00Z').getTime();
  const net = new TestNetwork({ kind: 'embedded' }, 'net_export', new Date(start).toISOString());
  const at = (ms: number) => new Date(start + ms).toISOString();

  const download = async (node: string, path: string): Promise<Download> => {
    const response = await fetch(`${net.nodes.get(node)!.url}/nodes/${node}${path}`, {
      headers: await net.signIn.headers(node),
    });
    return {
      status: response.status,
      headers: response.headers,
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  };
  /** The CSV body without its BOM, checked strictly as RFC 4180. */
  const csvRecords = (d: Download) => {
    expect([...d.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    return parseCsv(new TextDecoder('utf-8', { fatal: true }).decode(d.bytes.subarray(3)));
  };
  const fileName = (d: Download) => {
    const m = /filename\*=UTF-8''([^;\s]+)/.exec(d.headers.get('content-disposition') ?? '');
    return m ? decodeURIComponent(m[1]!) : undefined;
  };

  // In deadline order (the ledger's order). The first turns red, the second yellow.
  const specs = [
    {
      title: '=HYPERLINK("http://example.com/x","点我")',
      kind: 'petition',
      source: 'county-leader',
      assignee: 'unit-001',
      deadline: at(1 * HOUR),
    },
    {
      title: '推进产业集聚区标准化厂房建设',
      kind: 'annual-target',
      source: 'annual-plan',
      mustSupervise: ['annual-target', 'county-wide-impact'],
      priority: 'urgent',
      leader: '张副县长',
      responsiblePerson: '王局长',
      assignee: 'unit-002',
      coUnits: ['unit-001'],
      deadline: at(2 * DAY),
    },
    {
      title: '@县长批示：加快老旧小区改造',
      kind: 'leader-instruction',
      source: 'county-leader',
      assignee: 'unit-002',
      deadline: at(10 * DAY),
    },
    {
      title: '+86热线反映：供暖不热',
      kind: 'hotline',
      source: 'city-hotline',
      assignee: 'unit-001',
      deadline: at(20 * DAY),
    },
    {
      title: '修路, "村村通"工程\n第二期',
      kind: 'project',
      source: 'meeting',
      assignee: 'unit-001',
      deadline: at(30 * DAY),
    },
  ];
  const items: Item[] = [];

  beforeAll(async () => {
    for (const id of ['county', 'unit-001', 'unit-002']) await net.start(id);
    for (const spec of specs) {
      const r = await net.call<{ item: Item }>('county', 'POST', '/tasks/items', spec);
      expect(r.status).toBe(201);
      items.push(r.body.item);
    }
    net.clock.advance(2 * HOUR); // 11:00: the first item is overdue (red), the second within 3 days (yellow)
  });
  afterAll(() => net.close());

  it('exports the whole ledger as a real .xlsx workbook', async () => {
    const d = await download('county', '/tasks/export.xlsx');
    expect(d.status).toBe(200);
    expect(d.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(fileName(d)).toBe('督查工作台帐-睢县县委督查室-20260302.xlsx');
    expect(d.headers.get('content-disposition')).toMatch(
      /^attachment; filename="ledger-county-20260302\.xlsx"; /,
    );
    expect(d.headers.get('transfer-encoding')).toBe('chunked'); // streamed, not buffered whole

    const wb = await readXlsx(d.bytes);
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('督查工作台帐');
    expect(ws.getCell('A1').value).toBe('督查工作台帐　睢县县委督查室（导出时间：2026-03-02 11:00）');
    expect(ws.model.merges).toEqual(['A1:W1']);
    expect((ws.getRow(2).values as unknown[]).slice(1)).toEqual(HEADERS);
    expect(ws.getCell('A2').font.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(ws.autoFilter).toBe('A2:W7');
    expect(ws.rowCount).toBe(2 + specs.length);

    const cell = (row: number, header: string) => ws.getCell(3 + row, col(header) + 1);
    expect(specs.map((_, i) => cell(i, '事项名称').value)).toEqual(specs.map((s) => s.title));
    expect(specs.map((_, i) => cell(i, '督办编号').value)).toEqual(items.map((i) => i.noticeNo));
    expect(cell(0, '事项名称').formula).toBeUndefined(); // text, never run as a formula
    expect(cell(1, '类别').value).toBe('年度目标任务');
    expect(cell(1, '来源').value).toBe('年度计划');
    expect(cell(1, '五必督').value).toBe('年度目标任务、全局性重大事项');
    expect(cell(1, '紧急程度').value).toBe('特急');
    expect(cell(1, '分包领导').value).toBe('张副县长');
    expect(cell(1, '交办单位').value).toBe('睢县县委督查室');
    expect(cell(1, '责任单位').value).toBe('县人大常委会办公室');
    expect(cell(1, '协办单位').value).toBe('县委办公室');
    expect(cell(1, '责任人').value).toBe('王局长');
    expect(cell(1, '当前状态').value).toBe('已交办');
    expect(cell(4, '序号').value).toBe(5);

    const deadline = cell(0, '办结时限');
    expect(deadline.value).toEqual(wall(specs[0]!.deadline)); // 2026-03-02 10:00 Beijing
    expect(deadline.numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(cell(0, '交办日期').value).toEqual(wall(at(0)));

    const lights = specs.map((_, i) => cell(i, '红黄绿灯'));
    expect(lights.map((c) => c.value)).toEqual(['红灯', '黄灯', '绿灯', '绿灯', '绿灯']);
    const argb = (c: (typeof lights)[number]) => (c.fill as { fgColor?: { argb?: string } }).fgColor?.argb;
    expect(lights.map(argb)).toEqual(['FFFF0000', 'FFFFFF00', 'FF00B050', 'FF00B050', 'FF00B050']);
  });

  it('exports the same rows as CSV: BOM, CRLF, RFC 4180 quoting, formula guard', async () => {
    const d = await download('county', '/tasks/export.csv');
    expect(d.status).toBe(200);
    expect(d.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(fileName(d)).toBe('督查工作台帐-睢县县委督查室-20260302.csv');
    const records = csvRecords(d);
    expect(records[0]).toEqual(HEADERS);
    expect(records).toHaveLength(1 + specs.length);
    expect(records.every((r) => r.length === HEADERS.length)).toBe(true);

    const titles = records.slice(1).map((r) => r[col('事项名称')]);
    expect(titles).toEqual([
      `'=HYPERLINK("http://example.com/x","点我")`,
      '推进产业集聚区标准化厂房建设',
      "'@县长批示：加快老旧小区改造",
      "'+86热线反映：供暖不热",
      '修路, "村村通"工程\n第二期',
    ]);
    const raw = d.bytes.toString('utf8');
    expect(raw).toContain(`,"'=HYPERLINK(""http://example.com/x"",""点我"")",`);
    expect(raw).toContain(',"修路, ""村村通""工程\n第二期",');
    expect(raw.replace(/"[^"]*(?:""[^"]*)*"/g, '').split('\r\n')).toHaveLength(specs.length + 2); // CRLF ends
    expect(records[2]![col('办结时限')]).toBe('2026-03-04 09:00');
    expect(records[2]![col('责任单位')]).toBe('县人大常委会办公室');
    expect(records[1]![col('红黄绿灯')]).toBe('红灯');
  });

  it('applies the ledger’s filters', async () => {
    const rowsOf = async (query: string) =>
      csvRecords(await download('county', `/tasks/export.csv?${query}`))
        .slice(1)
        .map((r) => r[col('督办编号')]);
    const no = (...i: number[]) => i.map((k) => items[k]!.noticeNo);
    expect(await rowsOf('assignee=unit-001')).toEqual(no(0, 3, 4));
    expect(await rowsOf('light=red')).toEqual(no(0));
    expect(await rowsOf('light=yellow,red&assignee=unit-002')).toEqual(no(1));
    expect(await rowsOf('kind=hotline,petition')).toEqual(no(0, 3));
    expect(await rowsOf(`q=${encodeURIComponent('村村通')}`)).toEqual(no(4));
    expect(await rowsOf('overdue=false&source=county-leader')).toEqual(no(2));

    const wb = await readXlsx((await download('county', '/tasks/export.xlsx?assignee=unit-002')).bytes);
    const ws = wb.worksheets[0]!;
    expect(ws.rowCount).toBe(4);
    expect([3, 4].map((r) => ws.getCell(r, col('责任单位') + 1).value)).toEqual([
      '县人大常委会办公室',
      '县人大常委会办公室',
    ]);
  });

  it('refuses a bad filter with 400 request.invalid, and a node not served here with 404', async () => {
    for (const path of [
      '/tasks/export.csv?kind=picnic',
      '/tasks/export.xlsx?scope=everything',
      '/tasks/export.xlsx?overdue=maybe',
      '/tasks/export.csv?assignee=NOT%20A%20NODE',
    ]) {
      const d = await download('county', path);
      expect(d.status, path).toBe(400);
      expect(JSON.parse(d.bytes.toString('utf8')).error.code, path).toBe('request.invalid');
    }
    const response = await fetch(`${net.nodes.get('county')!.url}/nodes/unit-001/tasks/export.csv`, {
      headers: await net.signIn.headers('county'),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('node.not_hosted');
  });

  it('documents both downloads in the OpenAPI description', async () => {
    const doc = (await (await fetch(`${net.nodes.get('county')!.url}/docs/json`)).json()) as {
      paths: Record<string, { get?: { parameters?: Array<{ name: string; in: string }> } }>;
    };
    for (const ext of ['xlsx', 'csv']) {
      const params = doc.paths[`/nodes/{nodeId}/tasks/export.${ext}`]?.get?.parameters ?? [];
      const query = params.filter((p) => p.in === 'query').map((p) => p.name);
      expect(query).toEqual(expect.arrayContaining(['scope', 'kind', 'status', 'assignee', 'light', 'q']));
      expect(query).not.toContain('limit');
      expect(query).not.toContain('cursor');
    }
  });

  it('exports a unit’s own ledger under its own name', async () => {
    // Its three items, and the one it co-handles (协办) for unit-002.
    await eventually('unit-001’s ledger has its four items', async () => {
      const r = await net.call<{ items: Item[] }>('unit-001', 'GET', '/tasks/items');
      return r.body.items.length === 4;
    });
    const all = csvRecords(await download('unit-001', '/tasks/export.csv'));
    expect(
      all
        .slice(1)
        .map((r) => r[col('督办编号')])
        .sort(),
    ).toEqual([0, 1, 3, 4].map((k) => items[k]!.noticeNo).sort());
    expect(all.slice(1).find((r) => r[col('督办编号')] === items[1]!.noticeNo)?.[col('协办单位')]).toBe(
      '县委办公室',
    );
    const d = await download('unit-001', '/tasks/export.csv?assignee=unit-001');
    expect(fileName(d)).toBe('督查工作台帐-县委办公室-20260302.csv');
    const records = csvRecords(d);
    expect(records.slice(1).map((r) => r[col('督办编号')])).toEqual([0, 3, 4].map((k) => items[k]!.noticeNo));
    expect(records.slice(1).every((r) => r[col('责任单位')] === '县委办公室')).toBe(true);
  });
});
