import type { HttpApp } from '@duban/kit';
import type { ServiceModule } from '@duban/runtime';
import { CONSOLE_PREFIX, consoleFile } from './static';

export { CONSOLE_PREFIX } from './static';

/**
 * The web console (ADR 0017): static files only, same origin as the API it calls. Not under
 * /nodes, so it declares no access; the bearer hook lets /console/ through (isPublicPath).
 */
export function registerConsole(app: HttpApp): void {
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect(CONSOLE_PREFIX));
  app.get('/console', { schema: { hide: true } }, (_request, reply) => reply.redirect(CONSOLE_PREFIX));
  app.get<{ Params: { '*': string } }>('/console/*', { schema: { hide: true } }, async (request, reply) => {
    const file = await consoleFile(request.params['*']);
    if (!file) {
      // Client-side routes (#/…) never reach here; anything else is a missing file.
      return reply.status(404).type('text/plain; charset=utf-8').send('not found');
    }
    reply.header('cache-control', file.immutable ? 'public, max-age=86400' : 'no-cache');
    if (file.etag) {
      reply.header('etag', file.etag);
      if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
    }
    return reply.type(file.type).send(file.body);
  });
}

export const consoleService: ServiceModule = {
  name: 'console',
  register: (app) => registerConsole(app),
  handlers: () => [],
};
