import { z } from 'zod';
import { DecidingBody, DecisionKind, NodeId } from '@duban/events';
import { chinaYear } from '@duban/kit';
import type { HttpApp } from '@duban/kit';
import { decide } from '../commands';
import type { ScoringDeps } from '../deps';

const NodeParams = z.object({ nodeId: NodeId });
export const DecisionBody = z.object({
  unit: NodeId,
  kind: DecisionKind,
  body: DecidingBody.describe('committee: 督查工作委员会 (±5); office: its office (±3)'),
  reason: z.string().trim().min(1).max(2000),
  itemIds: z.array(z.uuid()).max(100).default([]),
});
const YearQuery = z.object({
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  unit: NodeId.optional(),
});

export function registerDecisionRoutes(app: HttpApp, deps: ScoringDeps): void {
  const tags = ['scoring'];
  app.post(
    '/nodes/:nodeId/scoring/decisions',
    {
      schema: {
        tags,
        summary: '通报表扬 / 通报批评: record a decision about a unit',
        params: NodeParams,
        body: DecisionBody,
      },
    },
    async (request, reply) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const events = await decide(deps, nodeId, request.body);
      const [recorded, ...sanctions] = events;
      return reply.status(201).send({ decision: recorded?.data, sanctions: sanctions.map((s) => s.data) });
    },
  );

  app.get(
    '/nodes/:nodeId/scoring/decisions',
    {
      schema: {
        tags,
        summary: 'Decisions in this node’s ledger',
        params: NodeParams,
        querystring: YearQuery,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const { year, unit } = request.query;
      const decisions = await deps.prisma.decision.findMany({
        where: { nodeId, ...(year ? { year } : {}), ...(unit ? { unit } : {}) },
        orderBy: [{ decidedAt: 'asc' }, { id: 'asc' }],
      });
      return { decisions };
    },
  );

  app.get(
    '/nodes/:nodeId/scoring/sanctions',
    {
      schema: {
        tags,
        summary: 'Sanctions in this node’s ledger',
        params: NodeParams,
        querystring: YearQuery,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const { year, unit } = request.query;
      const sanctions = await deps.prisma.sanction.findMany({
        where: { nodeId, ...(year ? { year } : {}), ...(unit ? { unit } : {}) },
        orderBy: [{ imposedAt: 'asc' }, { id: 'asc' }],
      });
      return { sanctions };
    },
  );

  app.get(
    '/nodes/:nodeId/scoring/scoreboard',
    {
      schema: {
        tags,
        summary: 'Points per unit for a year, each traced to its decisions',
        params: NodeParams,
        querystring: YearQuery,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const year = request.query.year ?? chinaYear(deps.clock.now());
      const rows = await deps.prisma.decision.groupBy({
        by: ['unit'],
        where: { nodeId, year, ...(request.query.unit ? { unit: request.query.unit } : {}) },
        _sum: { points: true },
        _count: { _all: true },
        orderBy: { unit: 'asc' },
      });
      return {
        year,
        units: rows.map((r) => ({ unit: r.unit, points: r._sum.points ?? 0, decisions: r._count._all })),
      };
    },
  );
}
