import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'duban-org-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeRoster(name: string, rows: Array<Array<string | null>>): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('名录');
  sheet.addRow(['梧桐县单位名录']);
  sheet.addRow(['单位名称', '类型', '上级单位', '编码', '分管领导']);
  for (const r of rows) sheet.addRow(r);
  const path = join(dir, name);
  await workbook.xlsx.writeFile(path);
  return path;
}

const ROWS: Array<Array<string | null>> = [
  ['梧桐县县委督查室', '县委督查室', null, null, '县委副书记 林志远'], // row 3
  ['梧桐镇', '乡镇', null, 'wt01', '副县长 许静'], // row 4
  ['东岭乡', '乡镇', null, 'wt02', '副县长 许静'], // row 5
  ['县财政局', '县直单位', null, null, '常务副县长 高明'], // row 6
  ['县教育局', '县直单位', null, null, '副县长 许静'], // row 7
  ['梧桐镇农技站', '乡镇站所', '梧桐镇', null, null], // row 8
];

/** The test's environment without a database or brokers: `pnpm start` as a county would run it. */
function hostEnv(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, KAFKA_BROKERS: _kafka, ...env } = process.env;
  return env;
}

async function cli(...argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runCli(argv, (line) => lines.push(line), {});
  return { code, lines };
}

describe('pnpm duban org', () => {
  it('imports a roster with two bad rows: both named, nothing written', async () => {
    const rows = ROWS.map((r) => [...r]);
    rows[2]![2] = '城关镇2'; // row 5: a parent that is not in the roster
    rows[5]![1] = '村委会'; // row 8: no such kind
    const roster = await writeRoster('bad.xlsx', rows);
    const target = join(dir, 'bad-org.yaml');
    const { code, lines } = await cli('org', 'import', roster, '--out', target);
    expect(code).toBe(1);
    expect(lines).toEqual([
      `${roster} 第5行 上级单位: 未找到“城关镇2” / row 5, 上级单位: no unit named or coded "城关镇2"`,
      `${roster} 第8行 类型: 不认识“村委会”，应为 县委督查室、乡镇、县直单位、市委督查室 之一 / row 8, 类型: unknown kind "村委会": one of 县委督查室、乡镇、县直单位、市委督查室`,
      `2 处问题，未写入 ${target} / 2 problems: nothing written`,
    ]);
    expect(existsSync(target)).toBe(false);
  });

  it('imports a good roster, then checks and shows the file it wrote', async () => {
    const roster = await writeRoster('good.xlsx', ROWS);
    const target = join(dir, 'org.yaml');
    const imported = await cli('org', 'import', roster, '--out', target);
    expect(imported.code).toBe(0);
    expect(imported.lines[0]).toBe(
      `${target}: 6 个节点：县委督查室 1、乡镇 2、县直单位 3 / 6 nodes: 1 county office, 2 townships, 3 units`,
    );
    expect(readFileSync(target, 'utf8')).toContain('county: 梧桐县');
    // Never over an existing file unless asked.
    await expect(cli('org', 'import', roster, '--out', target)).rejects.toThrow(/exists/);
    expect((await cli('org', 'import', roster, '--out', target, '--force')).code).toBe(0);

    expect(await cli('org', 'check', target)).toEqual({
      code: 0,
      lines: [
        `${target}: 6 个节点：县委督查室 1、乡镇 2、县直单位 3 / 6 nodes: 1 county office, 2 townships, 3 units / ok`,
      ],
    });
    const shown = await cli('org', 'show', '--org', target);
    expect(shown.lines.slice(0, 6)).toEqual([
      '梧桐县县委督查室  county  （分管 县委副书记 林志远）',
      '  梧桐镇  township-wt01  （编码 wt01；分管 副县长 许静）',
      '    梧桐镇农技站  unit-003',
      '  东岭乡  township-wt02  （编码 wt02；分管 副县长 许静）',
      '  县财政局  unit-001  （分管 常务副县长 高明）',
      '  县教育局  unit-002  （分管 副县长 许静）',
    ]);
  });

  it('makes keys for the county of DUBAN_ORG by default', async () => {
    const lines: string[] = [];
    const wutong = join(ROOT, 'test/fixtures/wutong/org.yaml');
    expect(
      await runCli(['keys', 'init', '--out', join(dir, 'keys')], (l) => lines.push(l), { DUBAN_ORG: wutong }),
    ).toBe(0);
    expect(lines[0]).toMatch(/^keys for 9 nodes;/);
    expect(existsSync(join(dir, 'keys/private/unit-wt-agri.pem'))).toBe(true);
  });

  it('checks a bad file: every problem with its line, exit 1', async () => {
    const bad = join(dir, 'cycle.yaml');
    writeFileSync(
      bad,
      [
        'version: 1',
        'nodes:',
        '  - { id: county, name: 县委督查室, kind: county-office }',
        '  - { id: unit-a, name: 甲, kind: unit, parent: unit-b }',
        '  - { id: unit-b, name: 乙, kind: unit, parent: unit-a }',
        '  - { id: unit-c, name: 丙, kind: unit, parent: unit-z }',
        '',
      ].join('\n'),
    );
    expect(await cli('org', 'check', bad)).toEqual({
      code: 1,
      lines: [
        `${bad}:4 nodes[1].parent: 上级关系成环：甲 → 乙 → 甲 / the parents form a cycle: unit-a → unit-b → unit-a`,
        `${bad}:6 nodes[3].parent: 上级单位“unit-z”不存在 / unknown parent "unit-z": no node has that id`,
        `${bad}: 2 处问题 / 2 problems`,
      ],
    });
  });

  it('fails `pnpm start` on a bad DUBAN_ORG with one line naming the file, the line and the problem', () => {
    const bad = join(dir, 'start.yaml');
    writeFileSync(
      bad,
      'version: 1\nnodes:\n  - id: county\n    name: 县委督查室\n    kind: county-office\n    parnet: city\n',
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'services/host/src/main.ts')], {
      cwd: ROOT,
      env: { ...hostEnv(), DUBAN_ORG: bad, DUBAN_DATA_DIR: join(dir, 'data'), PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `duban failed to start: ${bad}:3 nodes[0]: 不认识的字段 parnet（拼写错误？） / unknown key parnet (a typo?)`,
    ]);
    // It failed before anything started: no embedded database was made.
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });
});
