import { consoleService } from '@duban/console';
import { notificationsService } from '@duban/notifications';
import { remindersConfigFromEnv, remindersService } from '@duban/reminders';
import type { RemindersConfig } from '@duban/reminders';
import type { ServiceModule } from '@duban/runtime';
import { scoringService } from '@duban/scoring';
import { tasksService } from '@duban/tasks';

/**
 * All four services and the web console, for the all-in-one host. This package is the only code that imports several
 * services; they never import each other.
 */
export function allServices(reminders: RemindersConfig = remindersConfigFromEnv()): ServiceModule[] {
  return [tasksService, remindersService(reminders), scoringService, notificationsService, consoleService];
}
