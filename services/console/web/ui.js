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
export const nameOf = (map, id) => map?.get(id)?.name ?? id;
/** After a re-organisation: the next nodeNames() asks again. */
export function forgetNodeNames() {
  nodes = undefined;
}

export { t, tv };
