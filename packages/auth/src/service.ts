import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { PrismaClient } from '@duban/db';
import { AppError, ROLES, systemClock } from '@duban/kit';
import type { Clock, Principal, Role } from '@duban/kit';
import type { OrgTree } from '@duban/org';
import { decoyHash, generatePassword, hashPassword, verifyPassword } from './password';

export const Login = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9._@-]{1,63}$/,
    'a login is 2–64 of a-z 0-9 . _ @ -, starting with a letter or digit',
  );
export type Login = z.infer<typeof Login>;
/** Long enough to resist guessing at scrypt's cost; no composition rules (NIST SP 800-63B). */
export const Password = z.string().min(10, 'at least 10 characters').max(200, 'at most 200 characters');
export type Password = z.infer<typeof Password>;
export const DisplayName = z.string().trim().min(1).max(100);
export type DisplayName = z.infer<typeof DisplayName>;
export const RoleList = z.array(z.enum(ROLES)).min(1).max(ROLES.length);
export type RoleList = z.infer<typeof RoleList>;

export const AccountView = z.object({
  id: z.string(),
  node: z.string(),
  login: z.string(),
  name: z.string(),
  roles: z.array(z.enum(ROLES)),
  disabled: z.boolean(),
  createdAt: z.date(),
});
export type AccountView = z.infer<typeof AccountView>;

export const Tokens = z.object({
  tokenType: z.literal('Bearer'),
  accessToken: z.string(),
  /** Seconds the access token is good for. */
  expiresIn: z.number().int(),
  /** Opaque; good for one refresh (it is rotated), until the session ends. */
  refreshToken: z.string(),
  person: AccountView,
});
export type Tokens = z.infer<typeof Tokens>;

export interface AuthOptions {
  prisma: PrismaClient;
  org: OrgTree;
  /** HS256 key (at least 32 bytes): from DUBAN_JWT_SECRET or the host's auth_secret row. */
  secret: Uint8Array;
  /** Real time for token lifetimes, separate from the (possibly virtual) business clock. */
  clock?: Clock;
  /** Access-token lifetime in seconds (default 15 minutes). */
  accessTtl?: number;
  /** Session lifetime in seconds: refresh tokens stop working after it (default 7 days). */
  sessionTtl?: number;
  /** Consecutive failures before an account backs off (default 5). */
  lockAfter?: number;
  /**
   * Runs the session check every request makes (the host's pg pool): on the hottest path the ORM's
   * per-query work costs more CPU than the lookup itself. Without it, the check goes through Prisma.
   */
  sql?: { query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }> };
}

type AccountRow = {
  id: string;
  nodeId: string;
  login: string;
  displayName: string;
  roles: string[];
  disabled: boolean;
  createdAt: Date;
};

const ISSUER = 'duban';
const MAX_BACKOFF_SECONDS = 15 * 60;

export const view = (a: AccountRow): AccountView => ({
  id: a.id,
  node: a.nodeId,
  login: a.login,
  name: a.displayName,
  roles: a.roles as Role[],
  disabled: a.disabled,
  createdAt: a.createdAt,
});

const sha256 = (s: string) => createHash('sha256').update(s).digest();

const invalidCredentials = () =>
  new AppError('unauthenticated', 'auth.invalid_credentials', 'wrong login or password');

/**
 * Accounts, sessions and tokens of one host (docs/decisions/0014). Access tokens are short-lived
 * HS256 JWTs naming the session; every request checks that session is still live, so logout,
 * disabling an account or a password reset end access at once. Refresh tokens are opaque, stored
 * only as hashes, rotated on every use; presenting a rotated one revokes the session (theft).
 */
export class AuthService {
  private readonly prisma: PrismaClient;
  readonly org: OrgTree;
  private readonly secret: Uint8Array;
  readonly clock: Clock;
  readonly accessTtl: number;
  readonly sessionTtl: number;
  private readonly lockAfter: number;
  private readonly sql: AuthOptions['sql'];

  constructor(options: AuthOptions) {
    if (options.secret.length < 32) throw new Error('the token-signing secret needs at least 32 bytes');
    this.prisma = options.prisma;
    this.org = options.org;
    this.secret = options.secret;
    this.clock = options.clock ?? systemClock;
    this.accessTtl = options.accessTtl ?? 15 * 60;
    this.sessionTtl = options.sessionTtl ?? 7 * 24 * 3600;
    this.lockAfter = options.lockAfter ?? 5;
    this.sql = options.sql;
  }

  // ----- accounts -----------------------------------------------------------------------------

  /** Creates an account; without a password, generates one and returns it (shown once). */
  async createAccount(input: {
    node: string;
    login: string;
    name: string;
    roles: readonly Role[];
    password?: string | undefined;
  }): Promise<{ account: AccountView; password?: string }> {
    if (!this.org.has(input.node))
      throw new AppError(
        'unprocessable',
        'account.unknown_node',
        `no node ${input.node} in the organisation`,
      );
    const login = Login.parse(input.login);
    const name = DisplayName.parse(input.name);
    const roles = RoleList.parse([...new Set(input.roles)]);
    const generated = input.password === undefined ? generatePassword() : undefined;
    const password = Password.parse(input.password ?? generated);
    const now = this.clock.now();
    const clash = await this.prisma.account.findFirst({
      where: { OR: [{ login }, { nodeId: input.node, displayName: name }] },
      select: { login: true },
    });
    if (clash)
      throw new AppError(
        'conflict',
        'account.exists',
        clash.login === login
          ? `login ${login} is taken`
          : `node ${input.node} already has a person named ${name}`,
      );
    const row = await this.prisma.account.create({
      data: {
        id: randomUUID(),
        nodeId: input.node,
        login,
        displayName: name,
        roles,
        passwordHash: await hashPassword(password),
        createdAt: now,
        updatedAt: now,
      },
    });
    return { account: view(row), ...(generated ? { password: generated } : {}) };
  }

  async account(id: string): Promise<AccountView> {
    const row = await this.prisma.account.findUnique({ where: { id } }).catch(() => null);
    if (!row) throw new AppError('not_found', 'account.not_found', `no account ${id}`);
    return view(row);
  }

  async accountByLogin(login: string): Promise<AccountView> {
    const row = await this.prisma.account.findUnique({ where: { login: login.trim().toLowerCase() } });
    if (!row) throw new AppError('not_found', 'account.not_found', `no account ${login}`);
    return view(row);
  }

  async listAccounts(nodes: readonly string[]): Promise<AccountView[]> {
    const rows = await this.prisma.account.findMany({
      where: { nodeId: { in: [...nodes] } },
      orderBy: [{ nodeId: 'asc' }, { login: 'asc' }],
    });
    return rows.map(view);
  }

  /** New password (given, or generated and returned once); every session of the account ends. */
  async resetPassword(id: string, password?: string): Promise<{ password?: string }> {
    await this.account(id);
    const generated = password === undefined ? generatePassword() : undefined;
    const hash = await hashPassword(Password.parse(password ?? generated));
    await this.prisma.account.update({
      where: { id },
      data: { passwordHash: hash, failedLogins: 0, lockedUntil: null, updatedAt: this.clock.now() },
    });
    await this.revokeSessions(id, 'password-reset');
    return generated ? { password: generated } : {};
  }

  async setDisabled(id: string, disabled: boolean): Promise<AccountView> {
    await this.account(id);
    const row = await this.prisma.account.update({
      where: { id },
      data: { disabled, updatedAt: this.clock.now() },
    });
    if (disabled) await this.revokeSessions(id, 'account-disabled');
    return view(row);
  }

  /** Roles travel in access tokens: changing them ends the sessions so no token keeps the old ones. */
  async setRoles(id: string, roles: readonly Role[]): Promise<AccountView> {
    await this.account(id);
    const row = await this.prisma.account.update({
      where: { id },
      data: { roles: RoleList.parse([...new Set(roles)]), updatedAt: this.clock.now() },
    });
    await this.revokeSessions(id, 'roles-changed');
    return view(row);
  }

  async revokeSessions(accountId: string, why: string): Promise<number> {
    const { count } = await this.prisma.authSession.updateMany({
      where: { accountId, revokedAt: null },
      data: { revokedAt: this.clock.now(), revokedWhy: why },
    });
    return count;
  }

  // ----- sessions -----------------------------------------------------------------------------

  /**
   * Signs in. Unknown login, wrong password and a disabled account all answer the same 401 after
   * the same scrypt work, so nothing tells which part was wrong. Repeated failures on one account
   * earn it an exponential backoff (429) so a slow, distributed guesser gains little.
   */
  async login(loginInput: string, password: string): Promise<Tokens> {
    const login = loginInput.trim().toLowerCase();
    const row = await this.prisma.account.findUnique({ where: { login } });
    const now = this.clock.now();
    if (row?.lockedUntil && row.lockedUntil > now) {
      const retryAfter = Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 1000);
      throw new AppError(
        'too_many_requests',
        'auth.rate_limited',
        'too many failed sign-ins; try again later',
        {
          retryAfter,
        },
      );
    }
    const verified = await verifyPassword(password, row?.passwordHash ?? (await decoyHash()));
    if (!row || !verified.ok) {
      if (row) {
        const failed = row.failedLogins + 1;
        const over = failed - this.lockAfter;
        await this.prisma.account.update({
          where: { id: row.id },
          data: {
            failedLogins: failed,
            ...(over >= 0
              ? { lockedUntil: new Date(now.getTime() + Math.min(2 ** over, MAX_BACKOFF_SECONDS) * 1000) }
              : {}),
          },
        });
      }
      throw invalidCredentials();
    }
    if (row.disabled) throw invalidCredentials();
    await this.prisma.account.update({
      where: { id: row.id },
      data: {
        failedLogins: 0,
        lockedUntil: null,
        ...(verified.rehash ? { passwordHash: await hashPassword(password), updatedAt: now } : {}),
      },
    });
    const sessionId = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    await this.prisma.authSession.create({
      data: {
        id: sessionId,
        accountId: row.id,
        generation: 1,
        refreshHash: sha256(secret).toString('hex'),
        createdAt: now,
        refreshedAt: now,
        expiresAt: new Date(now.getTime() + this.sessionTtl * 1000),
      },
    });
    return this.tokens(row, sessionId, `${sessionId}.1.${secret}`);
  }

  /**
   * Swaps a refresh token for a new pair. The swap is one conditional update on the session's
   * generation, so of two concurrent uses exactly one wins; the loser, like any replay of a
   * rotated token, revokes the session (RFC 6819 §5.2.2.3; OAuth 2.0 Security BCP §4.14).
   */
  async refresh(refreshToken: string): Promise<Tokens> {
    const parsed = /^([0-9a-f-]{36})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/.exec(refreshToken.trim());
    if (!parsed) throw new AppError('unauthenticated', 'auth.invalid_refresh', 'not a refresh token');
    const [, sessionId, genText, secret] = parsed as unknown as [string, string, string, string];
    const generation = Number(genText);
    const hash = sha256(secret);
    const now = this.clock.now();
    const session = await this.prisma.authSession.findUnique({
      where: { id: sessionId },
      include: { account: true },
    });
    if (!session) throw new AppError('unauthenticated', 'auth.invalid_refresh', 'not a refresh token');
    if (session.revokedAt || session.expiresAt <= now || session.account.disabled)
      throw new AppError('unauthenticated', 'auth.session_ended', 'the session has ended; sign in again');
    if (generation < session.generation) {
      return this.endReusedSession(sessionId, now);
    }
    const stored = Buffer.from(session.refreshHash, 'hex');
    if (generation !== session.generation || stored.length !== hash.length || !timingSafeEqual(stored, hash))
      throw new AppError('unauthenticated', 'auth.invalid_refresh', 'not a refresh token');
    const nextSecret = randomBytes(32).toString('base64url');
    const { count } = await this.prisma.authSession.updateMany({
      where: { id: sessionId, generation, revokedAt: null },
      data: {
        generation: generation + 1,
        refreshHash: sha256(nextSecret).toString('hex'),
        refreshedAt: now,
      },
    });
    if (count !== 1) {
      // Someone else swapped this very token a moment ago: the same token used twice.
      return this.endReusedSession(sessionId, now);
    }
    return this.tokens(session.account, sessionId, `${sessionId}.${generation + 1}.${nextSecret}`);
  }

  async logout(sessionId: string): Promise<void> {
    await this.prisma.authSession.updateMany({
      where: { id: sessionId, revokedAt: null },
      data: { revokedAt: this.clock.now(), revokedWhy: 'logout' },
    });
  }

  /**
   * The principal of a bearer token: a valid signature and lifetime, and a live session (one
   * primary-key read per request, no cache: revocation takes effect on the next request).
   */
  /** A refresh token used twice means it leaked: end the whole session. */
  private async endReusedSession(sessionId: string, now: Date): Promise<never> {
    await this.prisma.authSession.updateMany({
      where: { id: sessionId, revokedAt: null },
      data: { revokedAt: now, revokedWhy: 'refresh-reuse' },
    });
    throw new AppError(
      'unauthenticated',
      'auth.refresh_reused',
      'this refresh token was already used; the session has been ended, sign in again',
    );
  }

  async authenticate(token: string): Promise<Principal> {
    let claims: AccessClaims;
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        currentDate: this.clock.now(),
      });
      claims = AccessClaims.parse(payload);
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired)
        throw new AppError(
          'unauthenticated',
          'auth.token_expired',
          'the access token has expired; refresh it',
        );
      throw new AppError('unauthenticated', 'auth.invalid_token', 'the access token is not valid');
    }
    const session = await this.liveSession(claims.sid);
    if (
      !session ||
      session.accountId !== claims.sub ||
      session.revokedAt ||
      session.expiresAt <= this.clock.now()
    )
      throw new AppError('unauthenticated', 'auth.session_ended', 'the session has ended; sign in again');
    const org = this.org;
    const node = claims.node;
    return {
      account: claims.sub,
      session: claims.sid,
      login: claims.login,
      node,
      person: claims.name,
      roles: claims.roles,
      reaches: (other) => other === node || (org.has(other) && org.has(node) && org.isAncestor(node, other)),
    };
  }

  private async liveSession(
    id: string,
  ): Promise<{ revokedAt: Date | null; expiresAt: Date; accountId: string } | null> {
    if (!this.sql)
      return this.prisma.authSession.findUnique({
        where: { id },
        select: { revokedAt: true, expiresAt: true, accountId: true },
      });
    const { rows } = await this.sql.query<{ revokedAt: Date | null; expiresAt: Date; accountId: string }>(
      'SELECT revoked_at AS "revokedAt", expires_at AS "expiresAt", account_id::text AS "accountId" FROM auth_session WHERE id = $1',
      [id],
    );
    return rows[0] ?? null;
  }

  private async tokens(row: AccountRow, sessionId: string, refreshToken: string): Promise<Tokens> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const accessToken = await new SignJWT({
      sid: sessionId,
      node: row.nodeId,
      login: row.login,
      name: row.displayName,
      roles: row.roles,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(row.id)
      .setIssuedAt(now)
      .setExpirationTime(now + this.accessTtl)
      .sign(this.secret);
    return { tokenType: 'Bearer', accessToken, expiresIn: this.accessTtl, refreshToken, person: view(row) };
  }
}

const AccessClaims = z.object({
  sub: z.string(),
  sid: z.uuid(),
  node: z.string(),
  login: z.string(),
  name: z.string(),
  roles: z.array(z.enum(ROLES)),
});
type AccessClaims = z.infer<typeof AccessClaims>;

/**
 * The HS256 key: DUBAN_JWT_SECRET when configured, else one generated on the host's first start
 * and kept in its database (so restarts keep tokens valid and no operator has to invent one).
 */
export async function signingSecret(prisma: PrismaClient, configured?: string): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  await prisma.authSecret.createMany({
    data: [{ name: 'jwt', value: randomBytes(32).toString('base64url'), createdAt: new Date() }],
    skipDuplicates: true,
  });
  const row = await prisma.authSecret.findUniqueOrThrow({ where: { name: 'jwt' } });
  return new TextEncoder().encode(row.value);
}

/** Replaces the stored signing secret: access tokens signed with the old one fail (clients refresh). */
export async function rotateSigningSecret(prisma: PrismaClient): Promise<void> {
  const value = randomBytes(32).toString('base64url');
  await prisma.authSecret.upsert({
    where: { name: 'jwt' },
    create: { name: 'jwt', value, createdAt: new Date() },
    update: { value, createdAt: new Date() },
  });
}
