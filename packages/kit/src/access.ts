import type { FastifyRequest } from 'fastify';
import type { Principal } from './identity';
import type { Role } from './actor';
import { ROLES } from './actor';
import { AppError } from './errors';

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
  /** Whether `ancestor` is strictly above `node` in the organisation tree. */
  isAncestor(ancestor: string, node: string): boolean;
}

/** The decision for one request; pure, so the authorisation matrix test and the hook share it. */
export function decideAccess(
  rule: Access,
  principal: Pick<Principal, 'node' | 'person' | 'roles'> | null,
  target: string | null,
  isAncestor: (ancestor: string, node: string) => boolean,
): Granted {
  if (rule.kind === 'public') return { scope: null };
  if (!principal)
    throw new AppError('unauthenticated', 'auth.required', 'sign in first (Authorization: Bearer …)');
  const held = principal.roles.filter((r) => rule.roles.includes(r));
  if (held.length === 0)
    throw new AppError(
      'forbidden',
      'auth.role_required',
      `this needs one of the roles ${rule.roles.join(', ')}; you hold ${principal.roles.join(', ') || 'none'}`,
    );
  if (target === null) return { scope: null };
  switch (rule.kind) {
    case 'act':
      if (principal.node !== target)
        throw new AppError(
          'forbidden',
          'auth.node_mismatch',
          `you act for ${principal.node}; ${target} is another node's to act for`,
        );
      return { scope: null };
    case 'read':
      if (principal.node === target || isAncestor(principal.node, target))
        return { scope: { node: target, leader: null } };
      if (rule.leaderScoped && principal.roles.includes('county-leader'))
        return { scope: { node: target, leader: principal.person } };
      throw new AppError(
        'forbidden',
        'auth.out_of_scope',
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
