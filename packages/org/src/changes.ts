import { z } from 'zod';

const UnitId = z.string().regex(/^[a-z][a-z0-9-]{1,62}$/);
/** Names are checked by `checkOrgChange` (org.empty_name, a 422) rather than here (a 400). */
const UnitName = z.string().max(100);

/**
 * One re-organisation of the county (机构调整), as the county office's admin asks for it and as
 * every node applies it. A merged or abolished unit stays in the tree with its status and
 * successor, so history (names at a time, ledgers, scores) keeps resolving.
 */
export const OrgChange = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('add'),
    unitId: UnitId,
    name: UnitName,
    unitKind: z.enum(['township', 'unit']),
    parentId: UnitId,
  }),
  z.object({ kind: z.literal('rename'), unitId: UnitId, name: UnitName }),
  z.object({ kind: z.literal('move'), unitId: UnitId, parentId: UnitId }),
  z.object({ kind: z.literal('merge'), unitId: UnitId, into: UnitId }),
  z.object({
    kind: z.literal('abolish'),
    unitId: UnitId,
    /** Who takes over its open items; required when it has any. */
    successorId: UnitId.nullable().default(null),
  }),
]);
export type OrgChange = z.infer<typeof OrgChange>;
export type OrgChangeKind = OrgChange['kind'];

export const OrgUnitStatus = z.enum(['active', 'merged', 'abolished']);
export type OrgUnitStatus = z.infer<typeof OrgUnitStatus>;

/** Why a change cannot apply: a machine code, the request field it names, and words for people. */
export interface OrgChangeProblem {
  code: string;
  field: string;
  message: string;
}

/** Facts about the ledger that the tree does not know but a merge or abolition depends on. */
export interface OpenItemFacts {
  /** Open items the unit is responsible for (they pass to its successor). */
  assignedTo: number;
  /** Open items the unit itself assigned or owns (they would lose their supervisor). */
  assignedBy: number;
}

/** A change the tree refused; nothing was changed. */
export class OrgChangeRefused extends Error {
  override readonly name = 'OrgChangeRefused';
  constructor(readonly problem: OrgChangeProblem) {
    super(problem.message);
  }
}
