import { describe, expect, it } from 'vitest';
import { demoCounty, demoHostedNodeIds } from './demoCounty';
import { OrgTree } from './tree';

describe('the demo county', () => {
  it('has the city, 1 county office, 20 townships and 92 units', () => {
    const tree = demoCounty();
    const kinds = tree
      .all()
      .reduce<Record<string, number>>((acc, n) => ({ ...acc, [n.kind]: (acc[n.kind] ?? 0) + 1 }), {});
    expect(kinds).toEqual({ city: 1, 'county-office': 1, township: 20, unit: 92 });
    expect(demoHostedNodeIds(tree)).toHaveLength(113);
    expect(new Set(tree.all().map((n) => n.name)).size).toBe(tree.size);
  });

  it('climbs from a unit to the county office and the city', () => {
    const tree = demoCounty();
    expect(tree.ancestors('unit-001').map((n) => n.id)).toEqual(['county', 'city']);
    expect(tree.isAncestor('county', 'township-heji')).toBe(true);
    expect(tree.isAncestor('township-heji', 'county')).toBe(false);
  });
});

describe('OrgTree', () => {
  it('rejects unknown parents and cycles', () => {
    expect(() => new OrgTree([{ id: 'aa', name: 'A', kind: 'unit', parentId: 'zz' }])).toThrow(
      /unknown parent/,
    );
    expect(
      () =>
        new OrgTree([
          { id: 'aa', name: 'A', kind: 'unit', parentId: 'bb' },
          { id: 'bb', name: 'B', kind: 'unit', parentId: 'aa' },
        ]),
    ).toThrow(/cycle/);
  });

  it('lists a subtree breadth first', () => {
    const tree = new OrgTree([
      { id: 'root', name: 'R', kind: 'county-office', parentId: null },
      { id: 'tw', name: 'T', kind: 'township', parentId: 'root' },
      { id: 'village', name: 'V', kind: 'unit', parentId: 'tw' },
    ]);
    expect(tree.subtree('root').map((n) => n.id)).toEqual(['root', 'tw', 'village']);
    expect(tree.subtree('tw').map((n) => n.id)).toEqual(['tw', 'village']);
  });
});
