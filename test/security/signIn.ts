import type { RunningNode } from '@duban/runtime';

/**
 * The headers of a signed-in person of `node` with `roles`, for tests that talk to one process.
 * Until accounts land this is the header identity of decision 0011.
 */
export async function signIn(
  _host: RunningNode,
  node: string,
  person: string,
  roles: readonly string[],
): Promise<Record<string, string>> {
  return {
    'x-duban-node': node,
    'x-duban-person': encodeURIComponent(person),
    'x-duban-roles': roles.join(','),
  };
}
