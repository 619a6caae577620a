import { randomUUID } from 'node:crypto';
import type { AliyunSmsConfig, SmsParamSource, SmsTemplate, TencentSmsConfig } from '../config';
import type { z } from 'zod';
import { PermanentFailure, SEND_TIMEOUT_MS, throwForStatus } from './errors';
import type { ChannelMessage, Sender } from './message';
import { aliyunCanonicalQuery, aliyunPercentEncode, aliyunSignature, tc3Sign } from './signing';

type Aliyun = z.infer<typeof AliyunSmsConfig>;
type Tencent = z.infer<typeof TencentSmsConfig>;

/** How a kind reads inside a template ("您有一条{kind}"): short, as variables are capped. */
const KIND_LABELS: Record<string, string> = {
  notice: '交办通知',
  chase: '催办通知',
  escalation: '督办升级',
  review: '审核结果',
  decision: '通报',
  sanction: '问责决定',
  bulletin: '督查通报',
  other: '督办消息',
  digest: '消息汇总',
};

function cut(value: string, max: number): string {
  const chars = [...value];
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}

/** The template for a kind (else `default`), and each variable's value cut to its cap. */
export function templateFor(
  templates: Partial<Record<string, SmsTemplate>>,
  m: ChannelMessage,
): { code: string; values: Array<[string, string]> } {
  const template = templates[m.kind] ?? templates.default!;
  const source = (s: SmsParamSource): string => {
    switch (s) {
      case 'title':
        return m.title;
      case 'body':
        return m.body;
      case 'node':
        return m.nodeName;
      case 'kind':
        return KIND_LABELS[m.kind] ?? KIND_LABELS.other!;
    }
  };
  return {
    code: template.code,
    values: Object.entries(template.params).map(([name, s]) => [name, cut(source(s), template.maxLength)]),
  };
}

/** Aliyun: flow control and the service's own trouble pass; a bad signature, number or template do not. */
const aliyunTransient = (code: string) =>
  code === 'isv.BUSINESS_LIMIT_CONTROL' ||
  code.startsWith('Throttling') ||
  code === 'ServiceUnavailable' ||
  code.startsWith('InternalError') ||
  code.startsWith('isp.');

/**
 * Aliyun SMS (dysmsapi SendSms, RPC style): a GET whose query carries the common parameters, the
 * message's (PhoneNumbers, SignName, TemplateCode, TemplateParam as JSON, OutId = the delivery id)
 * and Signature (HMAC-SHA1, SignatureVersion 1.0) over all of them.
 */
export function aliyunSmsSender(
  config: Aliyun,
  now: () => Date = () => new Date(),
  nonce: () => string = randomUUID,
): Sender {
  return {
    async send(m) {
      const { code, values } = templateFor(config.templates, m);
      const params: Record<string, string> = {
        AccessKeyId: config.accessKeyId,
        Action: 'SendSms',
        Format: 'JSON',
        OutId: m.deliveryId,
        PhoneNumbers: m.to,
        RegionId: config.regionId,
        SignName: config.signName,
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: nonce(),
        SignatureVersion: '1.0',
        TemplateCode: code,
        TemplateParam: JSON.stringify(Object.fromEntries(values)),
        Timestamp: now()
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
        Version: '2017-05-25',
      };
      const signature = aliyunSignature(config.accessKeySecret, 'GET', params);
      const query = `Signature=${aliyunPercentEncode(signature)}&${aliyunCanonicalQuery(params)}`;
      const response = await fetch(`${config.baseUrl}/?${query}`, {
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      const text = await response.text();
      let reply: { Code?: string; Message?: string } = {};
      try {
        reply = JSON.parse(text) as typeof reply;
      } catch {
        if (!response.ok) throwForStatus('aliyun sms', response.status);
        throw new Error(`aliyun sms answered no JSON (HTTP ${response.status})`);
      }
      if (reply.Code === 'OK') return;
      const message = `aliyun sms answered ${reply.Code ?? `HTTP ${response.status}`}: ${reply.Message ?? ''}`;
      const transient = reply.Code ? aliyunTransient(reply.Code) : response.status >= 500;
      throw transient ? new Error(message) : new PermanentFailure(message);
    },
  };
}

/** Tencent wants E.164: a mainland number without its +86 gets it. */
export function e164(phone: string): string {
  if (phone.startsWith('+')) return phone;
  if (/^1\d{10}$/.test(phone)) return `+86${phone}`;
  if (/^86\d{11}$/.test(phone)) return `+${phone}`;
  if (phone.startsWith('00')) return `+${phone.slice(2)}`;
  return phone;
}

const tencentTransient = (code: string) =>
  code.startsWith('InternalError') ||
  code.startsWith('RequestLimitExceeded') ||
  code.startsWith('LimitExceeded');

interface TencentReply {
  Response?: {
    Error?: { Code: string; Message: string };
    SendStatusSet?: Array<{ Code: string; Message: string; PhoneNumber: string }>;
  };
}

/**
 * Tencent Cloud SMS (SendSms, API 3.0, version 2021-01-11): POST JSON with SmsSdkAppId, SignName,
 * TemplateId and TemplateParamSet (the values in the order of the template's {1}, {2}…), signed
 * TC3-HMAC-SHA256 with the X-TC-* headers.
 */
export function tencentSmsSender(config: Tencent, now: () => Date = () => new Date()): Sender {
  const host = new URL(config.baseUrl).host;
  return {
    async send(m) {
      const { code, values } = templateFor(config.templates, m);
      // Numeric names sort as numbers; the set is positional.
      const ordered = [...values].sort(([a], [b]) => Number(a) - Number(b) || a.localeCompare(b));
      const payload = JSON.stringify({
        PhoneNumberSet: [e164(m.to)],
        SmsSdkAppId: config.sdkAppId,
        SignName: config.signName,
        TemplateId: code,
        TemplateParamSet: ordered.map(([, v]) => v),
        SessionContext: m.deliveryId,
      });
      const timestamp = Math.floor(now().getTime() / 1000);
      const signed = tc3Sign({
        secretId: config.secretId,
        secretKey: config.secretKey,
        service: 'sms',
        host,
        timestamp,
        payload,
      });
      const response = await fetch(`${config.baseUrl}/`, {
        method: 'POST',
        headers: {
          authorization: signed.authorization,
          'content-type': 'application/json; charset=utf-8',
          'x-tc-action': 'SendSms',
          'x-tc-version': '2021-01-11',
          'x-tc-timestamp': String(timestamp),
          'x-tc-region': config.region,
        },
        body: payload,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      if (!response.ok) {
        await response.body?.cancel();
        throwForStatus('tencent sms', response.status);
      }
      const reply = ((await response.json()) as TencentReply).Response ?? {};
      const failure = reply.Error ?? reply.SendStatusSet?.find((s) => s.Code !== 'Ok');
      if (!failure && reply.SendStatusSet?.length) return;
      const errorCode = failure?.Code ?? 'NoStatus';
      const message = `tencent sms answered ${errorCode}: ${failure?.Message ?? 'no send status'}`;
      throw tencentTransient(errorCode) ? new Error(message) : new PermanentFailure(message);
    },
  };
}
