import { AppError } from '@duban/kit';
import type { Role } from '@duban/kit';
import type { AuthService } from './service';

/** The demo county's shared password: printed at start and in the README; never for real use. */
export const DEMO_PASSWORD = 'duban-demo-2026';

/** One person per role at the county office, one township supervisor and a unit's handler and head. */
export const DEMO_ACCOUNTS: ReadonlyArray<{ node: string; login: string; name: string; roles: Role[] }> = [
  { node: 'county', login: 'office', name: '督查室 李主任', roles: ['office-staff'] },
  { node: 'county', login: 'committee', name: '督查委员 王委员', roles: ['committee-member'] },
  { node: 'county', login: 'leader', name: '县领导 张县长', roles: ['county-leader'] },
  { node: 'county', login: 'analyst', name: '分析员 陈', roles: ['analyst'] },
  { node: 'county', login: 'admin', name: '系统管理员', roles: ['admin'] },
  { node: 'township-chengguan', login: 'chengguan', name: '城关镇督查员 刘', roles: ['township-supervisor'] },
  { node: 'unit-001', login: 'handler', name: '承办人 赵科员', roles: ['unit-handler'] },
  { node: 'unit-001', login: 'head', name: '一把手 孙主任', roles: ['unit-head'] },
];

/**
 * Creates the demo accounts when the host has no account at all (its first start), so the demo
 * county can be signed into at once. Returns the accounts created (none on later starts).
 */
export async function seedDemoAccounts(
  auth: AuthService,
  hosts: (node: string) => boolean,
): Promise<string[]> {
  if ((await auth.listAccounts(auth.org.all().map((n) => n.id))).length > 0) return [];
  const created: string[] = [];
  for (const a of DEMO_ACCOUNTS) {
    if (!hosts(a.node)) continue;
    try {
      await auth.createAccount({ ...a, password: DEMO_PASSWORD });
      created.push(a.login);
    } catch (error) {
      // Several processes of one node (its services in Compose) share a database and seed at once.
      const unique = (error as { code?: unknown }).code === 'P2002';
      if (!(error instanceof AppError && error.code === 'account.exists') && !unique) throw error;
    }
  }
  return created;
}
