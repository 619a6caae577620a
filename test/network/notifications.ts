import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '@duban/testing';
import { NotificationsConfig } from '../../services/notifications/src/config';
import { readDocx } from '../../services/notifications/src/documents/readBack';
import {
  startSmsGateway,
  startSmtpServer,
  startWebhookReceiver,
} from '../../services/notifications/src/testing/servers';
import type { ClaimedDelivery } from '../../services/notifications/src/repositories/deliveries';
import { NotificationsNetwork } from './notificationsNetwork';
import { describeNetwork } from './harness';
import type { Transport } from './harness';

const HOUR = 3600_000;
const SECRET = 'county-petition-system-secret-0123456789';
type Message = {
  type: string;
  kind: string;
  title: string;
  body: string;
  subject: string;
  id: string;
  read: boolean;
  acknowledged: boolean;
};
type Inbox = { unread: number; messages: Message[] };
type Delivery = {
  id: string;
  seq: number;
  channel: string;
  recipient: string;
  status: string;
  attempts: number;
  title: string;
  eventType: string;
  subject: string;
  log: Array<{ attempt: number; outcome: string }>;
};
const OFFICE = { person: '李主任', roles: 'office-staff' };

/**
 * Issue 6 across real node processes: an assignment, a chase and an escalation reach the right
 * inboxes, go out by email (a real SMTP server), SMS (a local gateway) and signed webhooks (a
 * receiver that verifies them); the receiver is down for days and then gets everything, in order
 * per item; a crash between sending and recording sends once more and the log shows it; digests;
 * the documents the office prints, parsed back.
 */
export function describeNotifications(
  transport: Transport | { unavailable: string },
  required: boolean,
): void {
  describeNetwork('notifications across the network', transport, required, (transport) => {
    // Monday 2 March 2026, 09:00 Beijing time.
    const net = new NotificationsNetwork(transport, `notify_${transport.kind}`, '2026-03-02T01:00:00Z');
    let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
    let sms: Awaited<ReturnType<typeof startSmsGateway>>;
    let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
    const crash = { armed: false, crashed: undefined as ClaimedDelivery | undefined };
    let itemId: string;

    const options = (withFailpoint: boolean) => ({
      config: NotificationsConfig.parse({
        SMTP_URL: smtp.url,
        SMTP_FROM: '睢县县委督查室 <duban@suixian.gov.cn>',
        SMS_GATEWAY_URL: sms.url,
        NOTIFY_POLL_MS: '50',
        NOTIFY_BACKOFF_BASE_MS: '30000',
        NOTIFY_BACKOFF_MAX_MS: '600000',
        NOTIFY_LEASE_MS: '120000',
      }),
      ...(withFailpoint
        ? {
            failpoints: {
              afterSend(d: ClaimedDelivery) {
                if (crash.armed && d.channel === 'email') {
                  crash.armed = false;
                  crash.crashed = d;
                  throw new Error('killed between sending and recording');
                }
              },
            },
          }
        : {}),
    });
    const inbox = async (node: string, query = '') =>
      (await net.call<Inbox>(node, 'GET', `/notifications/inbox?limit=200${query}`)).body;
    const deliveries = async (node: string, query = '') =>
      (
        await net.call<{ deliveries: Delivery[] }>(
          node,
          'GET',
          `/notifications/deliveries?limit=500${query}`,
          undefined,
          OFFICE,
        )
      ).body.deliveries;
    const mailsTo = (address: string) => smtp.mailbox.filter((m) => m.to.includes(address));
    const hooksFor = (subject: string) => hook.received.filter((h) => h.body.event.subject === subject);

    beforeAll(async () => {
      smtp = await startSmtpServer();
      sms = await startSmsGateway();
      hook = await startWebhookReceiver(SECRET);
      await net.startWith('county', options(false));
      await net.startWith('unit-002', options(true));

      // The unit's handler wants notices by email and SMS, chases and escalations by email; its
      // head wants one email a day instead; the county's director wants escalations by email.
      const put = async (node: string, person: string, body: unknown) => {
        const r = await net.call(
          node,
          'PUT',
          `/notifications/recipients/${encodeURIComponent(person)}`,
          body,
          OFFICE,
        );
        expect(r.status, JSON.stringify(r.body)).toBe(200);
      };
      await put('unit-002', '王科员', {
        name: '王科员',
        email: 'wang@rd.suixian.gov.cn',
        phone: '13800000002',
        preferences: {
          notice: { channels: ['inbox', 'email', 'sms'] },
          chase: { channels: ['inbox', 'email'] },
          escalation: { channels: ['inbox', 'email'] },
          decision: { channels: ['inbox', 'email'] },
        },
      });
      await put('unit-002', '赵主任', {
        name: '赵主任',
        email: 'zhao@rd.suixian.gov.cn',
        preferences: { default: { channels: ['inbox', 'email'], digest: 'daily' } },
      });
      await put('county', '李主任', {
        name: '李主任',
        email: 'li@suixian.gov.cn',
        preferences: { escalation: { channels: ['inbox', 'email'] } },
      });
      const endpoint = await net.call<{ secret: string }>(
        'unit-002',
        'POST',
        '/notifications/webhooks',
        { name: '县信访信息系统', url: hook.url(), secret: SECRET },
        OFFICE,
      );
      expect(endpoint.status).toBe(201);
    });
    afterAll(async () => {
      await net.close();
      await Promise.all([smtp?.close(), sms?.close(), hook?.close()]);
    });

    it('refuses to let a unit handler manage recipients, and checks template placeholders', async () => {
      const denied = await net.call<{ error: { code: string } }>(
        'unit-002',
        'GET',
        '/notifications/recipients',
        undefined,
        {
          person: '张三',
          roles: 'unit-handler',
        },
      );
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe('auth.role_required');
      const bad = await net.call<{ error: { code: string } }>(
        'unit-002',
        'PUT',
        '/notifications/templates/reminders.item.chased/zh-CN',
        { title: '催办：{{nonsense}}', body: '{{deadline}}' },
        OFFICE,
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('template.unknown_placeholder');
    });

    it('lets a person choose WeCom and DingTalk per kind and set quiet hours, and refuses bad ones', async () => {
      const self = { person: '张三', roles: 'unit-handler' };
      const path = `/notifications/recipients/${encodeURIComponent('张三')}`;
      const put = await net.call(
        'unit-002',
        'PUT',
        path,
        {
          name: '张三',
          phone: '13700000009',
          wecomUserId: 'ZhangSan',
          quietHours: { from: '22:00', to: '07:00' },
          preferences: { escalation: { channels: ['inbox', 'wecom', 'dingtalk', 'sms'] } },
        },
        self,
      );
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const own = await net.call<{
        recipient: { wecomUserId: string; quietHours: unknown; preferences: unknown };
      }>('unit-002', 'GET', path, undefined, self);
      expect(own.body.recipient).toMatchObject({
        wecomUserId: 'ZhangSan',
        quietHours: { from: '22:00', to: '07:00', timeZone: 'Asia/Shanghai', channels: ['sms'] },
        preferences: { escalation: { channels: ['inbox', 'wecom', 'dingtalk', 'sms'], digest: 'immediate' } },
      });
      const other = await net.call(
        'unit-002',
        'GET',
        `/notifications/recipients/${encodeURIComponent('王科员')}`,
        undefined,
        self,
      );
      expect(other.status).toBe(403);
      const bad = await net.call<{ error: { code: string; issues: Array<{ path: string }> } }>(
        'unit-002',
        'PUT',
        path,
        {
          name: '张三',
          quietHours: { from: '25:00', to: '07:00', timeZone: 'Mars/Olympus' },
          preferences: { chase: { channels: ['pager'] } },
        },
        self,
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('request.invalid');
      expect(bad.body.error.issues.map((i) => i.path).sort()).toEqual([
        'body.preferences.chase.channels.0',
        'body.quietHours.from',
        'body.quietHours.timeZone',
      ]);
      expect((await net.call('unit-002', 'DELETE', path, undefined, OFFICE)).status).toBe(200);
    });

    it('delivers the assignment: inbox, email with a Chinese subject, SMS, and a signed webhook', async () => {
      const deadline = new Date(net.clock.now().getTime() + 48 * HOUR).toISOString();
      const a = await net.call<{ item: { id: string; noticeNo: string } }>('county', 'POST', '/tasks/items', {
        title: '整改信访积案',
        kind: 'petition',
        description: '对张某反映的宅基地纠纷信访积案，依法依规予以化解。',
        deadline,
        assignee: 'unit-002',
        leader: '张副县长',
      });
      expect(a.status).toBe(201);
      itemId = a.body.item.id;

      const notice = await eventually('the notice in unit-002’s inbox', async () =>
        (await inbox('unit-002')).messages.find((m) => m.kind === 'notice'),
      );
      expect(notice).toMatchObject({ title: '督办通知：整改信访积案', subject: itemId, read: false });
      const mail = await eventually('the notice email', () => mailsTo('wang@rd.suixian.gov.cn')[0]);
      expect(mail.subject).toBe('督办通知：整改信访积案');
      expect(mail.rawSubject).toMatch(/=\?UTF-8\?[BQ]\?/i); // RFC 2047: not raw 8-bit bytes in a header
      expect(mail.text).toContain('睢县县委督查室交办事项（督〔2026〕1号）');
      const text = await eventually('the notice SMS', () => sms.messages[0]);
      expect(text).toEqual({
        to: '13800000002',
        text: expect.stringContaining('【督办】督办通知：整改信访积案'),
      });
      const signed = await eventually('the signed webhook', () => hooksFor(itemId)[0]);
      expect(signed.verdict.ok).toBe(true);
      expect(signed.body.event.type).toBe('tasks.item.assigned');
      expect(hook.rejected).toEqual([]);

      // Read and acknowledge are per person.
      await net.call(
        'unit-002',
        'POST',
        `/notifications/inbox/${notice.id}/acknowledge`,
        {},
        { person: '王科员', roles: 'unit-handler' },
      );
      const own = await net.call<Inbox>('unit-002', 'GET', '/notifications/inbox?kind=notice', undefined, {
        person: '王科员',
        roles: 'unit-handler',
      });
      expect(own.body.messages[0]).toMatchObject({ read: true, acknowledged: true });
      const other = await net.call<Inbox>('unit-002', 'GET', '/notifications/inbox?unread=true', undefined, {
        person: '赵主任',
        roles: 'unit-head',
      });
      expect(other.body.messages.map((m) => m.id)).toContain(notice.id);
    });

    it('chases and escalates to the right nodes while the webhook receiver is down', async () => {
      await hook.down();
      net.clock.advance(48 * HOUR + 60_000); // Wednesday 09:01: the 签收 chase went out
      await eventually('the acknowledgement chase', async () =>
        (await inbox('unit-002')).messages.find((m) => m.title === '签收催办'),
      );
      net.clock.advance(24 * HOUR); // Thursday: the overdue chase
      await eventually('the overdue chase', async () =>
        (await inbox('unit-002')).messages.find((m) => m.title === '逾期催办通知'),
      );
      net.clock.advance(6 * 24 * HOUR); // the unit's head, then the county
      const escalation = await eventually('the escalation in the county’s inbox', async () =>
        (await inbox('county', '&kind=escalation')).messages.find((m) => m.subject === itemId),
      );
      expect(escalation.title).toBe('督办升级（第2级：上级督查部门）');
      const unitKinds = (await inbox('unit-002')).messages
        .filter((m) => m.subject === itemId)
        .map((m) => m.kind);
      expect(unitKinds.sort()).toEqual(['chase', 'chase', 'escalation', 'notice']);
      expect((await inbox('county', '&kind=chase')).messages).toEqual([]); // chases go to the unit only

      const escalationMail = await eventually(
        'the escalation email to the county',
        () => mailsTo('li@suixian.gov.cn')[0],
      );
      expect(escalationMail.subject).toBe('督办升级（第2级：上级督查部门）');
      await eventually('the overdue chase email', () =>
        mailsTo('wang@rd.suixian.gov.cn').find((m) => m.subject === '逾期催办通知'),
      );

      // While the receiver is down only the item's first unsent webhook is tried; the rest wait behind it.
      const hooks = await eventually('webhooks retrying', async () => {
        const d = (await deliveries('unit-002', '&channel=webhook')).filter((x) => x.subject === itemId);
        return d.length === 4 && d.some((x) => x.attempts > 0 && x.status === 'pending') ? d : undefined;
      });
      const queued = hooks.filter((d) => d.status !== 'sent').sort((a, b) => a.seq - b.seq);
      expect(queued.map((d) => d.eventType)).toEqual([
        'reminders.item.chased',
        'reminders.item.chased',
        'reminders.item.escalated',
      ]);
      expect(queued[0]!.attempts).toBeGreaterThan(0);
      expect(queued.slice(1).map((d) => d.attempts)).toEqual([0, 0]);
      expect(hooksFor(itemId)).toHaveLength(1); // only the assignment, sent before the receiver went down
    });

    it('gives the receiver every message once it is back, in order per item, each once', async () => {
      await hook.up();
      net.clock.advance(10 * 60_000); // past the longest back-off
      const all = await eventually('every webhook of the item', () =>
        hooksFor(itemId).length >= 4 ? hooksFor(itemId) : undefined,
      );
      await new Promise((r) => setTimeout(r, 300)); // a duplicate would show by now
      const types = hooksFor(itemId).map((h) => `${h.body.event.type}:${h.body.title}`);
      expect(types).toEqual([
        'tasks.item.assigned:督办通知：整改信访积案',
        'reminders.item.chased:签收催办',
        'reminders.item.chased:逾期催办通知',
        'reminders.item.escalated:督办升级（第1级：单位主要负责人）',
      ]);
      expect(new Set(all.map((h) => h.deliveryId)).size).toBe(4);
      expect(all.every((h) => h.verdict.ok)).toBe(true);
      const log = (await deliveries('unit-002', '&channel=webhook')).filter((d) => d.subject === itemId);
      expect(log.every((d) => d.status === 'sent')).toBe(true);
      const retried = log.find((d) => d.attempts > 1)!;
      expect(retried.log.map((a) => a.outcome).at(-1)).toBe('sent');
      expect(retried.log.slice(0, -1).every((a) => a.outcome === 'failed')).toBe(true);
    });

    it('sends a daily digest instead of one email per message to the person who chose it', async () => {
      const digests = await eventually('digests for 赵主任', () => {
        const m = mailsTo('zhao@rd.suixian.gov.cn');
        return m.length >= 2 ? m : undefined;
      });
      expect(digests.every((m) => m.subject.startsWith('督办消息日报'))).toBe(true);
      expect(digests.map((m) => m.text).join('\n')).toContain('督办通知：整改信访积案');
      expect(digests.map((m) => m.text).join('\n')).toContain('逾期催办通知');
      const held = (await deliveries('unit-002', '&recipient=赵主任')).filter(
        (d) => d.eventType !== 'notifications.digest',
      );
      // Nothing went to them one by one: each message is in a digest, or held for the next one.
      expect(held.every((d) => d.status === 'digested' || d.status === 'held')).toBe(true);
      expect(held.filter((d) => d.status === 'digested').length).toBeGreaterThanOrEqual(3);
    });

    it('sends at most once more after a crash between sending and recording, and logs both attempts', async () => {
      crash.armed = true;
      const decision = await net.call('county', 'POST', '/scoring/decisions', {
        unit: 'unit-002',
        kind: 'criticism',
        body: 'office',
        reason: '信访积案逾期未办结',
        itemIds: [itemId],
      });
      expect(decision.status).toBe(201);
      const crashed = await eventually('the crash after the send', () => crash.crashed);
      const first = await eventually('the criticism email, once', () =>
        mailsTo('wang@rd.suixian.gov.cn').find((m) => m.deliveryId === crashed.id),
      );
      expect(first.subject).toBe('通报批评（-3分）');
      const [sending] = (await deliveries('unit-002')).filter((d) => d.id === crashed.id);
      expect(sending).toMatchObject({
        status: 'sending',
        attempts: 1,
        log: [{ attempt: 1, outcome: 'sending' }],
      });

      // The process dies; it comes back on the same database; the lease runs out.
      const db = await net.stop('unit-002');
      await net.startWith('unit-002', options(false), db);
      net.clock.advance(3 * 60_000);
      const resent = await eventually('the delivery recorded after the restart', async () =>
        (await deliveries('unit-002')).find((d) => d.id === crashed.id && d.status === 'sent'),
      );
      expect(resent.attempts).toBe(2);
      expect(resent.log.map((a) => `${a.attempt}:${a.outcome}`)).toEqual(['1:interrupted', '2:sent']);
      net.clock.advance(10 * 60_000);
      await new Promise((r) => setTimeout(r, 500));
      const copies = mailsTo('wang@rd.suixian.gov.cn').filter((m) => m.deliveryId === crashed.id);
      expect(copies).toHaveLength(2); // once more, not more
      expect(new Set(copies.map((m) => m.messageId)).size).toBe(1); // the same Message-ID: receivers can dedupe
    });

    it('prints the supervision notice and the chase notice as GB/T 9704 .docx', async () => {
      await eventually(
        'the county knows the chase',
        async () =>
          (await net.fetch('county', 'GET', `/notifications/documents/chase/${itemId}.docx`)).status === 200,
      );
      for (const [kind, title, number] of [
        ['notice', '督促查办事项通知单', '睢督〔2026〕1号'],
        ['chase', '催办通知书', '睢督催〔2026〕1-1号'],
      ] as const) {
        const response = await net.fetch('county', 'GET', `/notifications/documents/${kind}/${itemId}.docx`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe(
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        );
        const doc = await readDocx(new Uint8Array(await response.arrayBuffer()));
        const texts = doc.paragraphs.map((p) => p.text);
        expect(doc.paragraphs[0]).toMatchObject({ text: '睢县县委督查室文件', align: 'center' });
        expect(doc.paragraphs[0]!.runs[0]).toMatchObject({ color: 'FF0000', eastAsiaFont: '方正小标宋简体' });
        const numberLine = doc.paragraphs.find((p) => p.text === number)!;
        expect(numberLine).toMatchObject({ align: 'center', borderBottomColor: 'FF0000' });
        expect(doc.paragraphs.find((p) => p.text === title)?.runs[0]?.eastAsiaFont).toBe('方正小标宋简体');
        expect(texts).toContain('县人大常委会办公室：');
        expect(doc.page).toEqual({
          width: 11906,
          height: 16838,
          top: 2098,
          bottom: 1984,
          left: 1587,
          right: 1474,
        });
        expect(texts.at(-1)).toMatch(/^2026年3月\d{1,2}日$/);
        expect(texts.at(-2)).toBe('睢县县委督查室');
        expect(texts.join('')).toContain('整改信访积案');
      }
    });

    it('drafts a bulletin from the figures, lets the office edit it, and publishes it as an event', async () => {
      const draft = await net.call<{
        bulletin: { id: string; criticised: Array<{ unit: string; overdue: number }>; paragraphs: string[] };
      }>(
        'county',
        'POST',
        '/notifications/bulletins',
        { periodFrom: '2026-03-01', periodTo: '2026-03-31' },
        OFFICE,
      );
      expect(draft.status).toBe(201);
      const b = draft.body.bulletin;
      expect(b.criticised.map((l) => [l.unit, l.overdue])).toEqual([['unit-002', 1]]);
      expect(b.paragraphs.join('')).toContain(
        '县人大常委会办公室（到期1项，按时办结0项，按时办结率0%，逾期1项）',
      );
      const edited = await net.call(
        'county',
        'PUT',
        `/notifications/bulletins/${b.id}`,
        { paragraphs: [...b.paragraphs, '特此通报。'] },
        OFFICE,
      );
      expect(edited.status).toBe(200);
      const published = await net.call<{ bulletin: { docNo: string; status: string } }>(
        'county',
        'POST',
        `/notifications/bulletins/${b.id}/publish`,
        {},
        OFFICE,
      );
      expect(published.body.bulletin).toMatchObject({ status: 'published', docNo: '睢督通〔2026〕1号' });
      const again = await net.call<{ error: { code: string } }>(
        'county',
        'POST',
        `/notifications/bulletins/${b.id}/publish`,
        {},
        OFFICE,
      );
      expect(again.body.error.code).toBe('bulletin.already_published');

      const received = await eventually(
        'the bulletin in the criticised unit’s inbox',
        async () => (await inbox('unit-002', '&kind=bulletin')).messages[0],
      );
      expect(received.title).toBe('督查通报：关于2026年3月1日至2026年3月31日督办事项办理情况的通报');
      const doc = await readDocx(
        new Uint8Array(
          await (
            await net.fetch('county', 'GET', `/notifications/documents/bulletin/${b.id}.docx`)
          ).arrayBuffer(),
        ),
      );
      const texts = doc.paragraphs.map((p) => p.text);
      expect(texts).toContain('睢督通〔2026〕1号');
      expect(texts).toContain('各乡镇党委、政府，县直各单位：');
      expect(texts).toContain('特此通报。');
      const heading = doc.paragraphs.find((p) => p.text === '三、批评单位')!;
      expect(heading.runs[0]!.eastAsiaFont).toBe('黑体');
      const body = doc.paragraphs.find((p) => p.text.startsWith('以下单位按时办结率低于'))!;
      expect(body).toMatchObject({ firstLineIndent: 640 });
      expect(body.runs[0]).toMatchObject({ eastAsiaFont: '仿宋_GB2312', size: 16 });
    });
  });
}
