import { appendToOutbox, lockSubject } from '@duban/bus';
import type { TransactionClient } from '@duban/db';
import { createEvent, uuidv7 } from '@duban/events';
import type { DecidingBody, DecisionKind } from '@duban/events';
import { AppError, chinaYear, hasAnyRole } from '@duban/kit';
import type { Actor } from '@duban/kit';
import type { ScoringDeps } from './deps';
import { decideAppeal, recordDecision, scoreSubject } from './domain/rules';
import type { ScoringEvent } from './domain/rules';
import { decisionRepository } from './repositories/decisions';

export interface DecisionInput {
  unit: string;
  kind: DecisionKind;
  body: DecidingBody;
  reason: string;
  itemIds: string[];
}

function mayDecide(deps: ScoringDeps, actor: Actor, body: DecidingBody): boolean {
  if (deps.org.get(actor.node).kind !== 'county-office') return false;
  return hasAnyRole(
    actor,
    body === 'committee' ? ['committee-member'] : ['office-staff', 'committee-member'],
  );
}

async function commit(tx: TransactionClient, nodeId: string, events: ScoringEvent[]): Promise<void> {
  await decisionRepository.apply(tx, nodeId, events);
  await appendToOutbox(tx, events);
}

async function recordIn(
  deps: ScoringDeps,
  tx: TransactionClient,
  actor: Actor,
  input: DecisionInput,
  now: Date,
): Promise<ScoringEvent[]> {
  const year = chinaYear(now);
  // Lock before reading the year's criticisms: two criticisms at once must not both be "the 2nd".
  await lockSubject(tx, scoreSubject(input.unit, year));
  const [prior, inForce, rules] = await Promise.all([
    decisionRepository.standing(tx, actor.node, input.unit, year),
    decisionRepository.sanctionsInForce(tx, actor.node, input.unit, year),
    decisionRepository.rules(tx, actor.node, year),
  ]);
  const events = recordDecision({ decider: actor.node, ...input }, prior, {
    now,
    year,
    rules,
    mayDecide: mayDecide(deps, actor, input.body),
    unitIsBelow: deps.org.has(input.unit) && deps.org.isAncestor(actor.node, input.unit),
    inForce: new Set(inForce.map((s) => s.kind)),
  });
  await commit(tx, actor.node, events);
  return events;
}

/** 通报表扬 / 通报批评, with the sanction it brings, in one transaction. */
export async function decide(deps: ScoringDeps, actor: Actor, input: DecisionInput): Promise<ScoringEvent[]> {
  const now = deps.clock.now();
  return deps.prisma.$transaction((tx) => recordIn(deps, tx, actor, input, now));
}

/** 申诉: the unit appeals a decision about it; the appeal goes to the deciding node. */
export async function fileAppeal(
  deps: ScoringDeps,
  actor: Actor,
  decisionId: string,
  reason: string,
): Promise<ScoringEvent[]> {
  const now = deps.clock.now();
  return deps.prisma.$transaction(async (tx) => {
    const decision = await tx.decision.findUnique({
      where: { nodeId_id: { nodeId: actor.node, id: decisionId } },
    });
    if (!decision || decision.unit !== actor.node) {
      throw new AppError('not_found', 'decision.not_found', `no decision ${decisionId} about ${actor.node}`);
    }
    if (decision.reversedAt)
      throw new AppError('conflict', 'decision.reversed', 'the decision was reversed already');
    const pending = await tx.appeal.count({ where: { nodeId: actor.node, decisionId, status: 'pending' } });
    if (pending > 0)
      throw new AppError(
        'conflict',
        'appeal.pending',
        'an appeal of this decision is waiting for a decision',
      );
    if (!hasAnyRole(actor, ['unit-head', 'unit-handler', 'township-supervisor'])) {
      throw new AppError(
        'forbidden',
        'item.wrong_role',
        'an appeal is filed by the unit (its head or handler)',
      );
    }
    const events: ScoringEvent[] = [
      createEvent({
        type: 'scoring.appeal.filed',
        source: actor.node,
        to: [decision.decidedBy],
        subject: scoreSubject(decision.unit, decision.year),
        time: now,
        data: {
          appealId: uuidv7(now.getTime()),
          decisionId,
          unit: decision.unit,
          year: decision.year,
          reason,
          by: actor.person,
          filedAt: now.toISOString(),
        },
      }),
    ];
    await commit(tx, actor.node, events);
    return events;
  });
}

export async function decideAppealCommand(
  deps: ScoringDeps,
  actor: Actor,
  appealId: string,
  input: { upheld: boolean; comment: string },
): Promise<ScoringEvent[]> {
  const now = deps.clock.now();
  return deps.prisma.$transaction(async (tx) => {
    const appeal = await decisionRepository.appeal(tx, actor.node, appealId);
    if (!appeal)
      throw new AppError('not_found', 'appeal.not_found', `no appeal ${appealId} at ${actor.node}`);
    const decision = await tx.decision.findUnique({
      where: { nodeId_id: { nodeId: actor.node, id: appeal.decisionId } },
    });
    if (!decision || !mayDecide(deps, actor, decision.body as DecidingBody)) {
      throw new AppError(
        'forbidden',
        'scoring.not_a_deciding_body',
        'an appeal is decided by the body that made the decision',
      );
    }
    await lockSubject(tx, scoreSubject(appeal.unit, appeal.year));
    const [standing, inForce, rules] = await Promise.all([
      decisionRepository.standing(tx, actor.node, appeal.unit, appeal.year),
      decisionRepository.sanctionsInForce(tx, actor.node, appeal.unit, appeal.year),
      decisionRepository.rules(tx, actor.node, appeal.year),
    ]);
    const events = decideAppeal(
      appeal,
      { ...input, decider: actor.node, by: actor.person },
      standing,
      inForce,
      { now, rules },
    );
    await commit(tx, actor.node, events);
    return events;
  });
}

/** Accepts (recording a criticism) or dismisses a proposal raised by the escalation ladder. */
export async function decideProposal(
  deps: ScoringDeps,
  actor: Actor,
  proposalId: string,
  input: { accept: boolean; body: DecidingBody; reason: string | null; comment: string },
): Promise<ScoringEvent[]> {
  const now = deps.clock.now();
  return deps.prisma.$transaction(async (tx) => {
    const proposal = await tx.proposal.findUnique({
      where: { nodeId_id: { nodeId: actor.node, id: proposalId } },
    });
    if (!proposal)
      throw new AppError('not_found', 'proposal.not_found', `no proposal ${proposalId} at ${actor.node}`);
    if (proposal.status !== 'pending')
      throw new AppError('conflict', 'proposal.decided', `the proposal was ${proposal.status} already`);
    if (!mayDecide(deps, actor, input.body)) {
      throw new AppError(
        'forbidden',
        'scoring.not_a_deciding_body',
        'only the committee or its office decides on a proposal',
      );
    }
    const recorded = input.accept
      ? await recordIn(
          deps,
          tx,
          actor,
          {
            unit: proposal.unit,
            kind: 'criticism',
            body: input.body,
            reason: input.reason ?? proposal.reason,
            itemIds: [proposal.itemId],
          },
          now,
        )
      : [];
    const decisionId = recorded[0]?.type === 'scoring.decision.recorded' ? recorded[0].data.decisionId : null;
    const events: ScoringEvent[] = [
      createEvent({
        type: 'scoring.proposal.decided',
        source: actor.node,
        to: [proposal.unit],
        subject: scoreSubject(proposal.unit, chinaYear(now)),
        time: now,
        data: {
          proposalId,
          itemId: proposal.itemId,
          unit: proposal.unit,
          accepted: input.accept,
          decisionId,
          comment: input.comment,
          by: actor.person,
          decidedAt: now.toISOString(),
        },
      }),
    ];
    await commit(tx, actor.node, events);
    return [...recorded, ...events];
  });
}

/** 追责: the committee refers a serious failure. */
export async function refer(
  deps: ScoringDeps,
  actor: Actor,
  input: {
    unit: string;
    person: string | null;
    to: 'discipline-commission' | 'organisation-department';
    reason: string;
    decisionIds: string[];
    itemIds: string[];
  },
): Promise<ScoringEvent[]> {
  if (deps.org.get(actor.node).kind !== 'county-office' || !hasAnyRole(actor, ['committee-member'])) {
    throw new AppError(
      'forbidden',
      'scoring.not_a_deciding_body',
      'a referral is the supervision committee’s decision',
    );
  }
  if (!deps.org.has(input.unit) || !deps.org.isAncestor(actor.node, input.unit)) {
    throw new AppError(
      'unprocessable',
      'scoring.unknown_unit',
      `${input.unit} is not a unit under ${actor.node}`,
      {
        issues: [{ path: 'body.unit', message: 'not a unit under this node' }],
      },
    );
  }
  const now = deps.clock.now();
  return deps.prisma.$transaction(async (tx) => {
    const events: ScoringEvent[] = [
      createEvent({
        type: 'scoring.referral.recorded',
        source: actor.node,
        to: [input.unit],
        subject: scoreSubject(input.unit, chinaYear(now)),
        time: now,
        data: {
          referralId: uuidv7(now.getTime()),
          ...input,
          by: actor.person,
          referredAt: now.toISOString(),
        },
      }),
    ];
    await commit(tx, actor.node, events);
    return events;
  });
}
