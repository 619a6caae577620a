import type { CalendarSource } from '@duban/calendar';
import type { PrismaClient } from '@duban/db';
import type { Clock, HostedNodes, Logger } from '@duban/kit';
import type { OrgTree } from '@duban/org';

export interface RemindersDeps {
  prisma: PrismaClient;
  org: OrgTree;
  hosted: HostedNodes;
  clock: Clock;
  logger: Logger;
  calendars: CalendarSource;
}
