import { z } from 'zod';
import { IsoTime, NodeId } from './ids';

/**
 * One entry per (type, version). A changed payload is a new version added beside the old one;
 * consumers accept both while both exist.
 */
export interface EventDefinition<T extends string, V extends number, D extends z.ZodType> {
  readonly type: T;
  readonly version: V;
  readonly data: D;
  readonly description: string;
  /** Which party of the subject may emit it: checked by every consumer. */
  readonly emittedBy: string;
}

function defineEvent<T extends string, V extends number, D extends z.ZodType>(
  def: EventDefinition<T, V, D>,
): EventDefinition<T, V, D> {
  return def;
}

export const ItemKind = z.enum([
  'annual-target',
  'project',
  'major-event',
  'petition',
  'conduct',
  'leader-instruction',
  'hotline',
]);
export type ItemKind = z.infer<typeof ItemKind>;

const ItemParties = z.object({
  itemId: z.uuid(),
  assigner: NodeId,
  assignee: NodeId,
});

export const ItemAssignedV1 = ItemParties.extend({
  title: z.string().min(1).max(200),
  description: z.string().max(5000),
  kind: ItemKind,
  noticeNo: z.string().min(1).max(64),
  deadline: IsoTime,
  assignedAt: IsoTime,
});
export type ItemAssignedV1 = z.infer<typeof ItemAssignedV1>;

export const ItemAcknowledgedV1 = ItemParties.extend({ acknowledgedAt: IsoTime });
export type ItemAcknowledgedV1 = z.infer<typeof ItemAcknowledgedV1>;

export const ItemReportedV1 = ItemParties.extend({
  summary: z.string().min(1).max(5000),
  reportedAt: IsoTime,
});
export type ItemReportedV1 = z.infer<typeof ItemReportedV1>;

export const ItemClosedV1 = ItemParties.extend({ closedAt: IsoTime, comment: z.string().max(2000) });
export type ItemClosedV1 = z.infer<typeof ItemClosedV1>;

export const ItemChasedV1 = ItemParties.extend({
  deadline: IsoTime,
  chasedAt: IsoTime,
  /** 1 for the first overdue chase; each later chase counts up. */
  chaseNo: z.number().int().positive(),
});
export type ItemChasedV1 = z.infer<typeof ItemChasedV1>;

export const ItemEscalatedV1 = ItemParties.extend({
  deadline: IsoTime,
  escalatedAt: IsoTime,
  level: z.number().int().positive(),
  escalatedTo: NodeId,
  reason: z.string().max(500),
});
export type ItemEscalatedV1 = z.infer<typeof ItemEscalatedV1>;

export const DecisionKind = z.enum(['commendation', 'criticism']);
export type DecisionKind = z.infer<typeof DecisionKind>;
export const DecidingBody = z.enum(['committee', 'office']);
export type DecidingBody = z.infer<typeof DecidingBody>;

export const DecisionRecordedV1 = z.object({
  decisionId: z.uuid(),
  unit: NodeId,
  year: z.number().int().min(2000).max(2100),
  kind: DecisionKind,
  body: DecidingBody,
  points: z.number().int(),
  reason: z.string().min(1).max(2000),
  itemIds: z.array(z.uuid()),
  decidedAt: IsoTime,
});
export type DecisionRecordedV1 = z.infer<typeof DecisionRecordedV1>;

export const SanctionKind = z.enum(['admonishment', 'unit-award-ineligible']);
export type SanctionKind = z.infer<typeof SanctionKind>;

export const SanctionImposedV1 = z.object({
  sanctionId: z.uuid(),
  unit: NodeId,
  year: z.number().int().min(2000).max(2100),
  kind: SanctionKind,
  /** The criticisms that crossed the threshold, oldest first. */
  decisionIds: z.array(z.uuid()).min(1),
  reason: z.string().min(1).max(2000),
  imposedAt: IsoTime,
});
export type SanctionImposedV1 = z.infer<typeof SanctionImposedV1>;

export const CATALOGUE = [
  defineEvent({
    type: 'tasks.item.assigned',
    version: 1,
    data: ItemAssignedV1,
    emittedBy: 'assigner',
    description:
      '交办: the assigner sends a supervision notice (督促查办事项通知单) to the responsible unit.',
  }),
  defineEvent({
    type: 'tasks.item.acknowledged',
    version: 1,
    data: ItemAcknowledgedV1,
    emittedBy: 'assignee',
    description: '签收: the responsible unit acknowledges the notice.',
  }),
  defineEvent({
    type: 'tasks.item.reported',
    version: 1,
    data: ItemReportedV1,
    emittedBy: 'assignee',
    description: 'The responsible unit sends its closing report for review.',
  }),
  defineEvent({
    type: 'tasks.item.closed',
    version: 1,
    data: ItemClosedV1,
    emittedBy: 'assigner',
    description: '办结: the assigner accepts the closing report and closes the item.',
  }),
  defineEvent({
    type: 'reminders.item.chased',
    version: 1,
    data: ItemChasedV1,
    emittedBy: 'assigner',
    description: '催办: the deadline passed without a closing report; the unit is chased.',
  }),
  defineEvent({
    type: 'reminders.item.escalated',
    version: 1,
    data: ItemEscalatedV1,
    emittedBy: 'assigner',
    description:
      'The grace after a chase passed without a closing report; the item climbs one level up the tree.',
  }),
  defineEvent({
    type: 'scoring.decision.recorded',
    version: 1,
    data: DecisionRecordedV1,
    emittedBy: 'county office',
    description:
      '通报表扬 / 通报批评: a commendation or criticism of a unit by the committee (±5) or its office (±3).',
  }),
  defineEvent({
    type: 'scoring.sanction.imposed',
    version: 1,
    data: SanctionImposedV1,
    emittedBy: 'county office',
    description:
      'A sanction that follows from the year’s criticisms: 2nd → admonishment talk (诫勉谈话), 3rd → unit loses award eligibility.',
  }),
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
export type DubanEvent = {
  [K in Catalogue as `${K['type']}@${K['version']}`]: EventOf<K>;
}[`${Catalogue['type']}@${Catalogue['version']}`];

export type EventByType<T extends CatalogueEventType> = Extract<DubanEvent, { type: T }>;
export type DataOf<T extends CatalogueEventType> = EventByType<T>['data'];

const byKey = new Map<string, Catalogue>(CATALOGUE.map((d) => [`${d.type}@${d.version}`, d]));

export function findDefinition(type: string, version: number): Catalogue | undefined {
  return byKey.get(`${type}@${version}`);
}

/** The newest version of each type: what producers emit. */
export const CURRENT_VERSION: Record<CatalogueEventType, number> = CATALOGUE.reduce(
  (acc, d) => ({ ...acc, [d.type]: Math.max(acc[d.type] ?? 0, d.version) }),
  {} as Record<CatalogueEventType, number>,
);
