import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configuredOrg } from './configured';
import { DEMO_ORG_FILE, demoCountyNodes } from './demoCounty';
import { OrgFileError, formatOrgFile, formatProblem, loadOrgFile, parseOrgFile } from './orgFile';

/** A small valid county; tests break one line of it. */
const GOOD = `# 测试县
version: 1
county: 测试县
nodes:
  - id: county
    name: 测试县县委督查室
    kind: county-office
    leader: 县委副书记 王某
    contacts:
      phone: "0370-1234567"
      email: dcs@test.example.cn
  - id: township-a
    name: 甲镇
    kind: township
    parent: county
  - id: unit-001
    name: 县财政局
    kind: unit
    parent: county
    code: "001"
`;

function problems(text: string) {
  const parsed = parseOrgFile(text, 'org.yaml');
  if (parsed.ok) throw new Error('expected problems');
  return parsed.problems.map(formatProblem);
}

describe('org.yaml', () => {
  it('loads a valid file with its leaders, codes and contacts', () => {
    const parsed = parseOrgFile(GOOD, 'org.yaml');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.county).toBe('测试县');
    expect(parsed.tree.get('county')).toEqual({
      id: 'county',
      name: '测试县县委督查室',
      kind: 'county-office',
      parentId: null,
      leader: '县委副书记 王某',
      contacts: { phone: '0370-1234567', email: 'dcs@test.example.cn' },
    });
    expect(parsed.tree.get('unit-001')).toMatchObject({ parentId: 'county', code: '001' });
  });

  it('names the line of a cycle', () => {
    const text = GOOD.replace(
      '    code: "001"\n',
      '    code: "001"\n  - id: unit-002\n    name: 县某站\n    kind: unit\n    parent: unit-003\n  - id: unit-003\n    name: 县某所\n    kind: unit\n    parent: unit-002\n',
    );
    expect(problems(text)).toEqual([
      'org.yaml:24 nodes[3].parent: 上级关系成环：县某站 → 县某所 → 县某站 / the parents form a cycle: unit-002 → unit-003 → unit-002',
    ]);
  });

  it('names the line of a unit under a missing parent', () => {
    expect(
      problems(GOOD.replace('    parent: county\n    code', '    parent: township-b\n    code')),
    ).toEqual([
      'org.yaml:19 nodes[2].parent: 上级单位“township-b”不存在 / unknown parent "township-b": no node has that id',
    ]);
  });

  it('names both lines of two units with one id', () => {
    const text = GOOD.replace('  - id: township-a', '  - id: unit-001');
    expect(problems(text)).toEqual([
      'org.yaml:16 nodes[2].id: 编号“unit-001”重复（第 12 行已用） / duplicate id "unit-001" (first at line 12)',
    ]);
  });

  it('needs exactly one county office', () => {
    expect(problems(GOOD.replace('kind: county-office', 'kind: township'))).toEqual([
      'org.yaml:5 nodes: 没有县委督查室（kind: county-office），必须恰好一个 / no county office (kind: county-office): exactly one is needed',
      'org.yaml:5 nodes[0]: “测试县县委督查室”缺少上级单位（parent） / "county" has no parent: a township needs one',
      'org.yaml:15 nodes[1].parent: 乡镇（township）的上级只能是县委督查室（county-office），“测试县县委督查室”是乡镇（township） / a township\'s parent cannot be a township ("county"): only county-office',
    ]);
    const two = GOOD.replace('    kind: township\n', '    kind: county-office\n');
    expect(problems(two)[0]).toBe(
      'org.yaml:14 nodes[1].kind: 第二个县委督查室（第 5 行已有一个），必须恰好一个 / a second county office (the first at line 5): exactly one is allowed',
    );
  });

  it('reports every schema problem at once, each at its line, and loads nothing', () => {
    const text = GOOD.replace('id: township-a', 'id: Township A')
      .replace('kind: unit', 'kind: 县直单位')
      .replace('code: "001"', 'code: 001')
      .replace('    parent: county\n    code', '    parnet: county\n    code');
    expect(problems(text)).toEqual([
      'org.yaml:12 nodes[1].id: “Township A”不是合法编号：编号只能用小写字母、数字和“-”，以字母开头，2–63 个字符 / "Township A": lower-case letters, digits and "-", starting with a letter, 2–63 characters',
      'org.yaml:16 nodes[2]: 不认识的字段 parnet（拼写错误？） / unknown key parnet (a typo?)',
      'org.yaml:18 nodes[2].kind: “县直单位”不是单位类型，应为 city, county-office, township, unit 之一 / "县直单位" is not a kind: one of city, county-office, township, unit',
      'org.yaml:20 nodes[2].code: 应为文字，数字请加引号（如 "1"） / expected text: quote numbers ("1")',
    ]);
  });

  it('names the line of a YAML syntax error and of an unsupported version', () => {
    expect(problems(GOOD.replace('    name: 甲镇\n', '    name: [甲镇\n'))[0]).toMatch(
      /^org\.yaml:14 YAML 格式错误 \/ YAML: /,
    );
    expect(problems('# 还没写\n')).toEqual([
      'org.yaml:1 文件是空的，应以 version: 1 开始 / the file is empty: it starts with version: 1',
    ]);
    expect(problems('- id: county\n')).toEqual(['org.yaml:1 类型不对，应为 object / expected object']);
    expect(problems(GOOD.replace('version: 1', 'version: 2'))).toEqual([
      'org.yaml:2 version: 不支持的版本 2，应为 version: 1 / unsupported version: expected 1',
    ]);
  });

  it('throws one line from loadOrgFile, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'duban-org-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const bad = join(dir, 'org.yaml');
    writeFileSync(bad, GOOD.replace('parent: county\n    code', 'parent: nowhere\n    code'));
    expect(() => loadOrgFile(bad, 'org.yaml')).toThrow(OrgFileError);
    expect(() => configuredOrg({ DUBAN_ORG: 'org.yaml' }, dir)).toThrow(
      /^org\.yaml:19 nodes\[2\]\.parent: 上级单位“nowhere”不存在/,
    );
    expect(() => configuredOrg({ DUBAN_ORG: 'missing.yaml' }, dir)).toThrow(
      'missing.yaml 文件不存在 / no such file',
    );
    writeFileSync(bad, GOOD);
    expect(configuredOrg({ DUBAN_ORG: 'org.yaml' }, dir).size).toBe(3);
    expect(configuredOrg({}, dir).size).toBe(114); // the demo county and its city
  });

  it('writes files that read back to the same nodes (the demo county is one)', () => {
    const demo = demoCountyNodes();
    expect(loadOrgFile(DEMO_ORG_FILE).all()).toEqual(demo);
    const again = parseOrgFile(formatOrgFile(demo, { county: '睢县' }), 'again.yaml');
    expect(again.ok && again.nodes).toEqual(demo);
    expect(demo.filter((n) => n.kind !== 'city').every((n) => n.leader)).toBe(true);
  });
});
