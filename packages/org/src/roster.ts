import ExcelJS from 'exceljs';
import type { Cell, Worksheet } from 'exceljs';
import { z } from 'zod';
import { checkTree, formatOrgFile, parseOrgFile } from './orgFile';
import type { OrgKind, OrgNode } from './tree';

/**
 * Reads the roster (单位名录) a county office keeps as .xlsx into the nodes of an org.yaml
 * (ADR 0024). Every problem names its row and column; any problem and nothing is produced.
 *
 * Ids: the county office is `county`, the city `city`. A township or unit with a 编码 is
 * `township-<编码>` / `unit-<编码>` (lower case, anything but letters and digits becomes "-");
 * without one it is numbered by its place among the rows of its kind: township-01, unit-001. Give
 * 编码 for ids that survive a re-import of a reordered roster; once imported, org.yaml is the record.
 */

export interface RosterProblem {
  /** 1-based sheet row; absent for the file as a whole. */
  row?: number;
  /** The column's header, as the roster spells it. */
  column?: string;
  zh: string;
  en: string;
}

export function formatRosterProblem(p: RosterProblem): string {
  if (p.row === undefined) return `${p.column ? `${p.column}: ` : ''}${p.zh} / ${p.en}`;
  const col = p.column ? ` ${p.column}` : '';
  return `第${p.row}行${col}: ${p.zh} / row ${p.row}${p.column ? `, ${p.column}` : ''}: ${p.en}`;
}

export type RosterImport =
  | { ok: true; nodes: OrgNode[]; county: string | undefined; yaml: string }
  | { ok: false; problems: RosterProblem[] };

type Field = 'name' | 'kind' | 'parent' | 'code' | 'leader' | 'phone' | 'address' | 'email';

/** Header words the column is known by (compared without spaces, brackets or a trailing *). */
const HEADERS: Record<Field, readonly string[]> = {
  name: ['单位名称', '名称', '单位', '机构名称'],
  kind: ['类型', '单位类型', '级别', '层级', '类别'],
  parent: ['上级单位', '上级', '主管单位', '上级单位名称', '上级单位编码', '所属单位'],
  code: ['编码', '单位编码', '代码', '单位代码', '机构代码', '编号'],
  leader: ['分管领导', '分管县领导', '联系县领导', '分管负责人'],
  phone: ['联系电话', '电话', '办公电话'],
  address: ['地址', '办公地址', '通讯地址'],
  email: ['邮箱', '电子邮箱', '电子邮件', 'email'],
};
const REQUIRED: readonly Field[] = ['name', 'kind'];

/** The common words for each kind. */
const KIND_WORDS: Record<OrgKind, readonly string[]> = {
  city: ['市委督查室', '市督查室', '市级', '市', '市委', '上级督查部门', 'city'],
  'county-office': [
    '县委督查室',
    '督查室',
    '县督查室',
    '县委县政府督查室',
    '县政府督查室',
    '县委办督查室',
    '督查局',
    'county-office',
  ],
  township: ['乡镇', '乡', '镇', '街道', '乡镇街道', '乡镇（街道）', '街道办事处', '乡镇政府', 'township'],
  unit: [
    '县直单位',
    '县直部门',
    '县直',
    '部门',
    '单位',
    '县属单位',
    '驻县单位',
    '站所',
    '乡镇站所',
    '二级单位',
    '县直机关',
    'unit',
  ],
};
const KIND_HINT = '县委督查室、乡镇、县直单位、市委督查室';

const normalise = (s: string) =>
  s
    .replace(/[\s*＊]/g, '')
    .replace(/[(（].*?[)）]$/, '')
    .toLowerCase();

function kindOf(word: string): OrgKind | undefined {
  const w = word.replace(/\s/g, '').toLowerCase();
  for (const [kind, words] of Object.entries(KIND_WORDS) as Array<[OrgKind, readonly string[]]>)
    if (words.some((k) => k === w || normalise(k) === normalise(w))) return kind;
  return undefined;
}

function text(cell: Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'richText' in v)
    return v.richText
      .map((r) => r.text)
      .join('')
      .trim();
  return cell.text.trim();
}

interface Row {
  row: number;
  name: string;
  kind: OrgKind | undefined;
  parent: string;
  code: string;
  leader: string;
  contacts: { phone?: string; address?: string; email?: string };
}

/** The header row: the first of the top ten naming a unit-name column (a title may sit above it). */
function findHeader(
  sheet: Worksheet,
): { row: number; columns: Map<Field, { col: number; header: string }> } | undefined {
  for (let r = 1; r <= Math.min(10, sheet.rowCount); r++) {
    const columns = new Map<Field, { col: number; header: string }>();
    sheet.getRow(r).eachCell((cell, col) => {
      const header = text(cell);
      const h = normalise(header);
      for (const [field, words] of Object.entries(HEADERS) as Array<[Field, readonly string[]]>)
        if (!columns.has(field) && words.some((w) => normalise(w) === h)) columns.set(field, { col, header });
    });
    if (columns.has('name')) return { row: r, columns };
  }
  return undefined;
}

/** Reads a roster .xlsx (its bytes) into org.yaml nodes, or every problem it has. */
export async function importRoster(
  xlsx: Uint8Array,
  options: { source?: string } = {},
): Promise<RosterImport> {
  const problems: RosterProblem[] = [];
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(xlsx as unknown as ArrayBuffer);
  } catch (error) {
    return {
      ok: false,
      problems: [
        { zh: '不是有效的 .xlsx 文件', en: `not a readable .xlsx file (${(error as Error).message})` },
      ],
    };
  }
  const sheet = workbook.worksheets.find((s) => s.actualRowCount > 0);
  const header = sheet && findHeader(sheet);
  if (!sheet || !header)
    return {
      ok: false,
      problems: [
        {
          zh: `前 10 行里找不到表头（需要“单位名称”“类型”列）`,
          en: 'no header row in the first 10 rows (columns 单位名称 and 类型 are needed)',
        },
      ],
    };
  const { columns } = header;
  for (const field of REQUIRED)
    if (!columns.has(field))
      problems.push({
        row: header.row,
        zh: `缺少“${HEADERS[field][0]}”列`,
        en: `no ${HEADERS[field][0]} column`,
      });
  if (problems.length > 0) return { ok: false, problems };
  const column = (field: Field) => columns.get(field)?.header ?? HEADERS[field][0]!;

  const rows: Row[] = [];
  for (let r = header.row + 1; r <= sheet.rowCount; r++) {
    const sheetRow = sheet.getRow(r);
    const get = (field: Field) => {
      const c = columns.get(field);
      return c ? text(sheetRow.getCell(c.col)) : '';
    };
    const values = (Object.keys(HEADERS) as Field[]).map(get);
    if (values.every((v) => v === '')) continue; // blank lines between blocks
    const kindWord = get('kind');
    const row: Row = {
      row: r,
      name: get('name'),
      kind: kindOf(kindWord),
      parent: get('parent'),
      code: get('code'),
      leader: get('leader'),
      contacts: Object.fromEntries(
        (['phone', 'address', 'email'] as const).map((f) => [f, get(f)]).filter(([, v]) => v !== ''),
      ),
    };
    if (!row.name) problems.push({ row: r, column: column('name'), zh: '不能为空', en: 'required' });
    if (!kindWord) problems.push({ row: r, column: column('kind'), zh: '不能为空', en: 'required' });
    else if (!row.kind)
      problems.push({
        row: r,
        column: column('kind'),
        zh: `不认识“${kindWord}”，应为 ${KIND_HINT} 之一`,
        en: `unknown kind "${kindWord}": one of ${KIND_HINT}`,
      });
    // The same rule org.yaml applies, so an imported file always loads.
    if (row.contacts.email && !z.email().safeParse(row.contacts.email).success)
      problems.push({
        row: r,
        column: column('email'),
        zh: `“${row.contacts.email}”不是邮箱地址`,
        en: `"${row.contacts.email}" is not an email address`,
      });
    rows.push(row);
  }
  if (rows.length === 0)
    return { ok: false, problems: [{ zh: '表中没有单位', en: 'the roster lists no units' }] };

  const byName = new Map<string, Row>();
  const byCode = new Map<string, Row>();
  for (const row of rows) {
    const sameName = row.name ? byName.get(row.name) : undefined;
    if (sameName)
      problems.push({
        row: row.row,
        column: column('name'),
        zh: `“${row.name}”与第${sameName.row}行重复`,
        en: `"${row.name}" is also row ${sameName.row}`,
      });
    else if (row.name) byName.set(row.name, row);
    const sameCode = row.code ? byCode.get(row.code) : undefined;
    if (sameCode)
      problems.push({
        row: row.row,
        column: column('code'),
        zh: `编码“${row.code}”与第${sameCode.row}行重复`,
        en: `code "${row.code}" is also row ${sameCode.row}`,
      });
    else if (row.code) byCode.set(row.code, row);
  }

  // Ids, as the header comment says.
  const ids = new Map<Row, string>();
  const rowById = new Map<string, Row>();
  const ordinal: Partial<Record<OrgKind, number>> = {};
  for (const row of rows) {
    if (!row.kind) continue;
    const n = (ordinal[row.kind] = (ordinal[row.kind] ?? 0) + 1);
    let id: string;
    switch (row.kind) {
      case 'city':
        id = 'city';
        break;
      case 'county-office':
        id = 'county';
        break;
      case 'township':
      case 'unit': {
        const slug = row.code
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-+|-+$/g, '');
        if (row.code && !slug) {
          problems.push({
            row: row.row,
            column: column('code'),
            zh: `编码“${row.code}”里没有字母或数字，无法生成编号`,
            en: `code "${row.code}" has no letters or digits to make an id of`,
          });
          continue;
        }
        id = slug
          ? `${row.kind}-${slug}`.slice(0, 63)
          : `${row.kind}-${String(n).padStart(row.kind === 'township' ? 2 : 3, '0')}`;
        break;
      }
    }
    const taken = rowById.get(id);
    if (taken) {
      // Two county offices (or cities) are checkTree's to report, with its own message.
      if (row.kind === 'township' || row.kind === 'unit')
        problems.push({
          row: row.row,
          column: column('code'),
          zh: `生成的编号 ${id} 与第${taken.row}行相同，请给其中一行填写或修改编码`,
          en: `its id ${id} is also row ${taken.row}'s: give one of them another 编码`,
        });
    } else rowById.set(id, row);
    ids.set(row, id);
  }

  const office = rows.find((r) => r.kind === 'county-office');
  const city = rows.find((r) => r.kind === 'city');
  const parentOf = new Map<Row, string | undefined>();
  for (const row of rows) {
    if (!row.kind) continue;
    if (!row.parent) {
      // Left blank: a township or unit is the county office's, the office the city's (when listed).
      const implied =
        row.kind === 'township' || row.kind === 'unit'
          ? office
          : row.kind === 'county-office'
            ? city
            : undefined;
      parentOf.set(row, implied && ids.get(implied));
      continue;
    }
    const parent = byName.get(row.parent) ?? byCode.get(row.parent);
    if (!parent) {
      problems.push({
        row: row.row,
        column: column('parent'),
        zh: `未找到“${row.parent}”`,
        en: `no unit named or coded "${row.parent}"`,
      });
      continue;
    }
    parentOf.set(row, ids.get(parent));
  }

  // The rules every tree obeys (one county office, parents of the right kind, no cycles), said per row.
  const listed = rows.filter((r) => ids.has(r));
  const tree = listed.map((r) => ({ id: ids.get(r)!, name: r.name, kind: r.kind!, parent: parentOf.get(r) }));
  const label = (i: number) => ({ zh: `第${listed[i]!.row}行`, en: `row ${listed[i]!.row}` });
  for (const p of checkTree(tree, label, { unique: false })) {
    // "No parent": a blank 上级单位 is implied, so this is a parent not found or no county office,
    // each reported already.
    if (p.index >= 0 && p.key === undefined) continue;
    const row = p.index < 0 ? undefined : listed[p.index];
    const col = p.key === 'parent' ? column('parent') : p.key === 'kind' ? column('kind') : undefined;
    problems.push({
      ...(row ? { row: row.row } : {}),
      ...(col ? { column: col } : {}),
      zh: p.index < 0 ? '没有类型为“县委督查室”的行，必须恰好一行' : p.zh,
      en: p.index < 0 ? 'no row of kind 县委督查室: exactly one is needed' : p.en,
    });
  }
  if (problems.length > 0) {
    problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    return { ok: false, problems };
  }

  const order: readonly OrgKind[] = ['city', 'county-office', 'township', 'unit'];
  const nodes: OrgNode[] = order.flatMap((kind) =>
    listed
      .filter((r) => r.kind === kind)
      .map((r) => ({
        id: ids.get(r)!,
        name: r.name,
        kind,
        parentId: parentOf.get(r) ?? null,
        ...(r.leader ? { leader: r.leader } : {}),
        ...(r.code ? { code: r.code } : {}),
        ...(Object.keys(r.contacts).length > 0 ? { contacts: r.contacts } : {}),
      })),
  );
  const county = /^(.+?[县市区旗])/.exec(office!.name)?.[1];
  const yaml = formatOrgFile(nodes, {
    ...(county ? { county } : {}),
    ...(options.source ? { source: options.source } : {}),
  });
  // What is written must load: a roster that passed here and a file that fails `org check` is a bug.
  const back = parseOrgFile(yaml, 'org.yaml');
  if (!back.ok)
    throw new Error(`the roster import wrote an invalid org.yaml: ${JSON.stringify(back.problems[0])}`);
  return { ok: true, nodes, county, yaml };
}
