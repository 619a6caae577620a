import { resolve } from 'node:path';
import { demoCounty } from './demoCounty';
import { loadOrgFile } from './orgFile';
import type { OrgTree } from './tree';

/**
 * The organisation a process serves: the org.yaml DUBAN_ORG names (resolved against the working
 * directory), else the demo county. Throws OrgFileError, whose message is one line naming the file,
 * the line and the problem.
 */
export function configuredOrg(
  env: { DUBAN_ORG?: string | undefined } = process.env,
  cwd = process.cwd(),
): OrgTree {
  return env.DUBAN_ORG ? loadOrgFile(resolve(cwd, env.DUBAN_ORG), env.DUBAN_ORG) : demoCounty();
}
