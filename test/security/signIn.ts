import { createHash } from 'node:crypto';
import type { Role } from '@duban/kit';
import type { RunningNode } from '@duban/runtime';

const PASSWORD = 'matrix-and-feed-test-password';

/**
 * Signs a person of `node` with `roles` in for real: the account is created as the admin CLI
 * would, then /auth/login answers with a bearer token. Returns the request headers to send.
 */
export async function signIn(
  host: RunningNode,
  node: string,
  person: string,
  roles: readonly Role[],
): Promise<Record<string, string>> {
  const login = `t-${createHash('sha256').update(`${node}|${person}`).digest('hex').slice(0, 20)}`;
  await host.ctx.auth.createAccount({ node, login, name: person, roles, password: PASSWORD });
  const response = await host.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { login, password: PASSWORD },
  });
  if (response.statusCode !== 200)
    throw new Error(`sign-in of ${person} at ${node} failed: ${response.statusCode} ${response.body}`);
  return { authorization: `Bearer ${(response.json() as { accessToken: string }).accessToken}` };
}
