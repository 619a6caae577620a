import { describe, expect, it } from 'vitest';
import { createEvent } from '@duban/events';
import { renderDigest } from './digest';
import { kindOf } from './kinds';
import { afterFailure, nextDigestAt, notBeforeFor, planDeliveries, quietUntil } from './planning';
import type { RecipientView } from './planning';
import { QuietHours } from './kinds';
import { renderFor } from './wording';

const cst = (s: string) => new Date(`${s}+08:00`);

describe('delivery planning', () => {
  it('maps event types to the kinds people choose channels for', () => {
    expect(kindOf('tasks.item.assigned')).toBe('notice');
    expect(kindOf('reminders.item.chased')).toBe('chase');
    expect(kindOf('reminders.item.escalated')).toBe('escalation');
    expect(kindOf('tasks.item.reviewed')).toBe('review');
    expect(kindOf('scoring.decision.recorded')).toBe('decision');
    expect(kindOf('scoring.sanction.imposed')).toBe('sanction');
    expect(kindOf('notifications.bulletin.published')).toBe('bulletin');
    expect(kindOf('tasks.item.progressed')).toBe('other');
  });

  it('plans each person’s channels per kind, holds digests, and sends webhooks to subscribed systems', () => {
    const now = cst('2026-03-04T10:00:00');
    const planned = planDeliveries(
      'chase',
      [
        {
          personId: 'a',
          email: 'a@x.cn',
          phone: '138',
          locale: 'zh-CN',
          preferences: { chase: { channels: ['email', 'sms'], digest: 'immediate' } },
        },
        {
          personId: 'b',
          email: 'b@x.cn',
          phone: null,
          locale: 'en',
          preferences: { default: { channels: ['inbox', 'email', 'sms'], digest: 'weekly' } },
        },
        { personId: 'c', email: 'c@x.cn', phone: null, locale: 'zh-CN', preferences: {} },
      ],
      [
        { id: 'hook-all', url: 'http://a', kinds: [] },
        { id: 'hook-bulletins', url: 'http://b', kinds: ['bulletin'] },
      ],
      now,
    );
    expect(planned.map((p) => `${p.recipient}:${p.channel}:${p.digestAt?.toISOString() ?? 'now'}`)).toEqual([
      'a:email:now',
      'a:sms:now',
      `b:email:${cst('2026-03-09T08:00:00').toISOString()}`, // next Monday 08:00; b has no phone
      'hook-all:webhook:now',
    ]);
  });

  it('picks each person’s chat channels per kind, one group message per robot with everyone @-mentioned', () => {
    const now = cst('2026-03-04T10:00:00');
    const people: RecipientView[] = [
      {
        personId: '王科员',
        email: 'wang@x.cn',
        phone: '13800000002',
        locale: 'zh-CN',
        wecomUserId: 'WangKeYuan',
        preferences: {
          notice: { channels: ['inbox', 'wecom', 'sms'], digest: 'immediate' },
          chase: { channels: ['inbox', 'dingtalk'], digest: 'immediate' },
        },
      },
      {
        personId: '赵主任',
        email: null,
        phone: '13900000003',
        locale: 'zh-CN',
        wecomUserId: null, // no userid: the WeCom group instead
        preferences: { default: { channels: ['inbox', 'wecom', 'dingtalk'], digest: 'immediate' } },
      },
    ];
    const plan = (
      kind: 'notice' | 'chase',
      channels = { wecomApp: true, wecomRobot: true, dingtalkRobot: true },
    ) =>
      planDeliveries(kind, people, [], now, { channels }).map(
        (p) => `${p.recipient}:${p.channel}:${p.address}`,
      );
    expect(plan('notice')).toEqual([
      '王科员:sms:13800000002',
      '王科员:wecom:WangKeYuan',
      'wecom-robot:wecom-robot:13900000003',
      'dingtalk-robot:dingtalk-robot:13900000003',
    ]);
    expect(plan('chase')).toEqual([
      'wecom-robot:wecom-robot:13900000003',
      'dingtalk-robot:dingtalk-robot:13800000002,13900000003',
    ]);
    // A node without the chat channels configured: nobody is planned on them (the inbox still has it).
    expect(plan('chase', { wecomApp: false, wecomRobot: false, dingtalkRobot: false })).toEqual([]);
    expect(plan('notice', { wecomApp: false, wecomRobot: true, dingtalkRobot: false })).toEqual([
      '王科员:sms:13800000002',
      'wecom-robot:wecom-robot:13800000002,13900000003',
    ]);
  });

  it('holds an SMS in quiet hours until they end, and lets an urgent kind through', () => {
    const quiet = QuietHours.parse({ from: '22:00', to: '07:00' });
    expect(quiet).toEqual({ from: '22:00', to: '07:00', timeZone: 'Asia/Shanghai', channels: ['sms'] });
    expect(quietUntil(quiet, cst('2026-03-04T21:59:59'))).toBeNull();
    expect(quietUntil(quiet, cst('2026-03-04T22:00:00'))).toEqual(cst('2026-03-05T07:00:00'));
    expect(quietUntil(quiet, cst('2026-03-05T03:17:42'))).toEqual(cst('2026-03-05T07:00:00'));
    expect(quietUntil(quiet, cst('2026-03-05T07:00:00'))).toBeNull();
    // A daytime window, and another time zone (Xinjiang time, UTC+6).
    const day = QuietHours.parse({ from: '12:00', to: '14:30', timeZone: 'Asia/Urumqi' });
    expect(quietUntil(day, new Date('2026-03-04T06:10:00Z'))).toEqual(new Date('2026-03-04T08:30:00Z'));
    expect(quietUntil(day, new Date('2026-03-04T08:30:00Z'))).toBeNull();
    expect(QuietHours.safeParse({ from: '22:00', to: '22:00' }).success).toBe(false);
    expect(QuietHours.safeParse({ from: '22:00', to: '07:00', timeZone: 'Mars/Olympus' }).success).toBe(
      false,
    );

    const night = cst('2026-03-04T23:30:00');
    const person: RecipientView = {
      personId: 'a',
      email: 'a@x.cn',
      phone: '138',
      locale: 'zh-CN',
      quietHours: quiet,
      preferences: { default: { channels: ['email', 'sms'], digest: 'immediate' } },
    };
    const at = (kind: 'notice' | 'escalation') =>
      planDeliveries(kind, [person], [], night).map(
        (p) => `${p.channel}:${p.notBefore?.toISOString() ?? 'now'}`,
      );
    expect(at('notice')).toEqual(['email:now', `sms:${cst('2026-03-05T07:00:00').toISOString()}`]);
    expect(at('escalation')).toEqual(['email:now', 'sms:now']);
    // Urgent kinds are the deployment's choice; digests are never urgent.
    expect(notBeforeFor(quiet, 'sms', 'escalation', night, ['chase'])).toEqual(cst('2026-03-05T07:00:00'));
    expect(notBeforeFor(quiet, 'sms', 'digest', night)).toEqual(cst('2026-03-05T07:00:00'));
    expect(notBeforeFor(quiet, 'email', 'notice', night)).toBeNull();
  });

  it('finds the next daily and weekly digest time in Beijing time', () => {
    expect(nextDigestAt('daily', cst('2026-03-04T07:59:00'))).toEqual(cst('2026-03-04T08:00:00'));
    expect(nextDigestAt('daily', cst('2026-03-04T08:00:00'))).toEqual(cst('2026-03-05T08:00:00'));
    expect(nextDigestAt('weekly', cst('2026-03-09T07:00:00'))).toEqual(cst('2026-03-09T08:00:00'));
    expect(nextDigestAt('weekly', cst('2026-03-09T09:00:00'))).toEqual(cst('2026-03-16T08:00:00'));
  });

  it('backs off exponentially up to a cap, then gives up', () => {
    const policy = { maxAttempts: 4, baseMs: 1000, maxMs: 3000 };
    const t0 = new Date(0);
    expect(afterFailure(1, policy, t0)).toEqual({ dead: false, at: new Date(1000) });
    expect(afterFailure(2, policy, t0)).toEqual({ dead: false, at: new Date(2000) });
    expect(afterFailure(3, policy, t0)).toEqual({ dead: false, at: new Date(3000) });
    expect(afterFailure(4, policy, t0)).toEqual({ dead: true });
  });

  it('renders a digest, and an admin’s template with the event’s fields', () => {
    const digest = renderDigest(
      [
        { title: '逾期催办通知', body: '请抓紧办理', at: new Date(2) },
        { title: '督办通知：整改信访积案', body: '请按时办结', at: new Date(1) },
      ],
      cst('2026-03-05T08:00:00'),
      'zh-CN',
      false,
    );
    expect(digest.title).toBe('督办消息日报（2026年3月5日，共2条）');
    expect(digest.body.indexOf('督办通知')).toBeLessThan(digest.body.indexOf('逾期催办'));

    const time = cst('2026-04-01T09:00:00');
    const chased = createEvent({
      type: 'reminders.item.chased',
      source: 'county',
      to: ['unit-002'],
      subject: '01a21969-9769-7019-bd16-894046c030b2',
      time,
      data: {
        itemId: '01a21969-9769-7019-bd16-894046c030b2',
        assigner: 'county',
        assignee: 'unit-002',
        deadline: '2026-03-31T09:00:00.000Z',
        chasedAt: time.toISOString(),
        chaseNo: 2,
        kind: 'overdue',
        ccRoles: [],
      },
    });
    const names = (id: string) => ({ county: '睢县县委督查室', 'unit-002': '县人大常委会办公室' })[id] ?? id;
    expect(
      renderFor(chased, 'zh-CN', names, {
        title: '第{{chaseNo}}次催办',
        body: '{{assigneeName}}：时限{{deadline}}已过。{{defaultBody}}',
      }),
    ).toEqual({
      title: '第2次催办',
      body: '县人大常委会办公室：时限2026年3月31日 17:00已过。督办事项已超过办理期限（2026年3月31日 17:00），请抓紧办理并立即报送办理结果。本通知抄送单位主要负责人。',
    });
    expect(renderFor(chased, 'en', names).title).toBe('Chase notice');
  });
});
