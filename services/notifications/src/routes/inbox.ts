import { z } from 'zod';
import { NodeId } from '@duban/events';
import { AppError } from '@duban/kit';
import type { HttpApp } from '@duban/kit';
import type { NotificationsDeps } from '../deps';

const NodeParams = z.object({ nodeId: NodeId });
const InboxQuery = z.object({
  unread: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  type: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export function registerInboxRoutes(app: HttpApp, deps: NotificationsDeps): void {
  const tags = ['notifications'];
  app.get(
    '/nodes/:nodeId/notifications/inbox',
    {
      schema: {
        tags,
        summary: 'This node’s inbox, newest first',
        params: NodeParams,
        querystring: InboxQuery,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const { unread, type, limit } = request.query;
      const where = { nodeId, ...(unread === true ? { readAt: null } : {}), ...(type ? { type } : {}) };
      const [messages, unreadCount] = await Promise.all([
        deps.prisma.inboxMessage.findMany({
          where,
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: limit,
        }),
        deps.prisma.inboxMessage.count({ where: { nodeId, readAt: null } }),
      ]);
      return { unread: unreadCount, messages };
    },
  );

  app.post(
    '/nodes/:nodeId/notifications/inbox/:messageId/read',
    { schema: { tags, summary: 'Mark a message read', params: NodeParams.extend({ messageId: z.uuid() }) } },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const { count } = await deps.prisma.inboxMessage.updateMany({
        where: { nodeId, id: request.params.messageId, readAt: null },
        data: { readAt: deps.clock.now() },
      });
      if (count === 0) {
        const exists = await deps.prisma.inboxMessage.count({
          where: { nodeId, id: request.params.messageId },
        });
        if (!exists) throw new AppError('not_found', 'inbox.not_found', 'no such message in this inbox');
      }
      return { ok: true };
    },
  );
}
