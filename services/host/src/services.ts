import { analyticsService } from '@duban/analytics';
import { consoleService } from '@duban/console';
import { notificationsService } from '@duban/notifications';
import { RemindersConfig, remindersConfigFromEnv, remindersService } from '@duban/reminders';
import type { ServiceModule } from '@duban/runtime';
import { scoringService } from '@duban/scoring';
import { tasksService } from '@duban/tasks';

/**
 * All four services, the analysts' projector and the web console, for the all-in-one host. This package is the only code that imports several
 * services; they never import each other.
 */
/** Reminders settings not given take their defaults (tests give only what they change). */
export function allServices(reminders: Partial<RemindersConfig> = remindersConfigFromEnv()): ServiceModule[] {
  return [
    tasksService,
    remindersService(RemindersConfig.parse(reminders)),
    scoringService,
    notificationsService,
    analyticsService,
    consoleService,
  ];
}
