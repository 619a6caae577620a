import nodemailer from 'nodemailer';
import type { Logger } from '@duban/kit';
import type { NodeChannelConfig, NotificationsConfig } from '../config';
import type { DeliveryChannel } from '../domain/kinds';
import type { NodeChannelView } from '../domain/planning';
import { WEBHOOK_HEADERS, signWebhook } from '../webhooks';
import { dingtalkRobotSender, wecomAppSender, wecomRobotSender } from './chat';
import { SEND_TIMEOUT_MS, throwForStatus } from './errors';
import type { Sender } from './message';
import { aliyunSmsSender, tencentSmsSender } from './sms';

export { PermanentFailure } from './errors';
export type { ChannelMessage, Sender } from './message';

export interface EmailMessage {
  deliveryId: string;
  to: string;
  subject: string;
  text: string;
}
export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
  close?(): void;
}

/** SMTP through nodemailer: UTF-8 throughout, subjects as RFC 2047 encoded words. */
export function smtpSender(url: string, from: string): EmailSender {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  const transport = nodemailer.createTransport({
    host: u.hostname,
    port: Number(u.port) || (secure ? 465 : 587),
    secure,
    ...(u.username
      ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }
      : {}),
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
    // ?insecure=true: an internal county relay (or a test server) whose certificate chain is not public.
    tls: { rejectUnauthorized: u.searchParams.get('insecure') !== 'true' },
  });
  return {
    async send(m) {
      await transport.sendMail({
        from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        textEncoding: 'base64',
        // The delivery id as Message-ID: a resend after a crash is recognisable as the same message.
        messageId: `<${m.deliveryId}@duban>`,
        headers: { 'X-Duban-Delivery-Id': m.deliveryId },
      });
    },
    close: () => transport.close(),
  };
}

/** An SMS gateway: the county's provider behind an adapter (pluggable per deployment). */
export type SmsGateway = Sender;

/** The adapter for an HTTP gateway that takes POST JSON {to, text}. */
export function httpSmsGateway(url: string): SmsGateway {
  return {
    async send(m) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', [WEBHOOK_HEADERS.id]: m.deliveryId },
        body: JSON.stringify({ to: m.to, text: `【督办】${m.title}：${m.body}` }),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (!response.ok) throwForStatus('sms gateway', response.status);
    },
  };
}

export interface WebhookMessage {
  deliveryId: string;
  url: string;
  secret: string;
  eventType: string;
  body: string;
  /** Unix seconds of the sending machine: receivers compare it with their own clock. */
  timestamp: number;
}

export async function postWebhook(m: WebhookMessage): Promise<void> {
  const response = await fetch(m.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      [WEBHOOK_HEADERS.id]: m.deliveryId,
      [WEBHOOK_HEADERS.timestamp]: String(m.timestamp),
      [WEBHOOK_HEADERS.signature]: signWebhook(m.secret, m.timestamp, m.body),
      [WEBHOOK_HEADERS.event]: m.eventType,
    },
    body: m.body,
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
  await response.body?.cancel();
  if (!response.ok) throwForStatus('webhook receiver', response.status);
}

/** The adapters of one node's chat and SMS channels. */
export interface NodeSenders {
  wecomRobot?: Sender;
  wecomApp?: Sender;
  dingtalkRobot?: Sender;
  sms?: Sender;
}

/**
 * NOTIFY_CHANNELS as adapters: each node's own entry, else the "*" entry. One adapter per entry, so
 * a WeCom application's access token is fetched once for all the nodes that share it.
 */
export class NodeChannels {
  private readonly senders = new Map<string, NodeSenders>();

  constructor(private readonly config: Record<string, NodeChannelConfig>) {
    for (const [node, c] of Object.entries(config)) {
      this.senders.set(node, {
        ...(c.wecomRobot ? { wecomRobot: wecomRobotSender(c.wecomRobot) } : {}),
        ...(c.wecomApp ? { wecomApp: wecomAppSender(c.wecomApp) } : {}),
        ...(c.dingtalkRobot ? { dingtalkRobot: dingtalkRobotSender(c.dingtalkRobot) } : {}),
        ...(c.sms
          ? { sms: c.sms.provider === 'aliyun' ? aliyunSmsSender(c.sms) : tencentSmsSender(c.sms) }
          : {}),
      });
    }
  }

  for(nodeId: string): NodeSenders {
    return this.senders.get(nodeId) ?? this.senders.get('*') ?? {};
  }

  /** For planning: which chat channels a node's people can be reached on. */
  view(nodeId: string): NodeChannelView {
    const s = this.for(nodeId);
    return { wecomApp: !!s.wecomApp, wecomRobot: !!s.wecomRobot, dingtalkRobot: !!s.dingtalkRobot };
  }

  /** The delivery channels some node has an adapter for (the worker claims only those). */
  offered(): DeliveryChannel[] {
    const all = [...this.senders.values()];
    return [
      ...(all.some((s) => s.sms) ? (['sms'] as const) : []),
      ...(all.some((s) => s.wecomApp) ? (['wecom'] as const) : []),
      ...(all.some((s) => s.wecomRobot) ? (['wecom-robot'] as const) : []),
      ...(all.some((s) => s.dingtalkRobot) ? (['dingtalk-robot'] as const) : []),
    ];
  }

  describe(): string {
    return Object.entries(this.config)
      .map(([node, c]) => `${node}: ${Object.keys(c).join(', ') || 'none'}`)
      .join('; ');
  }
}

/** The channels a process can send on; an absent one is off (its deliveries wait, logged once). */
export interface Channels {
  email?: EmailSender;
  /** The deployment's generic SMS gateway (SMS_GATEWAY_URL); a node's own provider comes first. */
  sms?: SmsGateway;
  webhook: (m: WebhookMessage) => Promise<void>;
  /** WeCom, DingTalk and template SMS per node (NOTIFY_CHANNELS). */
  nodes?: NodeChannels;
}

export function channelsFromConfig(config: NotificationsConfig, logger: Logger): Channels {
  if (!config.SMTP_URL) logger.info('notifications: SMTP_URL is not set; the email channel is disabled');
  const nodes = new NodeChannels(config.NOTIFY_CHANNELS);
  if (!config.SMS_GATEWAY_URL && !nodes.offered().includes('sms'))
    logger.info(
      'notifications: neither SMS_GATEWAY_URL nor an SMS provider is set; the SMS channel is disabled',
    );
  if (Object.keys(config.NOTIFY_CHANNELS).length > 0)
    logger.info({ channels: nodes.describe() }, 'notifications: per-node channels');
  return {
    ...(config.SMTP_URL ? { email: smtpSender(config.SMTP_URL, config.SMTP_FROM) } : {}),
    ...(config.SMS_GATEWAY_URL ? { sms: httpSmsGateway(config.SMS_GATEWAY_URL) } : {}),
    webhook: postWebhook,
    nodes,
  };
}
