import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, createPrisma } from '@duban/db';
import type { FreshDatabase, PrismaClient } from '@duban/db';
import { createEvent } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import { HostedNodes, VirtualClock, createLogger } from '@duban/kit';
import { demoCounty } from '@duban/org';
import { NotificationsConfig } from '../config';
import { inboxConsumer } from '../consumers/inbox';
import type { NotificationsDeps } from '../deps';
import type { Preferences } from '../domain/kinds';
import { recipientRepository } from '../repositories/recipients';
import {
  startAliyunSmsServer,
  startDingtalkServer,
  startTencentSmsServer,
  startWecomServer,
} from '../testing/servers';
import { DeliveryWorker } from '../worker';
import type { DeliveryFailpoints } from '../worker';
import { channelsFromConfig } from './index';

declare module 'vitest' {
  interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

/**
 * Issue 16 end to end below the network: events through the inbox consumer into delivery rows,
 * the worker sending them through the WeCom, DingTalk, Aliyun and Tencent adapters to local servers
 * that check each platform's signature, and the delivery log recording what happened.
 */

const ITEM = '01a21969-9769-7019-bd16-894046c030b2';
const cst = (s: string) => new Date(`${s}+08:00`);
const WECOM = {
  robotKey: '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa',
  corpId: 'ww1234567890abcdef',
  corpSecret: 'corp-secret-0123456789',
  agentId: 1000002,
};
const DINGTALK = {
  accessToken: 'dd-token-0123456789',
  secret: 'SECb6a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1',
};
const ALIYUN = { accessKeyId: 'LTAI5tTestKeyId', accessKeySecret: 'aliyun-secret-0123456789' };
const TENCENT = {
  secretId: 'AKIDtestSecretId0123456789',
  secretKey: 'tencent-secret-0123456789',
  sdkAppId: '1400006666',
};

describe('WeCom, DingTalk and template SMS deliveries', () => {
  let db: FreshDatabase;
  let prisma: PrismaClient;
  let wecom: Awaited<ReturnType<typeof startWecomServer>>;
  let dingtalk: Awaited<ReturnType<typeof startDingtalkServer>>;
  let aliyun: Awaited<ReturnType<typeof startAliyunSmsServer>>;
  let tencent: Awaited<ReturnType<typeof startTencentSmsServer>>;
  const org = demoCounty();
  const logger = createLogger({ level: 'silent' });

  beforeAll(async () => {
    db = await createFreshDatabase(inject('postgresAdminUrl'), 't_channels');
    prisma = createPrisma(db.url, { pool: { max: 3 } });
    wecom = await startWecomServer(WECOM);
    dingtalk = await startDingtalkServer(DINGTALK);
    aliyun = await startAliyunSmsServer({
      ...ALIYUN,
      signNames: ['睢县督查室'],
      templates: {
        SMS_480010001: '您有一条${kind}：${title}，请登录督办系统查看。',
        SMS_480010002: '${node}：${title}，请立即办理。',
      },
    });
    tencent = await startTencentSmsServer({
      ...TENCENT,
      signNames: ['睢县县委督查室'],
      templates: { '2233001': '{1}：{2}，请登录督办系统查看。' },
    });
  });

  afterAll(async () => {
    await Promise.all([wecom?.close(), dingtalk?.close(), aliyun?.close(), tencent?.close()]);
    await prisma?.$disconnect();
    await db?.drop();
  });

  let fetchesBefore = 0;
  const tokenFetches = () => wecom.tokenFetches() - fetchesBefore;
  beforeEach(async () => {
    fetchesBefore = wecom.tokenFetches();
    await prisma.$executeRaw`TRUNCATE notification_delivery, notification_attempt, inbox_message, notification_recipient CASCADE`;
    for (const list of [wecom.robot, wecom.app, dingtalk.messages, aliyun.messages, tencent.messages])
      list.length = 0;
  });

  /** The unit works with everything; the county sends SMS through Tencent; unit-003 has wrong secrets. */
  const config = () =>
    NotificationsConfig.parse({
      NOTIFY_BACKOFF_BASE_MS: '1000',
      NOTIFY_BACKOFF_MAX_MS: '60000',
      NOTIFY_CHANNELS: JSON.stringify({
        'unit-002': {
          wecomRobot: { key: WECOM.robotKey, baseUrl: wecom.url },
          wecomApp: {
            corpId: WECOM.corpId,
            corpSecret: WECOM.corpSecret,
            agentId: WECOM.agentId,
            baseUrl: wecom.url,
          },
          dingtalkRobot: { ...DINGTALK, baseUrl: dingtalk.url },
          sms: {
            provider: 'aliyun',
            ...ALIYUN,
            signName: '睢县督查室',
            baseUrl: aliyun.url,
            templates: {
              escalation: { code: 'SMS_480010002', params: { node: 'node', title: 'title' } },
              default: { code: 'SMS_480010001', params: { kind: 'kind', title: 'title' }, maxLength: 20 },
            },
          },
        },
        county: {
          sms: {
            provider: 'tencent',
            ...TENCENT,
            signName: '睢县县委督查室',
            baseUrl: tencent.url,
            templates: { default: { code: '2233001', params: { '2': 'title', '1': 'kind' } } },
          },
        },
        'unit-003': {
          dingtalkRobot: { ...DINGTALK, secret: 'SECwrong-secret-0123456789', baseUrl: dingtalk.url },
          sms: {
            provider: 'aliyun',
            ...ALIYUN,
            accessKeySecret: 'not-the-secret',
            signName: '睢县督查室',
            baseUrl: aliyun.url,
            templates: { default: { code: 'SMS_480010001', params: { kind: 'kind', title: 'title' } } },
          },
        },
        'unit-004': {
          wecomRobot: { key: 'not-the-robot-key', baseUrl: wecom.url },
          wecomApp: {
            corpId: WECOM.corpId,
            corpSecret: 'not-the-corp-secret',
            agentId: WECOM.agentId,
            baseUrl: wecom.url,
          },
          sms: {
            provider: 'tencent',
            ...TENCENT,
            secretKey: 'not-the-secret-key',
            signName: '睢县县委督查室',
            baseUrl: tencent.url,
            templates: { default: { code: '2233001', params: { '1': 'kind', '2': 'title' } } },
          },
        },
      }),
    });

  function setup(start: Date, failpoints?: DeliveryFailpoints) {
    const clock = new VirtualClock(start);
    const deps: NotificationsDeps = {
      prisma,
      org,
      hosted: new HostedNodes(['county', 'unit-002', 'unit-003', 'unit-004']),
      clock,
      logger,
    };
    const cfg = config();
    const channels = channelsFromConfig(cfg, logger);
    const consumer = inboxConsumer(deps, (nodeId) => ({
      channels: channels.nodes!.view(nodeId),
      urgentKinds: cfg.NOTIFY_URGENT_KINDS,
    }));
    const worker = new DeliveryWorker(deps, { config: cfg, channels, ...(failpoints ? { failpoints } : {}) });
    const restarted = () => new DeliveryWorker(deps, { config: cfg, channels });
    return {
      clock,
      worker,
      restarted,
      deliver: (event: DubanEvent) => prisma.$transaction((tx) => consumer.handle(event, tx)),
      person: (
        nodeId: string,
        personId: string,
        input: {
          phone?: string;
          wecomUserId?: string;
          preferences: Preferences;
          quietHours?: { from: string; to: string };
        },
      ) =>
        recipientRepository.upsert(
          prisma,
          nodeId,
          personId,
          {
            name: personId,
            email: null,
            phone: input.phone ?? null,
            locale: 'zh-CN',
            preferences: input.preferences,
            active: true,
            wecomUserId: input.wecomUserId ?? null,
            quietHours: input.quietHours
              ? { ...input.quietHours, timeZone: 'Asia/Shanghai', channels: ['sms'] }
              : null,
          },
          clock.now(),
        ),
    };
  }

  const chased = (to: string, at: Date) =>
    createEvent({
      type: 'reminders.item.chased',
      source: 'county',
      to: [to],
      subject: ITEM,
      time: at,
      data: {
        itemId: ITEM,
        assigner: 'county',
        assignee: to,
        deadline: '2026-03-03T09:00:00.000Z',
        chasedAt: at.toISOString(),
        chaseNo: 1,
        kind: 'overdue',
        ccRoles: [],
      },
    });
  const escalated = (to: string, at: Date) =>
    createEvent({
      type: 'reminders.item.escalated',
      source: 'county',
      to: [to],
      subject: ITEM,
      time: at,
      data: {
        itemId: ITEM,
        assigner: 'county',
        assignee: 'unit-002',
        level: 2,
        step: 'supervisor',
        escalatedTo: 'county',
        leader: null,
        deadline: '2026-03-03T09:00:00.000Z',
        escalatedAt: at.toISOString(),
        reason: '逾期未办结',
      },
    });

  const log = async (nodeId: string) => {
    const rows = await prisma.notificationDelivery.findMany({ where: { nodeId }, orderBy: { seq: 'asc' } });
    const attempts = await prisma.notificationAttempt.findMany({
      where: { deliveryId: { in: rows.map((d) => d.id) } },
      orderBy: { attempt: 'asc' },
    });
    return rows.map((d) => ({
      recipient: d.recipient,
      channel: d.channel,
      status: d.status,
      attempts: attempts.filter((a) => a.deliveryId === d.id).map((a) => a.outcome),
      lastError: d.lastError,
      id: d.id,
      nextAttemptAt: d.nextAttemptAt,
    }));
  };

  it('picks channels per kind and person, and each platform gets a correctly signed message', async () => {
    const t = setup(cst('2026-03-04T10:00:00'));
    await t.person('unit-002', '王科员', {
      phone: '13800000002',
      wecomUserId: 'WangKeYuan',
      preferences: {
        chase: { channels: ['inbox', 'dingtalk', 'sms'], digest: 'immediate' },
        escalation: { channels: ['inbox', 'wecom', 'sms'], digest: 'immediate' },
      },
    });
    // No WeCom userid: WeCom means the unit's group, with 赵主任 @-mentioned.
    await t.person('unit-002', '赵主任', {
      phone: '13900000003',
      preferences: { default: { channels: ['inbox', 'wecom'], digest: 'immediate' } },
    });
    await t.person('county', '李主任', {
      phone: '13700000001',
      preferences: { escalation: { channels: ['inbox', 'sms', 'dingtalk'], digest: 'immediate' } },
    });

    await t.deliver(chased('unit-002', t.clock.now()));
    await t.deliver(escalated('unit-002', t.clock.now()));
    await t.deliver(escalated('county', t.clock.now()));
    expect(await t.worker.deliverDue()).toBe(7);

    const unit = await log('unit-002');
    expect(unit.map((d) => `${d.recipient}:${d.channel}:${d.status}`)).toEqual([
      '王科员:sms:sent',
      'wecom-robot:wecom-robot:sent',
      'dingtalk-robot:dingtalk-robot:sent',
      '王科员:sms:sent',
      '王科员:wecom:sent',
      'wecom-robot:wecom-robot:sent',
    ]);
    // The county has no DingTalk robot: 李主任's choice of it plans nothing there; SMS goes by Tencent.
    expect((await log('county')).map((d) => `${d.recipient}:${d.channel}:${d.status}`)).toEqual([
      '李主任:sms:sent',
    ]);

    expect(dingtalk.messages).toEqual([
      {
        msgtype: 'text',
        content: expect.stringContaining('@13800000002') as string,
        mentions: ['13800000002'],
      },
    ]);
    expect(wecom.robot.map((m) => m.mentions)).toEqual([['13900000003'], ['13900000003']]);
    expect(wecom.app).toEqual([
      { touser: 'WangKeYuan', agentid: WECOM.agentId, content: expect.any(String) as string },
    ]);
    expect(tokenFetches()).toBe(1);

    // Aliyun: the registered signature, the template per kind, its variables filled and capped.
    expect(aliyun.messages.map((m) => [m.phone, m.signName, m.template, Object.keys(m.params)])).toEqual([
      ['13800000002', '睢县督查室', 'SMS_480010001', ['kind', 'title']],
      ['13800000002', '睢县督查室', 'SMS_480010002', ['node', 'title']],
    ]);
    expect(aliyun.messages[0]!.params.kind).toBe('催办通知');
    expect([...aliyun.messages[0]!.params.title!].length).toBeLessThanOrEqual(20);
    expect(aliyun.messages[1]!.text).toMatch(/^【睢县督查室】县人大常委会办公室：.+，请立即办理。$/);
    expect(aliyun.messages.map((m) => m.reference)).toEqual(
      unit.filter((d) => d.channel === 'sms').map((d) => d.id),
    );

    // Tencent: E.164, the parameters in the template's {1}, {2} order.
    expect(tencent.messages).toHaveLength(1);
    expect(tencent.messages[0]).toMatchObject({
      phone: '+8613700000001',
      signName: '睢县县委督查室',
      template: '2233001',
    });
    expect(tencent.messages[0]!.params['1']).toBe('督办升级');
    expect(tencent.messages[0]!.text).toMatch(/^【睢县县委督查室】督办升级：.+，请登录督办系统查看。$/);
  });

  it('records a wrong secret as a permanent failure: dead after one attempt, nothing delivered', async () => {
    const t = setup(cst('2026-03-04T10:00:00'));
    await t.person('unit-003', '孙科长', {
      phone: '13600000004',
      preferences: { chase: { channels: ['inbox', 'dingtalk', 'sms'], digest: 'immediate' } },
    });
    await t.deliver(chased('unit-003', t.clock.now()));
    expect(await t.worker.deliverDue()).toBe(2);
    const rows = await log('unit-003');
    expect(rows.map((d) => [d.channel, d.status, d.attempts])).toEqual([
      ['sms', 'dead', ['failed']],
      ['dingtalk-robot', 'dead', ['failed']],
    ]);
    expect(rows[0]!.lastError).toMatch(/^aliyun sms answered SignatureDoesNotMatch/);
    expect(rows[1]!.lastError).toMatch(/^dingtalk robot answered errcode 310000: sign not match/);

    // WeCom: a wrong robot key (93000) and a wrong corpsecret (gettoken 40001); Tencent: a bad TC3 signature.
    await t.person('unit-004', '周科员', {
      phone: '13500000005',
      wecomUserId: 'ZhouKeYuan',
      preferences: { chase: { channels: ['inbox', 'wecom', 'sms'], digest: 'immediate' } },
    });
    await t.person('unit-004', '吴科员', {
      preferences: { chase: { channels: ['inbox', 'wecom'], digest: 'immediate' } },
    });
    await t.deliver(chased('unit-004', t.clock.now()));
    expect(await t.worker.deliverDue()).toBe(3);
    const other = await log('unit-004');
    expect(other.map((d) => [d.channel, d.status, d.attempts])).toEqual([
      ['sms', 'dead', ['failed']],
      ['wecom', 'dead', ['failed']],
      ['wecom-robot', 'dead', ['failed']],
    ]);
    expect(other.map((d) => d.lastError)).toEqual([
      expect.stringMatching(/^tencent sms answered AuthFailure\.SignatureFailure/),
      'wecom gettoken answered errcode 40001: invalid credential',
      expect.stringMatching(/^wecom robot answered errcode 93000: invalid webhook url/),
    ]);

    expect([dingtalk.messages, aliyun.messages, tencent.messages, wecom.robot, wecom.app]).toEqual([
      [],
      [],
      [],
      [],
      [],
    ]);
    t.clock.advance(3600_000);
    expect(await t.worker.deliverDue()).toBe(0);
  });

  it('retries a rate-limited message with back-off, and refreshes an expired WeCom token', async () => {
    const t = setup(cst('2026-03-04T10:00:00'));
    await t.person('unit-002', '王科员', {
      phone: '13800000002',
      wecomUserId: 'WangKeYuan',
      preferences: { default: { channels: ['inbox', 'dingtalk', 'sms', 'wecom'], digest: 'immediate' } },
    });
    await t.person('county', '李主任', {
      phone: '13700000001',
      preferences: { default: { channels: ['inbox', 'sms'], digest: 'immediate' } },
    });
    dingtalk.failNext(1);
    aliyun.failNext(1);
    tencent.failNext(1);
    await t.deliver(chased('unit-002', t.clock.now()));
    await t.deliver(escalated('county', t.clock.now()));
    expect(await t.worker.deliverDue()).toBe(4);
    const failed = [...(await log('unit-002')), ...(await log('county'))];
    expect(failed.map((d) => [d.channel, d.status, d.attempts])).toEqual([
      ['sms', 'pending', ['failed']],
      ['wecom', 'sent', ['sent']],
      ['dingtalk-robot', 'pending', ['failed']],
      ['sms', 'pending', ['failed']],
    ]);
    expect(failed.map((d) => d.lastError)).toEqual([
      expect.stringMatching(/isv\.BUSINESS_LIMIT_CONTROL/),
      null,
      expect.stringMatching(/errcode 410100/),
      expect.stringMatching(/RequestLimitExceeded/),
    ]);
    const retryAt = new Date(t.clock.now().getTime() + 1000);
    expect(failed.filter((d) => d.status === 'pending').map((d) => d.nextAttemptAt)).toEqual([
      retryAt,
      retryAt,
      retryAt,
    ]);

    // Not before the back-off; then they go.
    expect(await t.worker.deliverDue()).toBe(0);
    t.clock.advance(1000);
    expect(await t.worker.deliverDue()).toBe(3);
    const retried = [...(await log('unit-002')), ...(await log('county'))];
    expect(retried.map((d) => [d.channel, d.status, d.attempts])).toEqual([
      ['sms', 'sent', ['failed', 'sent']],
      ['wecom', 'sent', ['sent']],
      ['dingtalk-robot', 'sent', ['failed', 'sent']],
      ['sms', 'sent', ['failed', 'sent']],
    ]);
    expect([aliyun.messages.length, dingtalk.messages.length, tencent.messages.length]).toEqual([1, 1, 1]);

    // WeCom says the token expired: the adapter fetches a new one and the message still goes once.
    wecom.expireTokens();
    await t.deliver(escalated('unit-002', t.clock.now()));
    await t.worker.deliverDue();
    expect(tokenFetches()).toBe(2);
    expect(wecom.app).toHaveLength(2);
    expect((await log('unit-002')).filter((d) => d.channel === 'wecom').map((d) => d.attempts)).toEqual([
      ['sent'],
      ['sent'],
    ]);
  });

  it('holds an SMS in quiet hours until the morning, and lets an urgent escalation through', async () => {
    const t = setup(cst('2026-03-04T23:00:00'));
    await t.person('unit-002', '王科员', {
      phone: '13800000002',
      quietHours: { from: '22:00', to: '07:00' },
      preferences: { default: { channels: ['inbox', 'sms', 'dingtalk'], digest: 'immediate' } },
    });
    await t.deliver(chased('unit-002', t.clock.now()));
    await t.deliver(escalated('unit-002', t.clock.now()));
    // The group robot and the escalation's SMS go now; the chase's SMS waits.
    expect(await t.worker.deliverDue()).toBe(3);
    const night = await log('unit-002');
    expect(night.map((d) => `${d.channel}:${d.status}`)).toEqual([
      'sms:pending',
      'dingtalk-robot:sent',
      'sms:sent',
      'dingtalk-robot:sent',
    ]);
    expect(night[0]!.nextAttemptAt).toEqual(cst('2026-03-05T07:00:00'));
    expect(night[0]!.attempts).toEqual([]);
    expect(aliyun.messages.map((m) => m.template)).toEqual(['SMS_480010002']);

    t.clock.set(cst('2026-03-05T06:59:59'));
    expect(await t.worker.deliverDue()).toBe(0);
    t.clock.set(cst('2026-03-05T07:00:00'));
    expect(await t.worker.deliverDue()).toBe(1);
    expect(aliyun.messages.map((m) => m.template)).toEqual(['SMS_480010002', 'SMS_480010001']);
  });
  it('defers a retry whose back-off lands in the night, and a digest due in the quiet hours', async () => {
    // Half a second before 22:00: the 1 s back-off would end inside the quiet hours.
    const t = setup(new Date(cst('2026-03-04T22:00:00').getTime() - 500));
    await t.person('unit-002', '王科员', {
      phone: '13800000002',
      quietHours: { from: '22:00', to: '07:00' },
      preferences: { chase: { channels: ['inbox', 'sms'], digest: 'immediate' } },
    });
    await t.person('unit-002', '赵主任', {
      phone: '13900000003',
      quietHours: { from: '22:00', to: '09:00' },
      preferences: { chase: { channels: ['inbox', 'sms'], digest: 'daily' } },
    });
    aliyun.failNext(1);
    await t.deliver(chased('unit-002', t.clock.now()));
    expect(await t.worker.deliverDue()).toBe(1);
    const [retry, held] = await log('unit-002');
    expect([retry!.recipient, retry!.status, retry!.attempts, retry!.nextAttemptAt]).toEqual([
      '王科员',
      'pending',
      ['failed'],
      cst('2026-03-05T07:00:00'),
    ]);
    expect([held!.recipient, held!.status]).toEqual(['赵主任', 'held']);

    // 07:00: 王科员's retry goes. 08:00: 赵主任's digest is composed but waits for the end of their 09:00 night.
    t.clock.set(cst('2026-03-05T07:00:00'));
    expect(await t.worker.deliverDue()).toBe(1);
    t.clock.set(cst('2026-03-05T08:00:00'));
    expect(await t.worker.composeDigests()).toBe(1);
    expect(await t.worker.deliverDue()).toBe(0);
    const digest = (await log('unit-002')).find((d) => d.status === 'pending');
    expect(digest?.nextAttemptAt).toEqual(cst('2026-03-05T09:00:00'));
    t.clock.set(cst('2026-03-05T09:00:00'));
    expect(await t.worker.deliverDue()).toBe(1);
    expect(aliyun.messages.map((m) => [m.phone, m.params.kind])).toEqual([
      ['13800000002', '催办通知'],
      ['13900000003', '消息汇总'],
    ]);
  });
  it('sends a group message at most once more after a crash between sending and recording', async () => {
    let armed = true;
    const t = setup(cst('2026-03-04T10:00:00'), {
      afterSend(d) {
        if (armed && d.channel === 'dingtalk-robot') {
          armed = false;
          throw new Error('killed between sending and recording');
        }
      },
    });
    await t.person('unit-002', '王科员', {
      phone: '13800000002',
      preferences: { chase: { channels: ['inbox', 'dingtalk'], digest: 'immediate' } },
    });
    await t.deliver(chased('unit-002', t.clock.now()));
    await expect(t.worker.deliverDue()).rejects.toThrow(/simulated crash/);
    expect(dingtalk.messages).toHaveLength(1);
    expect((await log('unit-002')).map((d) => [d.status, d.attempts])).toEqual([['sending', ['sending']]]);

    // Another process, once the lease has run out: the message goes once more and the log says so.
    const next = t.restarted();
    expect(await next.deliverDue()).toBe(0);
    t.clock.advance(config().NOTIFY_LEASE_MS);
    expect(await next.deliverDue()).toBe(1);
    expect(dingtalk.messages).toHaveLength(2);
    expect((await log('unit-002')).map((d) => [d.status, d.attempts])).toEqual([
      ['sent', ['interrupted', 'sent']],
    ]);
  });
});
