import type { ServiceModule } from '@duban/runtime';
import {
  calendarReplanConsumer,
  itemsConsumer,
  orgChangesConsumer,
  registerTasks,
  replanProvisionalDeadlines,
} from './app';

export const tasksService: ServiceModule = {
  name: 'tasks',
  register: (app, ctx) => registerTasks(app, ctx),
  handlers: (ctx) => [itemsConsumer(ctx), calendarReplanConsumer(ctx), orgChangesConsumer(ctx)],
  recordsOrgChanges: true,
  start: (ctx) => {
    // A newer chinese-days may have brought a year's official data since the last start (ADR 0026).
    const done = ctx.calendars
      .refresh()
      .then((calendar) => replanProvisionalDeadlines(ctx, calendar))
      .catch((error: unknown) =>
        ctx.logger.error({ err: error }, 're-planning provisional deadlines failed'),
      );
    return { stop: () => done.then(() => undefined) };
  },
};
