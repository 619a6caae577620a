import { RejectedEvent, generateNodeKey } from '@duban/bus';
import type { EventHandler } from '@duban/bus';
import type { Prisma, PrismaClient, TransactionClient } from '@duban/db';
import { TOPICS, createEvent } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import { OrgChange, OrgChangeRefused } from '@duban/org';
import type { OpenItemFacts, OrgChangeProblem, OrgNode, OrgTree } from '@duban/org';

export type OrgEvent = Extract<DubanEvent, { type: `org.${string}` }>;

export function isOrgEvent(event: DubanEvent): event is OrgEvent {
  return event.type.startsWith('org.');
}

/** The change an org event carries, as the tree applies it. */
export function orgChangeOf(event: OrgEvent): OrgChange {
  const d = event.data;
  switch (event.type) {
    case 'org.unit.added':
      return {
        kind: 'add',
        unitId: d.unitId,
        name: event.data.name,
        unitKind: event.data.kind,
        parentId: event.data.parentId,
      };
    case 'org.unit.renamed':
      return { kind: 'rename', unitId: d.unitId, name: event.data.name };
    case 'org.unit.moved':
      return { kind: 'move', unitId: d.unitId, parentId: event.data.parentId };
    case 'org.unit.merged':
      return { kind: 'merge', unitId: d.unitId, into: event.data.into };
    case 'org.unit.abolished':
      return { kind: 'abolish', unitId: d.unitId, successorId: event.data.successorId };
  }
}

/** The event that announces a change the tree accepted (names as they are before it applies). */
export function orgEventFor(
  tree: OrgTree,
  issuer: string,
  change: OrgChange,
  by: string,
  now: Date,
): OrgEvent {
  const base = { unitId: change.unitId, effectiveAt: now.toISOString(), by };
  const common = { source: issuer, to: [] as string[], subject: `org:${issuer}`, time: now };
  const nameOf = (id: string) => tree.get(id).name;
  switch (change.kind) {
    case 'add':
      return createEvent({
        ...common,
        type: 'org.unit.added',
        data: { ...base, name: change.name.trim(), kind: change.unitKind, parentId: change.parentId },
      });
    case 'rename':
      return createEvent({
        ...common,
        type: 'org.unit.renamed',
        data: { ...base, name: change.name.trim(), previousName: nameOf(change.unitId) },
      });
    case 'move':
      return createEvent({
        ...common,
        type: 'org.unit.moved',
        data: { ...base, parentId: change.parentId, previousParentId: tree.get(change.unitId).parentId! },
      });
    case 'merge':
      return createEvent({
        ...common,
        type: 'org.unit.merged',
        to: [change.into],
        data: { ...base, name: nameOf(change.unitId), into: change.into, intoName: nameOf(change.into) },
      });
    case 'abolish':
      return createEvent({
        ...common,
        type: 'org.unit.abolished',
        to: change.successorId ? [change.successorId] : [],
        data: {
          ...base,
          name: nameOf(change.unitId),
          successorId: change.successorId,
          successorName: change.successorId ? nameOf(change.successorId) : null,
        },
      });
  }
}

/** Writers of the tree take this lock: changes apply in one order; assignments see them. */
const ORG_LOCK = 'duban.org';

export interface OrgBookHooks {
  /** A unit joined the tree (on start, replayed, or live): the embedded host serves it. */
  added?(node: OrgNode, tx: TransactionClient | undefined): Promise<void>;
}

/**
 * The organisation tree of a process as it changes (机构调整; ADR 0025), like the CalendarBook
 * (ADR 0008): the tree the process started with plus the changes stored in `org_change`, in order.
 * Every consumer that applies an org event records it here in its own transaction (idempotent by
 * event id); other processes of the node pick the rows up on `refresh`. The tree object is the one
 * every service holds (`ctx.org`): it changes in place.
 */
export class OrgBook {
  private seenSeq = 0;

  private constructor(
    private readonly prisma: PrismaClient,
    readonly tree: OrgTree,
    private readonly hooks: OrgBookHooks,
  ) {}

  static async load(prisma: PrismaClient, tree: OrgTree, hooks: OrgBookHooks = {}): Promise<OrgBook> {
    const book = new OrgBook(prisma, tree, hooks);
    await book.refresh();
    return book;
  }

  /** Applies the rows stored since the last look (by another consumer or process of this node). */
  async refresh(tx?: TransactionClient): Promise<void> {
    const db = tx ?? this.prisma;
    const rows = await db.orgChange.findMany({
      where: { seq: { gt: this.seenSeq } },
      orderBy: { seq: 'asc' },
    });
    for (const row of rows) {
      const change = OrgChange.parse(row.change);
      if (this.tree.apply(change, { eventId: row.eventId, at: row.effectiveAt, issuer: row.issuer }))
        await this.afterApply(change, tx);
      this.seenSeq = Math.max(this.seenSeq, row.seq);
    }
  }

  /**
   * Before an assignment: waits for a change being recorded, then reads it, so no item goes to a
   * unit whose merge has committed (and a merge's transfers see every item assigned before it).
   */
  async settle(tx: TransactionClient): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtext(${ORG_LOCK}))`;
    await this.refresh(tx);
  }

  /** The problem with a change now, given the ledger's open items; undefined when it can apply. */
  async check(
    tx: TransactionClient,
    issuer: string,
    change: OrgChange,
    openItems?: OpenItemFacts,
  ): Promise<OrgChangeProblem | undefined> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${ORG_LOCK}))`;
    await this.refresh(tx);
    return this.tree.check(change, { issuer, ...(openItems ? { openItems } : {}) });
  }

  /**
   * Records and applies an org event in the caller's transaction; false when it was applied before.
   * A change the tree refuses (it would make a cycle here, say) throws OrgChangeRefused.
   */
  async record(tx: TransactionClient, event: OrgEvent, at: Date): Promise<boolean> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${ORG_LOCK}))`;
    await this.refresh(tx);
    const stored = await tx.orgChange.findUnique({ where: { eventId: event.id }, select: { seq: true } });
    if (stored) return false;
    const change = orgChangeOf(event);
    // Applied in memory by an earlier attempt whose transaction then rolled back: store it now.
    const retried = this.tree.hasApplied(event.id);
    if (!retried) {
      const known = change.kind === 'add' ? this.tree.find(change.unitId) : undefined;
      const already =
        change.kind === 'add' &&
        known?.kind === change.unitKind &&
        known.parentId === change.parentId &&
        known.name === change.name.trim();
      const problem = already ? undefined : this.tree.check(change, { issuer: event.source });
      if (problem) throw new OrgChangeRefused(problem);
    }
    const row = await tx.orgChange.create({
      data: {
        eventId: event.id,
        type: event.type,
        issuer: event.source,
        change: change as unknown as Prisma.InputJsonValue,
        effectiveAt: new Date(event.data.effectiveAt),
        appliedAt: at,
      },
    });
    // In memory last, once the row is written: a failure before leaves the tree as it was.
    if (!retried)
      this.tree.apply(change, { eventId: event.id, at: event.data.effectiveAt, issuer: event.source });
    this.seenSeq = Math.max(this.seenSeq, row.seq);
    await this.afterApply(change, tx);
    return true;
  }

  private async afterApply(change: OrgChange, tx: TransactionClient | undefined): Promise<void> {
    if (change.kind === 'add') await this.hooks.added?.(this.tree.get(change.unitId), tx);
  }
}

/** Every node's consumer of re-organisations: keeps its tree in step with the county office's. */
export function orgHandler(book: OrgBook, now: () => Date): EventHandler {
  return {
    name: 'org',
    topics: [TOPICS.org],
    accepts: isOrgEvent,
    async handle(event, tx) {
      if (!isOrgEvent(event)) return;
      try {
        await book.record(tx, event, now());
      } catch (error) {
        if (error instanceof OrgChangeRefused)
          throw new RejectedEvent(error.problem.code, `${event.type} ${event.id}: ${error.message}`);
        throw error;
      }
    },
  };
}

/** Stores a key for a node added while the process runs, in the transaction that adds it. */
export async function ensureKeyInTx(tx: TransactionClient, node: string): Promise<void> {
  const have = await tx.nodeKey.findFirst({ where: { node, status: 'active', privateKey: { not: null } } });
  if (have) return;
  const pair = generateNodeKey(node);
  await tx.nodeKey.create({
    data: {
      keyId: pair.keyId,
      node,
      publicKey: pair.publicKey,
      privateKey: pair.privateKey,
      status: 'active',
    },
  });
}
