import type { HttpApp } from '@duban/kit';
import type { TasksDeps } from './deps';
import { registerEventRoutes } from './routes/events';
import { registerExportRoutes } from './routes/export';
import { registerItemRoutes } from './routes/items';
import { registerOpen311Routes } from './routes/open311';

export type { TasksDeps } from './deps';
export { itemsConsumer } from './consumers/items';
export { calendarReplanConsumer } from './consumers/calendar';
export { replanProvisionalDeadlines } from './commands';
export { orgChangesConsumer } from './consumers/org';

/** Mounts the tasks API on an app (the service's own, or the embedded host's). */
export function registerTasks(app: HttpApp, deps: TasksDeps): void {
  registerItemRoutes(app, deps);
  registerExportRoutes(app, deps);
  registerOpen311Routes(app, deps);
  registerEventRoutes(app, deps);
}
