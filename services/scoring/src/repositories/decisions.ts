import type { Prisma, TransactionClient } from '@duban/db';
import type { DecisionKind, SanctionKind } from '@duban/events';
import { assertNever } from '@duban/kit/errors';
import { DEFAULT_RULES, ScoringRules } from '../domain/rules';
import type { AppealState, PriorDecision, ScoringEvent } from '../domain/rules';

export const decisionRepository = {
  /** The unit's standing (not reversed) decisions of a year, oldest first. */
  async standing(
    tx: TransactionClient,
    nodeId: string,
    unit: string,
    year: number,
  ): Promise<PriorDecision[]> {
    const rows = await tx.decision.findMany({
      where: { nodeId, unit, year, reversedAt: null },
      orderBy: [{ decidedAt: 'asc' }, { id: 'asc' }],
      select: { id: true, kind: true },
    });
    return rows.map((r) => ({ id: r.id, kind: r.kind as DecisionKind }));
  },

  async sanctionsInForce(tx: TransactionClient, nodeId: string, unit: string, year: number) {
    const rows = await tx.sanction.findMany({
      where: { nodeId, unit, year, liftedAt: null },
      select: { id: true, kind: true },
    });
    return rows.map((r) => ({ id: r.id, kind: r.kind as SanctionKind }));
  },

  async rules(tx: TransactionClient, nodeId: string, year: number): Promise<ScoringRules> {
    const row = await tx.scoringRules.findUnique({ where: { nodeId_year: { nodeId, year } } });
    return row ? ScoringRules.parse(row.rules) : DEFAULT_RULES;
  },

  async saveRules(tx: TransactionClient, nodeId: string, year: number, rules: ScoringRules, now: Date) {
    const data = { rules: rules as unknown as Prisma.InputJsonValue, updatedAt: now };
    await tx.scoringRules.upsert({
      where: { nodeId_year: { nodeId, year } },
      create: { nodeId, year, ...data },
      update: data,
    });
  },

  async appeal(tx: TransactionClient, nodeId: string, appealId: string): Promise<AppealState | null> {
    const row = await tx.appeal.findUnique({ where: { nodeId_id: { nodeId, id: appealId } } });
    return row
      ? {
          id: row.id,
          decisionId: row.decisionId,
          unit: row.unit,
          year: row.year,
          status: row.status as AppealState['status'],
        }
      : null;
  },

  /** Writes scoring events into a node's ledger (the deciding node's, or the unit's own). */
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
        case 'scoring.decision.reversed':
          await tx.decision.updateMany({
            where: { nodeId, id: event.data.decisionId },
            data: { reversedAt: new Date(event.data.reversedAt), reversedBy: event.data.appealId },
          });
          break;
        case 'scoring.sanction.lifted':
          await tx.sanction.updateMany({
            where: { nodeId, id: event.data.sanctionId },
            data: { liftedAt: new Date(event.data.liftedAt), liftReason: event.data.reason },
          });
          break;
        case 'scoring.appeal.filed': {
          const a = event.data;
          await tx.appeal.create({
            data: {
              nodeId,
              id: a.appealId,
              decisionId: a.decisionId,
              unit: a.unit,
              year: a.year,
              reason: a.reason,
              filedBy: a.by,
              filedAt: new Date(a.filedAt),
              status: 'pending',
            },
          });
          break;
        }
        case 'scoring.appeal.decided':
          await tx.appeal.updateMany({
            where: { nodeId, id: event.data.appealId },
            data: {
              status: event.data.upheld ? 'upheld' : 'reversed',
              comment: event.data.comment,
              decidedAt: new Date(event.data.decidedAt),
            },
          });
          break;
        case 'scoring.proposal.decided':
          await tx.proposal.updateMany({
            where: { nodeId, id: event.data.proposalId },
            data: {
              status: event.data.accepted ? 'accepted' : 'dismissed',
              decisionId: event.data.decisionId,
              comment: event.data.comment,
              decidedAt: new Date(event.data.decidedAt),
            },
          });
          break;
        case 'scoring.referral.recorded': {
          const r = event.data;
          await tx.referral.create({
            data: {
              nodeId,
              id: r.referralId,
              unit: r.unit,
              person: r.person,
              to: r.to,
              reason: r.reason,
              decisionIds: r.decisionIds,
              itemIds: r.itemIds,
              referredBy: r.by,
              referredAt: new Date(r.referredAt),
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
