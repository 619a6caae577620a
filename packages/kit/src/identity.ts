import type { FastifyRequest } from 'fastify';
import { ROLES } from './actor';
import type { Actor, Role } from './actor';
import { AppError } from './errors';

/**
 * Who is calling. Until people sign in with accounts (the security issue), a caller names itself
 * with `x-duban-person` and `x-duban-roles` (comma-separated); without them it acts as the node's
 * operator holding every role, which keeps the demo county usable from curl. The node always comes
 * from the path and is checked against what the process hosts; roles are checked by the domain.
 */
export function actorOf(request: FastifyRequest, node: string): Actor {
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
