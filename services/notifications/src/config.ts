import { z } from 'zod';
import { KINDS } from './domain/kinds';

const Url = z.url({ protocol: /^https?$/ });
const Secret = z.string().trim().min(1).max(500);

/**
 * A value an SMS template parameter is filled with. Providers cap a parameter's length by template
 * type (and revise the caps): values are cut to the template's `maxLength`.
 */
export const SmsParamSource = z.enum(['title', 'body', 'node', 'kind']);
export type SmsParamSource = z.infer<typeof SmsParamSource>;
export const SmsTemplate = z.object({
  /** Aliyun: the TemplateCode (SMS_…); Tencent: the TemplateId (digits). */
  code: z.string().trim().min(1).max(100),
  /** Template variable → what fills it. Tencent's variables are {1}, {2}…: name them "1", "2"…. */
  params: z.record(z.string().min(1).max(50), SmsParamSource).default({}),
  maxLength: z.number().int().min(1).max(500).default(35),
});
export type SmsTemplate = z.infer<typeof SmsTemplate>;
/** Per kind of message; `default` for the kinds not named (and digests) and required. */
const SmsTemplates = z
  .partialRecord(z.enum([...KINDS, 'digest', 'default']), SmsTemplate)
  .refine((t) => t.default !== undefined, {
    message: 'needs a "default" template (used for every kind not named)',
  });

export const AliyunSmsConfig = z.object({
  provider: z.literal('aliyun'),
  accessKeyId: Secret,
  accessKeySecret: Secret,
  /** 签名: the registered signature name, e.g. 睢县督查室. */
  signName: z.string().trim().min(2).max(50),
  regionId: z.string().default('cn-hangzhou'),
  baseUrl: Url.default('https://dysmsapi.aliyuncs.com'),
  templates: SmsTemplates,
});
export const TencentSmsConfig = z.object({
  provider: z.literal('tencent'),
  secretId: Secret,
  secretKey: Secret,
  /** The SMS application's SdkAppId (1400…). */
  sdkAppId: z.string().regex(/^\d+$/, 'digits'),
  signName: z.string().trim().min(2).max(50),
  region: z.string().default('ap-guangzhou'),
  baseUrl: Url.default('https://sms.tencentcloudapi.com'),
  templates: SmsTemplates,
});
export const SmsProviderConfig = z.discriminatedUnion('provider', [AliyunSmsConfig, TencentSmsConfig]);
export type SmsProviderConfig = z.infer<typeof SmsProviderConfig>;

/** The chat and SMS channels of one node (or, under "*", of every node not named). */
export const NodeChannelConfig = z
  .object({
    /** A WeCom group robot: the `key` of its webhook URL. */
    wecomRobot: z
      .object({
        key: Secret,
        baseUrl: Url.default('https://qyapi.weixin.qq.com'),
        msgtype: z.enum(['text', 'markdown']).default('text'),
      })
      .strict()
      .optional(),
    /** A WeCom self-built application: messages to each person's userid. */
    wecomApp: z
      .object({
        corpId: Secret,
        corpSecret: Secret,
        agentId: z.number().int().positive(),
        baseUrl: Url.default('https://qyapi.weixin.qq.com'),
      })
      .strict()
      .optional(),
    /** A DingTalk custom robot with 加签: its webhook's access_token and the SEC… secret. */
    dingtalkRobot: z
      .object({
        accessToken: Secret,
        secret: z.string().trim().startsWith('SEC', 'the robot’s 加签 secret starts with SEC'),
        baseUrl: Url.default('https://oapi.dingtalk.com'),
        msgtype: z.enum(['text', 'markdown']).default('text'),
      })
      .strict()
      .optional(),
    /** A template SMS provider; replaces SMS_GATEWAY_URL for this node. */
    sms: SmsProviderConfig.optional(),
  })
  .strict();
export type NodeChannelConfig = z.infer<typeof NodeChannelConfig>;

/** JSON in one variable: {"<node id>" | "*": NodeChannelConfig}. */
const NodeChannelsJson = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not JSON: ${(error as Error).message}` });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().min(1).max(100), NodeChannelConfig));

/** What the notifications service reads from its environment (on top of NodeProcessConfig). */
export const NotificationsConfig = z.object({
  /** smtp://user:pass@host:587 or smtps://…:465; absent: the email channel is off (logged at start). */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /** The From of every email, e.g. "睢县县委督查室 <duban@example.gov.cn>". */
  SMTP_FROM: z.string().min(3).max(200).default('duban <duban@localhost>'),
  /** The SMS gateway adapter's endpoint: POST JSON {to, text}; absent: the SMS channel is off. */
  SMS_GATEWAY_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** WeCom, DingTalk and template SMS per node (docs/notifications.md); absent: none. */
  NOTIFY_CHANNELS: NodeChannelsJson.default({}),
  /** Kinds that go out in quiet hours, comma-separated (default: escalation). */
  NOTIFY_URGENT_KINDS: z
    .string()
    .default('escalation')
    .transform((s) =>
      s
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== ''),
    )
    .pipe(z.array(z.enum(KINDS))),
  /** How often the delivery worker looks for due deliveries (it also runs after each batch). */
  NOTIFY_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** Webhooks keep trying longer: a county system down for a day still gets everything, in order. */
  NOTIFY_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(30),
  NOTIFY_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(30_000),
  NOTIFY_BACKOFF_MAX_MS: z.coerce.number().int().min(1).default(3_600_000),
  /**
   * How long a claimed ('sending') delivery is left alone before it is taken as interrupted by a
   * crash and sent again; longer than any send can take (sends time out after 30 s).
   */
  NOTIFY_LEASE_MS: z.coerce.number().int().min(1000).default(120_000),
});
export type NotificationsConfig = z.infer<typeof NotificationsConfig>;
