import { z } from 'zod';
import { CalendarAmendment, IcsError, amendmentsFromIcs } from '@duban/calendar';
import { appendToOutbox } from '@duban/bus';
import { ItemKind, NodeId, createEvent } from '@duban/events';
import { access, actorOf, AppError, CASE_READERS, EVERYONE, hasAnyRole } from '@duban/kit';
import type { Actor, HttpApp } from '@duban/kit';
import type { RemindersDeps } from '../deps';
import { DEFAULT_POLICIES, ReminderPolicy } from '../domain/policy';
import { calendarRepository } from '../repositories/calendar';
import { byDueAt, policyRepository } from '../repositories/timers';

const NodeParams = z.object({ nodeId: NodeId });
const TimerQuery = z.object({
  status: z.enum(['pending', 'fired', 'cancelled']).optional(),
  itemId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

function requireAdmin(actor: Actor, deps: RemindersDeps, what: string): void {
  if (!hasAnyRole(actor, ['admin']))
    throw new AppError('forbidden', 'auth.role_required', `${what} needs the admin role`);
  if (deps.org.get(actor.node).kind !== 'county-office') {
    throw new AppError('forbidden', 'auth.node_not_allowed', `${what} is the county office's to decide`);
  }
}

export function registerTimerRoutes(app: HttpApp, deps: RemindersDeps): void {
  const tags = ['reminders'];
  app.get(
    '/nodes/:nodeId/reminders/timers',
    {
      config: { access: access.read(CASE_READERS) },
      schema: {
        tags,
        summary: 'The chase and escalation timers of the items this node assigned',
        params: NodeParams,
        querystring: TimerQuery,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const { status, itemId, limit } = request.query;
      // Pending timers and done ones live in two tables (ADR 0020); one list, in due order.
      const where = { nodeId, ...(itemId ? { itemId } : {}) };
      const orderBy = [{ dueAt: 'asc' as const }, { id: 'asc' as const }];
      // One snapshot for both reads: a timer moved between them would show twice, or not at all.
      const [pending, done] = await deps.prisma.$transaction(
        async (tx) =>
          [
            status === undefined || status === 'pending'
              ? await tx.timer.findMany({ where, orderBy, take: limit })
              : [],
            status === 'pending'
              ? []
              : await tx.timerDone.findMany({
                  where: { ...where, ...(status ? { status } : {}) },
                  orderBy,
                  take: limit,
                }),
          ] as const,
        { isolationLevel: 'RepeatableRead' },
      );
      const timers = [...pending.map((t) => ({ ...t, status: 'pending' as const, firedAt: null })), ...done]
        .sort(byDueAt)
        .slice(0, limit);
      return { timers };
    },
  );

  app.get(
    '/nodes/:nodeId/reminders/policies',
    {
      config: { access: access.read(EVERYONE) },
      schema: {
        tags,
        summary: 'The chasing and escalation policy per item kind, in force for new items',
        params: NodeParams,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const stored = await deps.prisma.reminderPolicy.findMany({ where: { nodeId } });
      const overrides = new Map(stored.map((s) => [s.kind, ReminderPolicy.parse(s.policy)]));
      return {
        policies: Object.fromEntries(
          ItemKind.options.map((k) => [k, overrides.get(k) ?? DEFAULT_POLICIES[k]]),
        ),
      };
    },
  );

  app.put(
    '/nodes/:nodeId/reminders/policies/:kind',
    {
      config: { access: access.act(['admin', 'office-staff']) },
      schema: {
        tags,
        summary: 'Change the policy for a kind (items already assigned keep theirs)',
        params: NodeParams.extend({ kind: ItemKind }),
        body: ReminderPolicy,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      if (!hasAnyRole(actorOf(request, nodeId), ['admin', 'office-staff'])) {
        throw new AppError(
          'forbidden',
          'auth.role_required',
          'changing a reminder policy needs the admin or office-staff role',
        );
      }
      await policyRepository.save(deps.prisma, nodeId, request.params.kind, request.body, deps.clock.now());
      return { kind: request.params.kind, policy: request.body };
    },
  );

  app.get(
    '/nodes/:nodeId/reminders/calendar',
    {
      config: { access: access.read(EVERYONE) },
      schema: {
        tags,
        summary: 'The working-day calendar in force: version, years covered, amendments',
        params: NodeParams,
      },
    },
    async (request) => {
      deps.hosted.require(request.params.nodeId);
      const calendar = await deps.calendars.refresh();
      return {
        version: calendar.version,
        coveredYears: calendar.coveredYears,
        amendments: await calendarRepository.list(deps.prisma),
      };
    },
  );

  app.post(
    '/nodes/:nodeId/reminders/calendar/amendments',
    {
      config: { access: access.act(['admin']) },
      schema: {
        tags,
        summary:
          'Add or correct working days (next year’s official calendar, a local day); every node applies it',
        params: NodeParams,
        body: CalendarAmendment,
      },
    },
    async (request, reply) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      requireAdmin(actorOf(request, nodeId), deps, 'amending the working-day calendar');
      const calendar = await amend(deps, nodeId, [request.body]);
      return reply.status(201).send({ version: calendar.version, coveredYears: calendar.coveredYears });
    },
  );

  app.post(
    '/nodes/:nodeId/reminders/calendar/import',
    {
      config: { access: access.act(['admin']) },
      schema: {
        tags,
        summary:
          'Import the State Council’s calendar from an .ics file (as chinese-days publishes it): one amendment per year with a Spring Festival',
        params: NodeParams,
        body: CalendarImport,
      },
    },
    async (request, reply) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      requireAdmin(actorOf(request, nodeId), deps, 'importing the working-day calendar');
      let amendments: CalendarAmendment[];
      try {
        amendments = amendmentsFromIcs(request.body.ics, request.body.years);
      } catch (error) {
        if (error instanceof IcsError) {
          throw new AppError(
            'unprocessable',
            'calendar.bad_ics',
            `the .ics file cannot be read: ${error.message}`,
            {
              issues: [{ path: 'body.ics', message: error.message }],
            },
          );
        }
        throw error;
      }
      const calendar = await amend(deps, nodeId, amendments);
      return reply.status(201).send({
        version: calendar.version,
        coveredYears: calendar.coveredYears,
        provisionalYears: calendar.provisionalYears,
        amendments: amendments.map((a) => ({ id: a.id, coversYear: a.coversYear, days: a.days.length })),
      });
    },
  );
}

const CalendarImport = z.strictObject({
  /** The .ics text (UTF-8). */
  ics: z.string().min(1).max(2_000_000),
  /** Only these years (default: every year whose Spring Festival the file has). */
  years: z.array(z.int().min(2000).max(2100)).min(1).max(10).optional(),
});

/** Stores amendments and emits one reminders.calendar.amended each, in one transaction. */
async function amend(deps: RemindersDeps, nodeId: string, amendments: readonly CalendarAmendment[]) {
  const now = deps.clock.now();
  await deps.prisma.$transaction(async (tx) => {
    for (const amendment of amendments) {
      const { calendar, stored } = await calendarRepository.record(tx, amendment, now);
      if (!stored) continue;
      await appendToOutbox(tx, [
        createEvent({
          type: 'reminders.calendar.amended',
          source: nodeId,
          to: [],
          subject: 'calendar',
          time: now,
          data: {
            amendmentId: amendment.id,
            name: amendment.name,
            source: amendment.source,
            ...(amendment.coversYear ? { coversYear: amendment.coversYear } : {}),
            days: amendment.days,
            version: calendar.version,
            amendedAt: now.toISOString(),
          },
        }),
      ]);
    }
  });
  return deps.calendars.refresh();
}
