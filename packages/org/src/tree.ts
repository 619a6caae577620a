import { z } from 'zod';

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

/**
 * The organisation tree: a general tree (a township may have its own units below it). Immutable;
 * every node of the network loads the same tree.
 */
export class OrgTree {
  private readonly byId: Map<string, OrgNode>;
  private readonly childrenOf = new Map<string, OrgNode[]>();

  constructor(nodes: readonly OrgNode[]) {
    this.byId = new Map();
    for (const raw of nodes) {
      const node = OrgNode.parse(raw);
      if (this.byId.has(node.id)) throw new Error(`duplicate org node ${node.id}`);
      this.byId.set(node.id, node);
    }
    for (const node of this.byId.values()) {
      if (node.parentId === null) continue;
      if (!this.byId.has(node.parentId))
        throw new Error(`org node ${node.id} has unknown parent ${node.parentId}`);
      const siblings = this.childrenOf.get(node.parentId) ?? [];
      siblings.push(node);
      this.childrenOf.set(node.parentId, siblings);
    }
    for (const node of this.byId.values()) this.ancestors(node.id); // rejects cycles early
  }

  get size(): number {
    return this.byId.size;
  }

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
}
