import { TOPICS, uuidv7 } from '@duban/events';
import type { DubanEvent } from '@duban/events';
import type { EventHandler } from '@duban/bus';
import type { TransactionClient } from '@duban/db';
import type { NotificationsDeps } from '../deps';
import { kindOf } from '../domain/kinds';
import type { Locale } from '../domain/kinds';
import { planDeliveries } from '../domain/planning';
import type { PlanOptions } from '../domain/planning';
import { renderFor } from '../domain/wording';
import type { Rendered } from '../domain/templates';
import { deliveryRepository } from '../repositories/deliveries';
import type { NewDelivery } from '../repositories/deliveries';
import { itemRepository } from '../repositories/items';
import { recipientRepository } from '../repositories/recipients';
import { templateRepository } from '../repositories/templates';

/**
 * For every event addressed to a hosted node: one inbox message for the node, and one delivery row
 * per (person or system, channel) the node's preferences ask for, all in the event's transaction,
 * so a redelivered event adds nothing and a crash loses nothing. Events a hosted node emitted or
 * received also keep the small item projection the documents are printed from.
 */
export function inboxConsumer(
  deps: NotificationsDeps,
  planOptions: (nodeId: string) => PlanOptions = () => ({}),
): EventHandler {
  const nameOf = (id: string) => deps.org.find(id)?.name ?? id;
  return {
    name: 'notifications',
    topics: [TOPICS.tasks, TOPICS.reminders, TOPICS.scoring, TOPICS.notifications],
    accepts: (event) => deps.hosted.has(event.source) || event.to.some((id) => deps.hosted.has(id)),
    async handle(event, tx) {
      const parties = [...new Set([event.source, ...event.to])].filter((id) => deps.hosted.has(id));
      await itemRepository.apply(tx, parties, event);
      for (const nodeId of new Set(event.to.filter((id) => deps.hosted.has(id)))) {
        await deliverToNode(deps, tx, event, nodeId, nameOf, planOptions(nodeId));
      }
    },
  };
}

async function deliverToNode(
  deps: NotificationsDeps,
  tx: TransactionClient,
  event: DubanEvent,
  nodeId: string,
  nameOf: (id: string) => string,
  planOptions: PlanOptions,
): Promise<void> {
  const now = deps.clock.now();
  const kind = kindOf(event.type);
  const wording = new Map<Locale, Rendered>();
  const wordingFor = async (locale: Locale): Promise<Rendered> => {
    let rendered = wording.get(locale);
    if (!rendered) {
      const override = await templateRepository.find(tx, nodeId, event.type, locale);
      rendered = renderFor(event, locale, nameOf, override);
      wording.set(locale, rendered);
    }
    return rendered;
  };

  const inbox = await wordingFor('zh-CN');
  await tx.inboxMessage.createMany({
    data: [
      {
        id: uuidv7(now.getTime()),
        nodeId,
        eventId: event.id,
        type: event.type,
        kind,
        subject: event.subject,
        title: inbox.title,
        body: inbox.body,
        createdAt: now,
      },
    ],
    skipDuplicates: true,
  });

  const planned = planDeliveries(
    kind,
    await recipientRepository.active(tx, nodeId),
    await recipientRepository.activeEndpoints(tx, nodeId),
    now,
    planOptions,
  );
  const rows: NewDelivery[] = [];
  for (const p of planned) {
    const text = await wordingFor(p.locale);
    const id = uuidv7(now.getTime());
    rows.push({
      id,
      nodeId,
      dedupeKey: `${event.id}:${nodeId}:${p.recipient}:${p.channel}`,
      eventId: event.id,
      eventType: event.type,
      kind,
      subject: event.subject,
      recipient: p.recipient,
      channel: p.channel,
      address: p.address,
      locale: p.locale,
      title: text.title,
      body: text.body,
      payload:
        p.channel === 'webhook'
          ? JSON.stringify({ deliveryId: id, node: nodeId, kind, title: text.title, body: text.body, event })
          : null,
      status: p.digestAt ? 'held' : 'pending',
      nextAttemptAt: p.digestAt ?? p.notBefore ?? now,
      digestAt: p.digestAt,
      createdAt: now,
    });
  }
  await deliveryRepository.add(tx, rows);
}
