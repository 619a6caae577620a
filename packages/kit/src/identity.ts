import type { FastifyRequest } from 'fastify';
import type { Actor, Role } from './actor';
import { AppError } from './errors';

/**
 * Who signed in, as the bearer token and its live session say (put on the request by the auth
 * hook of @duban/auth, docs/decisions/0014). A person belongs to exactly one node.
 */
export interface Principal {
  /** Account id (the token's `sub`). */
  account: string;
  /** Session id (the token's `sid`): revoking it ends every access token issued for it. */
  session: string;
  login: string;
  /** The node (organisation) the person belongs to. */
  node: string;
  /** Display name: the person's identity in the domain, unique within the node. */
  person: string;
  roles: readonly Role[];
  /** true for the principal's own node and every node below it in the org tree. */
  reaches(node: string): boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The signed-in principal, or 401 `auth.required`. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = request.principal;
  if (!principal)
    throw new AppError('unauthenticated', 'auth.required', 'sign in first (Authorization: Bearer)');
  return principal;
}

/**
 * Who acts on `node` (the path's node): the signed-in person, who may act only for their own node
 * (403 `auth.node_mismatch` otherwise); the domain then checks the roles.
 */
export function actorOf(request: FastifyRequest, node: string): Actor {
  const principal = principalOf(request);
  if (principal.node !== node)
    throw new AppError(
      'forbidden',
      'auth.node_mismatch',
      `signed in for node ${principal.node}; cannot act for node ${node}`,
    );
  return { node: principal.node, person: principal.person, roles: principal.roles };
}
