import type { HttpApp } from '@duban/kit';
import type { RemindersDeps } from './deps';
import { registerTimerRoutes } from './routes/timers';

export type { RemindersDeps } from './deps';
export { remindersConsumer } from './consumers/items';
export { TimerScheduler } from './scheduler';
export { DEFAULT_POLICY } from './domain/ladder';
export type { ReminderPolicy } from './domain/ladder';

export function registerReminders(app: HttpApp, deps: RemindersDeps): void {
  registerTimerRoutes(app, deps);
}
