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

export const DecisionReversedV1 = z.object({
  decisionId: z.uuid(),
  unit: NodeId,
  year: z.number().int().min(2000).max(2100),
  appealId: z.uuid(),
  reason: z.string().min(1).max(2000),
  reversedAt: IsoTime,
});

export const SanctionLiftedV1 = z.object({
  sanctionId: z.uuid(),
  unit: NodeId,
  year: z.number().int().min(2000).max(2100),
  kind: SanctionKind,
  reason: z.string().min(1).max(2000),
  liftedAt: IsoTime,
});

export const AppealFiledV1 = z.object({
  appealId: z.uuid(),
  decisionId: z.uuid(),
  unit: NodeId,
  year: z.number().int().min(2000).max(2100),
  reason: z.string().min(1).max(5000),
  by: z.string().min(1).max(100),
  filedAt: IsoTime,
});

export const AppealDecidedV1 = z.object({
  appealId: z.uuid(),
  decisionId: z.uuid(),
  unit: NodeId,
  year: z.number().int().min(2000).max(2100),
  /** true: the decision stands; false: it is reversed (and what followed from it is lifted). */
  upheld: z.boolean(),
  comment: z.string().max(5000),
  by: z.string().min(1).max(100),
  decidedAt: IsoTime,
});

export const ProposalDecidedV1 = z.object({
  proposalId: z.uuid(),
  itemId: z.uuid(),
  unit: NodeId,
  accepted: z.boolean(),
  /** The criticism recorded when the proposal was accepted. */
  decisionId: z.uuid().nullable(),
  comment: z.string().max(2000),
  by: z.string().min(1).max(100),
  decidedAt: IsoTime,
});

export const ReferralRecordedV1 = z.object({
  referralId: z.uuid(),
  unit: NodeId,
  /** The person responsible, where the referral names one. */
  person: z.string().max(100).nullable(),
  /** 纪委监委 (accountability) or 组织部 (the responsible person). */
  to: z.enum(['discipline-commission', 'organisation-department']),
  reason: z.string().min(1).max(5000),
  decisionIds: z.array(z.uuid()).max(50),
  itemIds: z.array(z.uuid()).max(50),
  by: z.string().min(1).max(100),
  referredAt: IsoTime,
});

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
  defineEvent({
    type: 'scoring.appeal.filed',
    version: 1,
    data: AppealFiledV1,
    emittedBy: 'the unit concerned',
    description: '申诉: a unit appeals a decision about it.',
  }),
  defineEvent({
    type: 'scoring.appeal.decided',
    version: 1,
    data: AppealDecidedV1,
    emittedBy: 'county office',
    description: 'The appeal is decided: the decision stands, or it is reversed.',
  }),
  defineEvent({
    type: 'scoring.decision.reversed',
    version: 1,
    data: DecisionReversedV1,
    emittedBy: 'county office',
    description: 'A decision reversed on appeal: its points no longer count; the record stays.',
  }),
  defineEvent({
    type: 'scoring.sanction.lifted',
    version: 1,
    data: SanctionLiftedV1,
    emittedBy: 'county office',
    description: 'A sanction lifted because a reversal took the unit back under its threshold.',
  }),
  defineEvent({
    type: 'scoring.proposal.decided',
    version: 1,
    data: ProposalDecidedV1,
    emittedBy: 'county office',
    description:
      'The office or committee accepts (recording a criticism) or dismisses a proposal to criticise raised by the escalation ladder.',
  }),
  defineEvent({
    type: 'scoring.referral.recorded',
    version: 1,
    data: ReferralRecordedV1,
    emittedBy: 'county office',
    description:
      '追责: the committee refers a serious failure to the discipline commission or the organisation department.',
  }),
] as const;
