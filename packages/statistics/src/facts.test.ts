import { describe, expect, it } from 'vitest';
import type { DubanEvent } from '@duban/events';
import { foldFacts } from './facts';
import { computeStatistics, groupStatistics } from './statistics';

const ITEM = '01a21969-9769-7019-bd16-894046c030b2';
const envelope = {
  version: 1,
  to: [],
  subject: ITEM,
  correlationId: ITEM,
  causationId: null,
  signature: null,
};
const parties = { itemId: ITEM, assigner: 'county', assignee: 'unit-002' };

describe('item facts through a transfer (机构调整)', () => {
  it('count the item under the successor, keep who had it, and leave the totals alone', () => {
    const assigned = {
      ...envelope,
      id: '01a21969-9769-7019-bd16-000000000001',
      type: 'tasks.item.assigned',
      source: 'county',
      time: '2026-11-02T01:00:00.000Z',
      data: {
        ...parties,
        title: '完成年度政务公开目标',
        description: '',
        kind: 'annual-target',
        noticeNo: '督〔2026〕7号',
        deadline: '2026-11-30T09:00:00.000Z',
        assignedAt: '2026-11-02T01:00:00.000Z',
      },
    } as unknown as DubanEvent;
    const transferred = {
      ...envelope,
      id: '01a21969-9769-7019-bd16-000000000002',
      type: 'tasks.item.transferred',
      source: 'county',
      time: '2026-11-05T01:00:00.000Z',
      data: { ...parties, to: 'unit-003', reason: 'merged' },
    } as unknown as DubanEvent;
    const before = foldFacts(null, assigned)!;
    const after = foldFacts(before, transferred)!;
    expect(after).toMatchObject({ assignee: 'unit-003', transferredFrom: ['unit-002'], assigner: 'county' });
    expect(Object.keys(groupStatistics([after], (f) => f.assignee))).toEqual(['unit-003']);
    expect(computeStatistics([after])).toEqual(computeStatistics([before]));
  });
});
