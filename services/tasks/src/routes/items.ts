import { z } from 'zod';
import {
  ItemKind,
  ItemSource,
  MustSupervise,
  NodeId,
  Priority,
  REVIEW_POINTS,
  ReturnReason,
  ReviewOutcome,
} from '@duban/events';
import { DeadlineRule } from '@duban/calendar';
import { access, actorOf, AppError, CASE_READERS, readScopeOf } from '@duban/kit';
import type { Role } from '@duban/kit';
import type { HttpApp } from '@duban/kit';
import { assignItem, holdMeeting, runItemCommand } from '../commands';
import type { TasksDeps } from '../deps';
import { HANDLING_ROLES, HEAD_ROLES, ITEM_STATUSES, SUPERVISING_ROLES } from '../domain/item';
import type { ItemCommand } from '../domain/item';
import { itemRepository } from '../repositories/items';
import { ledgerSummary, listLedger, listLedgerPage } from '../repositories/ledger';

const NodeParams = z.object({ nodeId: NodeId });
const ItemParams = NodeParams.extend({ itemId: z.uuid() });
const Instant = z.iso
  .datetime({ offset: true })
  .describe('ISO 8601 with offset, e.g. 2026-12-31T17:30:00+08:00');

export const AssignItemBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(5000).default(''),
    kind: ItemKind,
    source: ItemSource.default('other'),
    mustSupervise: z.array(MustSupervise).max(5).default([]).describe('五必督 categories'),
    priority: Priority.default('normal'),
    leader: z.string().trim().min(1).max(100).nullable().default(null).describe('分包领导'),
    responsiblePerson: z.string().trim().min(1).max(100).nullable().default(null).describe('责任人'),
    assignee: NodeId.describe('the lead unit (牵头单位); this node itself registers a plan item'),
    coUnits: z.array(NodeId).max(50).default([]).describe('协办单位'),
    deadline: Instant.optional().describe('the deadline as an instant; or give deadlineRule'),
    deadlineRule: DeadlineRule.optional().describe(
      'the deadline on the working-day calendar: {kind:"working-days",days:N} | {kind:"same-day",cutoff:"17:30"} | {kind:"next-working-day"} | {kind:"fixed",at}',
    ),
    ackDeadline: Instant.nullable()
      .default(null)
      .describe('签收 deadline; default: end of the next working day'),
    parentId: z.uuid().nullable().default(null).describe('the item this one is split from (立项分解)'),
    caseRef: z.string().max(100).nullable().default(null),
  })
  .refine((b) => (b.deadline === undefined) !== (b.deadlineRule === undefined), {
    message: 'give either deadline or deadlineRule, not both',
    path: ['deadline'],
  });
export type AssignItemBody = z.infer<typeof AssignItemBody>;

/** The assignment as the commands take it: the deadline as an instant or a calendar rule. */
export function assignInput(b: Omit<AssignItemBody, 'parentId'> & { parentId?: string | null }) {
  const { deadlineRule, deadline, ...rest } = b;
  return {
    ...rest,
    parentId: b.parentId ?? null,
    deadline: deadlineRule ?? new Date(deadline!),
    ackDeadline: b.ackDeadline === null ? null : new Date(b.ackDeadline),
  };
}

const ProgressBody = z.object({
  note: z.string().trim().min(1).max(5000),
  percent: z.number().int().min(0).max(100).nullable().default(null),
});
const DraftBody = z.object({ summary: z.string().trim().min(1).max(20000) });
const Point = z.object({ ok: z.boolean(), comment: z.string().max(2000).default('') });
const ReviewBody = z.object({
  outcome: ReviewOutcome,
  points: z.object(
    Object.fromEntries(REVIEW_POINTS.map((p) => [p, Point])) as Record<
      (typeof REVIEW_POINTS)[number],
      typeof Point
    >,
  ),
  reasons: z.array(ReturnReason).max(8).default([]),
  comment: z.string().max(5000).default(''),
  corrections: z.string().max(5000).default(''),
});
const ReopenBody = z.object({ reason: z.string().trim().min(1).max(2000) });
const ExtensionRequestBody = z.object({ newDeadline: Instant, reason: z.string().trim().min(1).max(2000) });
const ExtensionDecisionBody = z.object({
  approve: z.boolean(),
  newDeadline: Instant.nullable().default(null).describe('approve a different date than asked'),
  comment: z.string().max(2000).default(''),
});
const FeedbackBody = z.object({
  audience: z.enum(['city', 'citizen']),
  content: z.string().trim().min(1).max(5000),
  satisfaction: z.enum(['satisfied', 'basically-satisfied', 'unsatisfied']).nullable().default(null),
});
const MeetingBody = z.object({
  attendees: z.array(NodeId).min(1).max(100),
  minutes: z.string().max(20000).default(''),
  decisions: z.array(AssignItemBody).max(50).default([]),
});

const csv = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

export const LedgerQuery = z.object({
  scope: z.enum(['own', 'subtree']).default('own'),
  kind: csv(ItemKind).optional(),
  status: csv(z.enum(ITEM_STATUSES)).optional(),
  source: csv(ItemSource).optional(),
  priority: csv(Priority).optional(),
  light: csv(z.enum(['green', 'yellow', 'red', 'done'])).optional(),
  assignee: NodeId.optional(),
  assigner: NodeId.optional(),
  leader: z.string().max(100).optional(),
  parentId: z.uuid().optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  q: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().optional().describe('nextCursor of the previous page'),
});
export type LedgerQuery = z.infer<typeof LedgerQuery>;

function toDate(s: string): Date;
function toDate(s: string | null): Date | null;
function toDate(s: string | null): Date | null {
  return s === null ? null : new Date(s);
}

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

export function ledgerFilter(deps: TasksDeps, q: LedgerQuery) {
  return {
    scope: q.scope,
    kind: q.kind,
    status: q.status,
    source: q.source,
    priority: q.priority,
    light: q.light,
    assignee: q.assignee,
    assigner: q.assigner,
    leader: q.leader,
    parentId: q.parentId,
    overdue: q.overdue,
    q: q.q,
    now: deps.clock.now(),
    limit: q.limit,
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
  };
}

/** The tasks API of every hosted node, under /nodes/:nodeId/tasks. */
export function registerItemRoutes(app: HttpApp, deps: TasksDeps): void {
  const tags = ['tasks'];
  const command = (
    path: string,
    roles: readonly Role[],
    summary: string,
    body: z.ZodType | undefined,
    toCommand: (body: never) => ItemCommand,
  ) =>
    app.post(
      `/nodes/:nodeId/tasks/items/:itemId/${path}`,
      {
        config: { access: access.act(roles) },
        schema: { tags, summary, params: ItemParams, ...(body ? { body } : {}) },
      },
      async (request) => {
        const node = deps.hosted.require(request.params.nodeId);
        const actor = actorOf(request, node);
        const item = await runItemCommand(
          deps,
          actor,
          request.params.itemId,
          toCommand((request.body ?? {}) as never),
        );
        return { item };
      },
    );

  app.post(
    '/nodes/:nodeId/tasks/items',
    {
      config: { access: access.act(SUPERVISING_ROLES) },
      schema: {
        tags,
        summary:
          '交办: create an item and send the supervision notice (or register a plan item for this node)',
        params: NodeParams,
        body: AssignItemBody,
      },
    },
    async (request, reply) => {
      const node = deps.hosted.require(request.params.nodeId);
      const b = request.body;
      const item = await assignItem(deps, actorOf(request, node), assignInput(b));
      return reply.status(201).send({ item });
    },
  );

  app.get(
    '/nodes/:nodeId/tasks/items',
    {
      config: { access: access.read(CASE_READERS, { leaderScoped: true }) },
      schema: {
        tags,
        summary: '台帐: this node’s items (scope=subtree: and those below it), filtered, keyset-paginated',
        params: NodeParams,
        querystring: LedgerQuery,
      },
    },
    async (request, reply) => {
      const q = request.query;
      deps.hosted.require(request.params.nodeId);
      const page = await listLedgerPage(deps.pool, readScopeOf(request), ledgerFilter(deps, q));
      const nextCursor =
        page.rows.length === q.limit && page.last
          ? encodeCursor(page.last.deadline.toISOString(), page.last.id)
          : null;
      // { items, nextCursor }, written from the rows' JSON text as PostgreSQL made it (listLedgerPage).
      return reply
        .type('application/json; charset=utf-8')
        .send(`{"items":[${page.rows.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`);
    },
  );

  app.get(
    '/nodes/:nodeId/tasks/summary',
    {
      config: { access: access.read(CASE_READERS, { leaderScoped: true }) },
      schema: {
        tags,
        summary: 'Counts by status and traffic light',
        params: NodeParams,
        querystring: z.object({ scope: z.enum(['own', 'subtree']).default('own') }),
      },
    },
    async (request) => {
      deps.hosted.require(request.params.nodeId);
      return ledgerSummary(deps.prisma, readScopeOf(request), request.query.scope, deps.clock.now());
    },
  );

  app.get(
    '/nodes/:nodeId/tasks/items/:itemId',
    {
      config: { access: access.read(CASE_READERS, { leaderScoped: true }) },
      schema: {
        tags,
        summary: 'One item, its sub-items and its timeline as this node saw it',
        params: ItemParams,
      },
    },
    async (request) => {
      const node = deps.hosted.require(request.params.nodeId);
      const scope = readScopeOf(request);
      const copy = await itemRepository.findReadable(deps.prisma, scope, request.params.itemId);
      if (!copy)
        throw new AppError(
          'not_found',
          'item.not_found',
          `no item ${request.params.itemId} in ${node}'s ledger`,
        );
      const [timeline, subItems] = await Promise.all([
        itemRepository.timeline(deps.prisma, node, copy.state.id),
        listLedger(deps.pool, scope, {
          scope: 'subtree',
          parentId: copy.state.id,
          now: deps.clock.now(),
          limit: 500,
        }),
      ]);
      return { item: { ...copy.state, relation: copy.relation }, subItems, timeline };
    },
  );

  command(
    'acknowledge',
    HANDLING_ROLES,
    '签收: the responsible unit acknowledges the notice',
    undefined,
    () => ({
      type: 'acknowledge',
    }),
  );
  command(
    'progress',
    HANDLING_ROLES,
    '进展: report progress',
    ProgressBody,
    (b: z.infer<typeof ProgressBody>) => ({
      type: 'progress',
      ...b,
    }),
  );
  command(
    'report',
    HANDLING_ROLES,
    'The handler drafts the closing report (it goes nowhere until the head signs it)',
    DraftBody,
    (b: z.infer<typeof DraftBody>) => ({ type: 'draft-report', summary: b.summary }),
  );
  command(
    'sign-off',
    HEAD_ROLES,
    '一把手签字: the unit’s head signs off the draft; it goes to the assigner for review',
    undefined,
    () => ({ type: 'sign-off' }),
  );
  command(
    'review',
    SUPERVISING_ROLES,
    '逐点审核: accept (办结), return (退回重办) with coded reasons, or re-check (复核)',
    ReviewBody,
    (b: z.infer<typeof ReviewBody>) => ({ type: 'review', ...b }),
  );
  command(
    'reopen',
    SUPERVISING_ROLES,
    '复查复议: reopen a closed item',
    ReopenBody,
    (b: z.infer<typeof ReopenBody>) => ({
      type: 'reopen',
      reason: b.reason,
    }),
  );
  command(
    'extension',
    HANDLING_ROLES,
    '申请延期: ask for a later deadline',
    ExtensionRequestBody,
    (b: z.infer<typeof ExtensionRequestBody>) => ({
      type: 'request-extension',
      newDeadline: toDate(b.newDeadline),
      reason: b.reason,
    }),
  );
  app.post(
    '/nodes/:nodeId/tasks/items/:itemId/extension/:requestId/decision',
    {
      config: { access: access.act(SUPERVISING_ROLES) },
      schema: {
        tags,
        summary: 'Approve or refuse an extension request',
        params: ItemParams.extend({ requestId: z.uuid() }),
        body: ExtensionDecisionBody,
      },
    },
    async (request) => {
      const node = deps.hosted.require(request.params.nodeId);
      const b = request.body;
      const item = await runItemCommand(deps, actorOf(request, node), request.params.itemId, {
        type: 'decide-extension',
        requestId: request.params.requestId,
        approve: b.approve,
        newDeadline: toDate(b.newDeadline),
        comment: b.comment,
      });
      return { item };
    },
  );
  command(
    'feedback',
    SUPERVISING_ROLES,
    '反馈: record the feedback to the city or to the citizen',
    FeedbackBody,
    (b: z.infer<typeof FeedbackBody>) => ({ type: 'record-feedback', ...b }),
  );

  app.post(
    '/nodes/:nodeId/tasks/items/:itemId/meetings',
    {
      config: { access: access.act(SUPERVISING_ROLES) },
      schema: {
        tags,
        summary: '联席会议: record a joint meeting; its decisions become sub-items',
        params: ItemParams,
        body: MeetingBody,
      },
    },
    async (request, reply) => {
      const node = deps.hosted.require(request.params.nodeId);
      const b = request.body;
      const result = await holdMeeting(deps, actorOf(request, node), request.params.itemId, {
        attendees: b.attendees,
        minutes: b.minutes,
        decisions: b.decisions.map((d) => assignInput(d)),
      });
      return reply.status(201).send(result);
    },
  );
}
