import { createEvent, uuidv7 } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import type { PrismaClient, TransactionClient } from '@duban/db';
import { TOPICS } from '@duban/events';
import type { EventHandler } from '../consumer';

/** A valid catalogue event about `subject`, numbered so tests can check order. */
export function sampleEvent(subject: string, n: number, at = new Date('2026-03-02T01:00:00Z')): DubanEvent {
  return createEvent({
    type: 'tasks.item.assigned',
    source: 'county',
    to: ['unit-001'],
    subject,
    time: new Date(at.getTime() + n),
    data: {
      itemId: subject,
      assigner: 'county',
      assignee: 'unit-001',
      title: `contract event ${n}`,
      description: String(n),
      kind: 'annual-target',
      noticeNo: `督〔2026〕${n}号`,
      deadline: '2026-12-31T09:00:00.000Z',
      assignedAt: new Date(at.getTime() + n).toISOString(),
      source: 'annual-plan',
      mustSupervise: ['annual-target'],
      priority: 'normal',
      leader: null,
      responsiblePerson: null,
      coUnits: [],
      parentId: null,
      ackDeadline: '2026-12-31T09:00:00.000Z',
      by: 'county:operator',
      caseRef: null,
      calendarVersion: null,
      deadlineRule: null,
      deadlineProvisional: false,
    },
  });
}

export function newSubject(): string {
  return uuidv7();
}

/** The table the contract handler writes its effects to (no unique key, so duplicates would show). */
export async function createEffectTables(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS contract_effect (
    event_id uuid NOT NULL, subject text NOT NULL, n int NOT NULL, consumer text NOT NULL, at timestamptz DEFAULT clock_timestamp())`);
}

/** The contract's consumer: one effect row per event, written in the inbox's transaction. */
export function contractHandler(name = 'contract'): EventHandler {
  return {
    name,
    topics: [TOPICS.tasks],
    accepts: () => true,
    async handle(event: DubanEvent, tx: TransactionClient) {
      if (event.type !== 'tasks.item.assigned') return;
      await tx.$executeRaw`INSERT INTO contract_effect (event_id, subject, n, consumer)
        VALUES (${event.id}::uuid, ${event.subject}, ${Number(event.data.description)}, ${name})`;
    },
  };
}
