/**
 * Things to undo, undone last-first. A benchmark creates databases, topics and servers; an
 * interrupted run must not leave them behind, so every scope still open is closed on SIGINT/SIGTERM.
 */
export class Scope {
  private static readonly open = new Set<Scope>();
  private readonly undo: Array<{ what: string; fn: () => Promise<unknown> }> = [];

  constructor() {
    Scope.open.add(this);
  }

  defer(what: string, fn: () => Promise<unknown>): void {
    this.undo.push({ what, fn });
  }

  async close(): Promise<void> {
    Scope.open.delete(this);
    for (const { what, fn } of this.undo.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        console.error(`[bench] cleanup: ${what} failed: ${(error as Error).message}`);
      }
    }
  }

  static async closeAll(): Promise<void> {
    for (const scope of [...Scope.open].reverse()) await scope.close();
  }
}

/**
 * Closes every open scope before the process ends abnormally: on SIGINT/SIGTERM, and on an
 * uncaught exception (e.g. a pg client whose server went away between queries emits an 'error'
 * nobody listens to), which would otherwise leave the run's databases and topics behind.
 */
export function closeScopesOnSignals(): void {
  let closing = false;
  const closeAndExit = (why: string, code: number) => {
    if (closing) return;
    closing = true;
    console.error(`\n[bench] ${why}: cleaning up before exiting`);
    void Scope.closeAll().finally(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => closeAndExit(signal, 130));
  process.on('uncaughtException', (error) => {
    console.error('[bench] uncaught exception:', error);
    closeAndExit('uncaught exception', 1);
  });
}
