import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '@duban/runtime';
import { deepCounty } from '../network/harness';
import { signIn } from './signIn';
import { startSingleHost } from '../singleHost';
import type { SingleHost } from '../singleHost';

/**
 * The authorisation matrix: every role × every endpoint × the caller's own node, a child node, a
 * sibling node and the parent node, each with the expected allow or deny, all generated from the
 * one table below. The table is written here, by hand, from the rules people agreed (who may see
 * what, who may say what), not read from the routes: a route that declares a looser rule than this
 * table fails here. "Allow" means the access check let the request through (whatever the handler
 * then said about the made-up ids and bodies: 400, 404, 409 …, but never 401/403 or a 5xx);
 * "deny" means 403 with a machine-readable code, and no sign-in means 401 on every non-public route.
 */

const ROLES = [
  'office-staff',
  'committee-member',
  'county-leader',
  'township-supervisor',
  'unit-handler',
  'unit-head',
  'analyst',
  'admin',
] as const;
type Role = (typeof ROLES)[number];
type Target = 'own' | 'child' | 'sibling' | 'parent';
const TARGETS: readonly Target[] = ['own', 'child', 'sibling', 'parent'];

type Rule =
  | { kind: 'public' }
  /** own node and its subtree; a county leader anywhere when `leader` (rows then filtered to theirs). */
  | { kind: 'read'; roles: readonly Role[]; leader?: true }
  /** only for one's own node. */
  | { kind: 'act'; roles: readonly Role[] };

const ALL = ROLES;
const CASE_FILES = ROLES.filter((r) => r !== 'analyst'); // analysts read statistics, not case files
const SUPERVISORS: readonly Role[] = ['office-staff', 'township-supervisor', 'admin'];
const HANDLERS: readonly Role[] = ['unit-handler', 'unit-head', 'township-supervisor', 'office-staff'];
const MANAGERS: readonly Role[] = ['admin', 'office-staff'];
const DECIDERS: readonly Role[] = ['office-staff', 'committee-member'];

const read = (roles: readonly Role[], leader?: true): Rule => ({
  kind: 'read',
  roles,
  ...(leader ? { leader } : {}),
});
const act = (roles: readonly Role[]): Rule => ({ kind: 'act', roles });

const ITEM = '/tasks/items/:itemId';
/** METHOD and path below /nodes/:nodeId → who may. */
const TABLE: Record<string, Rule> = {
  'GET /tasks/items': read(CASE_FILES, true),
  'POST /tasks/items': act(SUPERVISORS),
  'GET /tasks/summary': read(CASE_FILES, true),
  'GET /tasks/export.xlsx': read(CASE_FILES, true),
  'GET /tasks/export.csv': read(CASE_FILES, true),
  [`GET ${ITEM}`]: read(CASE_FILES, true),
  'GET /tasks/events': read(ALL),
  'POST /keys/rotate': act(['admin']),
  // The tree is no secret; only the county office's admin re-organises it (the handler refuses others).
  'GET /org': read(ALL),
  'POST /org/changes': act(['admin']),
  [`POST ${ITEM}/acknowledge`]: act(HANDLERS),
  [`POST ${ITEM}/progress`]: act(HANDLERS),
  [`POST ${ITEM}/report`]: act(HANDLERS),
  [`POST ${ITEM}/sign-off`]: act(['unit-head']),
  [`POST ${ITEM}/review`]: act(SUPERVISORS),
  [`POST ${ITEM}/reopen`]: act(SUPERVISORS),
  [`POST ${ITEM}/extension`]: act(HANDLERS),
  [`POST ${ITEM}/extension/:requestId/decision`]: act(SUPERVISORS),
  [`POST ${ITEM}/feedback`]: act(SUPERVISORS),
  [`POST ${ITEM}/meetings`]: act(SUPERVISORS),
  'GET /open311/v2/services.:format': read(ALL),
  'GET /open311/v2/services/:code.:format': read(ALL),
  'POST /open311/v2/requests.:format': act(['office-staff']),
  'GET /open311/v2/requests.:format': read(CASE_FILES),
  'GET /open311/v2/requests/:id.:format': read(CASE_FILES),
  'GET /reminders/timers': read(CASE_FILES),
  'GET /reminders/policies': read(ALL),
  'PUT /reminders/policies/:kind': act(MANAGERS),
  'GET /reminders/calendar': read(ALL),
  'POST /reminders/calendar/amendments': act(['admin']),
  'POST /reminders/calendar/import': act(['admin']),
  'POST /scoring/decisions': act(DECIDERS),
  'GET /scoring/decisions': read(ALL),
  'POST /scoring/decisions/:decisionId/appeal': act(['unit-head', 'unit-handler', 'township-supervisor']),
  'GET /scoring/sanctions': read(ALL),
  'GET /scoring/scoreboard': read(ALL),
  'GET /scoring/statistics': read(ALL),
  'GET /scoring/units/:unit/evaluation': read(ALL),
  'GET /scoring/appeals': read(CASE_FILES),
  'POST /scoring/appeals/:appealId/decision': act(DECIDERS),
  'GET /scoring/proposals': read(CASE_FILES),
  'POST /scoring/proposals/:proposalId/decision': act(DECIDERS),
  'POST /scoring/referrals': act(DECIDERS),
  'GET /scoring/rules/:year': read(ALL),
  'PUT /scoring/rules/:year': act(['admin', 'committee-member']),
  'GET /notifications/inbox': act(ALL),
  'GET /notifications/inbox/stream': act(ALL),
  'POST /notifications/inbox/:messageId/read': act(ALL),
  'POST /notifications/inbox/:messageId/acknowledge': act(ALL),
  'GET /notifications/recipients': act(MANAGERS),
  // People keep their own contact details; the managers everyone's (the handler checks which).
  'PUT /notifications/recipients/:personId': act(ALL),
  'GET /notifications/recipients/:personId': act(ALL),
  'DELETE /notifications/recipients/:personId': act(MANAGERS),
  'GET /notifications/webhooks': act(MANAGERS),
  'POST /notifications/webhooks': act(MANAGERS),
  'PATCH /notifications/webhooks/:id': act(MANAGERS),
  'DELETE /notifications/webhooks/:id': act(MANAGERS),
  'GET /notifications/templates': act(MANAGERS),
  'PUT /notifications/templates/:eventType/:locale': act(MANAGERS),
  'DELETE /notifications/templates/:eventType/:locale': act(MANAGERS),
  'GET /notifications/deliveries': act(ALL),
  'POST /notifications/deliveries/:id/retry': act(MANAGERS),
  'GET /notifications/documents/notice/:file': read(CASE_FILES),
  'GET /notifications/documents/chase/:file': read(CASE_FILES),
  'GET /notifications/documents/bulletin/:file': read(ALL),
  'POST /notifications/bulletins': act(MANAGERS),
  'GET /notifications/bulletins': read(ALL),
  'GET /notifications/bulletins/:id': read(ALL),
  'PUT /notifications/bulletins/:id': act(MANAGERS),
  'POST /notifications/bulletins/:id/publish': act(MANAGERS),
};

function expected(rule: Rule, role: Role, target: Target): 'allow' | 'deny' {
  switch (rule.kind) {
    case 'public':
      return 'allow';
    case 'act':
      return rule.roles.includes(role) && target === 'own' ? 'allow' : 'deny';
    case 'read':
      if (!rule.roles.includes(role)) return 'deny';
      if (target === 'own' || target === 'child') return 'allow';
      return rule.leader && role === 'county-leader' ? 'allow' : 'deny';
  }
}

const personOf = (role: Role) => `矩阵 ${role}`;

/** Made-up but well-formed path parameters: the matrix is about access, not about the records. */
function concrete(path: string, node: string, person: string): string {
  return `/nodes/${node}${path}`
    .replace(':personId', encodeURIComponent(person))
    .replace(':format', 'json')
    .replace(':code', 'cg')
    .replace(':kind', 'annual-target')
    .replace(':year', '2026')
    .replace(':unit', node)
    .replace(':locale', 'zh')
    .replace(':eventType', 'tasks.item.assigned')
    .replace(':file', `${randomUUID()}.docx`)
    .replace(/:[a-zA-Z]+/g, () => randomUUID());
}

describe('the authorisation matrix: every role × every endpoint × own / child / sibling / parent node', () => {
  // The demo county's units report to the county office; give the township a unit of its own.
  const org = deepCounty([
    { id: 'unit-chengguan-school', name: '城关镇中心学校', parentId: 'township-chengguan' },
  ]);
  const nodes: Record<Target, string> = {
    own: 'township-chengguan',
    child: 'unit-chengguan-school',
    sibling: 'township-chengjiao',
    parent: org.parentOf('township-chengguan')!.id,
  };
  let single: SingleHost;
  let host: RunningNode;

  beforeAll(async () => {
    // The matrix signs in eight people; the limiter is per IP and login, but keep it out of the way.
    single = await startSingleHost('authz_matrix', Object.values(nodes), {
      env: { DUBAN_LOGIN_RATE_LIMIT: '1000' },
      org,
    });
    host = single.host;
  });
  afterAll(() => single?.close());

  const signedIn = new Map<Role, Record<string, string>>();
  async function call(method: string, path: string, as: { role: Role } | null, payload?: unknown) {
    let headers: Record<string, string> = {};
    if (as) {
      headers = signedIn.get(as.role) ?? (await signIn(host, nodes.own, personOf(as.role), [as.role]));
      signedIn.set(as.role, headers);
    }
    const body = payload ?? (['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined);
    return host.app.inject({
      method: method as 'GET',
      url: path,
      headers,
      ...(body ? { payload: body } : {}),
    });
  }

  it('covers every endpoint the process serves, and only those', () => {
    const served = host.app.declaredRoutes
      .filter((r) => r.url.startsWith('/nodes/:nodeId/') && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url.slice('/nodes/:nodeId'.length)}`);
    expect(served.sort()).toEqual(Object.keys(TABLE).sort());
  });

  // Account administration (/auth) names its node in the body, the query or the account: an admin
  // manages the accounts of their own node and the nodes below it; nobody else manages any.
  it('account administration: every role × every /auth/accounts endpoint × own / child / sibling / parent node', async () => {
    const victims = new Map<Target, string>();
    for (const target of TARGETS) {
      const { account } = await host.ctx.auth.createAccount({
        node: nodes[target],
        login: `victim-${target}`,
        name: `对象 ${target}`,
        roles: ['unit-handler'],
        password: 'victim-password-1234',
      });
      victims.set(target, account.id);
    }
    const seen: string[] = [];
    const want: string[] = [];
    let n = 0;
    for (const role of ROLES) {
      for (const target of TARGETS) {
        const manages = role === 'admin' && (target === 'own' || target === 'child');
        const id = victims.get(target)!;
        const calls: Array<[string, string, unknown]> = [
          [
            'POST',
            '/auth/accounts',
            { node: nodes[target], login: `made-${++n}`, name: `新人 ${n}`, roles: ['unit-handler'] },
          ],
          ['POST', `/auth/accounts/${id}/password`, {}],
          ['PUT', `/auth/accounts/${id}/roles`, { roles: ['unit-handler'] }],
          ['POST', `/auth/accounts/${id}/revoke-sessions`, undefined],
          ['POST', `/auth/accounts/${id}/disable`, undefined],
          ['POST', `/auth/accounts/${id}/enable`, undefined],
        ];
        for (const [method, url, body] of calls) {
          const res = await call(method, url, { role }, body);
          if (res.statusCode >= 500)
            throw new Error(`${method} ${url} as ${role}: ${res.statusCode} ${res.body}`);
          // Outside the admin's reach an account is not there at all (404), so ids cannot be probed.
          const got =
            res.statusCode < 300
              ? 'allow'
              : [403, 404].includes(res.statusCode)
                ? 'deny'
                : `${res.statusCode}`;
          seen.push(`${role}@${target} ${method} ${url.replace(id, ':id')}: ${got}`);
          want.push(`${role}@${target} ${method} ${url.replace(id, ':id')}: ${manages ? 'allow' : 'deny'}`);
        }
        const list = await call('GET', `/auth/accounts?node=${nodes[target]}`, { role });
        const listed =
          list.statusCode === 200 &&
          (list.json() as { accounts: Array<{ id: string }> }).accounts.some((a) => a.id === id);
        seen.push(
          `${role}@${target} GET /auth/accounts: ${list.statusCode === 403 ? 'deny' : listed ? 'listed' : 'hidden'}`,
        );
        want.push(
          `${role}@${target} GET /auth/accounts: ${role !== 'admin' ? 'deny' : manages ? 'listed' : 'hidden'}`,
        );
      }
    }
    expect(seen).toEqual(want);
    for (const url of ['/auth/accounts', `/auth/accounts/${victims.get('own')}/disable`]) {
      const anonymous = await call(url === '/auth/accounts' ? 'GET' : 'POST', url, null);
      expect(anonymous.statusCode).toBe(401);
    }
  });

  for (const [key, rule] of Object.entries(TABLE)) {
    const [method, path] = key.split(' ') as [string, string];
    it(`${key}`, async () => {
      const seen: string[] = [];
      const want: string[] = [];
      for (const role of ROLES) {
        for (const target of TARGETS) {
          // The live inbox streams until the client leaves: ask it for one state only.
          const url =
            concrete(path, nodes[target], personOf(role)) + (path.endsWith('/stream') ? '?once=true' : '');
          const res = await call(method, url, { role });
          const got = res.statusCode === 403 ? 'deny' : res.statusCode === 401 ? 'unauthenticated' : 'allow';
          if (res.statusCode >= 500)
            throw new Error(`${key} as ${role} on ${target}: ${res.statusCode} ${res.body}`);
          seen.push(`${role}@${target}: ${got}`);
          want.push(`${role}@${target}: ${expected(rule, role, target)}`);
          if (got === 'deny')
            expect(JSON.stringify(res.json())).toMatch(
              /auth\.(role_required|node_mismatch|out_of_scope)|403/,
            );
        }
      }
      expect(seen).toEqual(want);
      const anonymous = await call(
        method,
        concrete(path, nodes.own, personOf('admin')) + (path.endsWith('/stream') ? '?once=true' : ''),
        null,
      );
      if (rule.kind === 'public') expect(anonymous.statusCode).not.toBe(401);
      // Open311 answers every refusal its own way: 403 with the spec's error list.
      else expect(anonymous.statusCode).toBe(path.includes('/open311/') ? 403 : 401);
    });
  }
});
