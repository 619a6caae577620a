import { z } from 'zod';
import { CATALOGUE } from './catalogue';
import { EventEnvelope, topicOf } from './envelope';

/** The catalogue as one JSON Schema document: the envelope, then one definition per (type, version). */
export function catalogueJsonSchema(): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (const def of CATALOGUE) {
    const envelope = z.toJSONSchema(EventEnvelope.extend({ data: def.data }), { target: 'draft-2020-12' });
    defs[`${def.type}.v${def.version}`] = {
      ...envelope,
      title: `${def.type} v${def.version}`,
      description: def.description,
      'x-topic': topicOf(def.type),
      'x-emitted-by': def.emittedBy,
      properties: {
        ...(envelope.properties as Record<string, unknown>),
        type: { const: def.type },
        version: { const: def.version },
      },
    };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://duban.example/events/catalogue.schema.json',
    title: 'duban event catalogue',
    oneOf: Object.keys(defs).map((k) => ({ $ref: `#/$defs/${k}` })),
    $defs: defs,
  };
}
