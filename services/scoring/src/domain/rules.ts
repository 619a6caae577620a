import { createEvent, uuidv7 } from '@duban/events';
import type { DecidingBody, DecisionKind, EventByType } from '@duban/events';
import { AppError } from '@duban/kit/errors';

/** Points by (kind, body), from DOMAIN.md "Rewards and penalties". */
export const POINTS: Record<DecisionKind, Record<DecidingBody, number>> = {
  commendation: { committee: 5, office: 3 },
  criticism: { committee: -5, office: -3 },
};

/** Criticisms within one year that trigger each sanction. */
export const SANCTION_THRESHOLDS = { admonishment: 2, 'unit-award-ineligible': 3 } as const;

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

export type ScoringEvent = EventByType<'scoring.decision.recorded'> | EventByType<'scoring.sanction.imposed'>;

/** The subject that keeps one unit's scoring events of one year in order. */
export function scoreSubject(unit: string, year: number): string {
  return `score:${unit}:${year}`;
}

/**
 * Records a commendation or criticism and whatever sanction it triggers. `prior` holds the unit's
 * decisions of the same year, oldest first.
 */
export function recordDecision(
  command: DecisionCommand,
  prior: readonly PriorDecision[],
  ctx: { now: Date; year: number; mayDecide: boolean; unitIsBelow: boolean },
): ScoringEvent[] {
  if (!ctx.mayDecide) {
    throw new AppError(
      'forbidden',
      'scoring.not_a_deciding_body',
      'only the supervision committee and its office decide commendations and criticisms',
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
        points: POINTS[command.kind][command.body],
        reason: command.reason,
        itemIds: command.itemIds,
        decidedAt: ctx.now.toISOString(),
      },
    }),
  ];
  if (command.kind !== 'criticism') return events;
  const criticisms = [...prior.filter((d) => d.kind === 'criticism').map((d) => d.id), decisionId];
  for (const [kind, threshold] of Object.entries(SANCTION_THRESHOLDS) as Array<
    [keyof typeof SANCTION_THRESHOLDS, number]
  >) {
    if (criticisms.length !== threshold) continue;
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
          reason:
            kind === 'admonishment'
              ? `${ctx.year}年内第${threshold}次通报批评：对该项工作责任人诫勉谈话，取消其当年评先资格`
              : `${ctx.year}年内第${threshold}次通报批评：取消该单位当年评先资格`,
          imposedAt: ctx.now.toISOString(),
        },
      }),
    );
  }
  return events;
}
