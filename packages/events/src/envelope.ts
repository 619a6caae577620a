import { z } from 'zod';
import { EventId, IsoTime, NodeId } from './ids';

/** `<domain>.<entity>.<past-tense>`, e.g. `tasks.item.assigned`. */
export const EventType = z
  .string()
  .regex(/^[a-z]+\.[a-z-]+\.[a-z-]+$/, 'an event type reads <domain>.<entity>.<past-tense>');
export type EventType = z.infer<typeof EventType>;

/**
 * The envelope every event travels in, whatever the transport. Field names follow CloudEvents where
 * they fit (id, type, source, subject, time); `to` names the nodes the event asks something of.
 */
export const EventEnvelope = z.object({
  id: EventId,
  type: EventType,
  version: z.number().int().positive(),
  source: NodeId,
  to: z.array(NodeId),
  subject: z.string().min(1).max(200),
  time: IsoTime,
  correlationId: EventId,
  causationId: EventId.nullable(),
  data: z.unknown(),
  /** Ed25519 over the canonical envelope by the source node's key; null until the node signs. */
  signature: z.string().nullable(),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;

export const DOMAINS = ['tasks', 'reminders', 'scoring', 'notifications', 'security', 'org'] as const;
export type Domain = (typeof DOMAINS)[number];

export const TOPICS = {
  tasks: 'duban.tasks',
  reminders: 'duban.reminders',
  scoring: 'duban.scoring',
  notifications: 'duban.notifications',
  /** Node key rotations: every host reads them to keep its key ring current. */
  security: 'duban.security',
  /** Re-organisations of a county (机构调整): every node applies them to its tree. */
  org: 'duban.org',
  deadLetters: 'duban.dead-letters',
} as const;
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];
export const ALL_TOPICS: readonly Topic[] = Object.values(TOPICS);

export function topicOf(type: string): Topic {
  const domain = type.slice(0, type.indexOf('.'));
  if (!(DOMAINS as readonly string[]).includes(domain))
    throw new Error(`event type ${type} has no domain topic`);
  return TOPICS[domain as Domain];
}

/**
 * The analysts' stream (docs/analysts.md, ADR 0031): each domain's events, redacted by the county's
 * projector, as plain CloudEvents JSON. Not in ALL_TOPICS: no duban consumer reads them.
 */
export const ANALYTICS_TOPIC_PREFIX = 'duban.analytics.';
export const ANALYTICS_TOPICS = {
  tasks: 'duban.analytics.tasks',
  reminders: 'duban.analytics.reminders',
  scoring: 'duban.analytics.scoring',
  notifications: 'duban.analytics.notifications',
  security: 'duban.analytics.security',
  org: 'duban.analytics.org',
} as const satisfies Record<Domain, `${typeof ANALYTICS_TOPIC_PREFIX}${Domain}`>;
export type AnalyticsTopic = (typeof ANALYTICS_TOPICS)[Domain];
export const ALL_ANALYTICS_TOPICS: readonly AnalyticsTopic[] = Object.values(ANALYTICS_TOPICS);

export function analyticsTopicOf(type: string): AnalyticsTopic {
  return `${ANALYTICS_TOPIC_PREFIX}${topicOf(type).slice('duban.'.length)}` as AnalyticsTopic;
}
