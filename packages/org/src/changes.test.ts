import { describe, expect, it } from 'vitest';
import { OrgChange, OrgChangeRefused } from './changes';
import { OrgTree } from './tree';

function county(): OrgTree {
  return new OrgTree([
    { id: 'city', name: '市委督查室', kind: 'city', parentId: null },
    { id: 'county', name: '县委督查室', kind: 'county-office', parentId: 'city' },
    { id: 'township-a', name: '甲镇', kind: 'township', parentId: 'county' },
    { id: 'township-b', name: '乙镇', kind: 'township', parentId: 'county' },
    { id: 'village-a1', name: '甲一村', kind: 'unit', parentId: 'township-a' },
    { id: 'unit-a', name: '甲局', kind: 'unit', parentId: 'county' },
    { id: 'unit-b', name: '乙局', kind: 'unit', parentId: 'county' },
    { id: 'unit-c', name: '丙局', kind: 'unit', parentId: 'county' },
  ]);
}

const T1 = '2026-03-01T00:00:00.000Z';
const T2 = '2026-06-01T00:00:00.000Z';
const by = { issuer: 'county' };

/** The tree's observable shape, to prove a refused change left it as it was. */
const snapshot = (tree: OrgTree) => JSON.stringify({ view: tree.view(), changes: tree.changes() });

function refused(tree: OrgTree, change: OrgChange): string {
  const before = snapshot(tree);
  const problem = tree.check(change, by);
  expect(() => tree.apply(change, { eventId: 'e-refused', at: T1, ...by })).toThrow(OrgChangeRefused);
  expect(snapshot(tree)).toBe(before);
  return problem!.code;
}

describe('re-organising the tree', () => {
  it('refuses a merge into an abolished or unknown unit, and changes nothing', () => {
    const tree = county();
    tree.apply({ kind: 'abolish', unitId: 'unit-c', successorId: null }, { eventId: 'e1', at: T1, ...by });
    expect(refused(tree, { kind: 'merge', unitId: 'unit-a', into: 'unit-c' })).toBe('org.successor_inactive');
    expect(refused(tree, { kind: 'merge', unitId: 'unit-a', into: 'unit-zz' })).toBe('org.unknown_successor');
    expect(tree.check({ kind: 'merge', unitId: 'unit-a', into: 'unit-c' }, by)).toMatchObject({
      field: 'into',
      message: expect.stringContaining('abolished'),
    });
  });

  it('refuses a move that makes a cycle, and changes nothing', () => {
    const tree = county();
    expect(refused(tree, { kind: 'move', unitId: 'township-a', parentId: 'village-a1' })).toBe('org.cycle');
    expect(refused(tree, { kind: 'move', unitId: 'township-a', parentId: 'township-a' })).toBe('org.cycle');
    expect(tree.parentOf('village-a1')?.id).toBe('township-a');
  });

  it('refuses a duplicate id on add, an empty name, and the county office itself', () => {
    const tree = county();
    expect(
      refused(tree, { kind: 'add', unitId: 'unit-b', name: '新局', unitKind: 'unit', parentId: 'county' }),
    ).toBe('org.duplicate_id');
    expect(refused(tree, { kind: 'rename', unitId: 'unit-b', name: '  ' })).toBe('org.empty_name');
    expect(refused(tree, { kind: 'abolish', unitId: 'county', successorId: null })).toBe('org.not_a_unit');
    expect(refused(tree, { kind: 'merge', unitId: 'unit-a', into: 'county' })).toBe('org.not_a_unit');
    expect(tree.size).toBe(8);
  });

  it('refuses to retire a unit with active units below it or without a successor for its open items', () => {
    const tree = county();
    expect(refused(tree, { kind: 'merge', unitId: 'township-a', into: 'township-b' })).toBe(
      'org.has_children',
    );
    const open = { issuer: 'county', openItems: { assignedTo: 2, assignedBy: 0 } };
    expect(tree.check({ kind: 'abolish', unitId: 'unit-a', successorId: null }, open)?.code).toBe(
      'org.successor_required',
    );
    expect(tree.check({ kind: 'abolish', unitId: 'unit-a', successorId: 'unit-b' }, open)).toBeUndefined();
    const supervising = { issuer: 'county', openItems: { assignedTo: 0, assignedBy: 1 } };
    expect(tree.check({ kind: 'merge', unitId: 'unit-a', into: 'unit-b' }, supervising)?.code).toBe(
      'org.open_own_items',
    );
  });

  it('refuses a change outside the issuer’s subtree or from a non-county office', () => {
    const tree = county();
    expect(tree.check({ kind: 'rename', unitId: 'unit-a', name: 'X' }, { issuer: 'township-a' })?.code).toBe(
      'org.not_county_office',
    );
    const two = new OrgTree([
      { id: 'city', name: '市', kind: 'city', parentId: null },
      { id: 'county', name: '县', kind: 'county-office', parentId: 'city' },
      { id: 'other', name: '邻县', kind: 'county-office', parentId: 'city' },
      { id: 'unit-x', name: '邻县局', kind: 'unit', parentId: 'other' },
    ]);
    expect(two.check({ kind: 'rename', unitId: 'unit-x', name: 'Y' }, by)?.code).toBe('org.outside_subtree');
  });

  it('adds, renames, moves and merges, keeping names over time and successors', () => {
    const tree = county();
    expect(
      tree.apply(
        { kind: 'add', unitId: 'unit-d', name: '丁局', unitKind: 'unit', parentId: 'township-b' },
        { eventId: 'e1', at: T1, ...by },
      ),
    ).toBe(true);
    expect(tree.parentOf('unit-d')?.id).toBe('township-b');
    expect(tree.children('township-b').map((n) => n.id)).toEqual(['unit-d']);
    tree.apply({ kind: 'rename', unitId: 'unit-b', name: '乙局（新）' }, { eventId: 'e2', at: T2, ...by });
    expect(tree.get('unit-b').name).toBe('乙局（新）');
    expect(tree.nameAt('unit-b', T1)).toBe('乙局');
    expect(tree.nameAt('unit-b', T2)).toBe('乙局（新）');
    tree.apply({ kind: 'move', unitId: 'unit-d', parentId: 'county' }, { eventId: 'e3', at: T2, ...by });
    expect(tree.ancestors('unit-d').map((n) => n.id)).toEqual(['county', 'city']);
    expect(tree.children('township-b')).toEqual([]);

    tree.apply({ kind: 'merge', unitId: 'unit-a', into: 'unit-b' }, { eventId: 'e4', at: T2, ...by });
    tree.apply({ kind: 'merge', unitId: 'unit-b', into: 'unit-d' }, { eventId: 'e5', at: T2, ...by });
    expect(tree.statusOf('unit-a')).toBe('merged');
    expect(tree.isActive('unit-a')).toBe(false);
    expect(tree.has('unit-a')).toBe(true); // history keeps resolving
    expect(tree.successorOf('unit-a')).toBe('unit-d'); // followed through the later merge
    expect(tree.successorOf('unit-d')).toBeUndefined();
    expect(tree.current('unit-a')).toBe('unit-d');
    // Applying the same event again changes nothing.
    expect(
      tree.apply({ kind: 'merge', unitId: 'unit-a', into: 'unit-b' }, { eventId: 'e4', at: T2, ...by }),
    ).toBe(false);
    expect(tree.changes().map((c) => c.eventId)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
  });

  it('decodes the API’s discriminated union', () => {
    expect(OrgChange.parse({ kind: 'abolish', unitId: 'unit-a' })).toEqual({
      kind: 'abolish',
      unitId: 'unit-a',
      successorId: null,
    });
    expect(OrgChange.safeParse({ kind: 'split', unitId: 'unit-a' }).success).toBe(false);
  });

  it('takes an addition its initial tree already has as history, not a conflict', () => {
    const tree = county();
    const add = {
      kind: 'add',
      unitId: 'unit-b',
      name: '乙局',
      unitKind: 'unit',
      parentId: 'county',
    } as const;
    expect(tree.apply(add, { eventId: 'e1', at: T1, ...by })).toBe(true);
    expect(tree.size).toBe(8);
    expect(tree.hasApplied('e1')).toBe(true);
    // A different unit under the same id is still refused.
    expect(refused(tree, { ...add, name: '另一个局' })).toBe('org.duplicate_id');
  });
});
