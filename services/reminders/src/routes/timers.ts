import { z } from 'zod';
import { NodeId } from '@duban/events';
import type { HttpApp } from '@duban/kit';
import type { RemindersDeps } from '../deps';

const NodeParams = z.object({ nodeId: NodeId });
const TimerQuery = z.object({
  status: z.enum(['pending', 'fired', 'cancelled']).optional(),
  itemId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function registerTimerRoutes(app: HttpApp, deps: RemindersDeps): void {
  app.get(
    '/nodes/:nodeId/reminders/timers',
    {
      schema: {
        tags: ['reminders'],
        summary: 'The chase and escalation timers of the items this node assigned',
        params: NodeParams,
        querystring: TimerQuery,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const { status, itemId, limit } = request.query;
      const timers = await deps.prisma.timer.findMany({
        where: { nodeId, ...(status ? { status } : {}), ...(itemId ? { itemId } : {}) },
        orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
        take: limit,
      });
      return { timers };
    },
  );

  app.get(
    '/nodes/:nodeId/reminders/policy',
    {
      schema: {
        tags: ['reminders'],
        summary: 'The chase and escalation policy in force',
        params: NodeParams,
      },
    },
    async (request) => {
      deps.hosted.require(request.params.nodeId);
      return { policy: deps.policy };
    },
  );
}
