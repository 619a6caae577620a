import type { PrismaClient } from '@duban/db';
import type { Clock, HostedNodes, Logger } from '@duban/kit';
import type { OrgTree } from '@duban/org';
import type { ReminderPolicy } from './domain/ladder';

export interface RemindersDeps {
  prisma: PrismaClient;
  org: OrgTree;
  hosted: HostedNodes;
  clock: Clock;
  logger: Logger;
  policy: ReminderPolicy;
}
