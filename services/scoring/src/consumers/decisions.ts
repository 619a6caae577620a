import { RejectedEvent } from '@duban/bus';
import type { EventHandler } from '@duban/bus';
import type { TransactionClient } from '@duban/db';
import { TOPICS, uuidv7 } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import { foldFacts } from '@duban/statistics';
import type { ScoringDeps } from '../deps';
import type { ScoringEvent } from '../domain/rules';
import { decisionRepository } from '../repositories/decisions';
import { factRepository } from '../repositories/facts';

/**
 * The scoring side of the stream: mirrors decisions and what follows from them into the unit's own
 * ledger, brings appeals to the deciding node, turns the ladder's committee rung into a pending
 * proposal to criticise, and folds every item's events into the facts the statistics come from.
 */
export function scoringConsumer(deps: ScoringDeps): EventHandler {
  const { org, hosted } = deps;
  const supervisorsOf = (unit: string): string[] =>
    org.find(unit)
      ? [org.get(unit), ...org.ancestors(unit)]
          .filter((n) => n.kind === 'county-office' && hosted.has(n.id))
          .map((n) => n.id)
      : [];

  function isScoring(event: DubanEvent): event is ScoringEvent {
    return event.type.startsWith('scoring.');
  }

  /** The hosted node whose ledger a scoring event updates (not the one that emitted it). */
  function recipient(event: ScoringEvent): string | undefined {
    const target = event.type === 'scoring.appeal.filed' ? event.to[0] : event.data.unit;
    return target && hosted.has(target) && target !== event.source ? target : undefined;
  }

  function checkAuthority(event: ScoringEvent): void {
    if (event.type === 'scoring.appeal.filed') {
      if (event.source !== event.data.unit)
        throw new RejectedEvent(
          'event.unauthorised',
          `${event.source} may not appeal for ${event.data.unit}`,
        );
      return;
    }
    const source = org.find(event.source);
    if (source?.kind !== 'county-office' || !org.isAncestor(source.id, event.data.unit)) {
      throw new RejectedEvent(
        'event.unauthorised',
        `${event.source} may not decide about ${event.data.unit}`,
      );
    }
  }

  async function raiseProposal(
    tx: TransactionClient,
    event: Extract<DubanEvent, { type: 'reminders.item.escalated' }>,
  ) {
    if (event.version !== 2 || event.data.step !== 'committee' || !hosted.has(event.data.escalatedTo)) return;
    if (org.find(event.data.escalatedTo)?.kind !== 'county-office') return;
    await tx.proposal.createMany({
      data: [
        {
          nodeId: event.data.escalatedTo,
          id: uuidv7(new Date(event.time).getTime()),
          itemId: event.data.itemId,
          unit: event.data.assignee,
          reason: event.data.reason,
          raisedAt: new Date(event.time),
          eventId: event.id,
          status: 'pending',
        },
      ],
      skipDuplicates: true,
    });
  }

  return {
    name: 'scoring',
    topics: [TOPICS.tasks, TOPICS.reminders, TOPICS.scoring],
    accepts: (event) => {
      if (isScoring(event)) return recipient(event) !== undefined;
      if (event.type === 'reminders.item.escalated') return hosted.has(event.data.escalatedTo);
      if (event.type.startsWith('tasks.') && 'assignee' in event.data)
        return supervisorsOf(event.data.assignee).length > 0;
      return false;
    },
    async handle(event, tx) {
      if (isScoring(event)) {
        checkAuthority(event);
        const node = recipient(event);
        if (node) await decisionRepository.apply(tx, node, [event]);
        return;
      }
      if (event.type === 'reminders.item.escalated') {
        await raiseProposal(tx, event);
        return;
      }
      if (!event.type.startsWith('tasks.') || !('assignee' in event.data)) return;
      for (const node of supervisorsOf(event.data.assignee)) {
        const before = await factRepository.find(tx, node, event.data.itemId);
        const after = foldFacts(before, event);
        if (after && after !== before) await factRepository.save(tx, node, after);
      }
    },
  };
}
