import { z } from 'zod';
import { createEvent, uuidv7 } from '@duban/events';
import type { DecidingBody, DecisionKind, DubanEvent, EventByType, SanctionKind } from '@duban/events';
import { AppError } from '@duban/kit/errors';

/** A year's rules as data: points per (kind, body) and the criticisms that trigger each sanction. */
export const ScoringRules = z.object({
  points: z.object({
    commendation: z.object({
      committee: z.number().int().min(0).max(100),
      office: z.number().int().min(0).max(100),
    }),
    criticism: z.object({
      committee: z.number().int().min(-100).max(0),
      office: z.number().int().min(-100).max(0),
    }),
  }),
  thresholds: z.object({
    admonishment: z.number().int().min(1).max(50),
    'unit-award-ineligible': z.number().int().min(1).max(50),
  }),
});
export type ScoringRules = z.infer<typeof ScoringRules>;

/** DOMAIN.md, "Rewards and penalties": the rules of the seed county. */
export const DEFAULT_RULES: ScoringRules = {
  points: { commendation: { committee: 5, office: 3 }, criticism: { committee: -5, office: -3 } },
  thresholds: { admonishment: 2, 'unit-award-ineligible': 3 },
};

export interface PriorDecision {
  id: string;
  kind: DecisionKind;
}

export interface DecisionCommand {
  decider: string;
  unit: string;
  kind: DecisionKind;
  body: DecidingBody;
  reason: string;
  itemIds: string[];
}

export type ScoringEvent = Extract<DubanEvent, { type: `scoring.${string}` }>;
type Recorded = EventByType<'scoring.decision.recorded'>;
type Imposed = EventByType<'scoring.sanction.imposed'>;

/** The subject that keeps one unit's scoring events of one year in order. */
export function scoreSubject(unit: string, year: number): string {
  return `score:${unit}:${year}`;
}

const SANCTION_REASONS: Record<SanctionKind, (year: number, n: number) => string> = {
  admonishment: (year, n) => `${year}年内第${n}次通报批评：对该项工作责任人诫勉谈话，取消其当年评先资格`,
  'unit-award-ineligible': (year, n) => `${year}年内第${n}次通报批评：取消该单位当年评先资格`,
};

/**
 * The sanctions due given the year's standing criticisms (reversed ones excluded) and the sanctions
 * in force: each kind whose threshold is reached and that is not in force yet.
 */
function sanctionsDue(
  criticisms: readonly string[],
  inForce: ReadonlySet<SanctionKind>,
  rules: ScoringRules,
): SanctionKind[] {
  return (Object.keys(rules.thresholds) as SanctionKind[]).filter(
    (kind) => criticisms.length >= rules.thresholds[kind] && !inForce.has(kind),
  );
}

export interface DecideContext {
  now: Date;
  year: number;
  rules: ScoringRules;
  /** The acting person may decide for this body (committee member / office staff of the county office). */
  mayDecide: boolean;
  unitIsBelow: boolean;
  /** Kinds of sanction already in force for the unit this year. */
  inForce: ReadonlySet<SanctionKind>;
}

/**
 * Records a commendation or criticism and whatever sanction it triggers. `prior` holds the unit's
 * standing (not reversed) decisions of the same year, oldest first.
 */
export function recordDecision(
  command: DecisionCommand,
  prior: readonly PriorDecision[],
  ctx: DecideContext,
): ScoringEvent[] {
  if (!ctx.mayDecide) {
    throw new AppError(
      'forbidden',
      'scoring.not_a_deciding_body',
      'only the supervision committee (committee members) and its office (office staff) decide commendations and criticisms',
    );
  }
  if (!ctx.unitIsBelow) {
    throw new AppError(
      'unprocessable',
      'scoring.unknown_unit',
      `${command.unit} is not a unit under ${command.decider}`,
      {
        issues: [{ path: 'body.unit', message: 'not a unit under this node' }],
      },
    );
  }
  const subject = scoreSubject(command.unit, ctx.year);
  const decisionId = uuidv7(ctx.now.getTime());
  const events: ScoringEvent[] = [
    createEvent({
      type: 'scoring.decision.recorded',
      source: command.decider,
      to: [command.unit],
      subject,
      time: ctx.now,
      data: {
        decisionId,
        unit: command.unit,
        year: ctx.year,
        kind: command.kind,
        body: command.body,
        points: ctx.rules.points[command.kind][command.body],
        reason: command.reason,
        itemIds: command.itemIds,
        decidedAt: ctx.now.toISOString(),
      },
    }) as Recorded,
  ];
  if (command.kind !== 'criticism') return events;
  const criticisms = [...prior.filter((d) => d.kind === 'criticism').map((d) => d.id), decisionId];
  for (const kind of sanctionsDue(criticisms, ctx.inForce, ctx.rules)) {
    events.push(
      createEvent({
        type: 'scoring.sanction.imposed',
        source: command.decider,
        to: [command.unit],
        subject,
        time: ctx.now,
        data: {
          sanctionId: uuidv7(ctx.now.getTime()),
          unit: command.unit,
          year: ctx.year,
          kind,
          decisionIds: criticisms,
          reason: SANCTION_REASONS[kind](ctx.year, criticisms.length),
          imposedAt: ctx.now.toISOString(),
        },
      }) as Imposed,
    );
  }
  return events;
}

export interface AppealState {
  id: string;
  decisionId: string;
  unit: string;
  year: number;
  status: 'pending' | 'upheld' | 'reversed';
}

/**
 * Decides an appeal (申诉). A reversal takes the decision's points away and lifts each sanction in
 * force whose threshold the remaining criticisms no longer reach; the history stays intact.
 */
export function decideAppeal(
  appeal: AppealState,
  input: { upheld: boolean; comment: string; decider: string; by: string },
  standing: readonly PriorDecision[],
  inForce: ReadonlyArray<{ id: string; kind: SanctionKind }>,
  ctx: { now: Date; rules: ScoringRules },
): ScoringEvent[] {
  if (appeal.status !== 'pending') {
    throw new AppError(
      'conflict',
      'appeal.decided',
      `appeal ${appeal.id} was decided already (${appeal.status})`,
    );
  }
  const subject = scoreSubject(appeal.unit, appeal.year);
  const base = { source: input.decider, to: [appeal.unit], subject, time: ctx.now };
  const at = ctx.now.toISOString();
  const events: ScoringEvent[] = [
    createEvent({
      ...base,
      type: 'scoring.appeal.decided',
      data: {
        appealId: appeal.id,
        decisionId: appeal.decisionId,
        unit: appeal.unit,
        year: appeal.year,
        upheld: input.upheld,
        comment: input.comment,
        by: input.by,
        decidedAt: at,
      },
    }),
  ];
  if (input.upheld) return events;
  events.push(
    createEvent({
      ...base,
      type: 'scoring.decision.reversed',
      data: {
        decisionId: appeal.decisionId,
        unit: appeal.unit,
        year: appeal.year,
        appealId: appeal.id,
        reason: input.comment || '申诉成立',
        reversedAt: at,
      },
    }),
  );
  const remaining = standing.filter((d) => d.kind === 'criticism' && d.id !== appeal.decisionId).length;
  for (const sanction of inForce) {
    if (remaining >= ctx.rules.thresholds[sanction.kind]) continue;
    events.push(
      createEvent({
        ...base,
        type: 'scoring.sanction.lifted',
        data: {
          sanctionId: sanction.id,
          unit: appeal.unit,
          year: appeal.year,
          kind: sanction.kind,
          reason: `申诉成立，撤销一次通报批评后本年度通报批评${remaining}次，未达处理标准`,
          liftedAt: at,
        },
      }),
    );
  }
  return events;
}
