import type { HttpApp } from '@duban/kit';
import type { RemindersDeps } from './deps';
import { registerTimerRoutes } from './routes/timers';

export type { RemindersDeps } from './deps';
export { remindersConsumer } from './consumers/items';
export { calendarConsumer } from './consumers/calendar';
export { TimerScheduler } from './scheduler';
export { DEFAULT_POLICIES, ReminderPolicy } from './domain/policy';

export function registerReminders(app: HttpApp, deps: RemindersDeps): void {
  registerTimerRoutes(app, deps);
}
