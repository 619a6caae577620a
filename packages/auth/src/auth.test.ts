import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { createFreshDatabase, createPool, createPrisma } from '@duban/db';
import type { FreshDatabase, PrismaClient } from '@duban/db';
import {
  EVERYONE,
  HostedNodes,
  VirtualClock,
  access,
  actorOf,
  createHttpApp,
  createLogger,
  principalOf,
  readScopeOf,
} from '@duban/kit';
import type { HttpApp } from '@duban/kit';
import { demoCounty, demoHostedNodeIds } from '@duban/org';
import { hashPassword, verifyPassword } from './password';
import { registerAuth } from './routes';
import { AuthService, signingSecret } from './service';
import type { Tokens } from './service';

declare module 'vitest' {
  interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

const PASSWORD = 'correct horse battery';

describe('accounts, sign-in and bearer tokens over real HTTP and PostgreSQL', () => {
  const clock = new VirtualClock('2026-03-02T01:00:00Z');
  const org = demoCounty();
  let db: FreshDatabase;
  let prisma: PrismaClient;
  let pool: ReturnType<typeof createPool>;
  let auth: AuthService;
  let app: HttpApp;

  beforeAll(async () => {
    db = await createFreshDatabase(inject('postgresAdminUrl'), 't_auth');
    prisma = createPrisma(db.url, { pool: { max: 3 } });
    pool = createPool(db.url, { max: 2 });
    // The session check through the pg pool, as a node process runs it.
    auth = new AuthService({
      prisma,
      sql: pool,
      org,
      secret: await signingSecret(prisma),
      clock,
      accessTtl: 900,
    });
    app = await createHttpApp({
      logger: createLogger({ level: 'silent' }),
      title: 'auth test',
      accessControl: { isAncestor: (a, n) => org.isAncestor(a, n) },
    });
    await registerAuth(app, auth, new HostedNodes(demoHostedNodeIds(org)), { loginRateLimit: 10 });
    const NodeParams = z.object({ nodeId: z.string() });
    // actorOf behind the loosest rule, so that it is what decides; reads behind the rule every
    // case-file read route declares.
    app.post(
      '/nodes/:nodeId/act',
      { config: { access: { kind: 'public' } }, schema: { params: NodeParams } },
      async (request) => actorOf(request, request.params.nodeId),
    );
    app.get(
      '/nodes/:nodeId/read',
      { config: { access: access.read(EVERYONE, { leaderScoped: true }) }, schema: { params: NodeParams } },
      async (request) => {
        const { node, person, roles } = principalOf(request);
        return { node, person, roles, scope: readScopeOf(request) };
      },
    );
    await app.ready();
    await auth.createAccount({
      node: 'county',
      login: 'office',
      name: '李主任',
      roles: ['office-staff'],
      password: PASSWORD,
    });
    await auth.createAccount({
      node: 'county',
      login: 'root',
      name: '管理员',
      roles: ['admin'],
      password: PASSWORD,
    });
    await auth.createAccount({
      node: 'township-heji',
      login: 'heji',
      name: '河集督查员',
      roles: ['township-supervisor'],
      password: PASSWORD,
    });
    for (const l of ['office-r', 'office-l', 'office-e'])
      await auth.createAccount({
        node: 'county',
        login: l,
        name: `科员 ${l}`,
        roles: ['office-staff'],
        password: PASSWORD,
      });
    await auth.createAccount({
      node: 'unit-002',
      login: 'leader',
      name: '张县长',
      roles: ['county-leader'],
      password: PASSWORD,
    });
  });
  afterAll(async () => {
    await app?.close();
    await prisma?.$disconnect();
    await pool?.end();
    await db?.drop();
  });

  const login = (l: string, password = PASSWORD) =>
    app.inject({ method: 'POST', url: '/auth/login', payload: { login: l, password } });
  const tokensOf = async (l: string): Promise<Tokens> => {
    const res = await login(l);
    expect(res.statusCode).toBe(200);
    return res.json<Tokens>();
  };
  const bearer = (t: Tokens | string) => ({
    authorization: `Bearer ${typeof t === 'string' ? t : t.accessToken}`,
  });

  it('hashes passwords with scrypt into a PHC string and asks to rehash weaker ones', async () => {
    const hash = await hashPassword('s3cret-enough');
    expect(hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(await verifyPassword('s3cret-enough', hash)).toEqual({ ok: true, rehash: false });
    expect((await verifyPassword('s3cret-enougH', hash)).ok).toBe(false);
    const weak = await hashPassword('s3cret-enough', { ln: 10, r: 8, p: 1 });
    expect(await verifyPassword('s3cret-enough', weak)).toEqual({ ok: true, rehash: true });
  });

  it('signs in and acts as the person of its own node, nowhere else', async () => {
    const t = await tokensOf('office');
    expect(t).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      person: { node: 'county', name: '李主任' },
    });
    const me = await app.inject({ method: 'GET', url: '/auth/me', headers: bearer(t) });
    expect(me.json()).toMatchObject({
      node: 'county',
      person: '李主任',
      roles: ['office-staff'],
      login: 'office',
    });
    const acted = await app.inject({ method: 'POST', url: '/nodes/county/act', headers: bearer(t) });
    expect(acted.json()).toEqual({ node: 'county', person: '李主任', roles: ['office-staff'] });
    const elsewhere = await app.inject({ method: 'POST', url: '/nodes/unit-001/act', headers: bearer(t) });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json().error.code).toBe('auth.node_mismatch');
  });

  it('reads its own node and below; a county leader reads anywhere', async () => {
    const county = await tokensOf('office');
    for (const node of ['county', 'township-heji', 'unit-050'])
      expect(
        (await app.inject({ method: 'GET', url: `/nodes/${node}/read`, headers: bearer(county) })).statusCode,
      ).toBe(200);
    const heji = await tokensOf('heji');
    const up = await app.inject({ method: 'GET', url: '/nodes/county/read', headers: bearer(heji) });
    expect(up.statusCode).toBe(403);
    expect(up.json().error.code).toBe('auth.out_of_scope');
    expect(
      (await app.inject({ method: 'GET', url: '/nodes/unit-001/read', headers: bearer(heji) })).statusCode,
    ).toBe(403);
    const leader = await tokensOf('leader');
    const read = await app.inject({
      method: 'GET',
      url: '/nodes/township-heji/read',
      headers: bearer(leader),
    });
    expect(read.json()).toMatchObject({ node: 'unit-002', roles: ['county-leader'] });
  });

  it('answers a wrong password and an unknown login with the same 401', async () => {
    const wrong = await login('office', 'not the password');
    const unknown = await login('nobody-here', 'not the password');
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: { code: 'auth.invalid_credentials', message: 'wrong login or password' },
      });
    }
  });

  it('requires a token everywhere but the public paths', async () => {
    for (const url of ['/nodes/county/read', '/auth/me', '/no/such/route']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('auth.required');
    }
    const forged = await app.inject({
      method: 'GET',
      url: '/auth/me',
      headers: bearer('eyJhbGciOiJub25lIn0.e30.'),
    });
    expect(forged.json().error.code).toBe('auth.invalid_token');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{
      security: unknown;
      paths: Record<string, { post?: { security?: unknown } }>;
    }>();
    expect(spec.security).toEqual([{ bearer: [] }]);
    expect(spec.paths['/auth/login']?.post?.security).toEqual([]);
  });

  it('rate-limits sign-in per client and login with 429 and a code', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await login('hammered', `guess-${i}-guess`)).statusCode);
    expect(codes).toEqual(Array(10).fill(401));
    const limited = await login('hammered');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('auth.rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another login from the same client is not held back by it.
    expect((await login('office')).statusCode).toBe(200);
  });

  it('backs an account off after repeated failures, even from many addresses', async () => {
    await auth.createAccount({
      node: 'unit-004',
      login: 'guessed',
      name: '被猜者二',
      roles: ['unit-handler'],
      password: PASSWORD,
    });
    for (let i = 0; i < 5; i++)
      await expect(auth.login('guessed', `guess-${i}-guess`)).rejects.toMatchObject({
        code: 'auth.invalid_credentials',
      });
    await expect(auth.login('guessed', PASSWORD)).rejects.toMatchObject({ code: 'auth.rate_limited' });
    clock.advance(2000);
    await expect(auth.login('guessed', PASSWORD)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('rotates the refresh token; replaying a used one ends the session', async () => {
    const first = await tokensOf('office-r');
    const r1 = await app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refreshToken: first.refreshToken },
    });
    expect(r1.statusCode).toBe(200);
    const second = r1.json<Tokens>();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await app.inject({ method: 'GET', url: '/auth/me', headers: bearer(second) })).statusCode).toBe(
      200,
    );
    // The first refresh token again: a thief or a replay. The whole session ends.
    const replay = await app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refreshToken: first.refreshToken },
    });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('auth.refresh_reused');
    const after = await app.inject({ method: 'GET', url: '/auth/me', headers: bearer(second) });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('auth.session_ended');
    const legit = await app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refreshToken: second.refreshToken },
    });
    expect(legit.json().error.code).toBe('auth.session_ended');
  });

  it('logout rejects the access token at once, and its refresh token', async () => {
    const t = await tokensOf('office-l');
    expect((await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(t) })).statusCode).toBe(
      204,
    );
    const me = await app.inject({ method: 'GET', url: '/auth/me', headers: bearer(t) });
    expect(me.statusCode).toBe(401);
    expect(me.json().error.code).toBe('auth.session_ended');
    const refreshed = await app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refreshToken: t.refreshToken },
    });
    expect(refreshed.statusCode).toBe(401);
  });

  it('expires access tokens after their lifetime (the refresh token still works)', async () => {
    const t = await tokensOf('office-e');
    clock.advance(901_000);
    const me = await app.inject({ method: 'GET', url: '/auth/me', headers: bearer(t) });
    expect(me.statusCode).toBe(401);
    expect(me.json().error.code).toBe('auth.token_expired');
    const r = await app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refreshToken: t.refreshToken },
    });
    expect(
      (await app.inject({ method: 'GET', url: '/auth/me', headers: bearer(r.json<Tokens>()) })).statusCode,
    ).toBe(200);
  });

  it('lets an admin create, disable and reset accounts in its reach only', async () => {
    const admin = await tokensOf('root');
    const created = await app.inject({
      method: 'POST',
      url: '/auth/accounts',
      headers: bearer(admin),
      payload: { node: 'township-heji', login: 'wang', name: '王干事', roles: ['township-supervisor'] },
    });
    expect(created.statusCode).toBe(201);
    const { account, password } = created.json<{ account: { id: string }; password: string }>();
    expect(password).toHaveLength(20);
    const wang = await tokensOf('wang').catch(() => undefined);
    expect(wang).toBeUndefined(); // tokensOf uses the shared test password
    const signedIn = await login('wang', password);
    expect(signedIn.statusCode).toBe(200);
    const wangTokens = signedIn.json<Tokens>();

    const disabled = await app.inject({
      method: 'POST',
      url: `/auth/accounts/${account.id}/disable`,
      headers: bearer(admin),
    });
    expect(disabled.json()).toMatchObject({ disabled: true });
    expect(
      (await app.inject({ method: 'GET', url: '/auth/me', headers: bearer(wangTokens) })).statusCode,
    ).toBe(401);
    expect((await login('wang', password)).json().error.code).toBe('auth.invalid_credentials');
    await app.inject({ method: 'POST', url: `/auth/accounts/${account.id}/enable`, headers: bearer(admin) });

    const reset = await app.inject({
      method: 'POST',
      url: `/auth/accounts/${account.id}/password`,
      headers: bearer(admin),
      payload: { password: 'a brand new password' },
    });
    expect(reset.statusCode).toBe(200);
    expect((await login('wang', password)).statusCode).toBe(401);
    expect((await login('wang', 'a brand new password')).statusCode).toBe(200);

    const fresh = (await login('wang', 'a brand new password')).json<Tokens>();
    const roles = await app.inject({
      method: 'PUT',
      url: `/auth/accounts/${account.id}/roles`,
      headers: bearer(admin),
      payload: { roles: ['township-supervisor', 'analyst'] },
    });
    expect(roles.json()).toMatchObject({ roles: ['township-supervisor', 'analyst'] });
    // Tokens carry roles: the old ones stop at once.
    expect((await app.inject({ method: 'GET', url: '/auth/me', headers: bearer(fresh) })).statusCode).toBe(
      401,
    );

    const list = await app.inject({
      method: 'GET',
      url: '/auth/accounts?node=township-heji',
      headers: bearer(admin),
    });
    expect(
      list
        .json<{ accounts: Array<{ login: string }> }>()
        .accounts.map((a) => a.login)
        .sort(),
    ).toEqual(['heji', 'wang']);
    // Not an admin: 403. An office-staff person cannot manage accounts.
    const office = await tokensOf('office');
    expect(
      (await app.inject({ method: 'GET', url: '/auth/accounts', headers: bearer(office) })).statusCode,
    ).toBe(403);
  });

  it('keeps a township admin inside its township', async () => {
    await auth.createAccount({
      node: 'township-heji',
      login: 'heji-admin',
      name: '河集管理员',
      roles: ['admin'],
      password: PASSWORD,
    });
    const admin = await tokensOf('heji-admin');
    const outside = await app.inject({
      method: 'POST',
      url: '/auth/accounts',
      headers: bearer(admin),
      payload: { node: 'county', login: 'sneaky', name: '越权', roles: ['admin'] },
    });
    expect(outside.statusCode).toBe(403);
    const office = await auth.accountByLogin('office');
    const reset = await app.inject({
      method: 'POST',
      url: `/auth/accounts/${office.id}/password`,
      headers: bearer(admin),
      payload: {},
    });
    expect(reset.statusCode).toBe(404);
  });
});
