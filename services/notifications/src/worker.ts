import { systemClock } from '@duban/kit';
import type { Clock } from '@duban/kit';
import { uuidv7 } from '@duban/events';
import type { NotificationsConfig } from './config';
import type { NotificationsDeps } from './deps';
import type { Channels } from './channels';
import { PermanentFailure } from './channels';
import { renderDigest } from './domain/digest';
import type { DeliveryChannel, Kind, Locale } from './domain/kinds';
import { afterFailure, notBeforeFor } from './domain/planning';
import { deliveryRepository } from './repositories/deliveries';
import type { ClaimedDelivery } from './repositories/deliveries';
import { recipientRepository } from './repositories/recipients';

/** Points where a test can stop the worker the way a crash would. */
export interface DeliveryFailpoints {
  /**
   * Called after a message went out and before its result is recorded. If it throws, the worker
   * stops right there, recording nothing, as a process killed at that instant would.
   */
  afterSend?(delivery: ClaimedDelivery): void;
}

export interface WorkerOptions {
  config: NotificationsConfig;
  channels: Channels;
  failpoints?: DeliveryFailpoints;
  /**
   * The machine's own clock, for webhook timestamps only: receivers compare them with their own
   * clocks, so they must be physical time even when the network runs on a virtual clock.
   */
  wallClock?: Clock;
  batchSize?: number;
}

/**
 * Sends what the inbox consumer queued: composes due digests, claims due deliveries (committed as
 * `sending` first), sends, and records the outcome with back-off or `dead` after the last attempt.
 */
export class DeliveryWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  lastError: unknown;
  private readonly warned = new Set<string>();

  constructor(
    private readonly deps: NotificationsDeps,
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  kick(): void {
    this.wakeUp?.();
  }

  private get channelNames(): string[] {
    const c = this.options.channels;
    const offered = new Set<string>(c.nodes?.offered() ?? []);
    if (c.sms) offered.add('sms');
    return [...(c.email ? ['email'] : []), ...offered, 'webhook'];
  }

  /** When a person's message on `channel` may go at `at`: later if it falls in their quiet hours. */
  private async deferredPastQuiet(
    nodeId: string,
    recipient: string,
    channel: DeliveryChannel,
    kind: string,
    at: Date,
  ): Promise<Date> {
    if (channel === 'webhook' || channel === 'wecom-robot' || channel === 'dingtalk-robot') return at;
    const quiet = await recipientRepository.quietHours(this.deps.prisma, nodeId, recipient);
    const until = notBeforeFor(
      quiet,
      channel,
      kind as Kind | 'digest',
      at,
      this.options.config.NOTIFY_URGENT_KINDS,
    );
    return until ?? at;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.composeDigests();
        const sent = await this.deliverDue();
        this.lastError = undefined;
        if (sent > 0) continue;
      } catch (error) {
        if (error instanceof SimulatedCrash) {
          this.deps.logger.warn({ delivery: error.deliveryId }, 'delivery worker stopped by a failpoint');
          this.running = false;
          return;
        }
        if (this.lastError === undefined)
          this.deps.logger.error({ err: error }, 'delivery worker failed; retrying');
        this.lastError = error;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.config.NOTIFY_POLL_MS);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Turns each person's held messages whose digest time has come into one digest delivery. */
  async composeDigests(): Promise<number> {
    const now = this.deps.clock.now();
    return this.deps.prisma.$transaction(async (tx) => {
      const held = await deliveryRepository.dueHeld(tx, this.deps.hosted.list(), now, 1000);
      const groups = new Map<string, typeof held>();
      for (const h of held) {
        const key = `${h.nodeId}:${h.recipient}:${h.channel}:${h.digestAt.toISOString()}`;
        groups.set(key, [...(groups.get(key) ?? []), h]);
      }
      for (const [key, entries] of groups) {
        const first = entries[0]!;
        // A digest due on a Monday that collected messages from several days is the weekly one.
        const spanDays =
          (first.digestAt.getTime() - Math.min(...entries.map((e) => e.createdAt.getTime()))) / 86_400_000;
        const text = renderDigest(
          entries.map((e) => ({ title: e.title, body: e.body, at: e.createdAt })),
          first.digestAt,
          first.locale as Locale,
          spanDays > 1,
        );
        const id = uuidv7(now.getTime());
        // A digest due at 08:00 for someone whose nights end at 09:00 waits for 09:00.
        const quiet = await recipientRepository.quietHours(tx, first.nodeId, first.recipient);
        const notBefore = notBeforeFor(
          quiet,
          first.channel as DeliveryChannel,
          'digest',
          now,
          this.options.config.NOTIFY_URGENT_KINDS,
        );
        await deliveryRepository.add(tx, [
          {
            id,
            nodeId: first.nodeId,
            dedupeKey: `digest:${key}`,
            eventId: null,
            eventType: 'notifications.digest',
            kind: 'digest',
            subject: `digest:${first.recipient}`,
            recipient: first.recipient,
            channel: first.channel,
            address: first.address,
            locale: first.locale,
            title: text.title,
            body: text.body,
            payload: null,
            status: 'pending',
            nextAttemptAt: notBefore ?? now,
            digestAt: first.digestAt,
            createdAt: now,
          },
        ]);
        await deliveryRepository.markDigested(
          tx,
          entries.map((e) => e.id),
          id,
        );
      }
      return groups.size;
    });
  }

  /** Claims and sends one batch; returns how many it claimed. */
  async deliverDue(): Promise<number> {
    const { config } = this.options;
    const claimed = await deliveryRepository.claim(this.deps.prisma, {
      nodeIds: this.deps.hosted.list(),
      channels: this.channelNames,
      now: this.deps.clock.now(),
      leaseMs: config.NOTIFY_LEASE_MS,
      limit: this.options.batchSize ?? 50,
    });
    // One at a time, in seq order: webhooks of one item must not overtake each other.
    for (const d of claimed) {
      let error: unknown;
      try {
        await this.send(d);
      } catch (e) {
        error = e;
      }
      try {
        this.options.failpoints?.afterSend?.(d);
      } catch {
        throw new SimulatedCrash(d.id);
      }
      const now = this.deps.clock.now();
      if (error === undefined) {
        await deliveryRepository.recordSent(this.deps.prisma, d, now);
        continue;
      }
      const message = (error as Error).message ?? String(error);
      const maxAttempts =
        d.channel === 'webhook' ? config.NOTIFY_WEBHOOK_MAX_ATTEMPTS : config.NOTIFY_MAX_ATTEMPTS;
      let next =
        error instanceof PermanentFailure
          ? ({ dead: true } as const)
          : afterFailure(
              d.attempts,
              { maxAttempts, baseMs: config.NOTIFY_BACKOFF_BASE_MS, maxMs: config.NOTIFY_BACKOFF_MAX_MS },
              now,
            );
      // A retry that would land in the night waits for the morning, like the first attempt.
      if (!next.dead)
        next = {
          dead: false,
          at: await this.deferredPastQuiet(d.nodeId, d.recipient, d.channel, d.kind, next.at),
        };
      const log = { delivery: d.id, channel: d.channel, attempt: d.attempts, error: message };
      if (next.dead) this.deps.logger.warn(log, 'delivery failed for good');
      else this.deps.logger.info({ ...log, retryAt: next.at }, 'delivery failed; will retry');
      await deliveryRepository.recordFailed(this.deps.prisma, d, now, message, next);
    }
    return claimed.length;
  }

  private async send(d: ClaimedDelivery): Promise<void> {
    const { channels } = this.options;
    const node = channels.nodes?.for(d.nodeId) ?? {};
    const message = {
      deliveryId: d.id,
      nodeId: d.nodeId,
      nodeName: this.deps.org.find(d.nodeId)?.name ?? d.nodeId,
      kind: d.kind,
      to: d.address,
      title: d.title,
      body: d.body,
    };
    const off = (what: string) => new PermanentFailure(`${what} is not configured for ${d.nodeId}`);
    switch (d.channel) {
      case 'email':
        if (!channels.email) throw new Error('email channel disabled');
        return channels.email.send({ deliveryId: d.id, to: d.address, subject: d.title, text: d.body });
      case 'sms': {
        // The node's own provider (registered signature and templates) before the generic gateway.
        const sms = node.sms ?? channels.sms;
        // Claimed only because another node has a provider: this one has none (and no gateway).
        if (!sms)
          throw new PermanentFailure(`neither an SMS provider nor SMS_GATEWAY_URL is set for ${d.nodeId}`);
        return sms.send(message);
      }
      case 'wecom':
        if (!node.wecomApp) throw off('a WeCom application');
        return node.wecomApp.send(message);
      case 'wecom-robot':
        if (!node.wecomRobot) throw off('a WeCom group robot');
        return node.wecomRobot.send(message);
      case 'dingtalk-robot':
        if (!node.dingtalkRobot) throw off('a DingTalk robot');
        return node.dingtalkRobot.send(message);
      case 'webhook': {
        const endpoint = await recipientRepository.endpoint(this.deps.prisma, d.recipient);
        if (!endpoint || !endpoint.active) throw new PermanentFailure('webhook endpoint removed or disabled');
        const wall = (this.options.wallClock ?? systemClock).now();
        return channels.webhook({
          deliveryId: d.id,
          url: endpoint.url,
          secret: endpoint.secret,
          eventType: d.eventType,
          body: d.payload ?? '{}',
          timestamp: Math.floor(wall.getTime() / 1000),
        });
      }
      default: {
        if (!this.warned.has(d.channel)) {
          this.warned.add(d.channel);
          this.deps.logger.error({ channel: d.channel }, 'unknown delivery channel');
        }
        throw new PermanentFailure(`unknown channel ${String(d.channel)}`);
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    this.options.channels.email?.close?.();
  }
}

class SimulatedCrash extends Error {
  constructor(readonly deliveryId: string) {
    super(`simulated crash after sending ${deliveryId}`);
  }
}
