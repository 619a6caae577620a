import type { FreshDatabase } from '@duban/db';
import { allServices } from '@duban/host';
// test/ has no nodemailer or smtp-server of its own: the service's module and test helpers bring them.
import { notificationsServiceWith } from '../../services/notifications/src/module';
import type { NotificationsOptions } from '../../services/notifications/src/module';
import { TestNetwork } from './harness';
import type { NetworkNode } from './harness';

/**
 * The test network, with each node's notifications service built from options the test chooses
 * (SMTP and SMS endpoints, a failpoint in the delivery worker).
 */
export class NotificationsNetwork extends TestNetwork {
  startWith(nodeId: string, options: NotificationsOptions, existing?: FreshDatabase): Promise<NetworkNode> {
    const services = allServices({ REMINDER_POLL_MS: 50 }).map((s) =>
      s.name === 'notifications' ? notificationsServiceWith(options) : s,
    );
    return this.start(nodeId, existing, services);
  }
}
