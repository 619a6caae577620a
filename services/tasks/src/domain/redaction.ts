import { CASE_BLOCK_MARK } from '../open311/caseText';

/**
 * What an analyst may not read in the event stream: who did what (people's names and ids) and how
 * to reach a citizen. Units, leaders' offices, kinds, times, deadlines and outcomes stay: they are
 * what statistics are made of. Pure, so the same rule serves the feed and its tests.
 */
const PERSON_FIELDS = new Set(['by', 'draftedBy', 'signedOffBy', 'responsiblePerson', 'person']);
/** Lines of the Open311 case block that identify or reach the citizen (see caseText.ts). */
const CONTACT_LABELS = ['联系人', '电话', '邮箱', '账户', '设备', '附件'];
export const REDACTED = '〔已脱敏〕';

export function redactForAnalyst(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(redactForAnalyst);
  if (data === null || typeof data !== 'object') return data;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (PERSON_FIELDS.has(key) && typeof value === 'string') out[key] = REDACTED;
    else if (key === 'description' && typeof value === 'string') out[key] = withoutContacts(value);
    else out[key] = redactForAnalyst(value);
  }
  return out;
}

/** The citizen's words and the case's category and place stay; who they are and how to reach them go. */
export function withoutContacts(description: string): string {
  const at = description.lastIndexOf(CASE_BLOCK_MARK);
  if (at < 0) return description;
  const [head, block] = [description.slice(0, at), description.slice(at)];
  const kept = block
    .split('\n')
    .map((line) =>
      CONTACT_LABELS.some((label) => line.startsWith(`${label}：`))
        ? `${line.slice(0, line.indexOf('：') + 1)}${REDACTED}`
        : line,
    );
  return head + kept.join('\n');
}
