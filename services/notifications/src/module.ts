import type { ServiceModule } from '@duban/runtime';
import { inboxConsumer, registerNotifications } from './app';

export const notificationsService: ServiceModule = {
  name: 'notifications',
  register: (app, ctx) => registerNotifications(app, ctx),
  handlers: (ctx) => [inboxConsumer(ctx)],
};
