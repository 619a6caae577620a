import type { CatalogueEventType, DubanEvent } from './catalogue';

/**
 * Who may emit each type (ARCHITECTURE.md, Authority), as data every consumer can apply before its
 * handler: the signature proves who sent an event, this says whether that node may say it. Handlers
 * keep their finer rules (e.g. scoring: only a county office above the unit).
 * - `assigner` / `assignee`: the item party the payload names;
 * - `county-office`: a node of that tier;
 * - `unit`: the unit the payload is about (an appeal);
 * - `issuer`: a node above every unit the payload names (a bulletin);
 * - `self`: the node the payload is about (its own key);
 * - `county-office-above`: a county office above the unit the payload is about (for an added unit,
 *   above or at its parent). A unit this consumer's tree does not know yet passes here: the org
 *   consumer checks it against the tree once every earlier change is applied.
 */
export type Emitter =
  'assigner' | 'assignee' | 'county-office' | 'county-office-above' | 'unit' | 'issuer' | 'self';

export const EMITTER = {
  'tasks.item.assigned': 'assigner',
  'tasks.deadline.replanned': 'assigner',
  'tasks.item.acknowledged': 'assignee',
  'tasks.item.progressed': 'assignee',
  'tasks.report.drafted': 'assignee',
  'tasks.item.reported': 'assignee',
  'tasks.item.reviewed': 'assigner',
  'tasks.item.closed': 'assigner',
  'tasks.item.reopened': 'assigner',
  'tasks.extension.requested': 'assignee',
  'tasks.extension.approved': 'assigner',
  'tasks.extension.refused': 'assigner',
  'tasks.feedback.recorded': 'assigner',
  'tasks.meeting.held': 'assigner',
  'tasks.item.transferred': 'assigner',
  'reminders.item.chased': 'assigner',
  'reminders.item.escalated': 'assigner',
  'reminders.calendar.amended': 'county-office',
  'scoring.decision.recorded': 'county-office',
  'scoring.sanction.imposed': 'county-office',
  'scoring.appeal.filed': 'unit',
  'scoring.appeal.decided': 'county-office',
  'scoring.decision.reversed': 'county-office',
  'scoring.sanction.lifted': 'county-office',
  'scoring.proposal.decided': 'county-office',
  'scoring.referral.recorded': 'county-office',
  'notifications.bulletin.published': 'issuer',
  'security.key.rotated': 'self',
  'org.unit.added': 'county-office-above',
  'org.unit.renamed': 'county-office-above',
  'org.unit.moved': 'county-office-above',
  'org.unit.merged': 'county-office-above',
  'org.unit.abolished': 'county-office-above',
} as const satisfies Record<CatalogueEventType, Emitter>;

/** What a consumer needs to know of the organisation tree. */
export interface OrgLookup {
  kindOf(id: string): string | undefined;
  isAncestor(ancestorId: string, id: string): boolean;
}

/** Why `event.source` may not emit this event, or undefined when it may. */
export function authorityProblem(event: DubanEvent, org: OrgLookup): string | undefined {
  const rule: Emitter = EMITTER[event.type];
  const d = event.data as Record<string, unknown>;
  const must = (who: unknown, as: string) =>
    event.source === who
      ? undefined
      : `${event.type} must come from the ${as} (${String(who)}), not ${event.source}`;
  switch (rule) {
    case 'assigner':
      return must(d.assigner, 'assigner');
    case 'assignee':
      return must(d.assignee, 'assignee');
    case 'unit':
      return must(d.unit, 'unit concerned');
    case 'self':
      return must(d.node, 'node whose key it is');
    case 'county-office':
      return org.kindOf(event.source) === 'county-office'
        ? undefined
        : `${event.type} must come from a county office, not ${event.source}`;
    case 'county-office-above': {
      if (org.kindOf(event.source) !== 'county-office')
        return `${event.type} must come from a county office, not ${event.source}`;
      const about = String(event.type === 'org.unit.added' ? d.parentId : d.unitId);
      if (org.kindOf(about) === undefined) return undefined;
      return about === event.source && event.type === 'org.unit.added'
        ? undefined
        : org.isAncestor(event.source, about)
          ? undefined
          : `${event.source} may not re-organise ${about}, outside its subtree`;
    }
    case 'issuer': {
      const lines = [
        ...((d.commended as Array<{ unit: string }>) ?? []),
        ...((d.criticised as Array<{ unit: string }>) ?? []),
      ];
      const outside = lines.find((l) => !org.isAncestor(event.source, l.unit));
      return outside
        ? `${event.source} may not publish a bulletin naming ${outside.unit}, outside its subtree`
        : undefined;
    }
  }
}
