import { parseConfig } from '@duban/kit';
import type { Clock } from '@duban/kit';
import type { ServiceModule } from '@duban/runtime';
import { inboxConsumer, registerNotifications } from './app';
import { channelsFromConfig } from './channels';
import type { Channels } from './channels';
import { NotificationsConfig } from './config';
import { DeliveryWorker } from './worker';
import type { DeliveryFailpoints } from './worker';

export interface NotificationsOptions {
  /** Default: parsed from the environment when the service starts. */
  config?: NotificationsConfig;
  /** Default: from the config (SMTP_URL, SMS_GATEWAY_URL; webhooks always). */
  channels?: Channels;
  failpoints?: DeliveryFailpoints;
  wallClock?: Clock;
}

/** The notifications service: inbox routes and consumer, admin API, documents, the delivery worker. */
export function notificationsServiceWith(options: NotificationsOptions = {}): ServiceModule {
  return {
    name: 'notifications',
    register: (app, ctx) => registerNotifications(app, ctx),
    handlers: (ctx) => [inboxConsumer(ctx)],
    start: (ctx) => {
      const config = options.config ?? parseConfig(NotificationsConfig);
      const worker = new DeliveryWorker(ctx, {
        config,
        channels: options.channels ?? channelsFromConfig(config, ctx.logger),
        ...(options.failpoints ? { failpoints: options.failpoints } : {}),
        ...(options.wallClock ? { wallClock: options.wallClock } : {}),
      });
      worker.start();
      return { stop: () => worker.stop(), healthy: () => worker.lastError === undefined };
    },
  };
}

export const notificationsService: ServiceModule = notificationsServiceWith();
