import type { HttpApp } from '@duban/kit';
import type { TasksDeps } from './deps';
import { registerItemRoutes } from './routes/items';

export type { TasksDeps } from './deps';
export { itemsConsumer } from './consumers/items';

/** Mounts the tasks API on an app (the service's own, or the embedded host's). */
export function registerTasks(app: HttpApp, deps: TasksDeps): void {
  registerItemRoutes(app, deps);
}
