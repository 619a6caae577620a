import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countyNodeIds, loadOrgFile } from './orgFile';
import type { OrgNode } from './tree';
import { OrgTree } from './tree';

export const DEMO_COUNTY_ID = 'county';
export const DEMO_CITY_ID = 'city';

/**
 * 睢县 (Sui County, Henan) as in the seed article: the city above, 1 county office, its 20
 * townships by their real names and 92 county units (113 nodes). The data is an ordinary org.yaml
 * (ADR 0024), the one `pnpm start` uses when DUBAN_ORG is not set.
 */
export const DEMO_ORG_FILE = findUp(
  'examples/suixian/org.yaml',
  fileURLToPath(new URL('.', import.meta.url)),
);

/**
 * The nearest `relative` above `from`: the repository's examples/ from packages/org/src, and the
 * one a compiled host ships at its root from node_modules/@duban/org/src (ADR 0030).
 */
function findUp(relative: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${relative} is not above ${from}`);
  }
}

let demoNodes: readonly OrgNode[] | undefined;

/** The demo county's nodes, as fresh objects (callers may extend the list). */
export function demoCountyNodes(): OrgNode[] {
  demoNodes ??= loadOrgFile(DEMO_ORG_FILE, 'examples/suixian/org.yaml').all();
  return demoNodes.map((n) => ({ ...n, ...(n.contacts ? { contacts: { ...n.contacts } } : {}) }));
}

export function demoCounty(): OrgTree {
  return new OrgTree(demoCountyNodes());
}

/** The nodes a host serves by default: the county office and all below it (the city runs elsewhere). */
export function demoHostedNodeIds(tree: OrgTree = demoCounty()): string[] {
  return countyNodeIds(tree);
}
