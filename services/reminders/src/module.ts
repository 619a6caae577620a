import type { ServiceModule } from '@duban/runtime';
import { calendarConsumer, registerReminders, remindersConsumer, TimerScheduler } from './app';
import type { RemindersConfig } from './config';

export function remindersService(config: RemindersConfig): ServiceModule {
  return {
    name: 'reminders',
    register: (app, ctx) => registerReminders(app, ctx),
    handlers: (ctx) => [remindersConsumer(ctx), calendarConsumer(ctx)],
    start: (ctx) => {
      const scheduler = new TimerScheduler(ctx, {
        pollMs: config.REMINDER_POLL_MS,
        batchSize: config.REMINDER_BATCH,
        loops: config.REMINDER_LOOPS,
      });
      scheduler.start();
      return { stop: () => scheduler.stop(), healthy: () => scheduler.lastError === undefined };
    },
  };
}
