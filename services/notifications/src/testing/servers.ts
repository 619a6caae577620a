import { createServer } from 'node:http';
import type { Server } from 'node:http';
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
