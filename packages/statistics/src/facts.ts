import type { DubanEvent } from '@duban/events';

/**
 * What the statistics need to know of one item, folded from its events. Every number the office
 * publishes is computed from these facts, and the facts only from events: anyone holding the event
 * stream (an analyst, another county system) gets the same numbers.
 */
export interface ItemFacts {
  itemId: string;
  kind: string;
  assigner: string;
  assignee: string;
  assignedAt: string;
  /** The deadline in force (after approved extensions). */
  deadline: string;
  ackDeadline: string;
  acknowledgedAt: string | null;
  reportedAt: string | null;
  /** When it closed the last time; null while not closed. */
  closedAt: string | null;
  /** Closed at least once by its deadline in force at that time. */
  closedOnTime: boolean;
  closedOnce: boolean;
  reportedOnce: boolean;
  returns: number;
  reopens: number;
  satisfaction: 'satisfied' | 'basically-satisfied' | 'unsatisfied' | null;
  /**
   * Units that were responsible before a transfer (机构调整), oldest first: the item counts under
   * its current assignee, the successor, as a merged unit's year does in the scoreboard.
   */
  transferredFrom?: string[];
}

/** Folds one event into an item's facts (null before its assignment). Plan items are left out. */
export function foldFacts(facts: ItemFacts | null, event: DubanEvent): ItemFacts | null {
  if (!event.type.startsWith('tasks.')) return facts;
  if (event.type === 'tasks.item.assigned') {
    const d = event.data;
    if (d.assigner === d.assignee || facts) return facts;
    return {
      itemId: d.itemId,
      kind: d.kind,
      assigner: d.assigner,
      assignee: d.assignee,
      assignedAt: d.assignedAt,
      deadline: d.deadline,
      ackDeadline: event.version !== 1 ? event.data.ackDeadline : d.deadline,
      acknowledgedAt: null,
      reportedAt: null,
      closedAt: null,
      closedOnTime: false,
      closedOnce: false,
      reportedOnce: false,
      returns: 0,
      reopens: 0,
      satisfaction: null,
    };
  }
  if (!facts) return facts;
  switch (event.type) {
    case 'tasks.item.acknowledged':
      return { ...facts, acknowledgedAt: facts.acknowledgedAt ?? event.data.acknowledgedAt };
    case 'tasks.item.reported':
      return {
        ...facts,
        reportedAt: event.data.reportedAt,
        reportedOnce: true,
        acknowledgedAt: facts.acknowledgedAt ?? event.data.reportedAt,
      };
    case 'tasks.item.reviewed':
      return event.data.outcome === 'returned' ? { ...facts, returns: facts.returns + 1 } : facts;
    case 'tasks.item.closed': {
      const at = event.data.closedAt;
      return {
        ...facts,
        closedAt: at,
        closedOnce: true,
        closedOnTime: facts.closedOnTime || (!facts.closedOnce && at <= facts.deadline),
      };
    }
    case 'tasks.item.reopened':
      return { ...facts, closedAt: null, reopens: facts.reopens + 1 };
    case 'tasks.item.transferred':
      return {
        ...facts,
        assignee: event.data.to,
        transferredFrom: [...(facts.transferredFrom ?? []), event.data.assignee],
      };
    case 'tasks.extension.approved':
      return { ...facts, deadline: event.data.newDeadline };
    case 'tasks.deadline.replanned':
      return { ...facts, deadline: event.data.newDeadline };
    case 'tasks.feedback.recorded':
      return event.data.audience === 'citizen' && event.data.satisfaction
        ? { ...facts, satisfaction: event.data.satisfaction }
        : facts;
    default:
      return facts;
  }
}
