import type pg from 'pg';
import type { PrismaClient } from '@duban/db';
import type { Clock, HostedNodes, Logger } from '@duban/kit';
import type { OrgTree } from '@duban/org';
import type { CalendarSource } from '@duban/calendar';
import type { TransactionClient } from '@duban/db';
import type { DubanEvent } from '@duban/events';

/** How the process's tree changes (the runtime's OrgBook, ADR 0025). */
export interface OrgChanges {
  /** Waits for a re-organisation being recorded and reads it, before an assignment. */
  settle(tx: TransactionClient): Promise<void>;
  /** Records an org event in this transaction (idempotent); throws OrgChangeRefused. */
  record(
    tx: TransactionClient,
    event: Extract<DubanEvent, { type: `org.${string}` }>,
    at: Date,
  ): Promise<boolean>;
}

export interface TasksDeps {
  prisma: PrismaClient;
  /** Raw SQL for the hottest reads (the ledger). */
  pool: pg.Pool;
  org: OrgTree;
  hosted: HostedNodes;
  clock: Clock;
  logger: Logger;
  calendars: CalendarSource;
  /** Absent in tests that run the tasks service without a runtime: the tree never changes there. */
  orgBook?: OrgChanges;
}
