import rateLimit from '@fastify/rate-limit';
import { z } from 'zod';
import { AppError, ROLES, hasAnyRole, principalOf } from '@duban/kit';
import type { HostedNodes, HttpApp, Principal } from '@duban/kit';
import { AccountView, DisplayName, Login, Password, RoleList, Tokens } from './service';
import type { AuthService } from './service';

export interface AuthRouteOptions {
  /** Sign-in attempts per client IP and login per minute (default 10). */
  loginRateLimit?: number;
}

/** Paths that answer without a token: probes, the API docs, and the two ways to get one. */
export function isPublicPath(path: string): boolean {
  return (
    path === '/healthz' ||
    path === '/readyz' ||
    // Guarded by its own optional token (DUBAN_METRICS_TOKEN), not by a person's sign-in.
    path === '/metrics' ||
    path === '/auth/login' ||
    path === '/auth/refresh' ||
    path === '/docs' ||
    path.startsWith('/docs/') ||
    // The web console's static files (services/console); its API calls carry the token.
    path === '/' ||
    path === '/console' ||
    path.startsWith('/console/')
  );
}

const LoginBody = z.object({
  login: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(200),
});
const RefreshBody = z.object({ refreshToken: z.string().min(1).max(200) });
const AccountParams = z.object({ accountId: z.uuid() });
const AccountsQuery = z.object({ node: z.string().optional() });
const CreateAccountBody = z.object({
  node: z.string().min(1).max(64),
  login: Login,
  name: DisplayName,
  roles: RoleList,
  password: Password.optional().describe('absent: one is generated and returned once'),
});
const PasswordBody = z.object({
  password: Password.optional().describe('absent: one is generated and returned once'),
});
const Me = z.object({
  account: z.string(),
  session: z.string(),
  login: z.string(),
  node: z.string(),
  person: z.string(),
  roles: z.array(z.enum(ROLES)),
});
const tags = ['auth'];

/**
 * Bearer authentication for every route but the public ones, and the /auth routes. Register it
 * right after createHttpApp, before any service's routes. Accounts live in the host's database;
 * an admin manages those of the nodes it reaches (its own and below) that this host serves.
 */
export async function registerAuth(
  app: HttpApp,
  auth: AuthService,
  hosted: HostedNodes,
  options: AuthRouteOptions = {},
): Promise<void> {
  // The limiter's store is this process's memory: a restart forgets it, the per-account backoff
  // in the database does not.
  await app.register(rateLimit, { global: false });

  app.addHook('onRequest', async (request) => {
    if (request.method === 'OPTIONS' || isPublicPath(request.url.split('?')[0]!)) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match)
      throw new AppError('unauthenticated', 'auth.required', 'sign in first (Authorization: Bearer)');
    request.principal = await auth.authenticate(match[1]!);
  });

  app.post(
    '/auth/login',
    {
      schema: {
        tags,
        summary: 'Sign in: an access token (15 min) and a refresh token',
        body: LoginBody,
        response: { 200: Tokens },
        security: [],
      },
      config: {
        rateLimit: {
          max: options.loginRateLimit ?? 10,
          timeWindow: 60_000,
          // After body parsing, so the key can name the login: one guesser cannot lock out a
          // whole office behind a shared NAT address, and one IP cannot hammer one login.
          hook: 'preHandler',
          keyGenerator: (request) =>
            `${request.ip}|${String((request.body as { login?: unknown } | undefined)?.login ?? '')
              .trim()
              .toLowerCase()}`,
          errorResponseBuilder: (_request, context) =>
            new AppError(
              'too_many_requests',
              'auth.rate_limited',
              'too many sign-in attempts; try again later',
              {
                retryAfter: Math.ceil(context.ttl / 1000),
              },
            ),
        },
      },
    },
    async (request, reply) => {
      try {
        return await auth.login(request.body.login, request.body.password);
      } catch (error) {
        if (error instanceof AppError && typeof error.details.retryAfter === 'number')
          void reply.header('retry-after', String(error.details.retryAfter));
        throw error;
      }
    },
  );

  app.post(
    '/auth/refresh',
    {
      schema: {
        tags,
        summary: 'Swap a refresh token for a new pair (the old one stops working)',
        body: RefreshBody,
        security: [],
        response: { 200: Tokens },
      },
    },
    async (request) => auth.refresh(request.body.refreshToken),
  );

  app.post(
    '/auth/logout',
    { schema: { tags, summary: 'End this session: its access and refresh tokens stop working at once' } },
    async (request, reply) => {
      await auth.logout(principalOf(request).session);
      return reply.status(204).send();
    },
  );

  app.get(
    '/auth/me',
    { schema: { tags, summary: 'Who the token belongs to', response: { 200: Me } } },
    async (request) => {
      const p = principalOf(request);
      return {
        account: p.account,
        session: p.session,
        login: p.login,
        node: p.node,
        person: p.person,
        roles: [...p.roles],
      };
    },
  );

  // ----- administration: accounts of the admin's node and below, served by this host ----------

  const admin = (request: Parameters<typeof principalOf>[0]): Principal => {
    const p = principalOf(request);
    if (!hasAnyRole(p, ['admin']))
      throw new AppError('forbidden', 'auth.admin_only', 'only an admin manages accounts');
    return p;
  };
  const managed = async (p: Principal, accountId: string): Promise<AccountView> => {
    const account = await auth.account(accountId);
    // Out of reach reads as absent: an admin learns nothing about other subtrees' accounts.
    if (!p.reaches(account.node) || !hosted.has(account.node))
      throw new AppError('not_found', 'account.not_found', `no account ${accountId}`);
    return account;
  };

  app.get(
    '/auth/accounts',
    {
      schema: {
        tags,
        summary: 'Accounts of the nodes the admin reaches (or of one of them)',
        querystring: AccountsQuery,
        response: { 200: z.object({ accounts: z.array(AccountView) }) },
      },
    },
    async (request) => {
      const p = admin(request);
      const nodes = hosted
        .list()
        .filter((n) => p.reaches(n) && (!request.query.node || n === request.query.node));
      return { accounts: await auth.listAccounts(nodes) };
    },
  );

  app.post(
    '/auth/accounts',
    {
      schema: {
        tags,
        summary: 'Create an account (the password is generated when absent, and returned once)',
        body: CreateAccountBody,
        response: { 201: z.object({ account: AccountView, password: z.string().optional() }) },
      },
    },
    async (request, reply) => {
      const p = admin(request);
      if (!p.reaches(request.body.node) || !hosted.has(request.body.node))
        throw new AppError(
          'forbidden',
          'auth.out_of_scope',
          `node ${request.body.node} is outside the admin's reach`,
        );
      return reply.status(201).send(await auth.createAccount(request.body));
    },
  );

  app.post(
    '/auth/accounts/:accountId/password',
    {
      schema: {
        tags,
        summary: 'Reset a password (ends every session of the account)',
        params: AccountParams,
        body: PasswordBody,
        response: { 200: z.object({ password: z.string().optional() }) },
      },
    },
    async (request) => {
      await managed(admin(request), request.params.accountId);
      return auth.resetPassword(request.params.accountId, request.body.password);
    },
  );

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(
      `/auth/accounts/:accountId/${action}`,
      {
        schema: {
          tags,
          summary: disabled ? 'Disable an account (ends its sessions)' : 'Enable a disabled account',
          params: AccountParams,
          response: { 200: AccountView },
        },
      },
      async (request) => {
        const p = admin(request);
        await managed(p, request.params.accountId);
        if (disabled && request.params.accountId === p.account)
          throw new AppError('conflict', 'account.self_disable', 'an admin cannot disable their own account');
        return auth.setDisabled(request.params.accountId, disabled);
      },
    );
  }

  app.put(
    '/auth/accounts/:accountId/roles',
    {
      schema: {
        tags,
        summary: 'Replace the roles of an account (ends its sessions: tokens carry roles)',
        params: AccountParams,
        body: z.object({ roles: RoleList }),
        response: { 200: AccountView },
      },
    },
    async (request) => {
      await managed(admin(request), request.params.accountId);
      return auth.setRoles(request.params.accountId, request.body.roles);
    },
  );

  app.post(
    '/auth/accounts/:accountId/revoke-sessions',
    {
      schema: {
        tags,
        summary: 'End every session of an account (signed-in devices must sign in again)',
        params: AccountParams,
        response: { 200: z.object({ revoked: z.number().int() }) },
      },
    },
    async (request) => {
      await managed(admin(request), request.params.accountId);
      return { revoked: await auth.revokeSessions(request.params.accountId, 'admin') };
    },
  );
}
