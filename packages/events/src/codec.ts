import type { z } from 'zod';
import { CURRENT_VERSION, findDefinition } from './catalogue';
import type { CatalogueEventType, CurrentData, CurrentEvent, DubanEvent } from './catalogue';
import { EventEnvelope } from './envelope';
import { uuidv7 } from './ids';

export type DecodeResult = { ok: true; event: DubanEvent } | { ok: false; reason: string };

function describe(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** Validates an envelope and its payload against the catalogue entry for its (type, version). */
export function decodeEvent(raw: unknown): DecodeResult {
  const envelope = EventEnvelope.safeParse(raw);
  if (!envelope.success) return { ok: false, reason: `invalid envelope: ${describe(envelope.error, '')}` };
  const { type, version } = envelope.data;
  const def = findDefinition(type, version);
  if (!def) return { ok: false, reason: `unknown event type ${type} v${version}` };
  const data = def.data.safeParse(envelope.data.data);
  if (!data.success)
    return { ok: false, reason: `invalid ${type} v${version}: ${describe(data.error, 'data')}` };
  return { ok: true, event: { ...envelope.data, data: data.data } as DubanEvent };
}

/** Decodes the bytes a transport delivers. */
export function decodeMessage(value: string | Uint8Array | null): DecodeResult {
  if (value === null) return { ok: false, reason: 'empty message' };
  const text = typeof value === 'string' ? value : new TextDecoder().decode(value);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  return decodeEvent(raw);
}

export function encodeEvent(event: DubanEvent): string {
  return JSON.stringify(event);
}

export interface NewEvent<T extends CatalogueEventType> {
  type: T;
  source: string;
  to: string[];
  subject: string;
  data: CurrentData<T>;
  time: Date;
  /** The event (or request) that caused this one; its correlation id is carried on. */
  cause?: { id: string; correlationId: string } | undefined;
}

/** Builds a new event at the current version of its type, validating its payload. */
export function createEvent<T extends CatalogueEventType>(input: NewEvent<T>): CurrentEvent<T> {
  const version = CURRENT_VERSION[input.type];
  const def = findDefinition(input.type, version);
  if (!def) throw new Error(`no catalogue entry for ${input.type}`);
  const data = def.data.parse(input.data);
  const id = uuidv7(input.time.getTime());
  return {
    id,
    type: input.type,
    version,
    source: input.source,
    to: input.to,
    subject: input.subject,
    time: input.time.toISOString(),
    correlationId: input.cause?.correlationId ?? id,
    causationId: input.cause?.id ?? null,
    data,
    signature: null,
  } as unknown as CurrentEvent<T>;
}

/**
 * The canonical form an event is signed over: the envelope without its signature, keys sorted at
 * every level, no whitespace. Stable across transports and JSON libraries.
 */
export function canonicalForm(event: DubanEvent | Omit<DubanEvent, 'signature'>): string {
  const { signature: _ignored, ...rest } = event as DubanEvent;
  return canonicalJson(rest);
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
