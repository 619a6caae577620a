/**
 * What a citizen sent over Open311, kept in the item's description: the item has no place for a
 * location or contact details, and the responsible unit needs them to handle the case and answer
 * the citizen. So the description is the citizen's own text, then a labelled block, one field a
 * line, readable as it stands in any ledger view (台帐, notice, export), and parsed back here for
 * the Open311 GET methods (which never give out the contact lines: see docs/open311.md).
 */
export interface CaseDetails {
  /** The citizen's own words (Open311 description). */
  text: string;
  serviceCode: string;
  serviceName: string;
  address: string | null;
  addressId: string | null;
  lat: number | null;
  long: number | null;
  contactName: string | null;
  phone: string | null;
  email: string | null;
  accountId: string | null;
  deviceId: string | null;
  mediaUrl: string | null;
  /** Open311 attribute[code]=value pairs, in the order given. */
  attributes: Array<[string, string[]]>;
}

export const CASE_BLOCK_MARK = '【民意快线·Open311 来件信息】';

const LABELS = {
  category: '类别',
  address: '地址',
  addressId: '地址编号',
  coordinates: '坐标',
  contactName: '联系人',
  phone: '电话',
  email: '邮箱',
  accountId: '账户',
  deviceId: '设备',
  mediaUrl: '附件',
  attributes: '附加信息',
} as const;

/** One line of the block: no line breaks or control characters inside a value. */
function oneLine(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
      .replace(/\s{2,}/g, ' ')
      .trim()
  );
}

const CJK = /[\u3400-\u9fff]/;

/** 张 + 三 → 张三; John + Smith → John Smith. */
export function contactName(first: string | null, last: string | null): string | null {
  const parts = [first, last].map((p) => (p ? oneLine(p) : '')).filter(Boolean);
  if (parts.length === 0) return null;
  if (first && last && (CJK.test(first) || CJK.test(last))) return `${oneLine(last)}${oneLine(first)}`;
  return parts.join(' ');
}

/** The coordinates as stored: six decimals (≈ 0.1 m) are more than any phone's GPS gives. */
function coordinate(n: number): string {
  return String(Number(n.toFixed(6)));
}

/** The item description: the citizen's text, a blank line, then the block. */
export function composeCaseText(c: CaseDetails): string {
  const lines: string[] = [
    CASE_BLOCK_MARK,
    `${LABELS.category}：${oneLine(c.serviceName)}（${oneLine(c.serviceCode)}）`,
  ];
  const add = (label: string, value: string | null) => {
    const v = value === null ? '' : oneLine(value);
    if (v) lines.push(`${label}：${v}`);
  };
  add(LABELS.address, c.address);
  add(LABELS.addressId, c.addressId);
  if (c.lat !== null && c.long !== null)
    lines.push(`${LABELS.coordinates}：${coordinate(c.lat)},${coordinate(c.long)}（WGS84）`);
  add(LABELS.contactName, c.contactName);
  add(LABELS.phone, c.phone);
  add(LABELS.email, c.email);
  add(LABELS.accountId, c.accountId);
  add(LABELS.deviceId, c.deviceId);
  add(LABELS.mediaUrl, c.mediaUrl);
  if (c.attributes.length > 0) {
    add(
      LABELS.attributes,
      c.attributes.map(([code, values]) => `${oneLine(code)}=${values.map(oneLine).join(',')}`).join('；'),
    );
  }
  const text = c.text.trim();
  return text ? `${text}\n\n${lines.join('\n')}` : lines.join('\n');
}

/** Where the block starts: the last mark at the start of a line (a citizen cannot forge one after it). */
function blockStart(description: string): number {
  for (
    let at = description.lastIndexOf(CASE_BLOCK_MARK);
    at >= 0;
    at = description.lastIndexOf(CASE_BLOCK_MARK, at - 1)
  ) {
    if (at === 0 || description[at - 1] === '\n') return at;
  }
  return -1;
}

/**
 * Reads the block back. A description without one (a hotline case entered through the tasks API)
 * is all citizen text, with no location.
 */
export function parseCaseText(description: string): Omit<CaseDetails, 'serviceCode' | 'serviceName'> & {
  serviceCode: string | null;
} {
  const empty = {
    text: description,
    serviceCode: null,
    address: null,
    addressId: null,
    lat: null,
    long: null,
    contactName: null,
    phone: null,
    email: null,
    accountId: null,
    deviceId: null,
    mediaUrl: null,
    attributes: [] as Array<[string, string[]]>,
  };
  const start = blockStart(description);
  if (start < 0) return empty;
  const fields = new Map<string, string>();
  for (const line of description.slice(start + CASE_BLOCK_MARK.length).split('\n')) {
    const sep = line.indexOf('：');
    if (sep > 0) fields.set(line.slice(0, sep), line.slice(sep + 1));
  }
  const get = (label: string) => fields.get(label) ?? null;
  const coords = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)/.exec(get(LABELS.coordinates) ?? '');
  const category = /（([^（）]+)）$/.exec(get(LABELS.category) ?? '');
  const attributes = (get(LABELS.attributes) ?? '')
    .split('；')
    .filter(Boolean)
    .map((pair): [string, string[]] => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [pair, []] : [pair.slice(0, eq), pair.slice(eq + 1).split(',')];
    });
  return {
    ...empty,
    text: description.slice(0, start).trimEnd(),
    serviceCode: category?.[1] ?? null,
    address: get(LABELS.address),
    addressId: get(LABELS.addressId),
    lat: coords ? Number(coords[1]) : null,
    long: coords ? Number(coords[2]) : null,
    contactName: get(LABELS.contactName),
    phone: get(LABELS.phone),
    email: get(LABELS.email),
    accountId: get(LABELS.accountId),
    deviceId: get(LABELS.deviceId),
    mediaUrl: get(LABELS.mediaUrl),
    attributes,
  };
}
