import { appendToOutbox } from '@duban/bus';
import type { RemindersDeps } from './deps';
import { fireTimer } from './domain/ladder';
import { timerRepository } from './repositories/timers';

/**
 * Fires due timers from PostgreSQL. Durable (timers are rows), exactly-once (claim + event + mark in
 * one transaction) and catching up after downtime: each overdue timer fires once, not once per
 * missed tick.
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
    const now = this.deps.clock.now();
    const nodeIds = this.deps.hosted.list();
    return this.deps.prisma.$transaction(async (tx) => {
      const due = await timerRepository.claimDue(tx, nodeIds, now, this.options.batchSize ?? 200);
      for (const timer of due) {
        const item = await timerRepository.tracked(tx, timer.nodeId, timer.itemId, timer.nodeId);
        if (!item) continue;
        const events = fireTimer(item, timer, {
          now,
          parentOf: (id) => this.deps.org.parentOf(id)?.id,
        });
        await appendToOutbox(tx, events);
      }
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
