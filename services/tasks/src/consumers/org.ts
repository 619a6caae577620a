import { RejectedEvent } from '@duban/bus';
import type { EventHandler } from '@duban/bus';
import { TOPICS } from '@duban/events';
import { OrgChangeRefused } from '@duban/org';
import { transferOpenItems } from '../commands';
import type { OrgChanges, TasksDeps } from '../deps';

/**
 * 机构调整 in the ledgers: when a unit is merged or abolished, each hosted node that assigned it
 * open items passes them to the successor (`tasks.item.transferred`, keyed by the item). The
 * change is recorded in this transaction too (idempotent with any other consumer that records it),
 * so an assignment racing the merge is either transferred here or refused (OrgBook.settle).
 */
export function orgChangesConsumer(deps: TasksDeps): EventHandler {
  return {
    name: 'tasks-org',
    topics: [TOPICS.org],
    // Every org event: this consumer keeps the process's tree too (the runtime then runs no `org`
    // consumer beside it), and transfers on a merge or an abolition.
    accepts: (event) => event.type.startsWith('org.'),
    async handle(event, tx) {
      if (!event.type.startsWith('org.')) return;
      try {
        await deps.orgBook?.record(tx, event as Parameters<OrgChanges['record']>[1], deps.clock.now());
      } catch (error) {
        if (error instanceof OrgChangeRefused)
          throw new RejectedEvent(error.problem.code, `${event.type} ${event.id}: ${error.message}`);
        throw error;
      }
      if (event.type !== 'org.unit.merged' && event.type !== 'org.unit.abolished') return;
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
