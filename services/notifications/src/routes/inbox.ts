import { z } from 'zod';
import { NodeId } from '@duban/events';
import { access, actorOf, AppError, EVERYONE } from '@duban/kit';
import type { HttpApp } from '@duban/kit';
import type { NotificationsDeps } from '../deps';
import { Kind } from '../domain/kinds';
import { inboxRepository } from '../repositories/inbox';

const NodeParams = z.object({ nodeId: NodeId });
const MessageParams = NodeParams.extend({ messageId: z.uuid() });
const Bool = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional();
const InboxQuery = z.object({
  unread: Bool.describe('only messages this person has (not) read'),
  acknowledged: Bool,
  kind: z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(Kind).min(1))
    .optional()
    .describe('notice, chase, escalation, review, decision, sanction, bulletin, other (comma-separated)'),
  type: z.string().max(100).optional(),
  subject: z.string().max(200).optional().describe('an item id: its messages only'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/**
 * One inbox per node; read and acknowledged state per person (the signed-in person).
 * `readAt` on a message is the first time anyone at the node read it.
 */
export function registerInboxRoutes(app: HttpApp, deps: NotificationsDeps): void {
  const tags = ['notifications'];
  app.get(
    '/nodes/:nodeId/notifications/inbox',
    {
      config: { access: access.act(EVERYONE) },
      schema: {
        tags,
        summary: 'This node’s inbox, newest first, with the caller’s read state',
        params: NodeParams,
        querystring: InboxQuery,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const { person } = actorOf(request, nodeId);
      const q = request.query;
      const [rows, unread] = await Promise.all([
        inboxRepository.list(deps.prisma, nodeId, {
          person,
          limit: q.limit,
          ...(q.unread === undefined ? {} : { unread: q.unread }),
          ...(q.acknowledged === undefined ? {} : { acknowledged: q.acknowledged }),
          ...(q.kind ? { kinds: q.kind } : {}),
          ...(q.type ? { type: q.type } : {}),
          ...(q.subject ? { subject: q.subject } : {}),
        }),
        inboxRepository.unreadCount(deps.prisma, nodeId, person),
      ]);
      return {
        person,
        unread,
        messages: rows.map(({ personReadAt, personAcknowledgedAt, ...m }) => ({
          ...m,
          read: personReadAt !== null,
          acknowledged: personAcknowledgedAt !== null,
          // 签收 of an assignment is the tasks service's command; the inbox points at it.
          ...(m.kind === 'notice'
            ? {
                actions: [
                  {
                    name: 'acknowledge-item',
                    method: 'POST',
                    path: `/nodes/${nodeId}/tasks/items/${m.subject}/acknowledge`,
                  },
                ],
              }
            : {}),
        })),
      };
    },
  );

  // Live inbox for the console: server-sent events, one per change of the caller's unread count
  // (with the newest message), and a comment line as heartbeat. EventSource cannot send the
  // Authorization header, so the console reads this with fetch() streaming.
  const streams = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const end of [...streams]) end();
    done();
  });
  app.get(
    '/nodes/:nodeId/notifications/inbox/stream',
    {
      config: { access: access.act(EVERYONE) },
      schema: {
        tags,
        summary: 'Live inbox (text/event-stream): `event: inbox` with the unread count on each change',
        params: NodeParams,
        querystring: z.object({
          interval: z.coerce.number().int().min(200).max(60_000).default(1000).describe('poll, ms'),
          once: Bool.describe('send the current state and end the stream'),
        }),
      },
    },
    async (request, reply) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const { person } = actorOf(request, nodeId);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let last = '';
      let busy = false;
      let ticks = 0;
      const poll = async () => {
        if (busy) return;
        busy = true;
        try {
          const [unread, latest] = await Promise.all([
            inboxRepository.unreadCount(deps.prisma, nodeId, person),
            inboxRepository.list(deps.prisma, nodeId, { person, limit: 1 }),
          ]);
          const newest = latest[0]
            ? { id: latest[0].id, title: latest[0].title, kind: latest[0].kind, subject: latest[0].subject }
            : null;
          const data = JSON.stringify({ unread, newest });
          if (data !== last) {
            last = data;
            res.write(`event: inbox\ndata: ${data}\n\n`);
          } else if (++ticks % 15 === 0) res.write(': heartbeat\n\n');
        } catch (error) {
          request.log.warn({ err: error }, 'inbox stream poll failed');
        } finally {
          busy = false;
        }
      };
      if (request.query.once) {
        await poll();
        res.end();
        return;
      }
      const timer = setInterval(() => void poll(), request.query.interval);
      const end = () => {
        clearInterval(timer);
        streams.delete(end);
        if (!res.writableEnded) res.end();
      };
      streams.add(end);
      request.raw.on('close', end);
      await poll();
    },
  );

  for (const [action, acknowledge] of [
    ['read', false],
    ['acknowledge', true],
  ] as const) {
    app.post(
      `/nodes/:nodeId/notifications/inbox/:messageId/${action}`,
      {
        config: { access: access.act(EVERYONE) },
        schema: {
          tags,
          summary: acknowledge
            ? 'Acknowledge a message (已阅知悉), for the caller'
            : 'Mark a message read, for the caller',
          params: MessageParams,
        },
      },
      async (request) => {
        const nodeId = deps.hosted.require(request.params.nodeId);
        const { person } = actorOf(request, nodeId);
        if (!(await inboxRepository.exists(deps.prisma, nodeId, request.params.messageId)))
          throw new AppError('not_found', 'inbox.not_found', 'no such message in this inbox');
        await inboxRepository.mark(
          deps.prisma,
          nodeId,
          request.params.messageId,
          person,
          deps.clock.now(),
          acknowledge,
        );
        return { ok: true };
      },
    );
  }
}
