import { appendToOutbox } from '@duban/bus';
import { SCHEDULER_DEFAULTS } from './config';
import type { RemindersDeps } from './deps';
import { calendarFor } from './consumers/items';
import { fireTimer } from './domain/ladder';
import { timerRepository } from './repositories/timers';

/**
 * Fires due timers from PostgreSQL. Durable (timers are rows), exactly-once (the claim that moves a
 * timer to timer_done, its events and the next timers in one transaction: a crash before the commit
 * leaves the timer pending, after it leaves it fired), and catching up after downtime: each overdue
 * timer fires once, and a periodic reminder plans its next occurrence after now, not one per missed period. A full batch is followed
 * by the next at once; otherwise the loop sleeps until the next timer is due (at most the poll
 * interval, so timers scheduled meanwhile and a moved virtual clock are seen soon).
 */
export class TimerScheduler {
  private running = false;
  private loop: Promise<void> | undefined;
  lastError: unknown;

  constructor(
    private readonly deps: RemindersDeps,
    private readonly options: { pollMs?: number; batchSize?: number; loops?: number } = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    // Several loops share the work through SKIP LOCKED; each holds one connection while it fires.
    this.loop = Promise.all(
      Array.from({ length: Math.max(1, this.options.loops ?? SCHEDULER_DEFAULTS.loops) }, () => this.run()),
    ).then(() => undefined);
  }

  /** Wakes the loops now (e.g. after a virtual clock moved). */
  kick(): void {
    for (const wake of [...this.wakeUps]) wake();
  }

  private readonly wakeUps = new Set<() => void>();

  private async run(): Promise<void> {
    const pollMs = this.options.pollMs ?? SCHEDULER_DEFAULTS.pollMs;
    const batchSize = this.options.batchSize ?? SCHEDULER_DEFAULTS.batchSize;
    while (this.running) {
      let sleepMs = pollMs;
      try {
        const fired = await this.fireDue();
        this.lastError = undefined;
        if (fired >= batchSize) continue;
        const next = await timerRepository.nextDue(this.deps.prisma, this.deps.hosted.list());
        if (next) {
          const wait = next.getTime() - this.deps.clock.now().getTime();
          // Due already but not claimed: another loop holds it; give it a moment to commit.
          sleepMs = wait > 0 ? Math.min(pollMs, wait) : fired > 0 ? 0 : 5;
        }
      } catch (error) {
        if (this.lastError === undefined)
          this.deps.logger.error({ err: error }, 'timer scheduler failed; retrying');
        this.lastError = error;
      }
      if (sleepMs === 0) continue;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.wakeUps.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, sleepMs);
        this.wakeUps.add(wake);
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
    // One batch is a handful of statements whatever its size (claim and move, states, counts, outbox,
    // next timers): a burst of timers due at the same instant costs per batch, not per timer.
    return this.deps.prisma.$transaction(async (tx) => {
      const due = await timerRepository.claimDue(
        tx,
        nodeIds,
        now,
        this.options.batchSize ?? SCHEDULER_DEFAULTS.batchSize,
      );
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
        // 机构调整: between a merge and the transfer reaching this consumer, chase the successor.
        const assignee = item.state.assignee;
        const state = org.has(assignee) ? { ...item.state, assignee: org.current(assignee) } : item.state;
        const fired = fireTimer(state, timer, calendarFor(this.deps, item.state.calendarVersion), {
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
      return due.length;
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
  }
}
