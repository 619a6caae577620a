import { access, actorOf, AppError, CASE_READERS, EVERYONE } from '@duban/kit';
import type { HttpApp } from '@duban/kit';
import { assignItem } from '../commands';
import type { TasksDeps } from '../deps';
import { composeCaseText, contactName } from '../open311/caseText';
import { offeredServices } from '../open311/catalogue';
import type { OfferedService } from '../open311/catalogue';
import { findServiceRequest, findServiceRequests } from '../open311/repository';
import { caseRefOf, serviceNotice, toServiceRequest } from '../open311/requests';
import {
  FormatParams,
  JurisdictionQuery,
  PostRequestBody,
  RequestParams,
  RequestsQuery,
  ServiceParams,
  normalizeQuery,
  normalizeRequestBody,
  parseForm,
} from '../open311/schemas';
import {
  CONTENT_TYPES,
  requireFormat,
  sendErrors,
  sendList,
  toOpen311Errors,
  toXmlDocument,
} from '../open311/wire';

export const OPEN311_PREFIX = '/nodes/:nodeId/open311/v2';

/** How long a citizen's case may take (限期办结), in working days on the county's calendar. */
export const OPEN311_DEADLINE_WORKING_DAYS = 5;

/** The default search span of GET Service Requests, and the longest one allowed (the spec's 90 days). */
export const OPEN311_SEARCH_DAYS = 90;

const DAY = 24 * 3600_000;
/** The longest item description the item schema takes (the citizen's text plus the case block). */
const MAX_DESCRIPTION = 5000;
const TITLE_SNIPPET = 30;

/** Open311 is served by a county supervision office: the path names it, and it must be hosted here. */
function jurisdiction(deps: TasksDeps, nodeId: string): string {
  const node = deps.hosted.require(nodeId);
  if (deps.org.get(node).kind !== 'county-office') {
    throw new AppError(
      'not_found',
      'open311.not_a_jurisdiction',
      `jurisdiction ${node} was not found: Open311 is served by county supervision offices`,
    );
  }
  return node;
}

function requireService(offered: readonly OfferedService[], code: string): OfferedService {
  const service = offered.find((s) => s.code === code);
  if (!service)
    throw new AppError('not_found', 'open311.unknown_service', `service_code ${code} was not found`);
  return service;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** 【民意快线】城市管理：北湖路路灯不亮… (the category and the first words of the case). */
function titleOf(service: OfferedService, body: PostRequestBody): string {
  const words = oneLine(body.description ?? '') || oneLine(body.address_string ?? '') || '市民诉求';
  const snippet =
    [...words].length > TITLE_SNIPPET ? `${[...words].slice(0, TITLE_SNIPPET).join('')}…` : words;
  return `【民意快线】${service.name}：${snippet}`;
}

/** A date-only bound (2026-03-01) is a day in China: the start of it, or for an end, the end of it. */
function instant(value: string, end: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = new Date(`${value}T00:00:00+08:00`);
    return end ? new Date(start.getTime() + DAY - 1) : start;
  }
  return new Date(value);
}

function invalid(field: string, message: string): AppError {
  return new AppError('validation', 'request.invalid', `${field}: ${message}`, {
    issues: [{ path: `query.${field}`, message }],
  });
}

/** The span a search covers: the spec's default is the last 90 days, and no span may be longer. */
function searchSpan(q: RequestsQuery, now: Date): { from: Date; to: Date } {
  const start = q.start_date ? instant(q.start_date, false) : null;
  const end = q.end_date ? instant(q.end_date, true) : null;
  const to = end ?? (start ? new Date(start.getTime() + OPEN311_SEARCH_DAYS * DAY) : now);
  const from = start ?? new Date(to.getTime() - OPEN311_SEARCH_DAYS * DAY);
  if (from > to) throw invalid('start_date', 'start_date is after end_date');
  if (to.getTime() - from.getTime() > OPEN311_SEARCH_DAYS * DAY)
    throw invalid('end_date', `a search may not span more than ${OPEN311_SEARCH_DAYS} days`);
  return { from, to };
}

/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at /nodes/:nodeId/open311/v2: any
 * Open311 client files and follows a citizen's hotline case (民意快线) with the county. A plugin of
 * its own, so the spec's wire rules (form bodies, .json/.xml, its error lists) stay inside it and
 * the rest of the API keeps ours. See docs/open311.md.
 */
export function registerOpen311Routes(app: HttpApp, deps: TasksDeps): void {
  void app.register(
    (plugin, _options, done) => {
      // The child instance keeps the zod type provider at run time; its type forgets it.
      const scope = plugin as unknown as HttpApp;
      const tags = ['open311'];

      scope.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string' },
        (_request, body, next) => next(null, parseForm(body as string)),
      );
      scope.setErrorHandler((error, request, reply) => {
        const { status, errors } = toOpen311Errors(error);
        if (status >= 500) request.log.error({ err: error }, 'open311 request failed');
        return sendErrors(reply, request, status, errors);
      });
      scope.setNotFoundHandler((request, reply) =>
        sendErrors(reply, request, 404, [
          { code: 404, description: `no Open311 resource ${request.method} ${request.url.split('?')[0]}` },
        ]),
      );

      scope.get(
        '/services.:format',
        {
          config: { access: access.read(EVERYONE) },
          schema: {
            tags,
            summary: 'GET Service List: the hotline categories (民意快线 类别) this county takes',
            params: FormatParams,
            querystring: JurisdictionQuery,
          },
        },
        async (request, reply) => {
          const format = requireFormat(request.params.format);
          const node = jurisdiction(deps, request.params.nodeId);
          const services = offeredServices(deps.org, node).map((s) => ({
            service_code: s.code,
            service_name: s.name,
            description: s.description,
            metadata: false,
            type: 'realtime',
            keywords: s.keywords.join(','),
            group: s.group,
          }));
          return sendList(reply, format, { root: 'services', item: 'service' }, services);
        },
      );

      scope.get(
        '/services/:code.:format',
        {
          config: { access: access.read(EVERYONE) },
          schema: {
            tags,
            summary: 'GET Service Definition: no category asks for extra attributes (metadata=false)',
            params: ServiceParams,
            querystring: JurisdictionQuery,
          },
        },
        async (request, reply) => {
          const format = requireFormat(request.params.format);
          const node = jurisdiction(deps, request.params.nodeId);
          const service = requireService(offeredServices(deps.org, node), request.params.code);
          reply.type(CONTENT_TYPES[format]);
          return format === 'json'
            ? reply.send(JSON.stringify({ service_code: service.code, attributes: [] }))
            : reply.send(
                toXmlDocument({ service_definition: { service_code: service.code, attributes: '' } }),
              );
        },
      );

      scope.post(
        '/requests.:format',
        {
          config: { access: access.act(['office-staff']) },
          schema: {
            tags,
            summary:
              'POST Service Request: file a citizen’s case; the county office assigns it to the category’s unit',
            description:
              'Form-encoded (application/x-www-form-urlencoded, as the spec sends it) or JSON. api_key and jurisdiction_id are accepted and ignored.',
            params: FormatParams,
            body: PostRequestBody,
          },
          preValidation: async (request) => {
            // Validation comes next and reads the body as the schema expects it.
            request.body = normalizeRequestBody(request.body) as PostRequestBody;
          },
        },
        async (request, reply) => {
          const format = requireFormat(request.params.format);
          const node = jurisdiction(deps, request.params.nodeId);
          const b = request.body;
          const service = requireService(offeredServices(deps.org, node), b.service_code);
          const description = composeCaseText({
            text: b.description ?? '',
            serviceCode: service.code,
            serviceName: service.name,
            address: b.address_string ?? null,
            addressId: b.address_id ?? null,
            lat: b.lat ?? null,
            long: b.long ?? null,
            contactName: contactName(b.first_name ?? null, b.last_name ?? null),
            phone: b.phone ?? null,
            email: b.email ?? null,
            accountId: b.account_id ?? null,
            deviceId: b.device_id ?? null,
            mediaUrl: b.media_url ?? null,
            attributes: Object.entries(b.attribute ?? {}),
          });
          if (description.length > MAX_DESCRIPTION) {
            throw new AppError('validation', 'open311.too_long', 'the request is too long for one case', {
              issues: [
                {
                  path: 'body.description',
                  message: `description, location, contact and attributes together may have at most ${MAX_DESCRIPTION} characters`,
                },
              ],
            });
          }
          const item = await assignItem(deps, actorOf(request, node), {
            title: titleOf(service, b),
            description,
            kind: 'hotline',
            source: 'city-hotline',
            mustSupervise: [...service.mustSupervise],
            priority: 'normal',
            leader: null,
            responsiblePerson: null,
            coUnits: [],
            // 民意快线: five working days on the county's working-day calendar.
            deadline: { kind: 'working-days', days: OPEN311_DEADLINE_WORKING_DAYS, endOfDay: '17:30' },
            ackDeadline: null,
            assignee: service.unitId,
            parentId: null,
            caseRef: caseRefOf(service.code),
          });
          return sendList(reply, format, { root: 'service_requests', item: 'request' }, [
            {
              service_request_id: item.id,
              service_notice: serviceNotice(deps.org, item),
              account_id: b.account_id ?? null,
            },
          ]);
        },
      );

      scope.get(
        '/requests.:format',
        {
          config: { access: access.read(CASE_READERS) },
          schema: {
            tags,
            summary:
              'GET Service Requests: this county’s hotline cases, newest first (90 days, 1000 at most)',
            params: FormatParams,
            querystring: RequestsQuery,
          },
          preValidation: async (request) => {
            request.query = normalizeQuery(request.query) as RequestsQuery;
          },
        },
        async (request, reply) => {
          const format = requireFormat(request.params.format);
          const node = jurisdiction(deps, request.params.nodeId);
          const q = request.query;
          const offered = offeredServices(deps.org, node);
          const now = deps.clock.now();
          const rows = await findServiceRequests(deps.prisma, node, {
            ids: q.service_request_id,
            services: q.service_code ? offered.filter((s) => q.service_code!.includes(s.code)) : undefined,
            status: q.status,
            ...(q.service_request_id ? { from: now, to: now } : searchSpan(q, now)),
          });
          const requests = rows.map((row) => toServiceRequest(row, { org: deps.org, offered, now }));
          return sendList(reply, format, { root: 'service_requests', item: 'request' }, requests);
        },
      );

      scope.get(
        '/requests/:id.:format',
        {
          config: { access: access.read(CASE_READERS) },
          schema: {
            tags,
            summary: 'GET Service Request: one case by its service_request_id (the item id)',
            params: RequestParams,
            querystring: JurisdictionQuery,
          },
        },
        async (request, reply) => {
          const format = requireFormat(request.params.format);
          const node = jurisdiction(deps, request.params.nodeId);
          const row = await findServiceRequest(deps.prisma, node, request.params.id);
          if (!row) {
            throw new AppError(
              'not_found',
              'open311.unknown_request',
              `service_request_id ${request.params.id} was not found`,
            );
          }
          const offered = offeredServices(deps.org, node);
          return sendList(reply, format, { root: 'service_requests', item: 'request' }, [
            toServiceRequest(row, { org: deps.org, offered, now: deps.clock.now() }),
          ]);
        },
      );

      done();
    },
    { prefix: OPEN311_PREFIX },
  );
}
