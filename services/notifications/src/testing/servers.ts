import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { ReplayCache, verifyWebhook } from '../webhooks';
import type { WebhookVerdict } from '../webhooks';

/** A real SMTP server on 127.0.0.1 with an in-memory mailbox of parsed messages. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string | undefined;
  deliveryId: string | undefined;
  /** The raw Subject header as it travelled (RFC 2047 encoded words for Chinese). */
  rawSubject: string;
}

export async function startSmtpServer(): Promise<{
  url: string;
  mailbox: ReceivedMail[];
  close(): Promise<void>;
}> {
  const mailbox: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((mail) => {
            const header = /^Subject:(.*(?:\r\n[ \t].*)*)/im.exec(raw.toString('latin1'))?.[1] ?? '';
            mailbox.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              messageId: mail.messageId,
              deliveryId: mail.headers.get('x-duban-delivery-id') as string | undefined,
              rawSubject: header.replace(/\r\n[ \t]/g, ' ').trim(),
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mailbox,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface WebhookDelivery {
  deliveryId: string;
  verdict: WebhookVerdict;
  body: {
    deliveryId: string;
    kind: string;
    title: string;
    event: { id: string; type: string; subject: string };
  };
}

/**
 * A county system receiving webhooks: verifies each request with verifyWebhook (signature, time,
 * replay), records it, and answers 2xx for good ones and replays. It can be taken down (the port
 * closed) and brought back on the same port.
 */
export async function startWebhookReceiver(secret: string) {
  const received: WebhookDelivery[] = [];
  const rejected: WebhookDelivery[] = [];
  const replay = new ReplayCache();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    const s = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const verdict = verifyWebhook({ secret, headers: req.headers, body: raw, replay });
        const entry = {
          deliveryId: String(req.headers['x-duban-delivery-id']),
          verdict,
          body: JSON.parse(raw) as WebhookDelivery['body'],
        };
        if (verdict.ok) received.push(entry);
        else rejected.push(entry);
        res.statusCode = verdict.ok || verdict.reason === 'replay' ? 204 : 401;
        res.end();
      });
    });
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  await listen();
  return {
    url: () => `http://127.0.0.1:${port}/duban-hook`,
    received,
    rejected,
    /** Stops answering: connections are refused until `up()`. */
    async down() {
      const s = server;
      server = undefined;
      if (s)
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
    },
    up: listen,
    close() {
      return this.down();
    },
  };
}

/** An SMS gateway as the HTTP adapter expects one: POST JSON {to, text}. */
export async function startSmsGateway() {
  const messages: Array<{ to: string; text: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      messages.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string; text: string });
      res.statusCode = 200;
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// The chat and SMS platforms, each as its documents describe it: the request format, the
// credential or signature check, and the platform's own error shape. The checks are written here
// again from the documents (not through channels/signing.ts), so a mistake in one shows against
// the other; signing.test.ts pins both to the platforms' published examples.
// ---------------------------------------------------------------------------------------------

type Handler = (req: IncomingMessage, body: string) => { status?: number; json: unknown };

async function startJsonServer(handler: Handler) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let answer: { status?: number; json: unknown };
      try {
        answer = handler(req, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        answer = { status: 400, json: { error: (error as Error).message } };
      }
      res.statusCode = answer.status ?? 200;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const queryOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').searchParams;
const pathOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').pathname;
/** The next `n` requests are answered with a platform's rate-limit error. */
const limiter = () => {
  let left = 0;
  return {
    failNext(n: number) {
      left = n;
    },
    take: () => (left > 0 ? (left--, true) : false),
  };
};

export interface ChatMessage {
  msgtype: string;
  content: string;
  mentions: string[];
}

/**
 * WeCom (qyapi.weixin.qq.com): group robots at /cgi-bin/webhook/send?key=… (the key is the
 * credential: a wrong one is errcode 93000), and an application: /cgi-bin/gettoken with corpid and
 * corpsecret (40013 / 40001), /cgi-bin/message/send?access_token=… (40014 unknown, 42001 expired).
 */
export async function startWecomServer(options: {
  robotKey: string;
  corpId: string;
  corpSecret: string;
  agentId: number;
}) {
  const robot: ChatMessage[] = [];
  const app: Array<{ touser: string; agentid: number; content: string }> = [];
  const tokens = new Map<string, { expired: boolean }>();
  const rate = limiter();
  let tokenFetches = 0;
  const server = await startJsonServer((req, raw) => {
    const q = queryOf(req);
    const path = pathOf(req);
    if (path === '/cgi-bin/webhook/send' && req.method === 'POST') {
      if (q.get('key') !== options.robotKey)
        return { json: { errcode: 93000, errmsg: 'invalid webhook url, hint: [robot key not found]' } };
      if (rate.take()) return { json: { errcode: 45009, errmsg: 'api freq out of limit' } };
      const body = JSON.parse(raw) as {
        msgtype?: string;
        text?: { content?: string; mentioned_mobile_list?: string[] };
        markdown?: { content?: string };
      };
      const content = body.msgtype === 'text' ? body.text?.content : body.markdown?.content;
      if ((body.msgtype !== 'text' && body.msgtype !== 'markdown') || !content)
        return { json: { errcode: 40008, errmsg: 'invalid message type' } };
      if (Buffer.byteLength(content) > (body.msgtype === 'text' ? 2048 : 4096))
        return { json: { errcode: 40058, errmsg: 'content exceed max length' } };
      robot.push({ msgtype: body.msgtype, content, mentions: body.text?.mentioned_mobile_list ?? [] });
      return { json: { errcode: 0, errmsg: 'ok' } };
    }
    if (path === '/cgi-bin/gettoken' && req.method === 'GET') {
      tokenFetches++;
      if (q.get('corpid') !== options.corpId) return { json: { errcode: 40013, errmsg: 'invalid corpid' } };
      if (q.get('corpsecret') !== options.corpSecret)
        return { json: { errcode: 40001, errmsg: 'invalid credential' } };
      const token = randomBytes(24).toString('hex');
      tokens.set(token, { expired: false });
      return { json: { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 } };
    }
    if (path === '/cgi-bin/message/send' && req.method === 'POST') {
      const token = tokens.get(q.get('access_token') ?? '');
      if (!token) return { json: { errcode: 40014, errmsg: 'invalid access_token' } };
      if (token.expired) return { json: { errcode: 42001, errmsg: 'access_token expired' } };
      if (rate.take()) return { json: { errcode: 45009, errmsg: 'api freq out of limit' } };
      const body = JSON.parse(raw) as {
        touser?: string;
        agentid?: number;
        msgtype?: string;
        text?: { content?: string };
      };
      if (body.agentid !== options.agentId)
        return { json: { errcode: 301002, errmsg: 'not allow operate another agent' } };
      if (body.msgtype !== 'text' || !body.text?.content || !body.touser)
        return { json: { errcode: 40008, errmsg: 'invalid message type' } };
      app.push({ touser: body.touser, agentid: body.agentid, content: body.text.content });
      return { json: { errcode: 0, errmsg: 'ok', invaliduser: '', msgid: randomBytes(8).toString('hex') } };
    }
    return { status: 404, json: { errcode: 404, errmsg: 'not found' } };
  });
  return {
    ...server,
    robot,
    app,
    tokenFetches: () => tokenFetches,
    /** Every issued token expires now (WeCom then answers 42001). */
    expireTokens() {
      for (const t of tokens.values()) t.expired = true;
    },
    failNext: rate.failNext,
  };
}

/**
 * A DingTalk custom robot with 加签 (oapi.dingtalk.com/robot/send): access_token, timestamp (ms,
 * within an hour of the server's clock) and sign = base64(HmacSHA256(secret, timestamp\nsecret)).
 * A bad sign or timestamp is errcode 310000, an unknown token 300001, too fast 410100.
 */
export async function startDingtalkServer(options: { accessToken: string; secret: string }) {
  const messages: ChatMessage[] = [];
  const rate = limiter();
  const server = await startJsonServer((req, raw) => {
    if (pathOf(req) !== '/robot/send' || req.method !== 'POST')
      return { status: 404, json: { errcode: 404, errmsg: 'not found' } };
    const q = queryOf(req);
    if (q.get('access_token') !== options.accessToken)
      return { json: { errcode: 300001, errmsg: 'token is not exist' } };
    const timestamp = Number(q.get('timestamp'));
    if (!Number.isFinite(timestamp) || Math.abs(Date.now() - timestamp) > 3600_000)
      return { json: { errcode: 310000, errmsg: 'invalid timestamp' } };
    const expected = createHmac('sha256', Buffer.from(options.secret, 'utf8'))
      .update(Buffer.from(`${timestamp}\n${options.secret}`, 'utf8'))
      .digest('base64');
    if (q.get('sign') !== expected)
      return {
        json: {
          errcode: 310000,
          errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
        },
      };
    if (rate.take())
      return { json: { errcode: 410100, errmsg: 'send too fast, exceed 20 times per minute' } };
    const body = JSON.parse(raw) as {
      msgtype?: string;
      text?: { content?: string };
      markdown?: { title?: string; text?: string };
      at?: { atMobiles?: string[] };
    };
    const content = body.msgtype === 'text' ? body.text?.content : body.markdown?.text;
    if ((body.msgtype !== 'text' && body.msgtype !== 'markdown') || !content)
      return { json: { errcode: 40035, errmsg: '缺少参数 json' } };
    if (body.msgtype === 'markdown' && !body.markdown?.title)
      return { json: { errcode: 40035, errmsg: '缺少参数 markdown.title' } };
    messages.push({ msgtype: body.msgtype, content, mentions: body.at?.atMobiles ?? [] });
    return { json: { errcode: 0, errmsg: 'ok' } };
  });
  return { ...server, messages, failNext: rate.failNext };
}

export interface TemplateSms {
  phone: string;
  signName: string;
  template: string;
  params: Record<string, string>;
  /** The text as the phone shows it: 【签名】 and the template with its variables filled. */
  text: string;
  /** OutId (Aliyun) or SessionContext (Tencent): the delivery id. */
  reference: string;
}

/** RFC 3986 encoding byte by byte, as Aliyun's signature document spells it out. */
function popEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const fill = (template: string, params: Record<string, string>) =>
  template.replace(
    /\$\{(\w+)\}|\{(\d+)\}/g,
    (_, name: string | undefined, n: string | undefined) => params[name ?? n!] ?? '',
  );

/**
 * Aliyun SMS (dysmsapi, RPC style GET, SendSms 2017-05-25). Checks the AccessKeyId, the timestamp
 * (15 minutes), the nonce (once), and the HMAC-SHA1 signature over "GET&%2F&" + the encoded sorted
 * query; then the registered signature name and template, and the template's variables. Errors
 * are Aliyun's: HTTP 4xx {Code: "SignatureDoesNotMatch", Message, RequestId}, or HTTP 200 with an
 * isv.* code for the message itself.
 */
export async function startAliyunSmsServer(options: {
  accessKeyId: string;
  accessKeySecret: string;
  signNames: string[];
  /** TemplateCode → its registered content with ${name} variables. */
  templates: Record<string, string>;
}) {
  const messages: TemplateSms[] = [];
  const nonces = new Set<string>();
  const rate = limiter();
  const requestId = () => randomBytes(16).toString('hex').toUpperCase();
  const server = await startJsonServer((req) => {
    const raw = (req.url ?? '').split('?')[1] ?? '';
    const params = new Map<string, string>();
    for (const pair of raw.split('&').filter(Boolean)) {
      const [k, v = ''] = pair.split('=');
      params.set(decodeURIComponent(k!), decodeURIComponent(v));
    }
    const error = (status: number, Code: string, Message: string) => ({
      status,
      json: { RequestId: requestId(), HostId: 'dysmsapi.aliyuncs.com', Code, Message, Recommend: '' },
    });
    for (const p of [
      'AccessKeyId',
      'Action',
      'Signature',
      'SignatureMethod',
      'SignatureNonce',
      'SignatureVersion',
      'Timestamp',
      'Version',
    ])
      if (!params.has(p))
        return error(
          400,
          `MissingParameter`,
          `The input parameter "${p}" that is mandatory for processing this request is not supplied.`,
        );
    if (params.get('AccessKeyId') !== options.accessKeyId)
      return error(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (params.get('SignatureMethod') !== 'HMAC-SHA1' || params.get('SignatureVersion') !== '1.0')
      return error(400, 'InvalidParameter', 'SignatureMethod/SignatureVersion');
    const at = Date.parse(params.get('Timestamp')!);
    if (!/Z$/.test(params.get('Timestamp')!) || !(Math.abs(Date.now() - at) <= 15 * 60_000))
      return error(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    const canonical = [...params.keys()]
      .filter((k) => k !== 'Signature')
      .sort()
      .map((k) => `${popEncode(k)}=${popEncode(params.get(k)!)}`)
      .join('&');
    const stringToSign = `GET&${popEncode('/')}&${popEncode(canonical)}`;
    const expected = createHmac('sha1', `${options.accessKeySecret}&`).update(stringToSign).digest('base64');
    if (params.get('Signature') !== expected)
      return error(
        400,
        'SignatureDoesNotMatch',
        `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
      );
    const nonce = params.get('SignatureNonce')!;
    if (nonces.has(nonce))
      return error(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    nonces.add(nonce);
    if (params.get('Action') !== 'SendSms' || params.get('Version') !== '2017-05-25')
      return error(
        400,
        'InvalidAction.NotFound',
        'Specified api is not found, please check your url and method.',
      );
    const ok = (fields: Record<string, string>) => ({ json: { RequestId: requestId(), ...fields } });
    if (rate.take()) return ok({ Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1' });
    const signName = params.get('SignName') ?? '';
    if (!options.signNames.includes(signName))
      return ok({ Code: 'isv.SMS_SIGNATURE_ILLEGAL', Message: '该账号下找不到对应签名' });
    const template = options.templates[params.get('TemplateCode') ?? ''];
    if (!template) return ok({ Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: '该账号下找不到对应模板' });
    let vars: Record<string, string>;
    try {
      vars = JSON.parse(params.get('TemplateParam') ?? '{}') as Record<string, string>;
    } catch {
      return ok({ Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法，只接受字符串值' });
    }
    for (const [, name] of template.matchAll(/\$\{(\w+)\}/g))
      if (typeof vars[name!] !== 'string')
        return ok({ Code: 'isv.TEMPLATE_MISSING_PARAMETERS', Message: `模板变量缺少对应参数值 ${name}` });
    const phone = params.get('PhoneNumbers') ?? '';
    if (!/^(\+?86|0086)?1\d{10}$/.test(phone))
      return ok({ Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' });
    messages.push({
      phone,
      signName,
      template: params.get('TemplateCode')!,
      params: vars,
      text: `【${signName}】${fill(template, vars)}`,
      reference: params.get('OutId') ?? '',
    });
    return ok({ Code: 'OK', Message: 'OK', BizId: `${Date.now()}^0` });
  });
  return { ...server, messages, failNext: rate.failNext };
}

/**
 * Tencent Cloud SMS (sms.tencentcloudapi.com, SendSms 2021-01-11, API 3.0). Checks the X-TC-*
 * headers, the SecretId, the timestamp (5 minutes) and the TC3-HMAC-SHA256 Authorization rebuilt
 * from the request as received (content-type and host signed); then the SdkAppId, the signature
 * name, the template and its parameter count. Errors are Tencent's: HTTP 200 with
 * {Response: {Error: {Code: "AuthFailure.SignatureFailure", Message}, RequestId}}.
 */
export async function startTencentSmsServer(options: {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signNames: string[];
  /** TemplateId → its registered content with {1}, {2}… */
  templates: Record<string, string>;
}) {
  const messages: TemplateSms[] = [];
  const rate = limiter();
  const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
  const server = await startJsonServer((req, raw) => {
    const RequestId = randomBytes(16).toString('hex');
    const error = (Code: string, Message: string) => ({
      json: { Response: { Error: { Code, Message }, RequestId } },
    });
    const header = (name: string) => String(req.headers[name] ?? '');
    if (header('x-tc-action') !== 'SendSms')
      return error('InvalidAction', `The action ${header('x-tc-action')} is invalid.`);
    if (header('x-tc-version') !== '2021-01-11')
      return error('NoSuchVersion', 'The API version does not exist.');
    const auth =
      /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(
        header('authorization'),
      );
    if (!auth) return error('AuthFailure.InvalidAuthorization', 'Authorization is invalid.');
    const [, secretId, date, service, signedHeaders, signature] = auth;
    if (secretId !== options.secretId)
      return error('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    const timestamp = Number(header('x-tc-timestamp'));
    if (!(Math.abs(Date.now() / 1000 - timestamp) <= 300))
      return error(
        'AuthFailure.SignatureExpire',
        'Signature expired. Timestamp and server time cannot differ by more than five minutes.',
      );
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date || service !== 'sms')
      return error(
        'AuthFailure.SignatureFailure',
        'The provided credentials could not be validated: credential scope.',
      );
    const names = signedHeaders!.split(';');
    const canonicalHeaders = names.map((n) => `${n}:${header(n).trim().toLowerCase()}\n`).join('');
    const canonicalRequest = `${req.method}\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${sha256(raw)}`;
    const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/${service}/tc3_request\n${sha256(canonicalRequest)}`;
    let key: Buffer = createHmac('sha256', `TC3${options.secretKey}`).update(date!).digest();
    key = createHmac('sha256', key).update(service!).digest();
    key = createHmac('sha256', key).update('tc3_request').digest();
    if (
      !names.includes('host') ||
      !names.includes('content-type') ||
      createHmac('sha256', key).update(stringToSign).digest('hex') !== signature
    )
      return error(
        'AuthFailure.SignatureFailure',
        'The provided credentials could not be validated. Please check your signature is correct.',
      );
    if (rate.take()) return error('RequestLimitExceeded', 'Your current request times exceeds the limit.');
    const body = JSON.parse(raw) as {
      PhoneNumberSet?: string[];
      SmsSdkAppId?: string;
      SignName?: string;
      TemplateId?: string;
      TemplateParamSet?: string[];
      SessionContext?: string;
    };
    if (body.SmsSdkAppId !== options.sdkAppId)
      return error('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId not exist.');
    if (!options.signNames.includes(body.SignName ?? ''))
      return error(
        'FailedOperation.SignatureIncorrectOrUnapproved',
        'signature is not approved or is incorrect.',
      );
    const template = options.templates[body.TemplateId ?? ''];
    if (!template)
      return error(
        'FailedOperation.TemplateIncorrectOrUnapproved',
        'template is not approved or is incorrect.',
      );
    const params = body.TemplateParamSet ?? [];
    if (params.length !== [...template.matchAll(/\{\d+\}/g)].length)
      return error(
        'InvalidParameterValue.TemplateParameterFormatError',
        'the number of template parameters does not match.',
      );
    const vars = Object.fromEntries(params.map((v, i) => [String(i + 1), v]));
    const SendStatusSet = (body.PhoneNumberSet ?? []).map((phone) => {
      if (!/^\+\d{6,15}$/.test(phone))
        return {
          SerialNo: '',
          PhoneNumber: phone,
          Fee: 0,
          SessionContext: '',
          Code: 'InvalidParameterValue.IncorrectPhoneNumber',
          Message: 'phone number is incorrect',
          IsoCode: '',
        };
      messages.push({
        phone,
        signName: body.SignName!,
        template: body.TemplateId!,
        params: vars,
        text: `【${body.SignName}】${fill(template, vars)}`,
        reference: body.SessionContext ?? '',
      });
      return {
        SerialNo: randomBytes(8).toString('hex'),
        PhoneNumber: phone,
        Fee: 1,
        SessionContext: body.SessionContext ?? '',
        Code: 'Ok',
        Message: 'send success',
        IsoCode: 'CN',
      };
    });
    return { json: { Response: { SendStatusSet, RequestId } } };
  });
  return { ...server, messages, failNext: rate.failNext };
}
