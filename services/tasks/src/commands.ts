import { appendToOutbox } from '@duban/bus';
import type { TransactionClient } from '@duban/db';
import { uuidv7 } from '@duban/events';
import type { ItemKind, ItemSource, MustSupervise, Priority } from '@duban/events';
import { AppError, chinaYear } from '@duban/kit';
import type { Actor } from '@duban/kit';
import type { TasksDeps } from './deps';
import { decide, decideTransfer, evolve, isOwnItem, noticeNumber } from './domain/item';
import type {
  DecideContext,
  ItemCommand,
  ItemEvent,
  ItemState,
  Relation,
  TransferInput,
} from './domain/item';
import { itemRepository } from './repositories/items';
import { deadlineFromRule, yellowFromFor } from './calendar';
import { computeDeadline } from '@duban/calendar';
import type { DeadlineRule, WorkingCalendar } from '@duban/calendar';

/** A node's copy as the API shows it: the state and what the node is to the item. */
export type ItemView = ItemState & { relation: Relation };

function decideContext(deps: TasksDeps, actor: Actor, now: Date): DecideContext {
  return {
    now,
    actor,
    nodeExists: (id) => deps.org.has(id),
    isBelow: (above, below) => deps.org.has(below) && deps.org.isAncestor(above, below),
    retired: (id) => {
      if (!deps.org.has(id) || deps.org.isActive(id)) return undefined;
      const status = deps.org.statusOf(id) === 'merged' ? '已合并' : '已撤销';
      const successor = deps.org.successorOf(id);
      return `${deps.org.get(id).name}${status}（机构调整）${
        successor ? `，请改交${deps.org.get(successor).name}（${successor}）` : ''
      }`;
    },
  };
}

/** Applies events to a copy and persists state, timeline and outbox together. */
async function commit(
  deps: TasksDeps,
  tx: TransactionClient,
  nodeId: string,
  relation: Relation,
  state: ItemState | null,
  events: ItemEvent[],
  now: Date,
): Promise<ItemState | null> {
  if (events.length === 0) return state;
  const next = events.reduce<ItemState | null>((s, e) => evolve(s, e), state)!;
  await itemRepository.save(tx, nodeId, relation, state, next, now, yellowFromFor(next, deps.calendars));
  await itemRepository.recordEvents(tx, nodeId, events);
  await appendToOutbox(tx, events);
  return next;
}

/**
 * Progress of a split item follows its parts (立项分解): when a sub-item this node assigned closes
 * or reopens, the parent this node is responsible for gets the new share of closed parts, and a
 * plan item whose parts are all closed closes itself; the same then climbs to its own parent.
 */
async function deriveParentProgress(
  deps: TasksDeps,
  tx: TransactionClient,
  actor: Actor,
  child: ItemState,
  now: Date,
): Promise<void> {
  if (!child.parentId) return;
  const parent = await itemRepository.find(tx, actor.node, child.parentId);
  if (!parent || parent.state.assignee !== actor.node) return;
  const children = await itemRepository.children(tx, actor.node, child.parentId);
  if (children.length === 0) return;
  const percent = Math.round((100 * children.filter((c) => c.status === 'closed').length) / children.length);
  const system = { ...actor, person: 'system' };
  const events = decide(parent.state, { type: 'derive-progress', percent }, decideContext(deps, system, now));
  const next = await commit(deps, tx, actor.node, parent.relation, parent.state, events, now);
  if (next && next.status === 'closed' && parent.state.status !== 'closed')
    await deriveParentProgress(deps, tx, actor, next, now);
}

/** Runs one command on the acting node's copy of an item, in one transaction. */
export async function runItemCommand(
  deps: TasksDeps,
  actor: Actor,
  itemId: string,
  command: ItemCommand,
): Promise<ItemView> {
  const now = deps.clock.now();
  return deps.prisma.$transaction(async (tx) => {
    const copy = await itemRepository.find(tx, actor.node, itemId);
    if (!copy)
      throw new AppError('not_found', 'item.not_found', `no item ${itemId} in ${actor.node}'s ledger`);
    if (copy.relation === 'observer' || copy.relation === 'co-unit') {
      throw new AppError(
        'forbidden',
        'item.wrong_party',
        `${actor.node} only follows item ${itemId}; it is not a party to it`,
      );
    }
    const events = decide(copy.state, command, decideContext(deps, actor, now));
    const next = (await commit(deps, tx, actor.node, copy.relation, copy.state, events, now))!;
    if (next.status !== copy.state.status && (next.status === 'closed' || copy.state.status === 'closed')) {
      await deriveParentProgress(deps, tx, actor, next, now);
    }
    return { ...next, relation: copy.relation };
  });
}

export interface AssignInput {
  title: string;
  description: string;
  kind: ItemKind;
  source: ItemSource;
  mustSupervise: MustSupervise[];
  priority: Priority;
  leader: string | null;
  responsiblePerson: string | null;
  coUnits: string[];
  /** An instant, or a rule on the working-day calendar (N working days, same day, …). */
  deadline: Date | DeadlineRule;
  ackDeadline: Date | null;
  assignee: string;
  parentId: string | null;
  caseRef: string | null;
}

async function assignIn(
  deps: TasksDeps,
  tx: TransactionClient,
  actor: Actor,
  input: AssignInput,
  now: Date,
): Promise<ItemView> {
  const itemId = uuidv7(now.getTime());
  let parent: ItemState | null = null;
  if (input.parentId) {
    const copy = await itemRepository.find(tx, actor.node, input.parentId);
    if (!copy) {
      throw new AppError(
        'unprocessable',
        'item.unknown_parent',
        `no item ${input.parentId} in ${actor.node}'s ledger`,
        {
          issues: [{ path: 'body.parentId', message: 'not an item of this node' }],
        },
      );
    }
    parent = copy.state;
  }
  let deadline: Date;
  let ackDeadline = input.ackDeadline;
  let calendarVersion: string | null = null;
  let deadlineRule: DeadlineRule | null = null;
  let deadlineProvisional = false;
  const calendar = await deps.calendars.refresh();
  if (input.deadline instanceof Date) {
    deadline = input.deadline;
  } else {
    deadlineRule = input.deadline;
    ({
      deadline,
      calendarVersion,
      provisional: deadlineProvisional,
    } = deadlineFromRule(input.deadline, now, calendar, 'body.deadlineRule'));
  }
  // 签收 is due by the end of the next working day, unless the item is due sooner.
  ackDeadline ??= new Date(
    Math.min(
      deadline.getTime(),
      deadlineFromRule(
        { kind: 'next-working-day', cutoff: '17:30' },
        now,
        calendar,
        'body.ackDeadline',
      ).deadline.getTime(),
    ),
  );
  // A merge committing meanwhile either waits for this item (and transfers it) or is seen here.
  await deps.orgBook?.settle(tx);
  const sequence = await itemRepository.nextNoticeSequence(tx, actor.node, chinaYear(now));
  const events = decide(
    null,
    {
      type: 'assign',
      itemId,
      noticeNo: noticeNumber(chinaYear(now), sequence),
      ...input,
      deadline,
      ackDeadline,
      calendarVersion: calendarVersion ?? calendar.version,
      deadlineRule,
      deadlineProvisional,
      parent,
    },
    decideContext(deps, actor, now),
  );
  const relation: Relation = input.assignee === actor.node ? 'own' : 'assigner';
  return { ...(await commit(deps, tx, actor.node, relation, null, events, now))!, relation };
}

/** 交办: creates an item (or a plan item for this node itself) and sends the notice. */
export async function assignItem(deps: TasksDeps, actor: Actor, input: AssignInput): Promise<ItemView> {
  const now = deps.clock.now();
  return deps.prisma.$transaction((tx) => assignIn(deps, tx, actor, input, now));
}

export interface MeetingInput {
  attendees: string[];
  minutes: string;
  decisions: Array<Omit<AssignInput, 'parentId'>>;
}

/**
 * 联席会议: the assigner of a multi-unit item records a joint meeting; each decision becomes a
 * sub-item assigned in the same transaction, so the meeting and its sub-items exist together or not at all.
 */
export async function holdMeeting(
  deps: TasksDeps,
  actor: Actor,
  itemId: string,
  input: MeetingInput,
): Promise<{ item: ItemView; subItems: ItemView[] }> {
  const now = deps.clock.now();
  return deps.prisma.$transaction(async (tx) => {
    const copy = await itemRepository.find(tx, actor.node, itemId);
    if (!copy)
      throw new AppError('not_found', 'item.not_found', `no item ${itemId} in ${actor.node}'s ledger`);
    const subItems: ItemView[] = [];
    for (const decision of input.decisions)
      subItems.push(await assignIn(deps, tx, actor, { ...decision, parentId: itemId }, now));
    const events = decide(
      copy.state,
      {
        type: 'record-meeting',
        meetingId: uuidv7(now.getTime()),
        attendees: input.attendees,
        minutes: input.minutes,
        decisionItemIds: subItems.map((s) => s.id),
      },
      decideContext(deps, actor, now),
    );
    const item = (await commit(deps, tx, actor.node, copy.relation, copy.state, events, now))!;
    return { item: { ...item, relation: copy.relation }, subItems };
  });
}

/**
 * 机构调整: every open item the hosted nodes assigned to a merged or abolished unit passes to its
 * successor, in the caller's transaction (the consumer of the org event).
 */
export async function transferOpenItems(
  deps: TasksDeps,
  tx: TransactionClient,
  from: string,
  input: TransferInput,
  now: Date,
): Promise<number> {
  const copies = await itemRepository.openAssignedTo(tx, deps.hosted.list(), from);
  let moved = 0;
  for (const copy of copies) {
    const events = decideTransfer(copy.state, input, now);
    await commit(deps, tx, copy.nodeId, copy.relation, copy.state, events, now);
    moved += events.length;
  }
  return moved;
}

export { isOwnItem };

function writtenDay(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/**
 * Re-plans the provisional deadlines the hosted nodes assigned, on `calendar` (the current one, with
 * the official calendar that just arrived): each item's deadline is recomputed from its rule and
 * its assignment time; a deadline that moved, or that no longer depends on a provisional year, gets
 * one tasks.deadline.replanned (ADR 0026). In `tx` when given (the consumer's, so the re-planning
 * commits with the amendment's consumption), else one transaction per item (the start-up pass).
 * Returns the events emitted.
 */
export async function replanProvisionalDeadlines(
  deps: TasksDeps,
  calendar: WorkingCalendar,
  tx?: TransactionClient,
): Promise<ItemEvent[]> {
  const now = deps.clock.now();
  const candidates = await itemRepository.provisionalAssigned(tx ?? deps.prisma, deps.hosted.list());
  const emitted: ItemEvent[] = [];
  for (const candidate of candidates) {
    const command = replanCommand(deps, candidate.state, calendar);
    if (!command) continue;
    const system: Actor = { node: candidate.nodeId, person: 'system', roles: [] };
    const run = async (tx: TransactionClient) => {
      const copy = await itemRepository.find(tx, candidate.nodeId, candidate.state.id);
      if (!copy) return [];
      const events = decide(copy.state, command, decideContext(deps, system, now));
      await commit(deps, tx, candidate.nodeId, copy.relation, copy.state, events, now);
      return events;
    };
    if (tx) {
      emitted.push(...(await run(tx)));
      continue;
    }
    try {
      emitted.push(...(await deps.prisma.$transaction(run)));
    } catch (error) {
      deps.logger.error({ err: error, item: candidate.state.id }, 'cannot re-plan a provisional deadline');
    }
  }
  return emitted;
}

/** The deadline `state`'s rule gives on `calendar`, and why it changed, as a command. */
function replanCommand(
  deps: TasksDeps,
  state: ItemState,
  calendar: WorkingCalendar,
): Extract<ItemCommand, { type: 'replan-deadline' }> | null {
  if (!state.deadlineRule) return null;
  let result: ReturnType<typeof computeDeadline>;
  try {
    result = computeDeadline(state.deadlineRule, new Date(state.assignedAt), calendar);
  } catch (error) {
    deps.logger.error({ err: error, item: state.id }, 'cannot re-plan a provisional deadline');
    return null;
  }
  let previous: WorkingCalendar;
  try {
    previous = deps.calendars.get(state.calendarVersion ?? calendar.version);
  } catch {
    previous = calendar; // a version this process never saw: name no year
  }
  const settled: number[] = [];
  for (let year = chinaYear(new Date(state.assignedAt)); year <= chinaYear(result.deadline); year++)
    if (previous.isProvisional(year) && calendar.isCovered(year)) settled.push(year);
  const years = settled.length > 0 ? `${settled.join('、')}年` : '';
  const moved = result.deadline.getTime() !== new Date(state.deadline).getTime();
  return {
    type: 'replan-deadline',
    newDeadline: result.deadline,
    provisional: result.provisional,
    calendarVersion: result.calendarVersion,
    reason: moved
      ? `国务院公布${years}节假日安排，截止日期由${writtenDay(state.deadline)}调整为${writtenDay(result.deadline.toISOString())}`
      : `国务院公布${years}节假日安排，截止日期${writtenDay(state.deadline)}不变，不再为暂定`,
  };
}
