import type { EventEnvelope } from './envelope';

/** CloudEvents 1.0 (https://github.com/cloudevents/spec): the version the headers declare. */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** Where a node's events come from, as a CloudEvents `source` (a URI reference). */
export const cloudEventSource = (node: string) => `urn:duban:node:${node}`;

/** The JSON Schema of a (type, version) in docs/catalogue/events.schema.json, as `dataschema`. */
export const cloudEventDataSchema = (type: string, version: number) =>
  `https://duban.example/events/catalogue.schema.json#/$defs/${type}.v${version}`;

/**
 * The CloudEvents Kafka protocol binding's binary-mode headers for a duban event: the standard
 * attributes as `ce_<name>`, `content-type` for the value, and duban's own envelope fields as
 * extensions (lower-case letters only, as the spec requires of extension names). The record's
 * value stays the signed envelope, so duban's consumers verify exactly what they did before and a
 * CloudEvents reader sees it as the event's data.
 */
export function cloudEventHeaders(event: EventEnvelope): Record<string, string> {
  const headers: Record<string, string> = {
    ce_specversion: CLOUDEVENTS_SPEC_VERSION,
    ce_id: event.id,
    ce_source: cloudEventSource(event.source),
    ce_type: event.type,
    ce_time: event.time,
    ce_subject: event.subject,
    ce_dataschema: cloudEventDataSchema(event.type, event.version),
    'content-type': 'application/json',
    ce_dubanversion: String(event.version),
    ce_dubanto: event.to.join(','),
    ce_dubancorrelation: event.correlationId,
  };
  if (event.causationId) headers.ce_dubancausation = event.causationId;
  if (event.signature) headers.ce_dubansignature = event.signature;
  return headers;
}
