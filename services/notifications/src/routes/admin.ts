import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CATALOGUE, CURRENT_VERSION, NodeId, findDefinition, uuidv7 } from '@duban/events';
import type { CatalogueEventType } from '@duban/events';
import { access, actorOf, AppError, EVERYONE, hasAnyRole } from '@duban/kit';
import type { HttpApp } from '@duban/kit';
import type { NotificationsDeps } from '../deps';
import { DELIVERY_CHANNELS, Kind, Locale, Preferences, QuietHours } from '../domain/kinds';
import { allowedPlaceholders, placeholdersOf } from '../domain/wording';
import { deliveryRepository } from '../repositories/deliveries';
import { recipientRepository } from '../repositories/recipients';
import { templateRepository } from '../repositories/templates';
import { MANAGERS, requireManager } from './access';

const NodeParams = z.object({ nodeId: NodeId });
const PersonParams = NodeParams.extend({ personId: z.string().trim().min(1).max(100) });
const IdParams = NodeParams.extend({ id: z.uuid() });
const TemplateParams = NodeParams.extend({ eventType: z.string().max(100), locale: Locale });

const RecipientBody = z.object({
  name: z.string().trim().min(1).max(100),
  email: z.email().nullable().default(null),
  phone: z
    .string()
    .regex(/^\+?\d{5,20}$/, 'digits, optionally with a leading +')
    .nullable()
    .default(null),
  locale: Locale.default('zh-CN'),
  preferences: Preferences.default({}),
  active: z.boolean().default(true),
  /** For WeCom application messages (the `wecom` channel). */
  wecomUserId: z.string().trim().min(1).max(64).nullable().default(null),
  /** e.g. {from: "22:00", to: "07:00"}: SMS then waits for the morning, urgent kinds excepted. */
  quietHours: QuietHours.nullable().default(null),
});
const WebhookBody = z.object({
  name: z.string().trim().min(1).max(100),
  url: z.url({ protocol: /^https?$/ }),
  /** Omitted: one is generated and returned once. */
  secret: z.string().min(16).max(200).optional(),
  kinds: z.array(Kind).max(8).default([]),
});
const WebhookPatch = WebhookBody.partial().extend({ active: z.boolean().optional() });
const TemplateBody = z.object({ title: z.string().min(1).max(200), body: z.string().min(1).max(5000) });
const DeliveryQuery = z.object({
  status: z.enum(['held', 'pending', 'sending', 'sent', 'dead', 'digested']).optional(),
  channel: z.enum(DELIVERY_CHANNELS).optional(),
  recipient: z.string().max(100).optional(),
  subject: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const notFound = (what: string) =>
  new AppError('not_found', `notifications.${what}_not_found`, `no such ${what} at this node`);
const publicEndpoint = <T extends { secret: string }>({ secret: _secret, ...rest }: T) => rest;

export function registerAdminRoutes(app: HttpApp, deps: NotificationsDeps): void {
  const tags = ['notifications'];
  const base = '/nodes/:nodeId/notifications';

  // --- recipients: people, their addresses and their choices ---------------------------------
  app.get(
    `${base}/recipients`,
    {
      config: { access: access.act(MANAGERS) },
      schema: { tags, summary: 'People who get notifications', params: NodeParams },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      requireManager(request, nodeId);
      return { recipients: await recipientRepository.list(deps.prisma, nodeId) };
    },
  );

  app.put(
    `${base}/recipients/:personId`,
    {
      config: { access: access.act(EVERYONE) },
      schema: {
        tags,
        summary: 'Add or replace a person: addresses, channels and digest per kind, quiet hours',
        params: PersonParams,
        body: RecipientBody,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const actor = actorOf(request, nodeId);
      // People choose their own channels; only managers set up others.
      if (actor.person !== request.params.personId) requireManager(request, nodeId);
      const recipient = await recipientRepository.upsert(
        deps.prisma,
        nodeId,
        request.params.personId,
        request.body,
        deps.clock.now(),
      );
      return { recipient };
    },
  );

  app.get(
    `${base}/recipients/:personId`,
    {
      config: { access: access.act(EVERYONE) },
      schema: {
        tags,
        summary: 'One person’s addresses and choices (their own, or a manager’s view)',
        params: PersonParams,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const actor = actorOf(request, nodeId);
      if (actor.person !== request.params.personId) requireManager(request, nodeId);
      const recipient = await recipientRepository.find(deps.prisma, nodeId, request.params.personId);
      if (!recipient) throw notFound('recipient');
      return { recipient };
    },
  );

  app.delete(
    `${base}/recipients/:personId`,
    {
      config: { access: access.act(MANAGERS) },
      schema: { tags, summary: 'Remove a person', params: PersonParams },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      requireManager(request, nodeId);
      if (!(await recipientRepository.remove(deps.prisma, nodeId, request.params.personId)))
        throw notFound('recipient');
      return { ok: true };
    },
  );

  // --- webhooks: other county systems -------------------------------------------------------
  app.get(
    `${base}/webhooks`,
    {
      config: { access: access.act(MANAGERS) },
      schema: { tags, summary: 'Webhook endpoints (secrets are never shown)', params: NodeParams },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      requireManager(request, nodeId);
      return { webhooks: (await recipientRepository.endpoints(deps.prisma, nodeId)).map(publicEndpoint) };
    },
  );

  app.post(
    `${base}/webhooks`,
    {
      config: { access: access.act(MANAGERS) },
      schema: {
        tags,
        summary: 'Add a webhook endpoint; its secret is returned once',
        params: NodeParams,
        body: WebhookBody,
      },
    },
    async (request, reply) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      requireManager(request, nodeId);
      const now = deps.clock.now();
      const secret = request.body.secret ?? randomBytes(32).toString('hex');
      const row = await recipientRepository.createEndpoint(deps.prisma, {
        id: uuidv7(now.getTime()),
        nodeId,
        name: request.body.name,
        url: request.body.url,
        secret,
        kinds: request.body.kinds,
        createdAt: now,
      });
      return reply.status(201).send({ webhook: publicEndpoint(row), secret });
    },
  );

  app.patch(
    `${base}/webhooks/:id`,
    {
      config: { access: access.act(MANAGERS) },
      schema: {
        tags,
        summary: 'Change a webhook endpoint (url, secret, kinds, active)',
        params: IdParams,
        body: WebhookPatch,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      requireManager(request, nodeId);
      const patch = Object.fromEntries(Object.entries(request.body).filter(([, v]) => v !== undefined));
      if (!(await recipientRepository.updateEndpoint(deps.prisma, nodeId, request.params.id, patch)))
        throw notFound('webhook');
      return { ok: true };
    },
  );

  app.delete(
    `${base}/webhooks/:id`,
    {
      config: { access: access.act(MANAGERS) },
      schema: { tags, summary: 'Remove a webhook endpoint', params: IdParams },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      requireManager(request, nodeId);
      if (!(await recipientRepository.removeEndpoint(deps.prisma, nodeId, request.params.id)))
        throw notFound('webhook');
      return { ok: true };
    },
  );

  // --- templates: the node's own wording per event type and locale -----------------------------
  app.get(
    `${base}/templates`,
    {
      config: { access: access.act(MANAGERS) },
      schema: {
        tags,
        summary: 'This node’s template overrides and the placeholders each type offers',
        params: NodeParams,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      requireManager(request, nodeId);
      const types = [...new Set(CATALOGUE.map((d) => d.type))];
      return {
        overrides: await templateRepository.list(deps.prisma, nodeId),
        placeholders: Object.fromEntries(types.map((t) => [t, [...placeholdersFor(t)].sort()])),
      };
    },
  );

  app.put(
    `${base}/templates/:eventType/:locale`,
    {
      config: { access: access.act(MANAGERS) },
      schema: {
        tags,
        summary: 'Set the wording of one event type in one locale ({{placeholder}}s)',
        params: TemplateParams,
        body: TemplateBody,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const actor = requireManager(request, nodeId);
      const { eventType, locale } = request.params;
      if (!(eventType in CURRENT_VERSION))
        throw new AppError(
          'unprocessable',
          'template.unknown_event_type',
          `${eventType} is not in the event catalogue`,
        );
      const allowed = placeholdersFor(eventType as CatalogueEventType);
      const unknown = [...placeholdersOf(request.body.title), ...placeholdersOf(request.body.body)].filter(
        (p) => !allowed.has(p),
      );
      if (unknown.length > 0) {
        throw new AppError(
          'validation',
          'template.unknown_placeholder',
          `unknown placeholder(s): ${[...new Set(unknown)].join(', ')}`,
          {
            issues: [...new Set(unknown)].map((p) => ({
              path: 'body',
              message: `{{${p}}} is not a field of ${eventType}`,
            })),
            allowed: [...allowed].sort(),
          },
        );
      }
      const template = await templateRepository.upsert(
        deps.prisma,
        { nodeId, eventType, locale },
        { ...request.body, updatedBy: actor.person, updatedAt: deps.clock.now() },
      );
      return { template };
    },
  );

  app.delete(
    `${base}/templates/:eventType/:locale`,
    {
      config: { access: access.act(MANAGERS) },
      schema: { tags, summary: 'Back to the default wording', params: TemplateParams },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      requireManager(request, nodeId);
      if (
        !(await templateRepository.remove(deps.prisma, {
          nodeId,
          eventType: request.params.eventType,
          locale: request.params.locale,
        }))
      )
        throw notFound('template');
      return { ok: true };
    },
  );

  // --- the delivery log -------------------------------------------------------------------
  app.get(
    `${base}/deliveries`,
    {
      config: { access: access.act(EVERYONE) },
      schema: {
        tags,
        summary: 'The delivery log: each message per channel, with every attempt',
        params: NodeParams,
        querystring: DeliveryQuery,
      },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      const actor = actorOf(request, nodeId);
      const manager = hasAnyRole(actor, ['admin', 'office-staff']);
      // Everyone may read their own deliveries; the whole log is the managers'.
      const recipient = manager ? request.query.recipient : actor.person;
      const deliveries = await deliveryRepository.log(deps.prisma, nodeId, {
        ...request.query,
        ...(recipient ? { recipient } : {}),
      });
      const attempts = await deliveryRepository.attempts(
        deps.prisma,
        deliveries.map((d) => d.id),
      );
      return {
        deliveries: deliveries.map((d) => ({
          ...d,
          seq: Number(d.seq),
          log: attempts.filter((a) => a.deliveryId === d.id).map(({ id: _id, deliveryId: _d, ...a }) => a),
        })),
      };
    },
  );

  app.post(
    `${base}/deliveries/:id/retry`,
    {
      config: { access: access.act(MANAGERS) },
      schema: { tags, summary: 'Send a dead delivery again', params: IdParams },
    },
    async (request) => {
      const nodeId = deps.hosted.require(request.params.nodeId);
      requireManager(request, nodeId);
      if (!(await deliveryRepository.requeue(deps.prisma, nodeId, request.params.id, deps.clock.now())))
        throw new AppError(
          'conflict',
          'delivery.not_dead',
          'only a dead delivery of this node can be retried',
        );
      return { ok: true };
    },
  );
}

function placeholdersFor(type: CatalogueEventType): Set<string> {
  const def = findDefinition(type, CURRENT_VERSION[type]);
  const shape = (def?.data as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  return allowedPlaceholders(Object.keys(shape));
}
