import type { FastifyRequest } from 'fastify';
import type { Principal } from './access';
import { ROLES } from './actor';
import type { Actor, Role } from './actor';
import { AppError } from './errors';

/**
 * The actor of a command on `node`: the signed-in person, who may act only for their own node.
 * The route's access rule has already checked node and role; this check stays so a route that
 * declares the wrong rule still cannot act for another node.
 */
export function actorOf(request: FastifyRequest, node: string): Actor {
  const principal = request.granted?.principal;
  if (!principal) throw new AppError('unauthenticated', 'auth.required', 'sign in first');
  if (principal.node !== node)
    throw new AppError(
      'forbidden',
      'access.other_node',
      `you act for ${principal.node}; ${node} is another node's to act for`,
    );
  return { node, person: principal.person, roles: principal.roles };
}

/**
 * The stopgap identity of decision 0011, kept only behind DUBAN_TRUST_HEADERS for tools that
 * predate accounts: the caller names itself with `x-duban-person` and `x-duban-roles`; its node is
 * `x-duban-node` or the path's.
 */
export function headerPrincipal(request: FastifyRequest): Principal {
  const params = request.params as { nodeId?: unknown } | undefined;
  const node =
    headerValue(request, 'x-duban-node') ?? (typeof params?.nodeId === 'string' ? params.nodeId : '');
  const person = headerValue(request, 'x-duban-person') ?? `${node}:operator`;
  const rolesHeader = headerValue(request, 'x-duban-roles');
  const roles = rolesHeader
    ? rolesHeader
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean)
    : [...ROLES];
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) {
    throw new AppError(
      'validation',
      'request.invalid',
      `headers.x-duban-roles: unknown role ${unknown.join(', ')}`,
      {
        issues: [
          {
            path: 'headers.x-duban-roles',
            message: `unknown role ${unknown.join(', ')}; known: ${ROLES.join(', ')}`,
          },
        ],
      },
    );
  }
  if (person.length > 100) {
    throw new AppError('validation', 'request.invalid', 'headers.x-duban-person: at most 100 characters', {
      issues: [{ path: 'headers.x-duban-person', message: 'at most 100 characters' }],
    });
  }
  return { node, person, roles: roles as Role[] };
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first && first.trim() ? decodeURIComponent(first.trim()) : undefined;
}
