import type { HttpApp } from '@duban/kit';
import type { NotificationsDeps } from './deps';
import { registerAdminRoutes } from './routes/admin';
import { registerDocumentRoutes } from './routes/documents';
import { registerInboxRoutes } from './routes/inbox';

export type { NotificationsDeps } from './deps';
export { inboxConsumer } from './consumers/inbox';

export function registerNotifications(app: HttpApp, deps: NotificationsDeps): void {
  registerInboxRoutes(app, deps);
  registerAdminRoutes(app, deps);
  registerDocumentRoutes(app, deps);
}
