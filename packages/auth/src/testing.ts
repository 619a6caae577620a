import { createHash } from 'node:crypto';
import { ROLES } from '@duban/kit';
import type { Role } from '@duban/kit';
import type { AuthService, Tokens } from './service';

/** The password of every account tests create: tests sign in for real, over HTTP. */
export const TEST_PASSWORD = 'test-password-of-duban';

export interface TestPerson {
  person: string;
  /** Comma-separated, as the old x-duban-roles header took them. */
  roles: string;
}

/**
 * Signs tests in as (node, person, roles): creates the account on first use through the host's
 * AuthService (as the admin CLI would), then signs in over HTTP at /auth/login and caches the
 * access token until shortly before it expires. Without a person: the node's operator holding
 * every role (what the header stopgap used to default to).
 */
export class TestSignIn {
  private readonly tokens = new Map<string, { token: string; until: number }>();

  constructor(private readonly host: (node: string) => { url: string; auth: AuthService }) {}

  async headers(node: string, as?: TestPerson): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.token(node, as)}` };
  }

  async token(node: string, as?: TestPerson): Promise<string> {
    const person = as?.person ?? `${node}:operator`;
    const roles = (as?.roles ?? ROLES.join(','))
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean)
      .sort() as Role[];
    const key = `${node}|${person}|${roles.join(',')}`;
    const cached = this.tokens.get(key);
    if (cached && cached.until > Date.now()) return cached.token;
    const { url, auth } = this.host(node);
    const login = `t-${createHash('sha256').update(`${node}|${person}`).digest('hex').slice(0, 20)}`;
    const existing = await auth.accountByLogin(login).catch(() => undefined);
    if (!existing) {
      await auth.createAccount({ node, login, name: person, roles, password: TEST_PASSWORD });
    } else if ([...existing.roles].sort().join(',') !== roles.join(',')) {
      // The same person with other roles (a test changes hats): their sessions end, as in real life.
      await auth.setRoles(existing.id, roles);
      for (const k of [...this.tokens.keys()]) if (k.startsWith(`${node}|${person}|`)) this.tokens.delete(k);
    }
    const response = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password: TEST_PASSWORD }),
    });
    if (response.status !== 200)
      throw new Error(
        `test sign-in of ${person} at ${node} failed: ${response.status} ${await response.text()}`,
      );
    const tokens = (await response.json()) as Tokens;
    this.tokens.set(key, { token: tokens.accessToken, until: Date.now() + (tokens.expiresIn - 60) * 1000 });
    return tokens.accessToken;
  }
}
