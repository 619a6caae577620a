import type { PrismaClient } from '@duban/db';
import type { Clock, HostedNodes, Logger } from '@duban/kit';
import type { OrgTree } from '@duban/org';

export interface NotificationsDeps {
  prisma: PrismaClient;
  org: OrgTree;
  hosted: HostedNodes;
  clock: Clock;
  logger: Logger;
}
