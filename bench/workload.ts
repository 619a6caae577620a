import { TOPICS, createEvent, uuidv7 } from './deps';
import type { DubanEvent, EventHandler, PrismaClient, TransactionClient } from './deps';

/**
 * Items (event subjects) per run. Keys spread over Kafka's partitions like real item ids, and the
 * writers in flight at any moment touch different items, so the per-subject advisory lock that
 * appendToOutbox takes is paid but never waited on.
 */
export const SUBJECTS = 1000;

/** A realistic catalogue event: a full supervision notice (about 1 KB encoded). */
export function benchEvent(subject: string, n: number): DubanEvent {
  const now = new Date();
  return createEvent({
    type: 'tasks.item.assigned',
    source: 'county',
    to: ['unit-001'],
    subject,
    time: now,
    data: {
      itemId: subject,
      assigner: 'county',
      assignee: 'unit-001',
      title: `关于落实第${n}项年度重点工作任务的督办通知`,
      description: String(n),
      kind: 'annual-target',
      noticeNo: `督〔2026〕${n}号`,
      deadline: '2026-12-31T09:00:00.000Z',
      assignedAt: now.toISOString(),
      source: 'annual-plan',
      mustSupervise: ['annual-target'],
      priority: 'normal',
      leader: '县委副书记',
      responsiblePerson: '办公室主任',
      coUnits: ['unit-002'],
      parentId: null,
      ackDeadline: '2026-12-01T09:00:00.000Z',
      by: 'county-supervisor-01',
      caseRef: null,
      calendarVersion: null,
      deadlineRule: null,
      deadlineProvisional: false,
    },
  });
}

export function newSubjects(count = SUBJECTS): string[] {
  return Array.from({ length: count }, () => uuidv7());
}

export async function createEffectTable(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe(`CREATE TABLE bench_effect (
    event_id uuid NOT NULL, subject text NOT NULL, n int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
}

/** One effect row per event, in the transaction the consumer records the event in its inbox. */
export function benchHandler(): EventHandler {
  return {
    name: 'bench',
    topics: [TOPICS.tasks],
    accepts: () => true,
    async handle(event: DubanEvent, tx: TransactionClient) {
      if (event.type !== 'tasks.item.assigned') return;
      await tx.$executeRaw`INSERT INTO bench_effect (event_id, subject, n)
        VALUES (${event.id}::uuid, ${event.subject}, ${Number(event.data.description)})`;
    },
  };
}

/**
 * Follows a set of events from creation to applied effect. Creation is stamped just before the
 * writer's transaction begins; "applied" is the consumer observer's callback, which runs once the
 * inbox transaction has committed.
 */
export class LagTracker {
  private readonly createdAt = new Map<string, number>();
  readonly lags: number[] = [];
  private readonly expected: number;
  private resolveDone!: () => void;
  readonly done: Promise<void>;
  lastAppliedAt = Number.NaN;

  constructor(expected: number) {
    this.expected = expected;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  created(events: readonly DubanEvent[]): void {
    const now = performance.now();
    for (const e of events) this.createdAt.set(e.id, now);
  }

  /** Whether the event was one of ours (warm-up events belong to another tracker). */
  applied(event: DubanEvent): boolean {
    const created = this.createdAt.get(event.id);
    if (created === undefined) return false;
    const now = performance.now();
    this.createdAt.delete(event.id);
    this.lags.push(now - created);
    this.lastAppliedAt = now;
    if (this.lags.length === this.expected) this.resolveDone();
    return true;
  }

  get applies(): number {
    return this.lags.length;
  }
}
