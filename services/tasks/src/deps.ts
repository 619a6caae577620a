import type pg from 'pg';
import type { PrismaClient } from '@duban/db';
import type { Clock, HostedNodes, Logger } from '@duban/kit';
import type { OrgTree } from '@duban/org';
import type { CalendarSource } from '@duban/calendar';

export interface TasksDeps {
  prisma: PrismaClient;
  /** Raw SQL for the hottest reads (the ledger). */
  pool: pg.Pool;
  org: OrgTree;
  hosted: HostedNodes;
  clock: Clock;
  logger: Logger;
  calendars: CalendarSource;
}
