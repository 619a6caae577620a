import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { parseOrgFile } from './orgFile';
import { formatRosterProblem, importRoster } from './roster';

type Cells = Array<string | number | null>;

/** A roster as an office keeps it: a title row, then the header, then one row per unit. */
async function roster(
  rows: Cells[],
  header: Cells = ['序号', '单位名称', '类型', '上级单位', '编码', '分管领导', '联系电话'],
) {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('单位名录');
  sheet.addRow(['梧桐县督办单位名录（2026年）']);
  sheet.addRow(header);
  rows.forEach((r, i) => sheet.addRow([i + 1, ...r]));
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

const GOOD: Cells[] = [
  ['梧桐县县委督查室', '县委督查室', null, 411499, '县委副书记 林志远', '0371-6000001'],
  ['梧桐镇', '乡镇', '梧桐县县委督查室', '411499100', '常务副县长 高明', null],
  ['东岭乡', '乡', null, null, '副县长 许静', null],
  ['南湖镇', '镇', '411499', null, null, null],
  ['县财政局', '县直单位', null, null, '常务副县长 高明', null],
  ['县教育局', '县直部门', null, null, null, null],
  ['梧桐镇农技站', '乡镇站所', '梧桐镇', null, null, null],
  ['县卫生健康委员会', '县直单位', null, 'WT-05', null, null],
];

describe('the roster import', () => {
  it('turns the office’s roster into org.yaml nodes, with ids as documented', async () => {
    const result = await importRoster(await roster(GOOD), { source: 'roster.xlsx' });
    if (!result.ok) throw new Error(result.problems.map(formatRosterProblem).join('\n'));
    expect(result.county).toBe('梧桐县');
    expect(result.nodes.map((n) => [n.id, n.name, n.kind, n.parentId])).toEqual([
      ['county', '梧桐县县委督查室', 'county-office', null],
      ['township-411499100', '梧桐镇', 'township', 'county'],
      ['township-02', '东岭乡', 'township', 'county'],
      ['township-03', '南湖镇', 'township', 'county'],
      ['unit-001', '县财政局', 'unit', 'county'],
      ['unit-002', '县教育局', 'unit', 'county'],
      ['unit-003', '梧桐镇农技站', 'unit', 'township-411499100'],
      ['unit-wt-05', '县卫生健康委员会', 'unit', 'county'],
    ]);
    expect(result.nodes[0]).toMatchObject({
      code: '411499',
      leader: '县委副书记 林志远',
      contacts: { phone: '0371-6000001' },
    });
    const written = parseOrgFile(result.yaml, 'org.yaml');
    expect(written.ok && written.nodes).toEqual(result.nodes);
    expect(result.yaml).toContain('由 roster.xlsx 导入');
  });

  it('puts the office under the city when the roster lists one, and reads the header words it knows', async () => {
    const result = await importRoster(
      await roster(
        [
          ['商丘市委督查室', '市级', null],
          ['梧桐县委县政府督查室', '督查室', null],
          ['县财政局', '县直部门', '梧桐县委县政府督查室'],
        ],
        ['序号', '名称', '单位类型', '主管单位'],
      ),
    );
    expect(result.ok && result.nodes.map((n) => [n.id, n.kind, n.parentId])).toEqual([
      ['city', 'city', null],
      ['county', 'county-office', 'city'],
      ['unit-001', 'unit', 'county'],
    ]);
  });

  it('names the row and column of every bad row at once', async () => {
    const rows = [...GOOD];
    rows[2] = ['东岭乡', '乡', '城关镇2', null, null, null]; // sheet row 5
    rows[5] = ['县供销社', '合作社', null, null, null, null]; // sheet row 8
    const result = await importRoster(await roster(rows));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map(formatRosterProblem)).toEqual([
      '第5行 上级单位: 未找到“城关镇2” / row 5, 上级单位: no unit named or coded "城关镇2"',
      '第8行 类型: 不认识“合作社”，应为 县委督查室、乡镇、县直单位、市委督查室 之一 / row 8, 类型: unknown kind "合作社": one of 县委督查室、乡镇、县直单位、市委督查室',
    ]);
  });

  it('refuses duplicates, cycles, a second office and a missing column, by row', async () => {
    const rows: Cells[] = [
      ...GOOD,
      ['县财政局', '县直单位', null, null, null, null], // row 11
      ['甲站', '站所', '乙站', null, null, null], // row 12
      ['乙站', '站所', '甲站', null, null, null], // row 13
      ['另一个督查室', '督查室', null, null, null, null], // row 14
      ['县水利局', '县直单位', null, 'wt 05', null, null], // row 15: the same id as WT-05
    ];
    const result = await importRoster(await roster(rows));
    expect(!result.ok && result.problems.map(formatRosterProblem)).toEqual([
      '第11行 单位名称: “县财政局”与第7行重复 / row 11, 单位名称: "县财政局" is also row 7',
      '第12行 上级单位: 上级关系成环：甲站 → 乙站 → 甲站 / row 12, 上级单位: the parents form a cycle: unit-006 → unit-007 → unit-006',
      '第14行 类型: 第二个县委督查室（第3行已有一个），必须恰好一个 / row 14, 类型: a second county office (the first at row 3): exactly one is allowed',
      "第15行 编码: 生成的编号 unit-wt-05 与第10行相同，请给其中一行填写或修改编码 / row 15, 编码: its id unit-wt-05 is also row 10's: give one of them another 编码",
    ]);
    const noKind = await importRoster(await roster([['梧桐县县委督查室']], ['单位名称', '分管领导']));
    expect(!noKind.ok && noKind.problems.map(formatRosterProblem)).toEqual([
      '第2行: 缺少“类型”列 / row 2: no 类型 column',
    ]);
    const noOffice = await importRoster(await roster([GOOD[4]!]));
    expect(!noOffice.ok && noOffice.problems.map(formatRosterProblem)).toEqual([
      '没有类型为“县委督查室”的行，必须恰好一行 / no row of kind 县委督查室: exactly one is needed',
    ]);
    const notXlsx = await importRoster(new TextEncoder().encode('单位名称,类型\n'));
    expect(!notXlsx.ok && notXlsx.problems[0]!.zh).toBe('不是有效的 .xlsx 文件');
  });
});
