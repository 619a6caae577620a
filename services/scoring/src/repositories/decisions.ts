import type { TransactionClient } from '@duban/db';
import type { DecisionKind } from '@duban/events';
import { assertNever } from '@duban/kit/errors';
import type { PriorDecision, ScoringEvent } from '../domain/rules';

export const decisionRepository = {
  async priorDecisions(
    tx: TransactionClient,
    nodeId: string,
    unit: string,
    year: number,
  ): Promise<PriorDecision[]> {
    const rows = await tx.decision.findMany({
      where: { nodeId, unit, year },
      orderBy: [{ decidedAt: 'asc' }, { id: 'asc' }],
      select: { id: true, kind: true },
    });
    return rows.map((r) => ({ id: r.id, kind: r.kind as DecisionKind }));
  },

  /** Writes scoring events into a node's ledger (the decider's, or the unit's mirror). */
  async apply(tx: TransactionClient, nodeId: string, events: readonly ScoringEvent[]): Promise<void> {
    for (const event of events) {
      switch (event.type) {
        case 'scoring.decision.recorded': {
          const d = event.data;
          await tx.decision.create({
            data: {
              nodeId,
              id: d.decisionId,
              unit: d.unit,
              year: d.year,
              kind: d.kind,
              body: d.body,
              points: d.points,
              reason: d.reason,
              itemIds: d.itemIds,
              decidedBy: event.source,
              decidedAt: new Date(d.decidedAt),
              eventId: event.id,
            },
          });
          break;
        }
        case 'scoring.sanction.imposed': {
          const s = event.data;
          await tx.sanction.create({
            data: {
              nodeId,
              id: s.sanctionId,
              unit: s.unit,
              year: s.year,
              kind: s.kind,
              decisionIds: s.decisionIds,
              reason: s.reason,
              imposedAt: new Date(s.imposedAt),
              eventId: event.id,
            },
          });
          break;
        }
        default:
          assertNever(event, 'scoring event');
      }
    }
  },
};
