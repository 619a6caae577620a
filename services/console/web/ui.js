import { h } from './vendor/preact.mjs';
import htm from './vendor/htm.mjs';
import { errorText, t, tv } from './i18n.js';

export const html = htm.bind(h);

export const can = (me, roles) => me.roles.some((r) => roles.includes(r));
export const SUPERVISING = ['office-staff', 'township-supervisor', 'admin'];
export const HANDLING = ['unit-handler', 'unit-head', 'township-supervisor'];
export const HEAD = ['unit-head'];

export const KINDS = [
  'annual-target',
  'project',
  'major-event',
  'petition',
  'conduct',
  'leader-instruction',
  'hotline',
];
export const STATUSES = [
  'assigned',
  'acknowledged',
  'reported',
  'rechecking',
  'returned',
  'closed',
  'reopened',
];

export function ErrorNote({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${errorText(error)}</p>`;
}

export function Light({ light }) {
  return html`<span class=${`light light-${light}`} title=${tv('light', light)}
    ><span class="dot" aria-hidden="true"></span>${tv('light', light)}</span
  >`;
}

export function Status({ status }) {
  return html`<span class=${`status status-${status}`} data-status=${status}>${tv('status', status)}</span>`;
}

/** Node names, fetched once per session from GET /nodes. */
let nodes = null;
export async function nodeNames(api) {
  if (!nodes) {
    const r = await api('/nodes');
    nodes = new Map(r.nodes.map((n) => [n.id, n]));
  }
  return nodes;
}
/**
 * A node's name; with `at` (an item's assignedAt), the name it had then: a unit renamed since keeps
 * its old name on the items it was given under it (ADR 0025).
 */
export function nameOf(map, id, at) {
  const node = map?.get(id);
  if (!node) return id;
  if (!at || !node.names) return node.name;
  let name = node.names[0].name;
  for (const n of node.names) if (n.from === null || n.from <= at) name = n.name;
  return name;
}
/** After a re-organisation: the next nodeNames() asks again. */
export function forgetNodeNames() {
  nodes = undefined;
}

export { t, tv };
