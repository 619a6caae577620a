import type { ServiceModule } from '@duban/runtime';
import { itemsConsumer, orgChangesConsumer, registerTasks } from './app';

export const tasksService: ServiceModule = {
  name: 'tasks',
  register: (app, ctx) => registerTasks(app, ctx),
  handlers: (ctx) => [itemsConsumer(ctx), orgChangesConsumer(ctx)],
  recordsOrgChanges: true,
};
