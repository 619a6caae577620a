import { z } from 'zod';
import { OrgChangeRefused } from './changes';
import type { OpenItemFacts, OrgChange, OrgChangeProblem, OrgUnitStatus } from './changes';

export const OrgKind = z.enum(['city', 'county-office', 'township', 'unit']);
export type OrgKind = z.infer<typeof OrgKind>;

export const OrgNode = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,62}$/),
  name: z.string().min(1),
  kind: OrgKind,
  parentId: z.string().nullable(),
  // From org.yaml (orgFile.ts): 分管领导, 编码 and the office's contacts; the network needs none.
  leader: z.string().min(1).optional(),
  code: z.string().min(1).optional(),
  contacts: z
    .object({ phone: z.string().optional(), address: z.string().optional(), email: z.string().optional() })
    .optional(),
});
export type OrgNode = z.infer<typeof OrgNode>;

/** A change the tree has applied: what, when it took effect, and the event that carried it. */
export interface AppliedOrgChange {
  eventId: string;
  at: string;
  issuer: string;
  change: OrgChange;
}

/** How the tree may be asked to change: who asks, and what the ledger says about open items. */
export interface OrgChangeContext {
  /** The county office issuing the change: every node it touches must be in its subtree. */
  issuer: string;
  /** Open items of the unit merged or abolished; absent: not known here (a replay), not checked. */
  openItems?: OpenItemFacts;
}

const problem = (code: string, field: string, message: string): OrgChangeProblem => ({
  code,
  field,
  message,
});

/**
 * The organisation tree: a general tree (a township may have its own units below it). It starts
 * from the tree a process is given and changes only through `apply` (机构调整: add, rename, move,
 * merge, abolish), which every node runs on the same events in the same order; it keeps each
 * unit's names over time and, for merged and abolished units, their status and successor.
 */
export class OrgTree {
  private readonly byId: Map<string, OrgNode>;
  private readonly childrenOf = new Map<string, OrgNode[]>();
  /** Each unit's names, oldest first; `from` is epoch ms (-Infinity for the initial name). */
  private readonly names = new Map<string, Array<{ from: number; name: string }>>();
  private readonly retired = new Map<
    string,
    { status: Exclude<OrgUnitStatus, 'active'>; successorId: string | null; at: string }
  >();
  private readonly applied: AppliedOrgChange[] = [];
  private readonly appliedIds = new Set<string>();
  private readonly initial: readonly OrgNode[];

  constructor(nodes: readonly OrgNode[]) {
    this.initial = nodes.map((n) => OrgNode.parse(n));
    this.byId = new Map();
    for (const raw of nodes) {
      const node = OrgNode.parse(raw);
      if (this.byId.has(node.id)) throw new Error(`duplicate org node ${node.id}`);
      this.byId.set(node.id, node);
      this.names.set(node.id, [{ from: Number.NEGATIVE_INFINITY, name: node.name }]);
    }
    for (const node of this.byId.values()) {
      if (node.parentId === null) continue;
      if (!this.byId.has(node.parentId))
        throw new Error(`org node ${node.id} has unknown parent ${node.parentId}`);
      this.link(node);
    }
    for (const node of this.byId.values()) this.ancestors(node.id); // rejects cycles early
  }

  get size(): number {
    return this.byId.size;
  }

  /** An independent tree in the same state (a process gets its own; the tree changes in place). */
  copy(): OrgTree {
    const tree = new OrgTree(this.initial);
    for (const c of this.applied) tree.apply(c.change, c);
    return tree;
  }

  /** Every node, merged and abolished ones included. */
  all(): OrgNode[] {
    return [...this.byId.values()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): OrgNode {
    const node = this.byId.get(id);
    if (!node) throw new Error(`unknown org node ${id}`);
    return node;
  }

  find(id: string): OrgNode | undefined {
    return this.byId.get(id);
  }

  parentOf(id: string): OrgNode | undefined {
    const parentId = this.get(id).parentId;
    return parentId === null ? undefined : this.get(parentId);
  }

  children(id: string): OrgNode[] {
    return this.childrenOf.get(id) ?? [];
  }

  /** Parent first, up to the root. */
  ancestors(id: string): OrgNode[] {
    const chain: OrgNode[] = [];
    const seen = new Set<string>([id]);
    for (let node = this.parentOf(id); node; node = this.parentOf(node.id)) {
      if (seen.has(node.id)) throw new Error(`org tree has a cycle through ${node.id}`);
      seen.add(node.id);
      chain.push(node);
    }
    return chain;
  }

  isAncestor(ancestorId: string, id: string): boolean {
    return this.ancestors(id).some((n) => n.id === ancestorId);
  }

  /** The node and everything below it. */
  subtree(id: string): OrgNode[] {
    const out: OrgNode[] = [this.get(id)];
    for (let i = 0; i < out.length; i++) out.push(...this.children(out[i]!.id));
    return out;
  }

  statusOf(id: string): OrgUnitStatus {
    this.get(id);
    return this.retired.get(id)?.status ?? 'active';
  }

  /** Whether items may still be assigned to it (it exists and was neither merged nor abolished). */
  isActive(id: string): boolean {
    return this.has(id) && !this.retired.has(id);
  }

  /**
   * Who carries on for a merged or abolished unit: its successor, followed through later merges to
   * the active unit at the end. Undefined for an active unit and for one abolished without successor.
   */
  successorOf(id: string): string | undefined {
    let current = id;
    for (let hops = 0; hops <= this.retired.size; hops++) {
      const next = this.retired.get(current)?.successorId;
      if (!next) return current === id ? undefined : current;
      current = next;
    }
    throw new Error(`org tree has a successor cycle through ${id}`);
  }

  /** The unit that answers for `id` today: itself when active, else its successor (if any). */
  current(id: string): string {
    return this.successorOf(id) ?? id;
  }

  /** The merged and abolished units that `id` carries on for (directly or through later merges). */
  predecessorsOf(id: string): string[] {
    return [...this.retired.keys()].filter((unit) => this.successorOf(unit) === id);
  }

  /** The name a unit had at an instant (its first name before it existed). */
  nameAt(id: string, at: Date | string): string {
    const history = this.names.get(id);
    if (!history) throw new Error(`unknown org node ${id}`);
    const t = new Date(at).getTime();
    let name = history[0]!.name;
    for (const entry of history) if (entry.from <= t) name = entry.name;
    return name;
  }

  /**
   * A unit's names, oldest first, each with the instant it took effect (null: its first name), for
   * readers that show a unit as it was called at the time (the console's ledger and item page).
   */
  namesOf(id: string): Array<{ from: string | null; name: string }> {
    const history = this.names.get(id);
    if (!history) throw new Error(`unknown org node ${id}`);
    return history.map((h) => ({
      from: Number.isFinite(h.from) ? new Date(h.from).toISOString() : null,
      name: h.name,
    }));
  }

  /** The changes applied since the initial tree, in order. */
  changes(): readonly AppliedOrgChange[] {
    return this.applied;
  }

  hasApplied(eventId: string): boolean {
    return this.appliedIds.has(eventId);
  }

  /**
   * Why a change cannot apply to the tree as it is now, or undefined when it can. Pure: it only
   * reads the tree, so a refused change leaves everything as it was.
   */
  check(change: OrgChange, ctx: OrgChangeContext): OrgChangeProblem | undefined {
    const issuer = this.find(ctx.issuer);
    if (issuer?.kind !== 'county-office')
      return problem('org.not_county_office', 'node', `${ctx.issuer} is not a county office`);
    const within = (id: string) => id === ctx.issuer || this.isAncestor(ctx.issuer, id);
    const unit = this.find(change.unitId);
    if (change.kind === 'add') {
      if (unit)
        return problem('org.duplicate_id', 'unitId', `${change.unitId} exists already (${unit.name})`);
    } else {
      if (!unit) return problem('org.unknown_unit', 'unitId', `no unit ${change.unitId} in the tree`);
      if (unit.kind !== 'township' && unit.kind !== 'unit')
        return problem('org.not_a_unit', 'unitId', `${unit.name} (${unit.kind}) cannot be re-organised here`);
      if (!this.isAncestor(ctx.issuer, unit.id))
        return problem('org.outside_subtree', 'unitId', `${unit.id} is not below ${ctx.issuer}`);
      if (!this.isActive(unit.id))
        return problem('org.unit_inactive', 'unitId', `${unit.name} was ${this.statusOf(unit.id)} already`);
    }
    const name = (n: string) =>
      n.trim() === '' ? problem('org.empty_name', 'name', 'a unit needs a name') : undefined;
    const target = (id: string, field: string, role: string) => {
      const node = this.find(id);
      if (!node) return problem(`org.unknown_${role}`, field, `no unit ${id} in the tree`);
      if (!within(node.id))
        return problem('org.outside_subtree', field, `${node.id} is not in ${ctx.issuer}'s subtree`);
      if (!this.isActive(node.id))
        return problem(`org.${role}_inactive`, field, `${node.name} was ${this.statusOf(node.id)}`);
      return undefined;
    };
    const retiring = () => {
      if (this.children(change.unitId).some((c) => this.isActive(c.id)))
        return problem(
          'org.has_children',
          'unitId',
          `${change.unitId} still has units below it: move, merge or abolish them first`,
        );
      if (ctx.openItems && ctx.openItems.assignedBy > 0)
        return problem(
          'org.open_own_items',
          'unitId',
          `${change.unitId} still supervises ${ctx.openItems.assignedBy} open item(s) it assigned or owns: close them first`,
        );
      return undefined;
    };
    switch (change.kind) {
      case 'add':
        return name(change.name) ?? target(change.parentId, 'parentId', 'parent');
      case 'rename':
        if (unit!.name === change.name.trim())
          return problem('org.same_name', 'name', `${change.unitId} is called ${unit!.name} already`);
        return name(change.name);
      case 'move': {
        if (change.parentId === change.unitId || this.isAncestor(change.unitId, change.parentId))
          return problem(
            'org.cycle',
            'parentId',
            `${change.parentId} is ${change.unitId} or below it: the move would make a cycle`,
          );
        const bad = target(change.parentId, 'parentId', 'parent');
        if (bad) return bad;
        if (unit!.parentId === change.parentId)
          return problem(
            'org.same_parent',
            'parentId',
            `${change.unitId} is under ${change.parentId} already`,
          );
        return undefined;
      }
      case 'merge':
        if (change.into === change.unitId)
          return problem('org.merge_into_self', 'into', 'a unit cannot merge into itself');
        if (change.into === ctx.issuer)
          return problem('org.not_a_unit', 'into', 'units merge into another unit, not the county office');
        return target(change.into, 'into', 'successor') ?? retiring();
      case 'abolish':
        if (change.successorId !== null) {
          if (change.successorId === change.unitId)
            return problem('org.merge_into_self', 'successorId', 'a unit cannot succeed itself');
          if (change.successorId === ctx.issuer)
            return problem(
              'org.not_a_unit',
              'successorId',
              'the successor must be a unit, not the county office',
            );
          const bad = target(change.successorId, 'successorId', 'successor');
          if (bad) return bad;
        } else if (ctx.openItems && ctx.openItems.assignedTo > 0) {
          return problem(
            'org.successor_required',
            'successorId',
            `${change.unitId} has ${ctx.openItems.assignedTo} open item(s): name the unit that takes them over`,
          );
        }
        return retiring();
    }
  }

  /**
   * Applies a change that took effect at `at`, carried by event `eventId`. Idempotent: an event
   * applied before returns false. Refused changes throw OrgChangeRefused and change nothing.
   */
  apply(change: OrgChange, meta: { eventId: string; at: Date | string; issuer: string }): boolean {
    if (this.appliedIds.has(meta.eventId)) return false;
    const present = change.kind === 'add' ? this.find(change.unitId) : undefined;
    if (
      change.kind === 'add' &&
      present?.kind === change.unitKind &&
      present.parentId === change.parentId &&
      present.name === change.name.trim()
    ) {
      // A process started from a tree that has the unit already (the new unit's own process, given
      // an updated org file): the addition is history here, not a conflict.
      this.applied.push({
        eventId: meta.eventId,
        at: new Date(meta.at).toISOString(),
        issuer: meta.issuer,
        change,
      });
      this.appliedIds.add(meta.eventId);
      return true;
    }
    const refused = this.check(change, { issuer: meta.issuer });
    if (refused) throw new OrgChangeRefused(refused);
    const at = new Date(meta.at);
    switch (change.kind) {
      case 'add': {
        const node: OrgNode = {
          id: change.unitId,
          name: change.name.trim(),
          kind: change.unitKind,
          parentId: change.parentId,
        };
        this.byId.set(node.id, node);
        this.names.set(node.id, [{ from: Number.NEGATIVE_INFINITY, name: node.name }]);
        this.link(node);
        break;
      }
      case 'rename': {
        const node = { ...this.get(change.unitId), name: change.name.trim() };
        this.replace(node);
        this.names.get(node.id)!.push({ from: at.getTime(), name: node.name });
        break;
      }
      case 'move': {
        const node = this.get(change.unitId);
        this.unlink(node);
        const moved = { ...node, parentId: change.parentId };
        this.byId.set(moved.id, moved);
        this.link(moved);
        break;
      }
      case 'merge':
        this.retired.set(change.unitId, { status: 'merged', successorId: change.into, at: at.toISOString() });
        break;
      case 'abolish':
        this.retired.set(change.unitId, {
          status: 'abolished',
          successorId: change.successorId,
          at: at.toISOString(),
        });
        break;
    }
    this.applied.push({ eventId: meta.eventId, at: at.toISOString(), issuer: meta.issuer, change });
    this.appliedIds.add(meta.eventId);
    return true;
  }

  /** The tree as the API shows it: every node with its status and successor. */
  view(): Array<OrgNode & { status: OrgUnitStatus; successorId: string | null }> {
    return this.all().map((n) => ({
      ...n,
      status: this.statusOf(n.id),
      successorId: this.retired.get(n.id)?.successorId ?? null,
    }));
  }

  private link(node: OrgNode): void {
    if (node.parentId === null) return;
    const siblings = this.childrenOf.get(node.parentId) ?? [];
    siblings.push(node);
    this.childrenOf.set(node.parentId, siblings);
  }

  private unlink(node: OrgNode): void {
    if (node.parentId === null) return;
    const siblings = (this.childrenOf.get(node.parentId) ?? []).filter((c) => c.id !== node.id);
    this.childrenOf.set(node.parentId, siblings);
  }

  private replace(node: OrgNode): void {
    this.unlink(node);
    this.byId.set(node.id, node);
    this.link(node);
  }
}
