import type { z } from 'zod';
import { REMINDERS_EVENTS } from './schemas/reminders';
import { SCORING_EVENTS } from './schemas/scoring';
import { TASKS_EVENTS } from './schemas/tasks';
import { NOTIFICATIONS_EVENTS } from './schemas/notifications';
import { SECURITY_EVENTS } from './schemas/security';
import { ORG_EVENTS } from './schemas/org';

export * from './schemas/common';
export * from './schemas/tasks';
export * from './schemas/reminders';
export * from './schemas/scoring';
export * from './schemas/notifications';
export * from './schemas/security';
export * from './schemas/org';

/**
 * One entry per (type, version). A changed payload is a new version added beside the old one;
 * consumers accept both while both exist (each service upcasts old versions in its domain).
 */
export const CATALOGUE = [
  ...TASKS_EVENTS,
  ...REMINDERS_EVENTS,
  ...SCORING_EVENTS,
  ...NOTIFICATIONS_EVENTS,
  ...SECURITY_EVENTS,
  ...ORG_EVENTS,
] as const;

type Catalogue = (typeof CATALOGUE)[number];
export type CatalogueEventType = Catalogue['type'];

/** The typed envelope of one catalogue entry. */
export type EventOf<C extends Catalogue> = {
  id: string;
  type: C['type'];
  version: C['version'];
  source: string;
  to: string[];
  subject: string;
  time: string;
  correlationId: string;
  causationId: string | null;
  data: z.infer<C['data']>;
  signature: string | null;
};

/** Every event the network knows, discriminated by `type` (and `version` within a type). */
type EventsByKey = { [K in Catalogue as `${K['type']}@${K['version']}`]: EventOf<K> };
export type DubanEvent = EventsByKey[keyof EventsByKey];

export type EventByType<T extends CatalogueEventType> = Extract<DubanEvent, { type: T }>;
export type EventByTypeVersion<T extends CatalogueEventType, V extends number> = Extract<
  DubanEvent,
  { type: T; version: V }
>;

const byKey = new Map<string, Catalogue>(CATALOGUE.map((d) => [`${d.type}@${d.version}`, d]));

export function findDefinition(type: string, version: number): Catalogue | undefined {
  return byKey.get(`${type}@${version}`);
}

/**
 * The version producers emit for each type (the newest). Written out so a new version is a visible,
 * reviewed change; a test checks it is the newest in the catalogue.
 */
export const CURRENT_VERSION = {
  'tasks.item.assigned': 3,
  'tasks.deadline.replanned': 1,
  'tasks.item.acknowledged': 2,
  'tasks.item.progressed': 1,
  'tasks.report.drafted': 1,
  'tasks.item.reported': 2,
  'tasks.item.reviewed': 1,
  'tasks.item.closed': 2,
  'tasks.item.reopened': 1,
  'tasks.extension.requested': 1,
  'tasks.extension.approved': 1,
  'tasks.extension.refused': 1,
  'tasks.feedback.recorded': 1,
  'tasks.meeting.held': 1,
  'tasks.item.transferred': 1,
  'reminders.item.chased': 2,
  'reminders.item.escalated': 2,
  'reminders.calendar.amended': 1,
  'scoring.decision.recorded': 1,
  'scoring.sanction.imposed': 1,
  'scoring.appeal.filed': 1,
  'scoring.appeal.decided': 1,
  'scoring.decision.reversed': 1,
  'scoring.sanction.lifted': 1,
  'scoring.proposal.decided': 1,
  'scoring.referral.recorded': 1,
  'notifications.bulletin.published': 1,
  'security.key.rotated': 1,
  'org.unit.added': 1,
  'org.unit.renamed': 1,
  'org.unit.moved': 1,
  'org.unit.merged': 1,
  'org.unit.abolished': 1,
} as const satisfies Record<CatalogueEventType, number>;

/** The event of a type at the version producers emit now. */
export type CurrentEvent<T extends CatalogueEventType> = EventByTypeVersion<T, (typeof CURRENT_VERSION)[T]>;
export type CurrentData<T extends CatalogueEventType> = CurrentEvent<T>['data'];
