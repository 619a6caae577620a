import { z } from 'zod';
import { CATALOGUE } from './catalogue';
import { EventEnvelope, TOPICS, topicOf } from './envelope';

/**
 * A message as it lands on `duban.dead-letters`: what a consumer could not apply and why. Written
 * by the bus (packages/bus consumer); described here so the stream's readers have its schema.
 */
export const DeadLetterRecord = z.object({
  group: z.string().describe('the consumer group that gave up on the message'),
  code: z.string().describe('machine-readable reason, e.g. event.invalid, event.signature-invalid'),
  reason: z.string(),
  topic: z.string(),
  partition: z.number().int(),
  position: z.string().describe('the offset (Kafka) or sequence number (embedded log)'),
  key: z.string().nullable(),
  value: z.string().nullable().describe('the original record value, as it was received'),
  at: z.iso.datetime(),
});
export type DeadLetterRecord = z.infer<typeof DeadLetterRecord>;

export interface AsyncApiOptions {
  /** The release the document describes (the root package.json's version). */
  version: string;
  /** Partitions per topic, as the brokers are set up (KAFKA_PARTITIONS; default 6). */
  partitions?: number;
}

type Json = Record<string, unknown>;

// AsyncAPI's default schema format is a superset of JSON Schema draft-07; the $schema key of a
// standalone document would be noise inside it.
function schemaOf(schema: z.ZodType): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7' }) as Json;
  return rest;
}

const messageKey = (type: string, version: number) => `${type}.v${version}`;

/** The domain name of a topic constant (`tasks` for `duban.tasks`), used as the channel id. */
function channelIdOf(topic: string): string {
  return topic.replace(/^duban\./, '');
}

/**
 * The event network as an AsyncAPI 3.0 document, generated from the catalogue: one channel per
 * topic, one message per (type, version) with the envelope around its payload, the Kafka
 * bindings (key = subject, partitions) and the security schemes the brokers use (ADR 0015).
 */
export function catalogueAsyncApi(options: AsyncApiOptions): Json {
  const partitions = options.partitions ?? 6;
  const messages: Json = {};
  const channelMessages = new Map<string, Json>();
  const ref = (path: string) => ({ $ref: path });

  for (const def of CATALOGUE) {
    const key = messageKey(def.type, def.version);
    const envelope = schemaOf(EventEnvelope.extend({ data: def.data }));
    const properties = envelope.properties as Json;
    messages[key] = {
      name: def.type,
      title: `${def.type} v${def.version}`,
      summary: def.description,
      contentType: 'application/json',
      payload: {
        ...envelope,
        properties: {
          ...properties,
          type: { type: 'string', const: def.type },
          version: { type: 'integer', const: def.version },
        },
      },
      'x-emitted-by': def.emittedBy,
      bindings: {
        kafka: {
          key: { type: 'string', description: 'the subject: an item id, score:<unit>:<year>, calendar, …' },
          bindingVersion: '0.5.0',
        },
      },
    };
    const channel = channelIdOf(topicOf(def.type));
    const list = channelMessages.get(channel) ?? {};
    list[key] = ref(`#/components/messages/${key}`);
    channelMessages.set(channel, list);
  }
  messages['dead-letter'] = {
    name: 'dead-letter',
    title: 'A message no consumer could apply',
    summary: 'Written by a consumer when an event is invalid, unauthorised, forged or fails after retries.',
    contentType: 'application/json',
    payload: schemaOf(DeadLetterRecord),
    bindings: { kafka: { key: { type: ['string', 'null'] }, bindingVersion: '0.5.0' } },
  };

  const channels: Json = {};
  const operations: Json = {};
  for (const topic of Object.values(TOPICS)) {
    const id = channelIdOf(topic);
    const own =
      topic === TOPICS.deadLetters
        ? { 'dead-letter': ref('#/components/messages/dead-letter') }
        : channelMessages.get(id);
    if (!own) continue;
    channels[id] = {
      address: topic,
      title: topic,
      description:
        topic === TOPICS.deadLetters
          ? 'Messages a consumer could not apply, with the reason.'
          : `The ${id} domain's events, keyed by subject so each subject keeps its order within a partition.`,
      messages: own,
      bindings: {
        kafka: {
          topic,
          partitions,
          topicConfiguration: { 'cleanup.policy': ['delete'] },
          bindingVersion: '0.5.0',
        },
      },
    };
    const messageRefs = Object.keys(own).map((m) => ref(`#/channels/${id}/messages/${m}`));
    operations[`publish-${id}`] = {
      action: 'send',
      title: `A node publishes to ${topic}`,
      summary: 'Through its transactional outbox: each event signed by its source node (Ed25519).',
      channel: ref(`#/channels/${id}`),
      messages: messageRefs,
    };
    operations[`consume-${id}`] = {
      action: 'receive',
      title: `A node consumes ${topic}`,
      summary:
        'One consumer group per (consumer, host); each event verified, de-duplicated in the inbox and applied exactly once.',
      channel: ref(`#/channels/${id}`),
      messages: messageRefs,
      bindings: {
        kafka: {
          groupId: { type: 'string', pattern: '^[a-z][a-z0-9-]*@[a-z0-9-]+$' },
          bindingVersion: '0.5.0',
        },
      },
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'duban event network',
      version: options.version,
      description:
        'The events every duban node publishes and consumes (督办: assignment, review, reminders, scoring, notifications). ' +
        'Generated by `pnpm events:export` from packages/events; see docs/events.md for each type.',
      license: { name: 'MulanPSL-2.0', url: 'http://license.coscl.org.cn/MulanPSL2' },
    },
    defaultContentType: 'application/json',
    servers: {
      secured: {
        host: 'kafka:9094',
        protocol: 'kafka',
        description:
          'A county deployment: SASL/SCRAM-SHA-512, one principal per host, ACLs per topic and group prefix.',
        security: [ref('#/components/securitySchemes/scram')],
      },
      'secured-tls': {
        host: 'kafka:9094',
        protocol: 'kafka-secure',
        description: 'The same listener with TLS (KAFKA_SSL_CA_FILE).',
        security: [ref('#/components/securitySchemes/scram')],
      },
    },
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        scram: {
          type: 'scramSha512',
          description:
            'One SCRAM-SHA-512 principal per host; groups are prefixed by the principal (ADR 0015).',
        },
      },
    },
  };
}
