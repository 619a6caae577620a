import { RejectedEvent } from '@duban/bus';
import type { EventHandler } from '@duban/bus';
import { TOPICS } from '@duban/events';
import { OrgChangeRefused } from '@duban/org';
import { transferOpenItems } from '../commands';
import type { TasksDeps } from '../deps';

/**
 * 机构调整 in the ledgers: when a unit is merged or abolished, each hosted node that assigned it
 * open items passes them to the successor (`tasks.item.transferred`, keyed by the item). The
 * change is recorded in this transaction too (idempotent with the org consumer), so an assignment
 * racing the merge is either transferred here or refused (OrgBook.settle).
 */
export function orgChangesConsumer(deps: TasksDeps): EventHandler {
  return {
    name: 'tasks-org',
    topics: [TOPICS.org],
    accepts: (event) => event.type === 'org.unit.merged' || event.type === 'org.unit.abolished',
    async handle(event, tx) {
      if (event.type !== 'org.unit.merged' && event.type !== 'org.unit.abolished') return;
      try {
        await deps.orgBook?.record(tx, event, deps.clock.now());
      } catch (error) {
        if (error instanceof OrgChangeRefused)
          throw new RejectedEvent(error.problem.code, `${event.type} ${event.id}: ${error.message}`);
        throw error;
      }
      const d = event.data;
      const to = event.type === 'org.unit.merged' ? event.data.into : event.data.successorId;
      const toName = event.type === 'org.unit.merged' ? event.data.intoName : event.data.successorName;
      if (!to || !toName) return; // abolished without successor: the office made sure nothing was open
      const moved = await transferOpenItems(
        deps,
        tx,
        d.unitId,
        {
          to,
          toName,
          fromName: d.name,
          reason: event.type === 'org.unit.merged' ? 'merged' : 'abolished',
          orgEventId: event.id,
        },
        deps.clock.now(),
      );
      if (moved > 0) deps.logger.info({ from: d.unitId, to, items: moved }, 'open items transferred');
    },
  };
}
