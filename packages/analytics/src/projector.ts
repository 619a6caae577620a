import { createHash } from 'node:crypto';
import { RejectedEvent, appendRecordsToOutbox } from '@duban/bus';
import type { EventHandler } from '@duban/bus';
import {
  CLOUDEVENTS_SPEC_VERSION,
  TOPICS,
  UnclassifiedField,
  analyticsTopicOf,
  cloudEventSource,
  redactPayload,
} from '@duban/events';
import type { DubanEvent } from '@duban/events';
import type { OrgTree } from '@duban/org';
import { PseudonymKeys, chinaYear, pseudonym } from './pseudonyms';

/** One record of the analysts' stream: a CloudEvent in structured mode (docs/analysts.md). */
export interface AnalyticsEvent {
  specversion: typeof CLOUDEVENTS_SPEC_VERSION;
  id: string;
  source: string;
  type: string;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  /** The catalogue version of the payload before redaction. */
  dubanversion: number;
  /** The county office whose projector wrote it (and whose key made its pseudonyms). */
  dubancounty: string;
  data: unknown;
}

/**
 * The record's id: derived from the event's and the county's, so a replayed event maps to the same
 * record (outbox_event.event_id is unique; an analyst de-duplicates by id), formatted as a UUIDv8.
 */
export function analyticsId(county: string, eventId: string): string {
  const hex = createHash('sha256').update(`duban.analytics\u0000${county}\u0000${eventId}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The node an event is about, for finding the county that projects it. */
function concerns(event: DubanEvent): string {
  const data = event.data as { assignee?: unknown; unit?: unknown };
  if (event.type.startsWith('tasks.') || event.type.startsWith('reminders.item.'))
    if (typeof data.assignee === 'string') return data.assignee;
  if (event.type.startsWith('scoring.') && typeof data.unit === 'string') return data.unit;
  return event.source;
}

export interface ProjectorDeps {
  org: OrgTree;
  hosted: { has(id: string): boolean };
}

/**
 * Publishes every domain event once per county as its redacted analytics event, in the transaction
 * that records the event in the inbox: the county office's host sees every item through its
 * observer copies, so the county offices hosted here over the node an event is about (the same
 * rule as the scoring facts) are the ones that project it; other hosts skip it.
 */
export function analyticsProjector(deps: ProjectorDeps): EventHandler {
  const { org, hosted } = deps;
  const keys = new PseudonymKeys();
  const countiesOf = (node: string): string[] =>
    org.find(node)
      ? [org.get(node), ...org.ancestors(node)]
          .filter((n) => n.kind === 'county-office' && hosted.has(n.id))
          .map((n) => n.id)
      : [];

  return {
    name: 'analytics',
    topics: [TOPICS.tasks, TOPICS.reminders, TOPICS.scoring, TOPICS.notifications, TOPICS.security],
    accepts: (event) => countiesOf(concerns(event)).length > 0,
    async handle(event, tx) {
      const records = [];
      for (const county of countiesOf(concerns(event))) {
        const key = await keys.forYear(tx, county, chinaYear(event.time));
        let data: unknown;
        try {
          data = redactPayload(event.type, event.version, event.data, (v) => pseudonym(key, event.source, v));
        } catch (error) {
          if (error instanceof UnclassifiedField)
            throw new RejectedEvent('analytics.unclassified', error.message);
          throw error;
        }
        const record: AnalyticsEvent = {
          specversion: CLOUDEVENTS_SPEC_VERSION,
          id: analyticsId(county, event.id),
          source: cloudEventSource(event.source),
          type: event.type,
          time: event.time,
          subject: event.subject,
          datacontenttype: 'application/json',
          dubanversion: event.version,
          dubancounty: county,
          data,
        };
        records.push({
          id: record.id,
          topic: analyticsTopicOf(event.type),
          key: event.subject,
          payload: JSON.stringify(record),
        });
      }
      await appendRecordsToOutbox(tx, records);
    },
  };
}
