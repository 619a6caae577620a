import { z } from 'zod';
import { IsoTime, NodeId } from '../ids';
import { defineEvent } from './common';

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

export const SCORING_EVENTS = [
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
