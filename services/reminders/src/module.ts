import type { ServiceModule } from '@duban/runtime';
import { registerReminders, remindersConsumer, TimerScheduler } from './app';
import { policyOf } from './config';
import type { RemindersConfig } from './config';

export function remindersService(config: RemindersConfig): ServiceModule {
  const policy = policyOf(config);
  return {
    name: 'reminders',
    register: (app, ctx) => registerReminders(app, { ...ctx, policy }),
    handlers: (ctx) => [remindersConsumer({ ...ctx, policy })],
    start: (ctx) => {
      const scheduler = new TimerScheduler({ ...ctx, policy }, { pollMs: config.REMINDER_POLL_MS });
      scheduler.start();
      return { stop: () => scheduler.stop(), healthy: () => scheduler.lastError === undefined };
    },
  };
}
