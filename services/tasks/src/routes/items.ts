import { z } from 'zod';
import { ItemKind, NodeId } from '@duban/events';
import { AppError } from '@duban/kit';
import type { HttpApp } from '@duban/kit';
import { assignItem, runItemCommand } from '../commands';
import type { TasksDeps } from '../deps';
import { ITEM_STATUSES } from '../domain/item';
import { ledgerRepository } from '../repositories/items';

const NodeParams = z.object({ nodeId: NodeId });
const ItemParams = NodeParams.extend({ itemId: z.uuid() });

export const AssignItemBody = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(''),
  kind: ItemKind,
  deadline: z.iso.datetime({ offset: true }).describe('ISO 8601 with offset, e.g. 2026-12-31T17:00:00+08:00'),
  assignee: NodeId,
});
export type AssignItemBody = z.infer<typeof AssignItemBody>;

export const ReportBody = z.object({ summary: z.string().trim().min(1).max(5000) });
export const CloseBody = z.object({ comment: z.string().max(2000).default('') });

export const LedgerQuery = z.object({
  status: z.enum(ITEM_STATUSES).optional(),
  assignee: NodeId.optional(),
  kind: ItemKind.optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().optional().describe('nextCursor of the previous page'),
});

function encodeCursor(deadline: string, id: string): string {
  return Buffer.from(JSON.stringify([deadline, id])).toString('base64url');
}

function decodeCursor(cursor: string): { deadline: Date; id: string } {
  try {
    const [deadline, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const at = new Date(deadline);
    if (Number.isNaN(at.getTime()) || !z.uuid().safeParse(id).success) throw new Error('bad cursor');
    return { deadline: at, id };
  } catch {
    throw new AppError('validation', 'request.invalid', 'query.cursor: not a cursor this API returned', {
      issues: [{ path: 'query.cursor', message: 'not a cursor this API returned' }],
    });
  }
}

/** The tasks API of every hosted node, under /nodes/:nodeId/tasks. */
export function registerItemRoutes(app: HttpApp, deps: TasksDeps): void {
  const tags = ['tasks'];

  app.post(
    '/nodes/:nodeId/tasks/items',
    {
      schema: {
        tags,
        summary: '交办: create an item and assign it to a unit below this node',
        params: NodeParams,
        body: AssignItemBody,
      },
    },
    async (request, reply) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const body = request.body;
      const item = await assignItem(deps, nodeId, { ...body, deadline: new Date(body.deadline) });
      return reply.status(201).send({ item });
    },
  );

  app.get(
    '/nodes/:nodeId/tasks/items',
    {
      schema: {
        tags,
        summary: '台帐: the items this node assigned or received',
        params: NodeParams,
        querystring: LedgerQuery,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const q = request.query;
      const items = await ledgerRepository.list(deps.prisma, nodeId, {
        status: q.status,
        assignee: q.assignee,
        kind: q.kind,
        overdue: q.overdue,
        now: deps.clock.now(),
        limit: q.limit,
        after: q.cursor ? decodeCursor(q.cursor) : undefined,
      });
      const last = items.at(-1);
      return {
        items,
        nextCursor: items.length === q.limit && last ? encodeCursor(last.deadline, last.id) : null,
      };
    },
  );

  app.get(
    '/nodes/:nodeId/tasks/items/:itemId',
    { schema: { tags, summary: 'One item and its timeline as this node saw it', params: ItemParams } },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const item = await deps.prisma.item.findUnique({
        where: { nodeId_id: { nodeId, id: request.params.itemId } },
      });
      if (!item)
        throw new AppError(
          'not_found',
          'item.not_found',
          `no item ${request.params.itemId} in ${nodeId}'s ledger`,
        );
      const timeline = await ledgerRepository.timeline(deps.prisma, nodeId, item.id);
      return { item, timeline };
    },
  );

  app.post(
    '/nodes/:nodeId/tasks/items/:itemId/acknowledge',
    { schema: { tags, summary: '签收: the responsible unit acknowledges the notice', params: ItemParams } },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const item = await runItemCommand(deps, nodeId, request.params.itemId, {
        type: 'acknowledge',
        actor: nodeId,
      });
      return { item };
    },
  );

  app.post(
    '/nodes/:nodeId/tasks/items/:itemId/report',
    {
      schema: {
        tags,
        summary: 'The responsible unit sends its closing report',
        params: ItemParams,
        body: ReportBody,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const item = await runItemCommand(deps, nodeId, request.params.itemId, {
        type: 'report',
        actor: nodeId,
        summary: request.body.summary,
      });
      return { item };
    },
  );

  app.post(
    '/nodes/:nodeId/tasks/items/:itemId/close',
    {
      schema: {
        tags,
        summary: '办结: the assigner accepts the report and closes the item',
        params: ItemParams,
        body: CloseBody,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const item = await runItemCommand(deps, nodeId, request.params.itemId, {
        type: 'close',
        actor: nodeId,
        comment: request.body.comment,
      });
      return { item };
    },
  );
}
