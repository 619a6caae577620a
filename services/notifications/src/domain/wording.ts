import type { DubanEvent } from '@duban/events';
import { formatChinaTime, render } from './templates';
import type { Rendered } from './templates';
import type { Locale } from './kinds';

/** An admin's wording for one event type and locale: `{{name}}` placeholders. */
export interface TemplateOverride {
  title: string;
  body: string;
}

/** Fields of event data that name nodes: a template gets their names as `<field>Name`. */
const NODE_FIELDS = new Set(['assigner', 'assignee', 'unit', 'escalatedTo']);
const TIME_FIELD = /(At|deadline|Deadline)$/;

/**
 * The values a template may use: every scalar field of the event's data (times in Beijing time),
 * `<field>Name` for node ids, the envelope's source and subject, and the default wording.
 */
export function templateVars(
  event: DubanEvent,
  nameOf: (id: string) => string,
  defaults: Rendered,
): Record<string, string> {
  const vars: Record<string, string> = {
    type: event.type,
    subject: event.subject,
    source: event.source,
    sourceName: nameOf(event.source),
    defaultTitle: defaults.title,
    defaultBody: defaults.body,
  };
  for (const [key, value] of Object.entries(event.data as Record<string, unknown>)) {
    if (typeof value === 'string') {
      vars[key] = TIME_FIELD.test(key) && !Number.isNaN(Date.parse(value)) ? formatChinaTime(value) : value;
      if (NODE_FIELDS.has(key)) vars[`${key}Name`] = nameOf(value);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      vars[key] = String(value);
    } else if (value === null) {
      vars[key] = '';
    }
  }
  return vars;
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z][a-zA-Z0-9]*)\s*\}\}/g;

/** The placeholders a template uses (checked against the event's fields when an admin saves it). */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** The names a template for an event type may use, given its payload's fields. */
export function allowedPlaceholders(dataFields: readonly string[]): Set<string> {
  const names = new Set([
    'type',
    'subject',
    'source',
    'sourceName',
    'defaultTitle',
    'defaultBody',
    ...dataFields,
  ]);
  for (const f of dataFields) if (NODE_FIELDS.has(f)) names.add(`${f}Name`);
  return names;
}

export function fill(template: string, vars: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => vars[name] ?? '');
}

/** English wording for the kinds people most often want in English; the rest say what happened plainly. */
function renderEnglish(event: DubanEvent, nameOf: (id: string) => string): Rendered {
  const data = event.data as Record<string, unknown>;
  const when = (v: unknown) => (typeof v === 'string' ? `${formatChinaTime(v)} (Beijing time)` : '');
  const name = (v: unknown) => (typeof v === 'string' ? nameOf(v) : '');
  switch (event.type) {
    case 'tasks.item.assigned':
      return {
        title: `Supervision notice: ${event.data.title}`,
        body: `${name(data.assigner)} assigned an item (${event.data.noticeNo}); close it and report by ${when(data.deadline)}.${event.version === 3 && event.data.deadlineProvisional ? ' The deadline is provisional (computed on the statutory holidays; confirmed once the State Council publishes the year’s calendar).' : ''}`,
      };
    case 'tasks.deadline.replanned':
      return event.data.moved
        ? {
            title: 'Deadline changed',
            body: `The State Council published the year’s holidays: the deadline moves from ${when(data.oldDeadline)} to ${when(data.newDeadline)}.`,
          }
        : {
            title: 'Deadline confirmed',
            body: `The State Council published the year’s holidays: the deadline ${when(data.newDeadline)} stands.`,
          };
    case 'reminders.item.chased':
      return {
        title: 'Chase notice',
        body: `The item is due or overdue (deadline ${when(data.deadline)}); report now.`,
      };
    case 'reminders.item.escalated':
      return {
        title: `Escalation (level ${event.data.level})`,
        body: `The item handled by ${name(data.assignee)} is overdue (deadline ${when(data.deadline)}). ${event.data.reason}`,
      };
    case 'tasks.item.reviewed':
      return {
        title: `Review result: ${event.data.outcome}`,
        body: event.data.comment || 'See the item for details.',
      };
    case 'scoring.decision.recorded':
      return {
        title: `${event.data.kind === 'commendation' ? 'Commendation' : 'Criticism'} (${event.data.points > 0 ? '+' : ''}${event.data.points})`,
        body: `${name(data.unit)}: ${event.data.reason}`,
      };
    case 'scoring.sanction.imposed':
      return { title: `Sanction: ${event.data.kind}`, body: event.data.reason };
    case 'notifications.bulletin.published':
      return {
        title: `Bulletin ${event.data.docNo}: ${event.data.title}`,
        body: 'A supervision bulletin has been published.',
      };
    default:
      return { title: event.type, body: `${nameOf(event.source)}: ${event.type} (${event.subject})` };
  }
}

/**
 * The title and body a person reads: the node's override for (type, locale) when an admin wrote one,
 * else the default wording in code. Pure: the caller looks the override up.
 */
export function renderFor(
  event: DubanEvent,
  locale: Locale,
  nameOf: (id: string) => string,
  override?: TemplateOverride | null,
): Rendered {
  const defaults = locale === 'en' ? renderEnglish(event, nameOf) : render(event, nameOf);
  if (!override) return defaults;
  const vars = templateVars(event, nameOf, defaults);
  return { title: fill(override.title, vars), body: fill(override.body, vars) };
}
