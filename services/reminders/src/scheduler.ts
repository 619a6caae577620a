import { appendToOutbox } from '@duban/bus';
import type { RemindersDeps } from './deps';
import { calendarFor } from './consumers/items';
import { fireTimer } from './domain/ladder';
import { timerRepository } from './repositories/timers';

/**
 * Fires due timers from PostgreSQL. Durable (timers are rows), exactly-once (claim, event and
 * `fired` mark in one transaction: a crash before the commit leaves the timer pending, after it
 * leaves it fired), and catching up after downtime: each overdue timer fires once, and a periodic
 * reminder plans its next occurrence after now, not one per missed period.
 */
export class TimerScheduler {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  lastError: unknown;

  constructor(
    private readonly deps: RemindersDeps,
    private readonly options: { pollMs?: number; batchSize?: number } = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Wakes the loop now (e.g. after a virtual clock moved). */
  kick(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    const pollMs = this.options.pollMs ?? 250;
    while (this.running) {
      try {
        const fired = await this.fireDue();
        this.lastError = undefined;
        if (fired > 0) continue;
      } catch (error) {
        if (this.lastError === undefined)
          this.deps.logger.error({ err: error }, 'timer scheduler failed; retrying');
        this.lastError = error;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Fires one batch of due timers; returns how many it claimed. */
  async fireDue(): Promise<number> {
    // A calendar amendment another process stored (or the calendar consumer applied) shows up here.
    await this.deps.calendars.refresh();
    const now = this.deps.clock.now();
    const nodeIds = this.deps.hosted.list();
    const { org } = this.deps;
    const countyOfficeOf = (id: string) =>
      [org.get(id), ...org.ancestors(id)].find((n) => n.kind === 'county-office')?.id ?? id;
    // One batch is a handful of statements whatever its size (claim, states, counts, outbox, next
    // timers, mark): a burst of timers due at the same instant costs per batch, not per timer.
    return this.deps.prisma.$transaction(async (tx) => {
      const due = await timerRepository.claimDue(tx, nodeIds, now, this.options.batchSize ?? 500);
      if (due.length === 0) return 0;
      const tracked = await timerRepository.findMany(tx, due);
      const chases = await timerRepository.countFiredMany(
        tx,
        due.filter((t) => t.kind !== 'escalation'),
      );
      const events: Parameters<typeof appendToOutbox>[1][number][] = [];
      const next: Parameters<typeof timerRepository.scheduleMany>[1][number][] = [];
      for (const timer of due) {
        const item = tracked.get(`${timer.nodeId}|${timer.itemId}`);
        // A timer of an older round was replaced when its item was re-planned.
        if (!item || timer.round !== item.round) continue;
        const fired = fireTimer(item.state, timer, calendarFor(this.deps, item.state.calendarVersion), {
          now,
          parentOf: (id) => org.parentOf(id)?.id,
          countyOfficeOf,
          chasesBefore:
            timer.kind === 'escalation'
              ? 0
              : (chases.get(`${timer.nodeId}|${timer.itemId}|${timer.kind}`) ?? 0),
        });
        events.push(...fired.events);
        if (fired.next)
          next.push({ nodeId: timer.nodeId, itemId: timer.itemId, round: item.round, timer: fired.next });
      }
      await appendToOutbox(tx, events);
      await timerRepository.scheduleMany(tx, next, now);
      await timerRepository.markFired(
        tx,
        due.map((t) => t.id),
        now,
      );
      return due.length;
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }
}
