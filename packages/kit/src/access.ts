import type { FastifyRequest } from 'fastify';
import type { Role } from './actor';
import { ROLES } from './actor';
import { AppError } from './errors';

/**
 * Who is calling, once signed in: the person's own node (where their account lives) and roles.
 * Whatever authenticates the request (bearer tokens) puts it on the request; routes never read
 * credentials themselves.
 */
export interface Principal {
  node: string;
  person: string;
  roles: readonly Role[];
}

/**
 * What a route allows, declared on the route (`config.access`) and enforced before the body is
 * even validated, so a caller without the right gets 401/403 and never learns what the body
 * should have been. Every route under /nodes must declare one (createHttpApp refuses to start
 * otherwise): nothing is open by omission.
 *
 * - public: no sign-in (Open311 reads, health, docs, sign-in itself).
 * - read: the caller's node is the path's node or an ancestor of it (a node sees its subtree);
 *   with `leaderScoped`, a county leader may also read any node's items they own (分包), and the
 *   repositories then return only those.
 * - act: the caller acts for the path's node itself (a person speaks only for their own node).
 */
export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'read'; readonly roles: readonly Role[]; readonly leaderScoped?: boolean }
  | { readonly kind: 'act'; readonly roles: readonly Role[] };

/** Everyone but the analyst: the analyst reads statistics and the event stream, not case files. */
export const CASE_READERS: readonly Role[] = ROLES.filter((r) => r !== 'analyst');
export const EVERYONE: readonly Role[] = ROLES;

export const access = {
  public: { kind: 'public' } as const,
  read: (roles: readonly Role[], options: { leaderScoped?: boolean } = {}): Access => ({
    kind: 'read',
    roles,
    ...(options.leaderScoped ? { leaderScoped: true } : {}),
  }),
  act: (roles: readonly Role[]): Access => ({ kind: 'act', roles }),
};

/**
 * What a read may return, computed once by the access check and handed to the repositories, which
 * cannot be asked for a ledger without one: the node whose copies are read and, for a county
 * leader reading outside their own subtree, the leader the rows must belong to.
 */
export interface ReadScope {
  readonly node: string;
  /** null: every row of the node; else only rows whose leader (分包领导) is this person. */
  readonly leader: string | null;
}

export interface Granted {
  principal: Principal | null;
  /** Set on read routes under /nodes/:nodeId. */
  scope: ReadScope | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    granted?: Granted;
  }
}

export interface AccessControl {
  /** The signed-in caller, or null when the request carries no credentials. Throws 401 on bad ones. */
  principalOf(request: FastifyRequest): Promise<Principal | null>;
  /** Whether `ancestor` is strictly above `node` in the organisation tree. */
  isAncestor(ancestor: string, node: string): boolean;
}

/** The decision for one request; pure, so the authorisation matrix test and the hook share it. */
export function decideAccess(
  rule: Access,
  principal: Principal | null,
  target: string | null,
  isAncestor: (ancestor: string, node: string) => boolean,
): Granted {
  if (rule.kind === 'public') return { principal, scope: null };
  if (!principal)
    throw new AppError('unauthenticated', 'auth.required', 'sign in first (Authorization: Bearer …)');
  const held = principal.roles.filter((r) => rule.roles.includes(r));
  if (held.length === 0)
    throw new AppError(
      'forbidden',
      'access.role',
      `this needs one of the roles ${rule.roles.join(', ')}; you hold ${principal.roles.join(', ') || 'none'}`,
    );
  if (target === null) return { principal, scope: null };
  switch (rule.kind) {
    case 'act':
      if (principal.node !== target)
        throw new AppError(
          'forbidden',
          'access.other_node',
          `you act for ${principal.node}; ${target} is another node's to act for`,
        );
      return { principal, scope: null };
    case 'read':
      if (principal.node === target || isAncestor(principal.node, target))
        return { principal, scope: { node: target, leader: null } };
      if (rule.leaderScoped && principal.roles.includes('county-leader'))
        return { principal, scope: { node: target, leader: principal.person } };
      throw new AppError(
        'forbidden',
        'access.out_of_scope',
        `${target} is outside ${principal.node}'s subtree`,
      );
  }
}

/** The read scope the access check granted; routes pass it to the repositories. */
export function readScopeOf(request: FastifyRequest): ReadScope {
  const scope = request.granted?.scope;
  if (!scope) throw new Error(`route ${request.routeOptions.url} reads without a read scope`);
  return scope;
}

export function principalOf(request: FastifyRequest): Principal {
  const principal = request.granted?.principal;
  if (!principal) throw new AppError('unauthenticated', 'auth.required', 'sign in first');
  return principal;
}
