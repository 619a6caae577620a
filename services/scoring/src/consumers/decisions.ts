import { TOPICS } from '@duban/events';
import { RejectedEvent } from '@duban/bus';
import type { EventHandler } from '@duban/bus';
import type { ScoringDeps } from '../deps';
import { decisionRepository } from '../repositories/decisions';

/** Mirrors decisions and sanctions into the ledger of the unit they concern. */
export function scoringConsumer(deps: ScoringDeps): EventHandler {
  return {
    name: 'scoring',
    topics: [TOPICS.scoring],
    accepts: (event) =>
      (event.type === 'scoring.decision.recorded' || event.type === 'scoring.sanction.imposed') &&
      deps.hosted.has(event.data.unit) &&
      event.source !== event.data.unit,
    async handle(event, tx) {
      if (event.type !== 'scoring.decision.recorded' && event.type !== 'scoring.sanction.imposed') return;
      const source = deps.org.find(event.source);
      if (source?.kind !== 'county-office' || !deps.org.isAncestor(source.id, event.data.unit)) {
        throw new RejectedEvent(
          'event.unauthorised',
          `${event.source} may not decide about ${event.data.unit}`,
        );
      }
      await decisionRepository.apply(tx, event.data.unit, [event]);
    },
  };
}
