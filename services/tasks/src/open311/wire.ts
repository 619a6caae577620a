import type { FastifyReply, FastifyRequest } from 'fastify';
import { XMLBuilder } from 'fast-xml-parser';
import { AppError, toErrorResponse } from '@duban/kit';

/** GeoReport v2 formats: XML is the spec's required one, JSON its optional one. */
export type Open311Format = 'json' | 'xml';

export const CONTENT_TYPES: Record<Open311Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

/** The format a URL asks for (`…/requests.json`); anything else gets the spec's default, XML. */
export function formatOfUrl(url: string): Open311Format {
  return /\.json$/i.test(url.split('?')[0] ?? '') ? 'json' : 'xml';
}

/** The `.:format` path parameter, checked: an unknown one is a resource that does not exist. */
export function requireFormat(format: string): Open311Format {
  if (format === 'json' || format === 'xml') return format;
  throw new AppError(
    'not_found',
    'open311.unknown_format',
    `format .${format} is not served: use .json or .xml`,
  );
}

const CHINA_OFFSET_MS = 8 * 3600_000;

/**
 * An instant in the spec's w3 format with the county's own offset, e.g. 2026-03-02T09:00:00+08:00
 * (China has one time zone and no daylight saving).
 */
export function w3(at: Date | string): string {
  const local = new Date(new Date(at).getTime() + CHINA_OFFSET_MS);
  return `${local.toISOString().slice(0, 19)}+08:00`;
}

/** A value on the wire: JSON keeps numbers, booleans and nulls; XML writes text or an empty element. */
export type WireValue = string | number | boolean | null;
export type WireRecord = Record<string, WireValue>;

// XML 1.0 cannot carry most C0 control characters, even escaped.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: false });

function xmlValue(v: WireValue): string {
  if (v === null) return '';
  return String(v).replace(XML_INVALID, '');
}

/** `<root><item>…</item>…</root>` with the XML declaration the spec requires. */
export function toXml(root: string, item: string, records: readonly WireRecord[]): string {
  const items = records.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, xmlValue(v)])));
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build({ [root]: { [item]: items } })}`;
}

/** Any other document (the service definition): plain nested objects. */
export function toXmlDocument(doc: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build(doc)}`;
}

export function sendList(
  reply: FastifyReply,
  format: Open311Format,
  xmlNames: { root: string; item: string },
  records: readonly WireRecord[],
  status = 200,
) {
  reply.status(status).type(CONTENT_TYPES[format]);
  return format === 'json'
    ? reply.send(JSON.stringify(records))
    : reply.send(toXml(xmlNames.root, xmlNames.item, records));
}

/** One GeoReport error: `code` is the HTTP status, as the spec advises for most cases. */
export interface Open311Error {
  code: number;
  description: string;
}

/** The field a validation issue is about, as the client named it (`service_code`, `lat`). */
function fieldOf(path: string): string {
  return path
    .split('.')
    .filter((p) => p && !['body', 'querystring', 'params', 'headers'].includes(p))
    .join('.');
}

/**
 * The spec's error list for anything a route throws, from the one error mapping of the kit: 404
 * for what does not exist, 403 for what the caller may not do, 400 for every other request that
 * cannot be fulfilled (one error per invalid field; the spec allows several); 5xx carry no internals.
 */
export function toOpen311Errors(error: unknown): { status: number; errors: Open311Error[] } {
  const { status: ours, body } = toErrorResponse(error);
  const status = ours === 401 ? 403 : ours === 409 || ours === 422 ? 400 : ours;
  const issues = status < 500 ? (body.error.issues ?? []) : [];
  if (issues.length === 0) return { status, errors: [{ code: status, description: body.error.message }] };
  return {
    status,
    errors: issues.map((i) => {
      const field = fieldOf(i.path);
      return {
        code: status,
        description: field && !i.message.startsWith(field) ? `${field}: ${i.message}` : i.message,
      };
    }),
  };
}

export function sendErrors(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  errors: Open311Error[],
) {
  const format = formatOfUrl(request.url);
  reply.status(status).type(CONTENT_TYPES[format]);
  return format === 'json'
    ? reply.send(JSON.stringify(errors))
    : reply.send(toXml('errors', 'error', errors as unknown as WireRecord[]));
}
