import type { ServiceModule } from '@duban/runtime';
import { analyticsProjector } from './projector';

export * from './projector';
export * from './pseudonyms';

/** The analysts' stream: no routes, one consumer (ADR 0031). */
export const analyticsService: ServiceModule = {
  name: 'analytics',
  register: () => undefined,
  handlers: (ctx) => [analyticsProjector(ctx)],
};
