import type { FastifyRequest } from 'fastify';
import { AppError, actorOf, hasAnyRole } from '@duban/kit';
import type { Actor, Role } from '@duban/kit';

/** Who manages a node's notification set-up (declared on the routes, checked again below). */
export const MANAGERS: readonly Role[] = ['admin', 'office-staff'];

/** Admins and the office's staff manage a node's recipients, webhooks, templates and documents. */
export function requireManager(request: FastifyRequest, node: string): Actor {
  const actor = actorOf(request, node);
  if (!hasAnyRole(actor, ['admin', 'office-staff'])) {
    throw new AppError('forbidden', 'notifications.forbidden', 'only admin or office-staff may do this', {
      required: ['admin', 'office-staff'],
    });
  }
  return actor;
}
