/** Time comes from here, never from `new Date()` in domain or service code, so tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: a year of county work replays in seconds. */
export class VirtualClock implements Clock {
  private current: number;
  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    const t = new Date(to).getTime();
    if (t < this.current) throw new Error('a virtual clock does not go backwards');
    this.current = t;
  }
  advance(ms: number): void {
    this.set(new Date(this.current + ms));
  }
}
