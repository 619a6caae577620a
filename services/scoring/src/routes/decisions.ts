import { z } from 'zod';
import { DecidingBody, DecisionKind, NodeId } from '@duban/events';
import { groupStatistics, computeStatistics } from '@duban/statistics';
import type { ItemFacts } from '@duban/statistics';
import { access, actorOf, AppError, CASE_READERS, chinaYear, EVERYONE, hasAnyRole } from '@duban/kit';
import type { HttpApp } from '@duban/kit';
import { decide, decideAppealCommand, decideProposal, fileAppeal, refer } from '../commands';
import type { ScoringDeps } from '../deps';
import { ScoringRules } from '../domain/rules';
import { decisionRepository } from '../repositories/decisions';
import { factRepository } from '../repositories/facts';

/** The committee and its office decide; the commands check which body a decision needs. */
const DECIDERS = ['office-staff', 'committee-member'] as const;

const NodeParams = z.object({ nodeId: NodeId });
const Year = z.coerce.number().int().min(2000).max(2100);
export const DecisionBody = z.object({
  unit: NodeId,
  kind: DecisionKind,
  body: DecidingBody.describe('committee: 督查工作委员会 (±5); office: its office (±3)'),
  reason: z.string().trim().min(1).max(2000),
  itemIds: z.array(z.uuid()).max(100).default([]),
});
const YearQuery = z.object({ year: Year.optional(), unit: NodeId.optional() });
const StatisticsQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  year: Year.optional().describe('shorthand for from/to over a calendar year (China time)'),
  groupBy: z.enum(['county', 'unit', 'township', 'kind']).default('county'),
});

const summary = (events: Array<{ type: string; data: unknown }>) =>
  events.map((e) => ({ type: e.type, ...(e.data as object) }));

export function registerDecisionRoutes(app: HttpApp, deps: ScoringDeps): void {
  const tags = ['scoring'];
  const node = (id: string) => deps.hosted.require(id);

  app.post(
    '/nodes/:nodeId/scoring/decisions',
    {
      config: { access: access.act(DECIDERS) },
      schema: {
        tags,
        summary: '通报表扬 / 通报批评: record a decision about a unit (and the sanction it brings)',
        params: NodeParams,
        body: DecisionBody,
      },
    },
    async (request, reply) => {
      const events = await decide(deps, actorOf(request, node(request.params.nodeId)), request.body);
      const [recorded, ...sanctions] = events;
      return reply.status(201).send({ decision: recorded?.data, sanctions: sanctions.map((s) => s.data) });
    },
  );

  app.get(
    '/nodes/:nodeId/scoring/decisions',
    {
      config: { access: access.read(EVERYONE) },
      schema: {
        tags,
        summary: 'Decisions in this node’s ledger (reversed ones marked)',
        params: NodeParams,
        querystring: YearQuery,
      },
    },
    async (request) => {
      const { year, unit } = request.query;
      const decisions = await deps.prisma.decision.findMany({
        where: { nodeId: node(request.params.nodeId), ...(year ? { year } : {}), ...(unit ? { unit } : {}) },
        orderBy: [{ decidedAt: 'asc' }, { id: 'asc' }],
      });
      return { decisions };
    },
  );

  app.get(
    '/nodes/:nodeId/scoring/sanctions',
    {
      config: { access: access.read(EVERYONE) },
      schema: {
        tags,
        summary: 'Sanctions in this node’s ledger (lifted ones marked)',
        params: NodeParams,
        querystring: YearQuery,
      },
    },
    async (request) => {
      const { year, unit } = request.query;
      const sanctions = await deps.prisma.sanction.findMany({
        where: { nodeId: node(request.params.nodeId), ...(year ? { year } : {}), ...(unit ? { unit } : {}) },
        orderBy: [{ imposedAt: 'asc' }, { id: 'asc' }],
      });
      return { sanctions };
    },
  );

  app.get(
    '/nodes/:nodeId/scoring/scoreboard',
    {
      config: { access: access.read(EVERYONE) },
      schema: {
        tags,
        summary: 'Points per unit for a year (standing decisions only)',
        params: NodeParams,
        querystring: YearQuery,
      },
    },
    async (request) => {
      const nodeId = node(request.params.nodeId);
      const year = request.query.year ?? chinaYear(deps.clock.now());
      // A merged unit's year counts under its successor (机构调整): filter and group by the unit
      // that answers for it today.
      const only = request.query.unit;
      const rows = await deps.prisma.decision.groupBy({
        by: ['unit'],
        where: {
          nodeId,
          year,
          reversedAt: null,
          ...(only ? { unit: { in: [only, ...deps.org.predecessorsOf(only)] } } : {}),
        },
        _sum: { points: true },
        _count: { _all: true },
        orderBy: { unit: 'asc' },
      });
      const units = new Map<
        string,
        { unit: string; points: number; decisions: number; includes: string[] }
      >();
      for (const r of rows) {
        const unit = deps.org.has(r.unit) ? deps.org.current(r.unit) : r.unit;
        const line = units.get(unit) ?? { unit, points: 0, decisions: 0, includes: [] };
        line.points += r._sum.points ?? 0;
        line.decisions += r._count._all;
        if (unit !== r.unit) line.includes.push(r.unit);
        units.set(unit, line);
      }
      return {
        year,
        // `includes` only where a merged unit's year is counted in: the usual line stays as it was.
        units: [...units.values()]
          .sort((a, b) => a.unit.localeCompare(b.unit))
          .map(({ includes, ...line }) => (includes.length > 0 ? { ...line, includes } : line)),
      };
    },
  );

  app.get(
    '/nodes/:nodeId/scoring/units/:unit/evaluation',
    {
      config: { access: access.read(EVERYONE) },
      schema: {
        tags,
        summary: '年终考评: a unit’s points for a year, every point traced to its decision, items and event',
        params: NodeParams.extend({ unit: NodeId }),
        querystring: z.object({ year: Year.optional() }),
      },
    },
    async (request) => {
      const nodeId = node(request.params.nodeId);
      const year = request.query.year ?? chinaYear(deps.clock.now());
      const unit = request.params.unit;
      const carried = deps.org.has(unit) ? deps.org.predecessorsOf(unit) : [];
      const [decisions, sanctions, appeals] = await Promise.all([
        deps.prisma.decision.findMany({
          where: { nodeId, unit: { in: [unit, ...carried] }, year },
          orderBy: [{ decidedAt: 'asc' }, { id: 'asc' }],
        }),
        deps.prisma.sanction.findMany({ where: { nodeId, unit, year }, orderBy: { imposedAt: 'asc' } }),
        deps.prisma.appeal.findMany({ where: { nodeId, unit, year }, orderBy: { filedAt: 'asc' } }),
      ]);
      const standing = decisions.filter((d) => !d.reversedAt);
      return {
        unit,
        name: deps.org.find(unit)?.name ?? unit,
        status: deps.org.has(unit) ? deps.org.statusOf(unit) : 'active',
        successor: deps.org.has(unit) ? (deps.org.successorOf(unit) ?? null) : null,
        /** Merged units whose year counts here. */
        includes: carried,
        year,
        points: standing.reduce((n, d) => n + d.points, 0),
        awardEligible: !sanctions.some((s) => s.kind === 'unit-award-ineligible' && !s.liftedAt),
        entries: decisions.map((d) => ({
          decisionId: d.id,
          unit: d.unit,
          /** The name the unit had when decided. */
          unitName: deps.org.has(d.unit) ? deps.org.nameAt(d.unit, d.decidedAt) : d.unit,
          kind: d.kind,
          body: d.body,
          points: d.reversedAt ? 0 : d.points,
          recordedPoints: d.points,
          reason: d.reason,
          itemIds: d.itemIds,
          decidedBy: d.decidedBy,
          decidedAt: d.decidedAt,
          eventId: d.eventId,
          reversed: d.reversedAt ? { at: d.reversedAt, appealId: d.reversedBy } : null,
        })),
        sanctions,
        appeals,
      };
    },
  );

  app.post(
    '/nodes/:nodeId/scoring/decisions/:decisionId/appeal',
    {
      config: { access: access.act(['unit-head', 'unit-handler', 'township-supervisor']) },
      schema: {
        tags,
        summary: '申诉: the unit appeals a decision about it',
        params: NodeParams.extend({ decisionId: z.uuid() }),
        body: z.object({ reason: z.string().trim().min(1).max(5000) }),
      },
    },
    async (request, reply) => {
      const events = await fileAppeal(
        deps,
        actorOf(request, node(request.params.nodeId)),
        request.params.decisionId,
        request.body.reason,
      );
      return reply.status(201).send({ appeal: events[0]?.data });
    },
  );

  app.get(
    '/nodes/:nodeId/scoring/appeals',
    {
      config: { access: access.read(CASE_READERS) },
      schema: {
        tags,
        summary: 'Appeals at this node',
        params: NodeParams,
        querystring: z.object({ status: z.enum(['pending', 'upheld', 'reversed']).optional() }),
      },
    },
    async (request) => ({
      appeals: await deps.prisma.appeal.findMany({
        where: {
          nodeId: node(request.params.nodeId),
          ...(request.query.status ? { status: request.query.status } : {}),
        },
        orderBy: { filedAt: 'asc' },
      }),
    }),
  );

  app.post(
    '/nodes/:nodeId/scoring/appeals/:appealId/decision',
    {
      config: { access: access.act(DECIDERS) },
      schema: {
        tags,
        summary: 'Decide an appeal: uphold the decision, or reverse it (lifting what no longer follows)',
        params: NodeParams.extend({ appealId: z.uuid() }),
        body: z.object({ upheld: z.boolean(), comment: z.string().max(5000).default('') }),
      },
    },
    async (request) => ({
      events: summary(
        await decideAppealCommand(
          deps,
          actorOf(request, node(request.params.nodeId)),
          request.params.appealId,
          request.body,
        ),
      ),
    }),
  );

  app.get(
    '/nodes/:nodeId/scoring/proposals',
    {
      config: { access: access.read(CASE_READERS) },
      schema: {
        tags,
        summary: 'Proposals to criticise raised by the escalation ladder',
        params: NodeParams,
        querystring: z.object({ status: z.enum(['pending', 'accepted', 'dismissed']).optional() }),
      },
    },
    async (request) => ({
      proposals: await deps.prisma.proposal.findMany({
        where: {
          nodeId: node(request.params.nodeId),
          ...(request.query.status ? { status: request.query.status } : {}),
        },
        orderBy: { raisedAt: 'asc' },
      }),
    }),
  );

  app.post(
    '/nodes/:nodeId/scoring/proposals/:proposalId/decision',
    {
      config: { access: access.act(DECIDERS) },
      schema: {
        tags,
        summary: 'Accept a proposal (recording a criticism) or dismiss it',
        params: NodeParams.extend({ proposalId: z.uuid() }),
        body: z.object({
          accept: z.boolean(),
          body: DecidingBody.default('office'),
          reason: z.string().trim().min(1).max(2000).nullable().default(null),
          comment: z.string().max(2000).default(''),
        }),
      },
    },
    async (request) => ({
      events: summary(
        await decideProposal(
          deps,
          actorOf(request, node(request.params.nodeId)),
          request.params.proposalId,
          request.body,
        ),
      ),
    }),
  );

  app.post(
    '/nodes/:nodeId/scoring/referrals',
    {
      config: { access: access.act(DECIDERS) },
      schema: {
        tags,
        summary:
          '追责: refer a serious failure to the discipline commission or the organisation department (the committee)',
        params: NodeParams,
        body: z.object({
          unit: NodeId,
          person: z.string().trim().min(1).max(100).nullable().default(null),
          to: z.enum(['discipline-commission', 'organisation-department']),
          reason: z.string().trim().min(1).max(5000),
          decisionIds: z.array(z.uuid()).max(50).default([]),
          itemIds: z.array(z.uuid()).max(50).default([]),
        }),
      },
    },
    async (request, reply) => {
      const [event] = await refer(deps, actorOf(request, node(request.params.nodeId)), request.body);
      return reply.status(201).send({ referral: event?.data });
    },
  );

  app.get(
    '/nodes/:nodeId/scoring/rules/:year',
    {
      config: { access: access.read(EVERYONE) },
      schema: { tags, summary: 'The scoring rules of a year', params: NodeParams.extend({ year: Year }) },
    },
    async (request) => ({
      year: request.params.year,
      rules: await decisionRepository.rules(deps.prisma, node(request.params.nodeId), request.params.year),
    }),
  );

  app.put(
    '/nodes/:nodeId/scoring/rules/:year',
    {
      config: { access: access.act(['admin', 'committee-member']) },
      schema: {
        tags,
        summary: 'Set a year’s rules (points, thresholds): data, not code',
        params: NodeParams.extend({ year: Year }),
        body: ScoringRules,
      },
    },
    async (request) => {
      const nodeId = node(request.params.nodeId);
      if (!hasAnyRole(actorOf(request, nodeId), ['admin', 'committee-member'])) {
        throw new AppError(
          'forbidden',
          'auth.role_required',
          'the rules are set by the committee or an admin',
        );
      }
      await decisionRepository.saveRules(
        deps.prisma,
        nodeId,
        request.params.year,
        request.body,
        deps.clock.now(),
      );
      return { year: request.params.year, rules: request.body };
    },
  );

  app.get(
    '/nodes/:nodeId/scoring/statistics',
    {
      config: { access: access.read(EVERYONE) },
      schema: {
        tags,
        summary:
          'Closure, on-time, acknowledgement, return, re-review and satisfaction rates (docs/statistics.md)',
        params: NodeParams,
        querystring: StatisticsQuery,
      },
    },
    async (request) => {
      const nodeId = node(request.params.nodeId);
      const q = request.query;
      const from = q.year
        ? new Date(`${q.year}-01-01T00:00:00+08:00`).toISOString()
        : q.from && new Date(q.from).toISOString(); // facts hold UTC ISO strings: compare instants
      const to = q.year
        ? new Date(`${q.year + 1}-01-01T00:00:00+08:00`).toISOString()
        : q.to && new Date(q.to).toISOString();
      const facts = await factRepository.all(deps.prisma, nodeId);
      const now = deps.clock.now().toISOString();
      const period = { from, to };
      const townshipOf = (f: ItemFacts) =>
        [
          deps.org.find(f.assignee),
          ...(deps.org.find(f.assignee) ? deps.org.ancestors(f.assignee) : []),
        ].find((n) => n?.kind === 'township')?.id;
      switch (q.groupBy) {
        case 'county':
          return { from, to, statistics: computeStatistics(facts, period, now) };
        case 'unit':
          return { from, to, groups: groupStatistics(facts, (f) => f.assignee, period, now) };
        case 'township':
          return { from, to, groups: groupStatistics(facts, townshipOf, period, now) };
        case 'kind':
          return { from, to, groups: groupStatistics(facts, (f) => f.kind, period, now) };
      }
    },
  );
}
