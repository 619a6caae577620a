import nodemailer from 'nodemailer';
import type { Logger } from '@duban/kit';
import type { NotificationsConfig } from '../config';
import { WEBHOOK_HEADERS, signWebhook } from '../webhooks';

const SEND_TIMEOUT_MS = 30_000;

/** A failure the receiver will not get over by retrying (bad address, 4xx other than 408/429). */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure';
}

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
export interface SmsGateway {
  send(to: string, text: string, deliveryId: string): Promise<void>;
}

/** The adapter for an HTTP gateway that takes POST JSON {to, text}. */
export function httpSmsGateway(url: string): SmsGateway {
  return {
    async send(to, text, deliveryId) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', [WEBHOOK_HEADERS.id]: deliveryId },
        body: JSON.stringify({ to, text }),
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

function throwForStatus(who: string, status: number): never {
  const retryable = status >= 500 || status === 408 || status === 429;
  const message = `${who} answered HTTP ${status}`;
  throw retryable ? new Error(message) : new PermanentFailure(message);
}

/** The channels a process can send on; an absent one is off (its deliveries wait, logged once). */
export interface Channels {
  email?: EmailSender;
  sms?: SmsGateway;
  webhook: (m: WebhookMessage) => Promise<void>;
}

export function channelsFromConfig(config: NotificationsConfig, logger: Logger): Channels {
  if (!config.SMTP_URL) logger.info('notifications: SMTP_URL is not set; the email channel is disabled');
  if (!config.SMS_GATEWAY_URL)
    logger.info('notifications: SMS_GATEWAY_URL is not set; the SMS channel is disabled');
  return {
    ...(config.SMTP_URL ? { email: smtpSender(config.SMTP_URL, config.SMTP_FROM) } : {}),
    ...(config.SMS_GATEWAY_URL ? { sms: httpSmsGateway(config.SMS_GATEWAY_URL) } : {}),
    webhook: postWebhook,
  };
}
