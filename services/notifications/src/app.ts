import type { HttpApp } from '@duban/kit';
import type { NotificationsDeps } from './deps';
import { registerInboxRoutes } from './routes/inbox';

export type { NotificationsDeps } from './deps';
export { inboxConsumer } from './consumers/inbox';

export function registerNotifications(app: HttpApp, deps: NotificationsDeps): void {
  registerInboxRoutes(app, deps);
}
