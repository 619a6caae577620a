import type { ItemFacts } from './facts';

/**
 * The office's statistics, each defined once here (docs/statistics.md explains them):
 * - population: the items assigned in the period (plan items excluded);
 * - 办结率 closure rate: closed now / items;
 * - on-time closure rate: closed the first time by the deadline in force then / items;
 * - acknowledgement on time: 签收 by the acknowledgement deadline / items;
 * - 退回重办率 return rate: items returned at least once / items reported at least once;
 * - 复查复议率 re-review rate: items reopened at least once / items closed at least once;
 * - hotline satisfaction: (satisfied + basically satisfied) / hotline items with the citizen's verdict.
 * A rate with an empty denominator is null, not 0 or 100%.
 */
export interface Statistics {
  items: number;
  closed: number;
  closureRate: number | null;
  closedOnTime: number;
  onTimeClosureRate: number | null;
  acknowledgedOnTime: number;
  ackOnTimeRate: number | null;
  reported: number;
  returned: number;
  returnRate: number | null;
  closedOnce: number;
  reopened: number;
  reReviewRate: number | null;
  hotlineRated: number;
  hotlineSatisfied: number;
  hotlineSatisfaction: number | null;
  overdueOpen: number;
}

export interface Period {
  /** Inclusive, ISO instant. */
  from?: string | undefined;
  /** Exclusive, ISO instant. */
  to?: string | undefined;
}

const rate = (n: number, d: number): number | null => (d === 0 ? null : Math.round((n / d) * 10000) / 10000);

export function inPeriod(f: ItemFacts, period: Period): boolean {
  return (!period.from || f.assignedAt >= period.from) && (!period.to || f.assignedAt < period.to);
}

export function computeStatistics(all: readonly ItemFacts[], period: Period = {}, now?: string): Statistics {
  const facts = all.filter((f) => inPeriod(f, period));
  const count = (p: (f: ItemFacts) => boolean) => facts.reduce((n, f) => n + (p(f) ? 1 : 0), 0);
  const items = facts.length;
  const closed = count((f) => f.closedAt !== null);
  const closedOnTime = count((f) => f.closedOnTime);
  const acknowledgedOnTime = count((f) => f.acknowledgedAt !== null && f.acknowledgedAt <= f.ackDeadline);
  const reported = count((f) => f.reportedOnce);
  const returned = count((f) => f.returns > 0);
  const closedOnce = count((f) => f.closedOnce);
  const reopened = count((f) => f.reopens > 0);
  const rated = facts.filter((f) => f.kind === 'hotline' && f.satisfaction !== null);
  const satisfied = rated.filter((f) => f.satisfaction !== 'unsatisfied').length;
  const overdueOpen = now ? count((f) => f.closedAt === null && f.deadline < now) : 0;
  return {
    items,
    closed,
    closureRate: rate(closed, items),
    closedOnTime,
    onTimeClosureRate: rate(closedOnTime, items),
    acknowledgedOnTime,
    ackOnTimeRate: rate(acknowledgedOnTime, items),
    reported,
    returned,
    returnRate: rate(returned, reported),
    closedOnce,
    reopened,
    reReviewRate: rate(reopened, closedOnce),
    hotlineRated: rated.length,
    hotlineSatisfied: satisfied,
    hotlineSatisfaction: rate(satisfied, rated.length),
    overdueOpen,
  };
}

/** The same statistics per group (unit, township, kind, …). */
export function groupStatistics(
  facts: readonly ItemFacts[],
  groupOf: (f: ItemFacts) => string | undefined,
  period: Period = {},
  now?: string,
): Record<string, Statistics> {
  const groups = new Map<string, ItemFacts[]>();
  for (const f of facts) {
    const key = groupOf(f);
    if (key === undefined) continue;
    const list = groups.get(key) ?? [];
    list.push(f);
    groups.set(key, list);
  }
  return Object.fromEntries(
    [...groups]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, computeStatistics(v, period, now)]),
  );
}
