import type { NodeChannelConfig } from '../config';
import { PermanentFailure, SEND_TIMEOUT_MS, throwForStatus } from './errors';
import type { ChannelMessage, Sender } from './message';
import { dingtalkSign } from './signing';

type WecomRobotConfig = NonNullable<NodeChannelConfig['wecomRobot']>;
type WecomAppConfig = NonNullable<NodeChannelConfig['wecomApp']>;
type DingtalkRobotConfig = NonNullable<NodeChannelConfig['dingtalkRobot']>;

interface ErrcodeReply {
  errcode?: number;
  errmsg?: string;
}

/** WeCom: system busy, API frequency (45009) and concurrency (45033) limits pass; the rest do not. */
const WECOM_TRANSIENT = new Set([-1, 45009, 45033]);
/** WeCom application tokens: invalid (40014) or expired (42001): fetch a new one and send again. */
const WECOM_TOKEN_STALE = new Set([40014, 42001]);
/** DingTalk: system busy, and sending too fast (410100; older robots answer 130101). */
const DINGTALK_TRANSIENT = new Set([-1, 410100, 130101]);

async function postJson(who: string, url: string, body: unknown): Promise<ErrcodeReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throwForStatus(who, response.status);
  }
  return (await response.json()) as ErrcodeReply;
}

function check(who: string, reply: ErrcodeReply, transient: ReadonlySet<number>): void {
  const code = reply.errcode ?? 0;
  if (code === 0) return;
  const message = `${who} answered errcode ${code}: ${reply.errmsg ?? ''}`;
  throw transient.has(code) ? new Error(message) : new PermanentFailure(message);
}

/** Cuts a string to at most `bytes` UTF-8 bytes on a character boundary (the platforms count bytes). */
export function cutBytes(text: string, bytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= bytes) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > bytes - 3) break;
    out += ch;
    used += n;
  }
  return `${out}…`;
}

const mentionsOf = (m: ChannelMessage) => (m.to === '' ? [] : m.to.split(','));

/** A WeCom group robot: POST {msgtype, text|markdown} to webhook/send?key=…; @-mentions by phone. */
export function wecomRobotSender(config: WecomRobotConfig): Sender {
  const url = `${config.baseUrl}/cgi-bin/webhook/send?key=${encodeURIComponent(config.key)}`;
  return {
    async send(m) {
      const mentions = mentionsOf(m);
      // Markdown has no mention list; text does, so a message that @-mentions people goes as text.
      const body =
        config.msgtype === 'markdown' && mentions.length === 0
          ? { msgtype: 'markdown', markdown: { content: cutBytes(`**${m.title}**\n${m.body}`, 4096) } }
          : {
              msgtype: 'text',
              text: {
                content: cutBytes(`${m.title}\n${m.body}`, 2048),
                ...(mentions.length > 0 ? { mentioned_mobile_list: mentions } : {}),
              },
            };
      check('wecom robot', await postJson('wecom robot', url, body), WECOM_TRANSIENT);
    },
  };
}

/**
 * A WeCom application: gettoken (corpid, corpsecret) → access_token, kept until shortly before it
 * expires and fetched again when WeCom calls it invalid or expired; message/send to the userid.
 */
export function wecomAppSender(config: WecomAppConfig, now: () => number = Date.now): Sender {
  let token: { value: string; until: number } | undefined;
  let pending: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    const url = `${config.baseUrl}/cgi-bin/gettoken?corpid=${encodeURIComponent(config.corpId)}&corpsecret=${encodeURIComponent(config.corpSecret)}`;
    const response = await fetch(url, { signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
    if (!response.ok) {
      await response.body?.cancel();
      throwForStatus('wecom gettoken', response.status);
    }
    const reply = (await response.json()) as ErrcodeReply & { access_token?: string; expires_in?: number };
    check('wecom gettoken', reply, WECOM_TRANSIENT);
    if (!reply.access_token) throw new Error('wecom gettoken answered no access_token');
    // Five minutes' margin: a token used right at its end fails on the way.
    token = {
      value: reply.access_token,
      until: now() + Math.max(0, (reply.expires_in ?? 7200) - 300) * 1000,
    };
    return token.value;
  };
  const accessToken = async (): Promise<string> => {
    if (token && token.until > now()) return token.value;
    // One fetch for concurrent senders.
    pending ??= fetchToken().finally(() => (pending = undefined));
    return pending;
  };
  const sendWith = (value: string, m: ChannelMessage) =>
    postJson(
      'wecom message/send',
      `${config.baseUrl}/cgi-bin/message/send?access_token=${encodeURIComponent(value)}`,
      {
        touser: m.to,
        msgtype: 'text',
        agentid: config.agentId,
        text: { content: cutBytes(`${m.title}\n${m.body}`, 2048) },
        // WeCom drops identical content within the interval: a resend after a crash arrives once.
        enable_duplicate_check: 1,
        duplicate_check_interval: 1800,
      },
    );
  return {
    async send(m) {
      let reply = await sendWith(await accessToken(), m);
      if (WECOM_TOKEN_STALE.has(reply.errcode ?? 0)) {
        token = undefined;
        reply = await sendWith(await accessToken(), m);
      }
      check('wecom message/send', reply, WECOM_TRANSIENT);
    },
  };
}

/**
 * A DingTalk custom robot with 加签: robot/send?access_token=…&timestamp=<ms>&sign=…, the sign over
 * the timestamp with the robot's secret (DingTalk refuses one more than an hour off its clock).
 */
export function dingtalkRobotSender(config: DingtalkRobotConfig, now: () => number = Date.now): Sender {
  return {
    async send(m) {
      const timestamp = now();
      const query = new URLSearchParams({
        access_token: config.accessToken,
        timestamp: String(timestamp),
        sign: dingtalkSign(config.secret, timestamp),
      });
      const mentions = mentionsOf(m);
      // DingTalk highlights an @ only where the content names the phone number.
      const at = mentions.map((p) => `@${p}`).join(' ');
      const body =
        config.msgtype === 'markdown'
          ? {
              msgtype: 'markdown',
              markdown: {
                title: m.title,
                text: cutBytes(`### ${m.title}\n${m.body}${at ? `\n\n${at}` : ''}`, 5000),
              },
              at: { atMobiles: mentions, isAtAll: false },
            }
          : {
              msgtype: 'text',
              text: { content: cutBytes(`${m.title}\n${m.body}${at ? `\n${at}` : ''}`, 5000) },
              at: { atMobiles: mentions, isAtAll: false },
            };
      check(
        'dingtalk robot',
        await postJson('dingtalk robot', `${config.baseUrl}/robot/send?${query.toString()}`, body),
        DINGTALK_TRANSIENT,
      );
    },
  };
}
