import { describe, expect, it } from 'vitest';
import { createEvent } from '@duban/events';
import { formatChinaTime, render } from './templates';

const names: Record<string, string> = { county: '睢县县委督查室', 'unit-002': '县人大常委会办公室' };
const nameOf = (id: string) => names[id] ?? id;

describe('inbox templates', () => {
  it('writes Beijing time the way the office does', () => {
    expect(formatChinaTime('2026-12-31T09:00:00.000Z')).toBe('2026年12月31日 17:00');
  });

  it('renders a chase and an escalation in Chinese with the units’ names', () => {
    const parties = {
      itemId: '01a21969-9769-7019-bd16-894046c030b2',
      assigner: 'county',
      assignee: 'unit-002',
    };
    const time = new Date('2026-04-01T01:00:00Z');
    const chased = createEvent({
      type: 'reminders.item.chased',
      source: 'county',
      to: ['unit-002'],
      subject: parties.itemId,
      time,
      data: {
        ...parties,
        deadline: '2026-03-31T09:00:00.000Z',
        chasedAt: time.toISOString(),
        chaseNo: 1,
        kind: 'overdue',
        ccRoles: ['unit-head'],
      },
    });
    expect(render(chased, nameOf)).toEqual({
      title: '逾期催办通知',
      body: '督办事项已超过办理期限（2026年3月31日 17:00），请抓紧办理并立即报送办理结果。本通知抄送单位主要负责人。',
    });
    const escalated = createEvent({
      type: 'reminders.item.escalated',
      source: 'county',
      to: ['county'],
      subject: parties.itemId,
      time,
      data: {
        ...parties,
        deadline: '2026-03-31T09:00:00.000Z',
        escalatedAt: time.toISOString(),
        level: 2,
        step: 'supervisor',
        leader: null,
        escalatedTo: 'county',
        reason: '单位主要负责人督办后仍未办结，提请上级督查部门督办',
      },
    });
    expect(render(escalated, nameOf)).toMatchObject({ title: '督办升级（第2级：上级督查部门）' });
    expect(render(escalated, nameOf).body).toContain('县人大常委会办公室承办的督办事项逾期未办结');
  });
});
