import { appendToOutbox, lockSubject } from '@duban/bus';
import type { DecidingBody, DecisionKind } from '@duban/events';
import { chinaYear } from '@duban/kit';
import type { ScoringDeps } from './deps';
import { recordDecision, scoreSubject } from './domain/rules';
import type { ScoringEvent } from './domain/rules';
import { decisionRepository } from './repositories/decisions';

export interface DecisionInput {
  unit: string;
  kind: DecisionKind;
  body: DecidingBody;
  reason: string;
  itemIds: string[];
}

export async function decide(
  deps: ScoringDeps,
  nodeId: string,
  input: DecisionInput,
): Promise<ScoringEvent[]> {
  const now = deps.clock.now();
  const year = chinaYear(now);
  const decider = deps.org.get(nodeId);
  return deps.prisma.$transaction(async (tx) => {
    // Lock before reading the year's criticisms: two criticisms at once must not both be "the 2nd".
    await lockSubject(tx, scoreSubject(input.unit, year));
    const prior = await decisionRepository.priorDecisions(tx, nodeId, input.unit, year);
    const events = recordDecision({ decider: nodeId, ...input }, prior, {
      now,
      year,
      mayDecide: decider.kind === 'county-office',
      unitIsBelow: deps.org.has(input.unit) && deps.org.isAncestor(nodeId, input.unit),
    });
    await decisionRepository.apply(tx, nodeId, events);
    await appendToOutbox(tx, events);
    return events;
  });
}
