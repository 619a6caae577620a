import type { ServiceModule } from '@duban/runtime';
import { registerScoring, scoringConsumer } from './app';

export const scoringService: ServiceModule = {
  name: 'scoring',
  register: (app, ctx) => registerScoring(app, ctx),
  handlers: (ctx) => [scoringConsumer(ctx)],
};
