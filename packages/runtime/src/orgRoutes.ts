import { appendToOutbox } from '@duban/bus';
import { NodeId } from '@duban/events';
import { AppError, EVERYONE, access, actorOf } from '@duban/kit';
import type { Clock, HostedNodes, HttpApp } from '@duban/kit';
import { OrgChange } from '@duban/org';
import type { OpenItemFacts } from '@duban/org';
import type { PrismaClient, TransactionClient } from '@duban/db';
import { z } from 'zod';
import { orgEventFor } from './orgBook';
import type { OrgBook } from './orgBook';

/**
 * What the issuer's own ledger says about the unit's open items: it holds a copy of every item in
 * its subtree (observer copies, ADR 0009), so it answers without asking the unit.
 */
async function openItemsOf(tx: TransactionClient, issuer: string, unit: string): Promise<OpenItemFacts> {
  const [row] = await tx.$queryRaw<Array<{ assignedTo: number; assignedBy: number }>>`
    SELECT count(*) FILTER (WHERE assignee = ${unit} AND assigner <> ${unit})::int AS "assignedTo",
           count(*) FILTER (WHERE assigner = ${unit})::int AS "assignedBy"
    FROM item WHERE node_id = ${issuer} AND status <> 'closed'`;
  return row ?? { assignedTo: 0, assignedBy: 0 };
}

/** The county office's admin re-organises its county; every node reads the tree. */
export function registerOrgRoutes(
  app: HttpApp,
  deps: { prisma: PrismaClient; book: OrgBook; hosted: HostedNodes; clock: Clock },
): void {
  const { prisma, book, hosted, clock } = deps;
  app.get(
    '/nodes/:nodeId/org',
    {
      config: { access: access.read(EVERYONE) },
      schema: {
        tags: ['org'],
        summary:
          'The organisation tree as this node knows it: every unit with its status, and the changes applied',
        params: z.object({ nodeId: NodeId }),
      },
    },
    async (request) => {
      hosted.require(request.params.nodeId);
      await book.refresh();
      return { nodes: book.tree.view(), changes: book.tree.changes() };
    },
  );
  app.post(
    '/nodes/:nodeId/org/changes',
    {
      config: { access: access.act(['admin']) },
      schema: {
        tags: ['org'],
        summary:
          '机构调整 (admin of a county office): add, rename, move, merge or abolish a unit; every node applies it, and open items of a merged or abolished unit pass to its successor',
        params: z.object({ nodeId: NodeId }),
        body: OrgChange,
      },
    },
    async (request, reply) => {
      const issuer = hosted.require(request.params.nodeId);
      const actor = actorOf(request, issuer);
      const change = request.body;
      const now = clock.now();
      const event = await prisma.$transaction(async (tx) => {
        const retiring = change.kind === 'merge' || change.kind === 'abolish';
        const facts = retiring ? await openItemsOf(tx, issuer, change.unitId) : undefined;
        const problem = await book.check(tx, issuer, change, facts);
        if (problem)
          throw new AppError('unprocessable', problem.code, problem.message, {
            issues: [
              {
                path: problem.field === 'node' ? 'params.nodeId' : `body.${problem.field}`,
                message: problem.message,
              },
            ],
          });
        const event = orgEventFor(book.tree, issuer, change, actor.person, now);
        await appendToOutbox(tx, [event]);
        await book.record(tx, event, now);
        return event;
      });
      reply.code(201);
      return {
        eventId: event.id,
        type: event.type,
        unit: book.tree.view().find((n) => n.id === change.unitId),
      };
    },
  );
}
