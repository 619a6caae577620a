import { z } from 'zod';
import { IsoTime, NodeId } from '../ids';
import { PersonRef, defineEvent } from './common';

/** What every re-organisation says: who decided it and when it takes effect. */
const OrgChangeBase = z.object({
  unitId: NodeId,
  /** When the change takes effect (names at an instant resolve by it). */
  effectiveAt: IsoTime,
  by: PersonRef,
});

export const UnitAddedV1 = OrgChangeBase.extend({
  name: z.string().min(1).max(100),
  kind: z.enum(['township', 'unit']),
  parentId: NodeId,
});
export const UnitRenamedV1 = OrgChangeBase.extend({
  name: z.string().min(1).max(100),
  previousName: z.string().min(1).max(100),
});
export const UnitMovedV1 = OrgChangeBase.extend({ parentId: NodeId, previousParentId: NodeId });
export const UnitMergedV1 = OrgChangeBase.extend({
  /** The name the unit had when it merged. */
  name: z.string().min(1).max(100),
  into: NodeId,
  intoName: z.string().min(1).max(100),
});
export const UnitAbolishedV1 = OrgChangeBase.extend({
  name: z.string().min(1).max(100),
  /** Who takes over its open items (required by the office when it has any). */
  successorId: NodeId.nullable(),
  successorName: z.string().min(1).max(100).nullable(),
});

const emittedBy = 'county office above the unit';

export const ORG_EVENTS = [
  defineEvent({
    type: 'org.unit.added',
    version: 1,
    data: UnitAddedV1,
    emittedBy,
    description:
      '机构调整: a township or unit is added below `parentId`. Every node adds it to its tree; the embedded host starts serving it.',
  }),
  defineEvent({
    type: 'org.unit.renamed',
    version: 1,
    data: UnitRenamedV1,
    emittedBy,
    description:
      'A unit is renamed from `effectiveAt`; ledgers and statistics keep the name it had at the time.',
  }),
  defineEvent({
    type: 'org.unit.moved',
    version: 1,
    data: UnitMovedV1,
    emittedBy,
    description:
      'A unit is moved under another township (or the county office). Copies already made are not moved (ADR 0009).',
  }),
  defineEvent({
    type: 'org.unit.merged',
    version: 1,
    data: UnitMergedV1,
    emittedBy,
    description:
      'A unit is merged into `into`: it stays in the tree as merged (no new items); each assigner passes its open items to `into` with `tasks.item.transferred`; its year is scored under `into`.',
  }),
  defineEvent({
    type: 'org.unit.abolished',
    version: 1,
    data: UnitAbolishedV1,
    emittedBy,
    description:
      'A unit is abolished: it stays in the tree as abolished (no new items); its open items pass to `successorId` like a merge.',
  }),
] as const;
