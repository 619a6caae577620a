import { parseConfig } from '@duban/kit';
import type { Clock, Logger } from '@duban/kit';
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
  /** Default: from the config (SMTP_URL, SMS_GATEWAY_URL, NOTIFY_CHANNELS; webhooks always). */
  channels?: Channels;
  failpoints?: DeliveryFailpoints;
  wallClock?: Clock;
}

/** The notifications service: inbox routes and consumer, admin API, documents, the delivery worker. */
export function notificationsServiceWith(options: NotificationsOptions = {}): ServiceModule {
  // Parsed once, when the consumer or the worker first needs it: a bad NOTIFY_CHANNELS stops the start.
  let resolved: { config: NotificationsConfig; channels: Channels } | undefined;
  const resolve = (logger: Logger) => {
    if (!resolved) {
      const config = options.config ?? parseConfig(NotificationsConfig);
      resolved = { config, channels: options.channels ?? channelsFromConfig(config, logger) };
    }
    return resolved;
  };
  return {
    name: 'notifications',
    register: (app, ctx) => registerNotifications(app, ctx),
    handlers: (ctx) => {
      const { config, channels } = resolve(ctx.logger);
      return [
        inboxConsumer(ctx, (nodeId) => ({
          ...(channels.nodes ? { channels: channels.nodes.view(nodeId) } : {}),
          urgentKinds: config.NOTIFY_URGENT_KINDS,
        })),
      ];
    },
    start: (ctx) => {
      const { config, channels } = resolve(ctx.logger);
      const worker = new DeliveryWorker(ctx, {
        config,
        channels,
        ...(options.failpoints ? { failpoints: options.failpoints } : {}),
        ...(options.wallClock ? { wallClock: options.wallClock } : {}),
      });
      worker.start();
      return { stop: () => worker.stop(), healthy: () => worker.lastError === undefined };
    },
  };
}

export const notificationsService: ServiceModule = notificationsServiceWith();
