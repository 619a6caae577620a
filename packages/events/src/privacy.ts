import { z } from 'zod';
import { CATALOGUE } from './catalogue';
import { REVIEW_POINTS } from './schemas/tasks';

/**
 * What each field of each event payload is, for the analysts' stream (docs/analysts.md, ADR 0031):
 *
 * - `public`: ids, kinds, statuses, times, node ids, counts, enums: kept as they are;
 * - `person`: a person's name or id, or a reference that leads to one: replaced by a keyed pseudonym;
 * - `contact`: a phone, e-mail or address: dropped;
 * - `text`: free text analysts use (titles): kept, scrubbed of phone numbers, e-mails and ID numbers;
 * - `dropped-text`: free text the statistics do not need (descriptions, notes, comments): dropped.
 *
 * Paths are the payload's leaf paths, `.` between keys and `[]` for an array's items. A test checks
 * that every (type, version) of the catalogue and every path in it is classified, and nothing else,
 * so a new field cannot reach the analysts unclassified.
 */
export type FieldClass = 'public' | 'person' | 'contact' | 'text' | 'dropped-text';
export type PayloadClassification = Readonly<Record<string, FieldClass>>;

const PARTIES = { itemId: 'public', assigner: 'public', assignee: 'public' } as const;
const UNIT_STATS = ['unit', 'due', 'closedOnTime', 'overdue', 'onTimeRate'] as const;

const ASSIGNED_V1 = {
  ...PARTIES,
  title: 'text',
  // An Open311 case's description carries the citizen's name, phone and e-mail (caseText.ts).
  description: 'dropped-text',
  kind: 'public',
  noticeNo: 'public',
  deadline: 'public',
  assignedAt: 'public',
} as const;
const EXTENSION_DECIDED = {
  ...PARTIES,
  by: 'person',
  requestId: 'public',
  newDeadline: 'public',
  comment: 'dropped-text',
  decidedAt: 'public',
} as const;

const ASSIGNED_V2 = {
  ...ASSIGNED_V1,
  source: 'public',
  'mustSupervise[]': 'public',
  priority: 'public',
  // 分包领导 may be written as a name as well as an office: treated as a person.
  leader: 'person',
  responsiblePerson: 'person',
  'coUnits[]': 'public',
  parentId: 'public',
  ackDeadline: 'public',
  by: 'person',
  // The hotline case leads to the citizen in the hotline's own records.
  caseRef: 'person',
  calendarVersion: 'public',
} as const;
/** How a deadline was set (ADR 0026): a rule's numbers and kinds, nothing personal. */
const DEADLINE_RULE = {
  'deadlineRule.kind': 'public',
  'deadlineRule.days': 'public',
  'deadlineRule.endOfDay': 'public',
  'deadlineRule.cutoff': 'public',
  'deadlineRule.at': 'public',
  deadlineProvisional: 'public',
} as const;
const ASSIGNED_V3 = { ...ASSIGNED_V2, ...DEADLINE_RULE } as const;
/** The assigner's copy a transfer carries (tasks.item.transferred): its fields as in the events that built it. */
const ITEM_SNAPSHOT = {
  id: 'public',
  kind: 'public',
  source: 'public',
  'mustSupervise[]': 'public',
  priority: 'public',
  title: 'text',
  description: 'dropped-text',
  noticeNo: 'public',
  caseRef: 'person',
  calendarVersion: 'public',
  ...DEADLINE_RULE,
  assigner: 'public',
  assignee: 'public',
  'coUnits[]': 'public',
  leader: 'person',
  responsiblePerson: 'person',
  parentId: 'public',
  status: 'public',
  deadline: 'public',
  originalDeadline: 'public',
  ackDeadline: 'public',
  assignedAt: 'public',
  acknowledgedAt: 'public',
  progress: 'public',
  lastProgressAt: 'public',
  'report.summary': 'dropped-text',
  'report.draftedBy': 'person',
  'report.signedOffBy': 'person',
  'report.at': 'public',
  reportedAt: 'public',
  closedAt: 'public',
  returnCount: 'public',
  recheckCount: 'public',
  reopenCount: 'public',
  extensionCount: 'public',
  'pendingExtension.requestId': 'public',
  'pendingExtension.newDeadline': 'public',
  'pendingExtension.reason': 'dropped-text',
  'pendingExtension.by': 'person',
  'pendingExtension.at': 'public',
  'lastReview.outcome': 'public',
  'lastReview.reasons[]': 'public',
  'lastReview.comment': 'dropped-text',
  'lastReview.by': 'person',
  'lastReview.at': 'public',
  'feedback.city': 'dropped-text',
  'feedback.citizen': 'dropped-text',
  'feedback.satisfaction': 'public',
} as const;
/** Re-organisations: units and their names are public bodies, the admin who made the change a person. */
const ORG_CHANGE = { unitId: 'public', effectiveAt: 'public', by: 'person' } as const;

/** Keyed `type@version`. */
export const PRIVACY: Readonly<Record<string, PayloadClassification>> = {
  'tasks.item.assigned@1': ASSIGNED_V1,
  'tasks.item.assigned@2': ASSIGNED_V2,
  'tasks.item.assigned@3': ASSIGNED_V3,
  'tasks.item.acknowledged@1': { ...PARTIES, acknowledgedAt: 'public' },
  'tasks.item.acknowledged@2': { ...PARTIES, acknowledgedAt: 'public', by: 'person' },
  'tasks.item.progressed@1': {
    ...PARTIES,
    by: 'person',
    note: 'dropped-text',
    percent: 'public',
    derived: 'public',
    progressedAt: 'public',
  },
  'tasks.report.drafted@1': { ...PARTIES, by: 'person', summary: 'dropped-text', draftedAt: 'public' },
  'tasks.item.reported@1': { ...PARTIES, summary: 'dropped-text', reportedAt: 'public' },
  'tasks.item.reported@2': {
    ...PARTIES,
    summary: 'dropped-text',
    draftedBy: 'person',
    signedOffBy: 'person',
    reportedAt: 'public',
  },
  'tasks.item.reviewed@1': {
    ...PARTIES,
    by: 'person',
    outcome: 'public',
    ...Object.fromEntries(
      REVIEW_POINTS.flatMap((p) => [
        [`points.${p}.ok`, 'public'],
        [`points.${p}.comment`, 'dropped-text'],
      ]),
    ),
    'reasons[]': 'public',
    comment: 'dropped-text',
    corrections: 'dropped-text',
    reviewedAt: 'public',
  },
  'tasks.item.closed@1': { ...PARTIES, closedAt: 'public', comment: 'dropped-text' },
  'tasks.item.closed@2': { ...PARTIES, closedAt: 'public', comment: 'dropped-text', by: 'person' },
  'tasks.item.reopened@1': { ...PARTIES, by: 'person', reason: 'dropped-text', reopenedAt: 'public' },
  'tasks.extension.requested@1': {
    ...PARTIES,
    by: 'person',
    requestId: 'public',
    newDeadline: 'public',
    reason: 'dropped-text',
    requestedAt: 'public',
  },
  'tasks.extension.approved@1': EXTENSION_DECIDED,
  'tasks.extension.refused@1': EXTENSION_DECIDED,
  'tasks.deadline.replanned@1': {
    ...PARTIES,
    by: 'person',
    oldDeadline: 'public',
    newDeadline: 'public',
    moved: 'public',
    provisional: 'public',
    calendarVersion: 'public',
    // Written by duban from the calendar (国务院公布…安排): no person in it.
    reason: 'text',
    replannedAt: 'public',
  },
  'tasks.item.transferred@1': {
    ...PARTIES,
    to: 'public',
    reason: 'public',
    orgEventId: 'public',
    fromName: 'public',
    toName: 'public',
    note: 'text',
    transferredAt: 'public',
    ...Object.fromEntries(Object.entries(ITEM_SNAPSHOT).map(([path, c]) => [`item.${path}`, c])),
  },
  'org.unit.added@1': { ...ORG_CHANGE, name: 'public', kind: 'public', parentId: 'public' },
  'org.unit.renamed@1': { ...ORG_CHANGE, name: 'public', previousName: 'public' },
  'org.unit.moved@1': { ...ORG_CHANGE, parentId: 'public', previousParentId: 'public' },
  'org.unit.merged@1': { ...ORG_CHANGE, name: 'public', into: 'public', intoName: 'public' },
  'org.unit.abolished@1': { ...ORG_CHANGE, name: 'public', successorId: 'public', successorName: 'public' },
  'tasks.feedback.recorded@1': {
    ...PARTIES,
    by: 'person',
    audience: 'public',
    content: 'dropped-text',
    satisfaction: 'public',
    recordedAt: 'public',
  },
  'tasks.meeting.held@1': {
    ...PARTIES,
    by: 'person',
    meetingId: 'public',
    heldAt: 'public',
    'attendees[]': 'public',
    minutes: 'dropped-text',
    'decisionItemIds[]': 'public',
  },
  'reminders.item.chased@1': { ...PARTIES, deadline: 'public', chasedAt: 'public', chaseNo: 'public' },
  'reminders.item.chased@2': {
    ...PARTIES,
    kind: 'public',
    deadline: 'public',
    chasedAt: 'public',
    chaseNo: 'public',
    'ccRoles[]': 'public',
  },
  'reminders.item.escalated@1': {
    ...PARTIES,
    deadline: 'public',
    escalatedAt: 'public',
    level: 'public',
    escalatedTo: 'public',
    reason: 'dropped-text',
  },
  'reminders.item.escalated@2': {
    ...PARTIES,
    level: 'public',
    step: 'public',
    escalatedTo: 'public',
    leader: 'person',
    deadline: 'public',
    escalatedAt: 'public',
    reason: 'dropped-text',
  },
  'reminders.calendar.amended@1': {
    amendmentId: 'public',
    name: 'text',
    source: 'public',
    coversYear: 'public',
    'days[].date': 'public',
    'days[].kind': 'public',
    'days[].name': 'text',
    version: 'public',
    amendedAt: 'public',
  },
  'scoring.decision.recorded@1': {
    decisionId: 'public',
    unit: 'public',
    year: 'public',
    kind: 'public',
    body: 'public',
    points: 'public',
    reason: 'dropped-text',
    'itemIds[]': 'public',
    decidedAt: 'public',
  },
  'scoring.sanction.imposed@1': {
    sanctionId: 'public',
    unit: 'public',
    year: 'public',
    kind: 'public',
    'decisionIds[]': 'public',
    reason: 'dropped-text',
    imposedAt: 'public',
  },
  'scoring.appeal.filed@1': {
    appealId: 'public',
    decisionId: 'public',
    unit: 'public',
    year: 'public',
    reason: 'dropped-text',
    by: 'person',
    filedAt: 'public',
  },
  'scoring.appeal.decided@1': {
    appealId: 'public',
    decisionId: 'public',
    unit: 'public',
    year: 'public',
    upheld: 'public',
    comment: 'dropped-text',
    by: 'person',
    decidedAt: 'public',
  },
  'scoring.decision.reversed@1': {
    decisionId: 'public',
    unit: 'public',
    year: 'public',
    appealId: 'public',
    reason: 'dropped-text',
    reversedAt: 'public',
  },
  'scoring.sanction.lifted@1': {
    sanctionId: 'public',
    unit: 'public',
    year: 'public',
    kind: 'public',
    reason: 'dropped-text',
    liftedAt: 'public',
  },
  'scoring.proposal.decided@1': {
    proposalId: 'public',
    itemId: 'public',
    unit: 'public',
    accepted: 'public',
    decisionId: 'public',
    comment: 'dropped-text',
    by: 'person',
    decidedAt: 'public',
  },
  'scoring.referral.recorded@1': {
    referralId: 'public',
    unit: 'public',
    person: 'person',
    to: 'public',
    reason: 'dropped-text',
    'decisionIds[]': 'public',
    'itemIds[]': 'public',
    by: 'person',
    referredAt: 'public',
  },
  'notifications.bulletin.published@1': {
    bulletinId: 'public',
    docNo: 'public',
    title: 'text',
    periodFrom: 'public',
    periodTo: 'public',
    ...Object.fromEntries(
      ['commended', 'criticised'].flatMap((list) => UNIT_STATS.map((f) => [`${list}[].${f}`, 'public'])),
    ),
    'paragraphs[]': 'dropped-text',
    by: 'person',
    publishedAt: 'public',
  },
  'security.key.rotated@1': {
    node: 'public',
    keyId: 'public',
    publicKey: 'public',
    previousKeyId: 'public',
    previousValidUntil: 'public',
  },
};

type JsonSchema = {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
};

/** Every leaf path of a payload schema (`a.b`, `list[]`, `list[].field`), in schema order. */
export function payloadPaths(schema: z.ZodType): string[] {
  const root = z.toJSONSchema(schema, { unrepresentable: 'any' }) as JsonSchema;
  const defs = root.$defs ?? {};
  const paths = new Set<string>();
  const walk = (s: JsonSchema, path: string) => {
    if (s.$ref) return walk(defs[s.$ref.replace(/^#\/\$defs\//, '')] ?? {}, path);
    const alternatives = s.anyOf ?? s.oneOf;
    if (alternatives) return alternatives.forEach((a) => walk(a, path));
    if (s.properties) {
      for (const [key, value] of Object.entries(s.properties)) walk(value, path ? `${path}.${key}` : key);
      return;
    }
    if (s.type === 'array' && s.items) return walk(s.items, `${path}[]`);
    if (s.type === 'null' && path) return;
    paths.add(path);
  };
  walk(root, '');
  return [...paths];
}

/** Every (type@version, path) of the catalogue: what PRIVACY must classify. */
export function cataloguePaths(): Map<string, string[]> {
  return new Map(CATALOGUE.map((d) => [`${d.type}@${d.version}`, payloadPaths(d.data)]));
}

export function classificationOf(type: string, version: number): PayloadClassification | undefined {
  return PRIVACY[`${type}@${version}`];
}

export const SCRUBBED = '〔已脱敏〕';

/**
 * What a pattern can find in free text: e-mail addresses, Chinese resident ID numbers (18 digits, or
 * 17 and X; the old 15), mobile and landline numbers, and any other run of seven or more digits.
 * IDs go before phones (an ID holds eleven digits that look like a mobile number).
 */
const SCRUB_PATTERNS = [
  /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g,
  /(?<!\d)\d{17}[\dXx](?![\dXx])/g,
  /(?<!\d)\d{15}(?!\d)/g,
  /(?:\+?86[\s-]?)?(?<!\d)1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/g,
  /(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)/g,
  /\d(?:[\s-]?\d){6,}/g,
];

export function scrubText(text: string): string {
  return SCRUB_PATTERNS.reduce((t, pattern) => t.replace(pattern, SCRUBBED), text);
}

/** A payload path the classification does not know: the event must not reach the analysts. */
export class UnclassifiedField extends Error {
  override readonly name = 'UnclassifiedField';
  constructor(
    readonly key: string,
    readonly path: string,
  ) {
    super(`${key}: the field ${path} has no privacy classification`);
  }
}

/**
 * The analysts' copy of a payload: `person` values through `pseudonym`, `contact` and
 * `dropped-text` left out, `text` scrubbed. Throws UnclassifiedField for a type or a path the
 * classification does not name (fail closed).
 */
export function redactPayload(
  type: string,
  version: number,
  data: unknown,
  pseudonym: (value: string) => string,
): unknown {
  const key = `${type}@${version}`;
  const classes = PRIVACY[key];
  if (!classes) throw new UnclassifiedField(key, '(the whole payload)');
  const hasFieldsBelow = (path: string) => Object.keys(classes).some((p) => p.startsWith(`${path}.`));
  const walk = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, `${path}[]`));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const child = path ? `${path}.${k}` : k;
        const dropped = (c: FieldClass | undefined) => c === 'contact' || c === 'dropped-text';
        if (Array.isArray(v) && dropped(classes[`${child}[]`])) continue;
        if (v !== null && typeof v === 'object') out[k] = walk(v, child);
        // An absent nested object (deadlineRule, report: null) says nothing about anyone.
        else if (v === null && classes[child] === undefined && hasFieldsBelow(child)) out[k] = null;
        else {
          const cls = classes[child];
          if (cls === undefined) throw new UnclassifiedField(key, child);
          if (dropped(cls)) continue;
          out[k] = leaf(cls, v, child);
        }
      }
      return out;
    }
    return leaf(classes[path], value, path);
  };
  const leaf = (cls: FieldClass | undefined, value: unknown, path: string): unknown => {
    switch (cls) {
      case undefined:
        throw new UnclassifiedField(key, path);
      case 'public':
        return value;
      case 'person':
        return typeof value === 'string' ? pseudonym(value) : value;
      case 'text':
        return typeof value === 'string' ? scrubText(value) : value;
      case 'contact':
      case 'dropped-text':
        return undefined;
    }
  };
  return walk(data, '');
}
