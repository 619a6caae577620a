import { readFileSync } from 'node:fs';
import { Document, LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { OrgKind, OrgTree } from './tree';
import type { OrgNode } from './tree';

/**
 * A county's organisation as one file, org.yaml (ADR 0024): a flat list of nodes, each naming its
 * parent. Every problem found names the file, the line and the path, in Chinese for the office and
 * in English for whoever runs the host; a file with any problem loads nothing.
 */

export const ORG_FILE_VERSION = 1;

const ID_PATTERN = /^[a-z][a-z0-9-]{1,62}$/;
const ID_RULE_ZH = '编号只能用小写字母、数字和“-”，以字母开头，2–63 个字符';
const ID_RULE_EN = 'lower-case letters, digits and "-", starting with a letter, 2–63 characters';

const Text = z.string().trim().min(1);
const Id = z.string().regex(ID_PATTERN);

export const OrgFileContacts = z.strictObject({
  phone: Text.optional(),
  address: Text.optional(),
  email: z.email().optional(),
});
export type OrgFileContacts = z.infer<typeof OrgFileContacts>;

export const OrgFileNode = z.strictObject({
  id: Id,
  name: Text,
  kind: OrgKind,
  /** The parent's id; none for the root (the city, or the county office when the city is not listed). */
  parent: Id.optional(),
  /** 分管领导: the county leader responsible for this node. */
  leader: Text.optional(),
  /** 编码: the office's own code (e.g. the administrative division code). */
  code: Text.optional(),
  contacts: OrgFileContacts.optional(),
});
export type OrgFileNode = z.infer<typeof OrgFileNode>;

export const OrgFile = z.strictObject({
  version: z.literal(ORG_FILE_VERSION),
  /** The county's name (睢县), for titles. */
  county: Text.optional(),
  nodes: z.array(OrgFileNode).min(1),
});
export type OrgFile = z.infer<typeof OrgFile>;

export interface OrgProblem {
  file: string;
  /** 1-based; absent when the file could not be read at all. */
  line?: number;
  /** Where in the file: `nodes[3].parent`. */
  path: string;
  zh: string;
  en: string;
}

export function formatProblem(p: OrgProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  return `${where} ${p.path ? `${p.path}: ` : ''}${p.zh} / ${p.en}`;
}

/** Thrown by loadOrgFile: its message is one line (the first problem), `problems` has them all. */
export class OrgFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly OrgProblem[],
  ) {
    const more =
      problems.length > 1
        ? ` (共 ${problems.length} 处问题 / ${problems.length} problems: pnpm duban org check ${file})`
        : '';
    super(`${formatProblem(problems[0]!)}${more}`);
    this.name = 'OrgFileError';
  }
}

export type ParsedOrgFile =
  | { ok: true; tree: OrgTree; county: string | undefined; nodes: OrgNode[] }
  | { ok: false; problems: OrgProblem[] };

function pathText(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

const KIND_LIST = OrgKind.options.join(', ');

/** zod's issue, said for the office (zh) and for the operator (en). */
function explain(issue: z.core.$ZodIssue, value: unknown): { zh: string; en: string } {
  const key = issue.path.at(-1);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return { zh: '缺少此项', en: 'required' };
      if (issue.expected === 'string' && typeof value === 'number')
        // YAML reads 0370… or 411422100 as a number and drops leading zeros: ask for quotes.
        return {
          zh: `应为文字，数字请加引号（如 "${String(value)}"）`,
          en: `expected text: quote numbers ("${String(value)}")`,
        };
      return { zh: `类型不对，应为 ${issue.expected}`, en: `expected ${issue.expected}` };
    case 'invalid_format':
      if (key === 'id' || key === 'parent')
        return {
          zh: `“${String(value)}”不是合法编号：${ID_RULE_ZH}`,
          en: `"${String(value)}": ${ID_RULE_EN}`,
        };
      return { zh: `格式不对（应为 ${issue.format}）`, en: `not a valid ${issue.format}` };
    case 'invalid_value':
      if (key === 'kind')
        return {
          zh: `“${String(value)}”不是单位类型，应为 ${KIND_LIST} 之一`,
          en: `"${String(value)}" is not a kind: one of ${KIND_LIST}`,
        };
      if (key === 'version')
        return {
          zh: `不支持的版本 ${String(value)}，应为 version: 1`,
          en: 'unsupported version: expected 1',
        };
      return { zh: `取值不对：${issue.message}`, en: issue.message };
    case 'unrecognized_keys':
      return {
        zh: `不认识的字段 ${issue.keys.join('、')}（拼写错误？）`,
        en: `unknown key ${issue.keys.join(', ')} (a typo?)`,
      };
    case 'too_small':
      return issue.origin === 'array'
        ? { zh: '至少要有一个单位', en: 'needs at least one node' }
        : { zh: '不能为空', en: 'must not be empty' };
    default:
      return { zh: issue.message, en: issue.message };
  }
}

/** In the order of the file (a stable sort: problems of one line keep theirs). */
const byLine = (problems: OrgProblem[]) => problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

/** Parses and validates the text of an org.yaml; `file` is only for the messages. */
export function parseOrgFile(text: string, file: string): ParsedOrgFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lines.linePos(offset).line;
  const problems: OrgProblem[] = [];
  const problem = (line: number | undefined, path: string, zh: string, en: string) =>
    problems.push({ file, ...(line === undefined ? {} : { line }), path, zh, en });

  if (doc.errors.length > 0) {
    for (const e of doc.errors)
      problem(
        lineAt(e.pos[0]),
        '',
        'YAML 格式错误',
        `YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      );
    return { ok: false, problems };
  }
  /** The line of the deepest node the path reaches (a missing key: the map that lacks it). */
  const lineOf = (path: ReadonlyArray<PropertyKey>): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as YamlNode | undefined;
      if (node && typeof node === 'object' && node.range) return lineAt(node.range[0]);
    }
    return undefined;
  };

  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) {
    problem(1, '', '文件是空的，应以 version: 1 开始', 'the file is empty: it starts with version: 1');
    return { ok: false, problems };
  }
  const parsed = OrgFile.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      let value: unknown = raw;
      for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
      const { zh, en } = explain(issue, value);
      problem(lineOf(issue.path), pathText(issue.path), zh, en);
    }
    return { ok: false, problems: byLine(problems) };
  }
  const { nodes } = parsed.data;
  const at = (i: number, key?: string) => {
    const path = key ? ['nodes', i, key] : ['nodes', i];
    return { line: lineOf(path), path: pathText(path) };
  };

  const lineLabel = (i: number) => {
    const line = at(i).line;
    return { zh: `第 ${line} 行`, en: `line ${line}` };
  };
  for (const p of checkTree(nodes, lineLabel, { unique: true })) {
    const { line, path } = p.index < 0 ? { line: lineOf(['nodes']), path: 'nodes' } : at(p.index, p.key);
    problem(line, path, p.zh, p.en);
  }

  if (problems.length > 0) return { ok: false, problems: byLine(problems) };
  const orgNodes: OrgNode[] = nodes.map((n) => ({
    id: n.id,
    name: n.name,
    kind: n.kind,
    parentId: n.parent ?? null,
    ...(n.leader ? { leader: n.leader } : {}),
    ...(n.code ? { code: n.code } : {}),
    ...(n.contacts ? { contacts: n.contacts } : {}),
  }));
  return { ok: true, tree: new OrgTree(orgNodes), county: parsed.data.county, nodes: orgNodes };
}

/** A problem checkTree found: at node `index` (-1: the file as a whole) and its `key`. */
export interface TreeProblem {
  index: number;
  key?: 'id' | 'name' | 'kind' | 'parent';
  zh: string;
  en: string;
}

/**
 * The tree rules every organisation obeys, whatever it was read from (org.yaml, a roster):
 * unique ids and names (unless the caller checked them itself), exactly one county office, at most
 * one city, every parent present and of a kind that may hold the node, no cycles. `label(i)` says
 * where node i is (第 12 行 / line 12) for messages that point at a second node.
 */
export function checkTree(
  nodes: ReadonlyArray<{ id: string; name: string; kind: OrgKind; parent?: string | undefined }>,
  label: (index: number) => { zh: string; en: string },
  options: { unique: boolean },
): TreeProblem[] {
  const problems: TreeProblem[] = [];
  const problem = (index: number, key: TreeProblem['key'], zh: string, en: string) =>
    problems.push({ index, ...(key ? { key } : {}), zh, en });
  if (options.unique) {
    const firstById = new Map<string, number>();
    const firstByName = new Map<string, number>();
    nodes.forEach((node, i) => {
      const seen = firstById.get(node.id);
      if (seen !== undefined)
        problem(
          i,
          'id',
          `编号“${node.id}”重复（${label(seen).zh}已用）`,
          `duplicate id "${node.id}" (first at ${label(seen).en})`,
        );
      else firstById.set(node.id, i);
      const named = firstByName.get(node.name);
      if (named !== undefined)
        problem(
          i,
          'name',
          `单位名称“${node.name}”重复（${label(named).zh}已用）`,
          `duplicate name "${node.name}" (first at ${label(named).en})`,
        );
      else firstByName.set(node.name, i);
    });
  }

  const offices = nodes.flatMap((n, i) => (n.kind === 'county-office' ? [i] : []));
  if (offices.length === 0)
    problem(
      -1,
      undefined,
      '没有县委督查室（kind: county-office），必须恰好一个',
      'no county office (kind: county-office): exactly one is needed',
    );
  for (const i of offices.slice(1))
    problem(
      i,
      'kind',
      `第二个县委督查室（${label(offices[0]!).zh}已有一个），必须恰好一个`,
      `a second county office (the first at ${label(offices[0]!).en}): exactly one is allowed`,
    );
  const cities = nodes.flatMap((n, i) => (n.kind === 'city' ? [i] : []));
  for (const i of cities.slice(1))
    problem(
      i,
      'kind',
      `第二个市级节点（${label(cities[0]!).zh}已有一个），最多一个`,
      `a second city (the first at ${label(cities[0]!).en}): at most one`,
    );

  const byId = new Map(nodes.map((n) => [n.id, n]));
  nodes.forEach((node, i) => {
    if (node.parent === undefined) {
      if (node.kind === 'township' || node.kind === 'unit')
        problem(
          i,
          undefined,
          `“${node.name}”缺少上级单位（parent）`,
          `"${node.id}" has no parent: a ${node.kind} needs one`,
        );
      return;
    }
    const parent = byId.get(node.parent);
    if (!parent) {
      problem(
        i,
        'parent',
        `上级单位“${node.parent}”不存在`,
        `unknown parent "${node.parent}": no node has that id`,
      );
      return;
    }
    const allowed = PARENT_KINDS[node.kind];
    if (!allowed.includes(parent.kind))
      problem(
        i,
        'parent',
        node.kind === 'city'
          ? '市级节点是最上级，不能有上级单位'
          : `${KIND_ZH[node.kind]}的上级只能是${allowed.map((k) => KIND_ZH[k]).join('或')}，“${parent.name}”是${KIND_ZH[parent.kind]}`,
        node.kind === 'city'
          ? 'the city is the root: it has no parent'
          : `a ${node.kind}'s parent cannot be a ${parent.kind} ("${parent.id}"): only ${allowed.join(', ')}`,
      );
  });

  // Cycles: walk up from each node; a cycle is reported once, at the first of its nodes in the list.
  const inCycle = new Set<string>();
  nodes.forEach((node, i) => {
    const chain: string[] = [];
    for (let id: string | undefined = node.id; id !== undefined; id = byId.get(id)?.parent) {
      const seenAt = chain.indexOf(id);
      if (seenAt >= 0) {
        const cycle = chain.slice(seenAt);
        if (cycle[0] === node.id && !cycle.some((c) => inCycle.has(c))) {
          for (const c of cycle) inCycle.add(c);
          const loop = [...cycle, node.id];
          problem(
            i,
            'parent',
            `上级关系成环：${loop.map((c) => byId.get(c)!.name).join(' → ')}`,
            `the parents form a cycle: ${loop.join(' → ')}`,
          );
        }
        break;
      }
      chain.push(id);
    }
  });
  return problems;
}

const KIND_ZH: Record<OrgKind, string> = {
  city: '市级（city）',
  'county-office': '县委督查室（county-office）',
  township: '乡镇（township）',
  unit: '县直单位（unit）',
};

/** Which kinds may hold a node of each kind. */
const PARENT_KINDS: Record<OrgKind, readonly OrgKind[]> = {
  city: [],
  'county-office': ['city'],
  township: ['county-office'],
  // 乡镇站所 under a township; a school under the education bureau.
  unit: ['county-office', 'township', 'unit'],
};

/** Reads, parses and validates an org.yaml; throws OrgFileError naming the file and the line. */
export function loadOrgFile(path: string, label: string = path): OrgTree {
  const parsed = readOrgFile(path, label);
  if (!parsed.ok) throw new OrgFileError(label, parsed.problems);
  return parsed.tree;
}

/** As loadOrgFile, without throwing: for `pnpm duban org check`, which lists every problem. */
export function readOrgFile(path: string, label: string = path): ParsedOrgFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    return {
      ok: false,
      problems: [
        {
          file: label,
          path: '',
          zh: code === 'ENOENT' ? '文件不存在' : '无法读取文件',
          en: code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`,
        },
      ],
    };
  }
  return parseOrgFile(text, label);
}

const KIND_HEADINGS: Record<OrgKind, string> = {
  city: '市级（上级督查部门）',
  'county-office': '县委督查室',
  township: '乡镇',
  unit: '县直单位',
};

/**
 * The text of an org.yaml for these nodes (the roster import writes it): a header saying how to
 * edit it, and a heading comment where the kind of the nodes changes.
 */
export function formatOrgFile(
  nodes: readonly OrgNode[],
  options: { county?: string; source?: string } = {},
): string {
  const file: OrgFile = {
    version: ORG_FILE_VERSION,
    ...(options.county ? { county: options.county } : {}),
    nodes: nodes.map((n) => ({
      id: n.id,
      name: n.name,
      kind: n.kind,
      ...(n.parentId === null ? {} : { parent: n.parentId }),
      ...(n.leader ? { leader: n.leader } : {}),
      ...(n.code ? { code: n.code } : {}),
      ...(n.contacts ? { contacts: n.contacts } : {}),
    })),
  };
  const doc = new Document(file);
  doc.commentBefore = [
    ` ${options.county ?? ''}督办网络的组织架构（duban org.yaml，ADR 0024）${options.source ? `，由 ${options.source} 导入` : ''}`,
    ' 每个单位一项：id 编号（小写字母、数字、“-”；一经使用不要再改）、name 名称、kind 类型、',
    ' parent 上级单位的 id、leader 分管领导、code 编码、contacts 联系方式（phone、address、email）。',
    ' kind：city 市级 | county-office 县委督查室（恰好一个）| township 乡镇 | unit 县直单位。',
    ' 修改后请检查：pnpm duban org check <本文件>；查看：pnpm duban org show --org <本文件>',
  ].join('\n');
  const seq = doc.get('nodes', true);
  if (isSeq(seq)) {
    let previous: OrgKind | undefined;
    seq.items.forEach((item, i) => {
      const kind = nodes[i]!.kind;
      if (kind !== previous && isMap(item)) {
        item.commentBefore = ` ${KIND_HEADINGS[kind]}`;
        if (i > 0) item.spaceBefore = true;
      }
      previous = kind;
    });
  }
  // Single quotes, as prettier writes YAML: a file written here passes the repo's format check.
  return doc.toString({ lineWidth: 0, singleQuote: true });
}

/** The county office: the one node of kind county-office (org.yaml allows exactly one). */
export function countyOfficeOf(tree: OrgTree): OrgNode {
  const office = tree.all().find((n) => n.kind === 'county-office');
  if (!office) throw new Error('the organisation tree has no county office');
  return office;
}

/** What one host serves by default: the county office and everything below it (the city runs elsewhere). */
export function countyNodeIds(tree: OrgTree): string[] {
  return tree.subtree(countyOfficeOf(tree).id).map((n) => n.id);
}
