import { z } from 'zod';
import type { BulletinUnitLine } from '@duban/events';

export const Thresholds = z.object({
  /** A unit below this on-time rate is criticised. */
  criticiseBelowRate: z.number().min(0).max(1).default(0.8),
  /** A unit with at least this many overdue items is criticised. */
  criticiseOverdueAtLeast: z.number().int().min(1).default(2),
  /** A unit at or above this rate, with at least `commendMinDue` items due and none overdue, is commended. */
  commendAtRate: z.number().min(0).max(1).default(1),
  commendMinDue: z.number().int().min(1).default(1),
});
export type Thresholds = z.infer<typeof Thresholds>;

export interface ItemFacts {
  assignee: string;
  deadline: Date;
  reportedAt: Date | null;
  closedAt: Date | null;
}
export interface DecisionFacts {
  unit: string;
  kind: string;
  reason: string;
}

/**
 * Per unit: items whose deadline fell in the period and has passed; on time when the closing report
 * (or the closure) came by the deadline; overdue otherwise, including those still open.
 */
export function unitFigures(items: readonly ItemFacts[], now: Date): BulletinUnitLine[] {
  const byUnit = new Map<string, BulletinUnitLine>();
  for (const item of items) {
    if (item.deadline > now) continue; // not due yet: neither on time nor late
    const line = byUnit.get(item.assignee) ?? {
      unit: item.assignee,
      due: 0,
      closedOnTime: 0,
      overdue: 0,
      onTimeRate: null,
    };
    const delivered = item.reportedAt ?? item.closedAt;
    line.due += 1;
    if (delivered && delivered <= item.deadline) line.closedOnTime += 1;
    else line.overdue += 1;
    byUnit.set(item.assignee, line);
  }
  return [...byUnit.values()]
    .map((l) => ({ ...l, onTimeRate: l.due === 0 ? null : l.closedOnTime / l.due }))
    .sort((a, b) => a.unit.localeCompare(b.unit));
}

export function judge(
  lines: readonly BulletinUnitLine[],
  t: Thresholds,
): { commended: BulletinUnitLine[]; criticised: BulletinUnitLine[] } {
  const criticised = lines.filter(
    (l) =>
      (l.onTimeRate !== null && l.onTimeRate < t.criticiseBelowRate) ||
      l.overdue >= t.criticiseOverdueAtLeast,
  );
  const commended = lines.filter(
    (l) =>
      !criticised.includes(l) &&
      l.overdue === 0 &&
      l.due >= t.commendMinDue &&
      (l.onTimeRate ?? 0) >= t.commendAtRate,
  );
  return { commended, criticised };
}

const percent = (r: number | null) => (r === null ? '—' : `${Math.round(r * 1000) / 10}%`);

/** The draft the office starts from: figures, then who is commended and criticised and why. */
export function draftBulletin(input: {
  issuer: string;
  periodLabel: string;
  lines: readonly BulletinUnitLine[];
  commended: readonly BulletinUnitLine[];
  criticised: readonly BulletinUnitLine[];
  decisions: readonly DecisionFacts[];
  thresholds: Thresholds;
  nameOf: (id: string) => string;
}): { title: string; paragraphs: string[] } {
  const { lines, commended, criticised, nameOf, thresholds: t } = input;
  const due = lines.reduce((s, l) => s + l.due, 0);
  const onTime = lines.reduce((s, l) => s + l.closedOnTime, 0);
  const overdue = lines.reduce((s, l) => s + l.overdue, 0);
  const describe = (l: BulletinUnitLine) =>
    `${nameOf(l.unit)}（到期${l.due}项，按时办结${l.closedOnTime}项，按时办结率${percent(l.onTimeRate)}${l.overdue ? `，逾期${l.overdue}项` : ''}）`;
  const praise = input.decisions.filter((d) => d.kind === 'commendation');
  const blame = input.decisions.filter((d) => d.kind === 'criticism');
  return {
    title: `关于${input.periodLabel}督办事项办理情况的通报`,
    paragraphs: [
      `为进一步压实工作责任，推动督办事项落地见效，现将${input.periodLabel}督办事项办理情况通报如下。`,
      '一、总体情况',
      due === 0
        ? '本期无到期督办事项。'
        : `本期共有${lines.length}个单位的${due}项督办事项到期，按时办结${onTime}项，按时办结率${percent(onTime / due)}；逾期未办结${overdue}项。`,
      '二、表扬单位',
      commended.length === 0 && praise.length === 0
        ? '本期无。'
        : [
            commended.length
              ? `以下单位到期事项全部按时办结，予以通报表扬：${commended.map(describe).join('、')}。`
              : '',
            ...praise.map((d) => `经研究，对${nameOf(d.unit)}予以通报表扬：${d.reason}。`),
          ].join(''),
      '三、批评单位',
      criticised.length === 0 && blame.length === 0
        ? '本期无。'
        : [
            criticised.length
              ? `以下单位按时办结率低于${percent(t.criticiseBelowRate)}或逾期事项达到${t.criticiseOverdueAtLeast}项，予以通报批评：${criticised.map(describe).join('、')}。`
              : '',
            ...blame.map((d) => `经研究，对${nameOf(d.unit)}予以通报批评：${d.reason}。`),
          ].join(''),
      '四、工作要求',
      `被通报批评的单位要认真查找原因，明确整改措施，于5个工作日内将整改情况书面报送${input.issuer}。各单位要以受表扬单位为榜样，对照办理时限逐项推进，确保督办事项按时办结、取得实效。`,
    ],
  };
}
