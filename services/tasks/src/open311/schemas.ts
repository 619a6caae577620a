import { z } from 'zod';
import { NodeId } from '@duban/events';

/** Path parameters: the node (the jurisdiction) and the `.json` / `.xml` suffix. */
export const FormatParams = z.object({
  nodeId: NodeId,
  format: z.string().describe('json or xml'),
});
export const ServiceParams = FormatParams.extend({ code: z.string().max(100) });
export const RequestParams = FormatParams.extend({ id: z.string().max(100) });

const jurisdiction = z
  .string()
  .max(200)
  .optional()
  .describe('accepted and ignored: the path names the jurisdiction (the county office node)');

export const JurisdictionQuery = z.object({ jurisdiction_id: jurisdiction });

const text = (field: string, max: number) =>
  z
    .string({ error: `${field} must be text` })
    .max(max, `${field} may have at most ${max} characters`)
    .optional();

const coordinate = (field: string, limit: number) =>
  z.coerce
    .number({ error: `${field} must be a number (WGS84 degrees)` })
    .min(-limit, `${field} must lie between -${limit} and ${limit}`)
    .max(limit, `${field} must lie between -${limit} and ${limit}`)
    .optional();

/**
 * POST Service Request, as the spec names the fields. Sent form-encoded (the spec) or as JSON;
 * an empty field counts as absent (the spec's "optional" rule).
 */
export const PostRequestBody = z
  .object({
    jurisdiction_id: jurisdiction,
    api_key: z.string().max(500).optional().describe('accepted and ignored for now (see docs/open311.md)'),
    service_code: z
      .string({
        error: (issue) =>
          issue.input === undefined ? 'service_code was not provided' : 'service_code must be text',
      })
      .max(100, 'service_code may have at most 100 characters'),
    lat: coordinate('lat', 90),
    long: coordinate('long', 180),
    address_string: text('address_string', 500),
    address_id: text('address_id', 100),
    email: text('email', 254),
    device_id: text('device_id', 100),
    account_id: text('account_id', 100),
    first_name: text('first_name', 50),
    last_name: text('last_name', 50),
    phone: text('phone', 40),
    description: text('description', 4000),
    media_url: z
      .url({ protocol: /^https?$/, error: 'media_url must be an http(s) URL' })
      .max(1000, 'media_url may have at most 1000 characters')
      .optional(),
    attribute: z
      .record(z.string().min(1).max(100), z.array(z.string().max(1000)).max(20))
      .optional()
      .describe('attribute[code]=value (form) or {"code": ["value"]} (JSON)'),
  })
  .superRefine((b, ctx) => {
    if ((b.lat === undefined) !== (b.long === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [b.lat === undefined ? 'lat' : 'long'],
        message: 'lat and long must be sent together',
      });
    } else if (b.lat === undefined && b.address_string === undefined && b.address_id === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'a location is required: lat & long, address_string or address_id',
      });
    }
  });
export type PostRequestBody = z.infer<typeof PostRequestBody>;

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

const w3Instant = (field: string) =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], {
      error: `${field} must be a w3 date/time with its zone, e.g. 2026-03-01T00:00:00+08:00`,
    })
    .optional();

/** GET Service Requests: the spec's filters; repeated parameters count as a comma list. */
export const RequestsQuery = z.object({
  jurisdiction_id: jurisdiction,
  service_request_id: list
    .pipe(z.array(z.string().max(100)).max(1000, 'at most 1000 service_request_id at once'))
    .optional()
    .describe('comma-separated; overrides every other filter'),
  service_code: list
    .pipe(z.array(z.string().max(100)).max(100))
    .optional()
    .describe('comma-separated'),
  start_date: w3Instant('start_date'),
  end_date: w3Instant('end_date'),
  status: list
    .pipe(z.array(z.enum(['open', 'closed'], { error: 'status is open or closed' })))
    .optional()
    .describe('open, closed or both, comma-separated'),
});
export type RequestsQuery = z.infer<typeof RequestsQuery>;

// Control characters other than line breaks and tabs have no place in a case (nor in XML).
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** A field's value as text (JSON clients send ids and coordinates as numbers), or undefined when empty. */
function clean(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return value;
  const s = value.replace(/\r\n?/g, '\n').replace(CONTROL, '');
  return s.trim() === '' ? undefined : s;
}

const ATTRIBUTE_KEY = /^attribute\[([^\]]+)\](?:\[\])?$/;

/**
 * A POST body as the schema reads it: form fields and JSON alike, empty values dropped (the spec:
 * an empty parameter is an absent one), `attribute[code]` and `attribute[code][]` gathered into
 * `attribute: {code: [values]}`, a repeated plain field read as its last value.
 */
export function normalizeRequestBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return {};
  const out: Record<string, unknown> = {};
  const attribute: Record<string, string[]> = {};
  const addAttribute = (code: string, value: unknown) => {
    for (const v of Array.isArray(value) ? value : [value]) {
      const c = clean(v);
      if (typeof c === 'string') (attribute[code] ??= []).push(c);
    }
  };
  for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
    const attr = ATTRIBUTE_KEY.exec(key);
    if (attr) addAttribute(attr[1]!, raw);
    else if (key === 'attribute' && raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const [code, value] of Object.entries(raw as Record<string, unknown>)) addAttribute(code, value);
    } else {
      const value = clean(Array.isArray(raw) ? raw.at(-1) : raw);
      if (value !== undefined && value !== null) out[key] = value;
    }
  }
  if (Object.keys(attribute).length > 0) out.attribute = attribute;
  return out;
}

/** A query as the schema reads it: empty values dropped, repeated parameters joined by commas. */
export function normalizeQuery(query: unknown): Record<string, unknown> {
  if (query === null || typeof query !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(query as Record<string, unknown>)) {
    const value = clean(
      Array.isArray(raw) ? raw.filter((v) => typeof v === 'string' && v.trim()).join(',') : raw,
    );
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

/** application/x-www-form-urlencoded, UTF-8 (the spec's encoding): repeated keys become lists. */
export function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const seen = out[key];
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}
