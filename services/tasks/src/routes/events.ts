import { z } from 'zod';
import { NodeId } from '@duban/events';
import { access, AppError, CASE_READERS, EVERYONE, hasAnyRole, principalOf, readScopeOf } from '@duban/kit';
import type { HttpApp } from '@duban/kit';
import type { TasksDeps } from '../deps';
import { redactForAnalyst } from '../domain/redaction';
import { itemRepository } from '../repositories/items';

const EventsQuery = z.object({
  /** The `next` of the previous page. */
  after: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

function encode(at: { time: string; eventId: string }): string {
  return Buffer.from(`${at.time}|${at.eventId}`).toString('base64url');
}

function decode(cursor: string): { time: Date; eventId: string } {
  const [time, eventId] = Buffer.from(cursor, 'base64url').toString().split('|');
  const parsed = z.object({ time: z.iso.datetime(), eventId: z.uuid() }).safeParse({ time, eventId });
  if (!parsed.success)
    throw new AppError(
      'validation',
      'request.invalid',
      'querystring.after: not a cursor this feed gave out',
      {
        issues: [{ path: 'querystring.after', message: 'not a cursor this feed gave out' }],
      },
    );
  return { time: new Date(parsed.data.time), eventId: parsed.data.eventId };
}

/**
 * The item event stream as this node and its subtree saw it, in time order, paged by cursor: what
 * an analyst's tools read over HTTP. People's names and citizens' contacts are withheld from a
 * caller whose only business is statistics (the analyst role).
 */
export function registerEventRoutes(app: HttpApp, deps: TasksDeps): void {
  app.get(
    '/nodes/:nodeId/tasks/events',
    {
      config: { access: access.read(EVERYONE) },
      schema: {
        tags: ['tasks'],
        summary:
          '事件流: the item events of this node and its subtree, oldest first (analysts: without personal data)',
        params: z.object({ nodeId: NodeId }),
        querystring: EventsQuery,
      },
    },
    async (request) => {
      deps.hosted.require(request.params.nodeId);
      const principal = principalOf(request);
      // Someone who also holds a case-handling role reads what that role reads.
      const analystOnly = !hasAnyRole(
        { node: principal.node, person: principal.person, roles: principal.roles },
        CASE_READERS,
      );
      const q = request.query;
      const rows = await itemRepository.feed(deps.prisma, readScopeOf(request).node, {
        after: q.after ? decode(q.after) : undefined,
        limit: q.limit,
      });
      const last = rows.at(-1);
      return {
        redacted: analystOnly,
        events: analystOnly ? rows.map((r) => ({ ...r, data: redactForAnalyst(r.data) })) : rows,
        next: rows.length === q.limit && last ? encode(last) : null,
      };
    },
  );
}
