import { createHash } from 'node:crypto';
import { AppError } from './errors';

/**
 * The nodes one process serves: all 113 in the embedded default, one in the distributed mode.
 * Every route is under /nodes/:nodeId and refuses a node this process does not host.
 */
export class HostedNodes {
  private readonly ids: Set<string>;
  /** Fixed when the process starts: nodes added later (机构调整) must not change the groups. */
  readonly hostId: string;
  constructor(ids: Iterable<string>) {
    this.ids = new Set(ids);
    if (this.ids.size === 0) throw new Error('a process must host at least one node');
    this.hostId = HostedNodes.hostIdOf(this.ids);
  }
  /**
   * Serves one more node from now on (a unit the county added while this process hosts the whole
   * county). The host id stays what the initial set made it (ADR 0025).
   */
  add(id: string): void {
    this.ids.add(id);
  }
  has(id: string): boolean {
    return this.ids.has(id);
  }
  list(): string[] {
    return [...this.ids];
  }
  get size(): number {
    return this.ids.size;
  }
  /**
   * The consumer host id: the node itself when one is hosted; else one derived from the set of
   * hosted nodes, so two processes hosting different sets never share a consumer group (and never
   * skip each other's events).
   */
  static hostIdOf(set: Iterable<string>): string {
    const ids = [...set].sort();
    if (ids.length === 1) return ids[0]!;
    return `hosts-${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 12)}`;
  }
  require(id: string): string {
    if (!this.ids.has(id))
      throw new AppError('not_found', 'node.not_hosted', `node ${id} is not served here`);
    return id;
  }
}

/** The year an instant falls in, in China Standard Time (UTC+8, no daylight saving). */
export function chinaYear(at: Date): number {
  return new Date(at.getTime() + 8 * 3600_000).getUTCFullYear();
}
