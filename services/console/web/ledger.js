import { useEffect, useState } from './vendor/hooks.mjs';
import { api } from './api.js';
import {
  html,
  t,
  tv,
  ErrorNote,
  Light,
  Status,
  can,
  SUPERVISING,
  KINDS,
  STATUSES,
  nodeNames,
  nameOf,
} from './ui.js';
import { fmtTime } from './i18n.js';
import { Provisional } from './item.js';

const PAGE = 50;

function query(f, cursor) {
  const p = new URLSearchParams({ scope: f.subtree ? 'subtree' : 'own', limit: String(PAGE) });
  for (const k of ['kind', 'status', 'assignee', 'leader', 'q']) if (f[k]) p.set(k, f[k]);
  if (f.overdue) p.set('overdue', 'true');
  if (cursor) p.set('cursor', cursor);
  return p;
}

/** 台帐: the node's (and its subtree's) items, keyset-paged so a million rows page as fast as ten. */
export function Ledger({ me }) {
  const [filters, setFilters] = useState({
    subtree: true,
    kind: '',
    status: '',
    assignee: '',
    leader: '',
    q: '',
    overdue: false,
  });
  const [draft, setDraft] = useState(filters);
  const [pages, setPages] = useState([null]);
  const [data, setData] = useState(null);
  const [summary, setSummary] = useState(null);
  const [error, setError] = useState(null);
  const [names, setNames] = useState(null);
  const [assigning, setAssigning] = useState(false);
  const [tick, setTick] = useState(0);
  const cursor = pages[pages.length - 1];

  useEffect(() => {
    void nodeNames(api).then(setNames, () => undefined);
  }, []);
  useEffect(() => {
    setError(null);
    api(`/nodes/${me.node}/tasks/items?${query(filters, cursor)}`).then(setData, setError);
  }, [filters, cursor, tick]);
  useEffect(() => {
    api(`/nodes/${me.node}/tasks/summary?scope=${filters.subtree ? 'subtree' : 'own'}`).then(
      setSummary,
      () => undefined,
    );
  }, [filters.subtree, tick]);

  const apply = (e) => {
    e.preventDefault();
    setPages([null]);
    setFilters({ ...draft });
  };
  const field = (k) => ({ value: draft[k], onInput: (e) => setDraft({ ...draft, [k]: e.target.value }) });
  const exportXlsx = async () => {
    try {
      const p = query(filters);
      p.delete('limit');
      const r = await api(`/nodes/${me.node}/tasks/export.xlsx?${p}`, { raw: true });
      const url = URL.createObjectURL(await r.blob());
      const a = Object.assign(document.createElement('a'), { href: url, download: `台帐-${me.node}.xlsx` });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(err);
    }
  };

  return html`<section class="ledger" aria-labelledby="ledger-title">
    <div class="bar">
      <h1 id="ledger-title">${t('ledger')} · ${nameOf(names, me.node)}</h1>
      ${
        summary &&
        html`<p class="summary" data-testid="summary">
          ${t('items')} <b>${summary.total}</b> ·
          ${['red', 'yellow', 'green', 'done'].map((l) => html`<${Light} light=${l} /> <b>${summary.lights[l]}</b> `)}
        </p>`
      }
      <div class="actions">
        ${can(me, SUPERVISING) && html`<button class="primary" onClick=${() => setAssigning(!assigning)}>${t('newItem')}</button>`}
        <button onClick=${exportXlsx}>${t('exportXlsx')}</button>
      </div>
    </div>
    ${assigning && html`<${AssignForm} me=${me} names=${names} onDone=${() => (setAssigning(false), setTick(tick + 1))} />`}
    <form class="filters" onSubmit=${apply} role="search">
      <label>${t('search')}<input type="search" name="q" ...${field('q')} /></label>
      <label
        >${t('kind')}<select
          name="kind"
          ...${field('kind')}
          onChange=${(e) => setDraft({ ...draft, kind: e.target.value })}
        >
          <option value="">${t('all')}</option>
          ${KINDS.map((k) => html`<option value=${k}>${tv('kind', k)}</option>`)}
        </select></label
      >
      <label
        >${t('status')}<select
          name="status"
          ...${field('status')}
          onChange=${(e) => setDraft({ ...draft, status: e.target.value })}
        >
          <option value="">${t('all')}</option>
          ${STATUSES.map((s) => html`<option value=${s}>${tv('status', s)}</option>`)}
        </select></label
      >
      <label>${t('unit')}<input name="assignee" list="node-ids" ...${field('assignee')} /></label>
      <label>${t('leader')}<input name="leader" ...${field('leader')} /></label>
      <label class="check"
        ><input
          type="checkbox"
          checked=${draft.overdue}
          onChange=${(e) => setDraft({ ...draft, overdue: e.target.checked })}
        />${t('overdue')}</label
      >
      <label class="check"
        ><input
          type="checkbox"
          checked=${draft.subtree}
          onChange=${(e) => setDraft({ ...draft, subtree: e.target.checked })}
        />${t('scopeSubtree')}</label
      >
      <button type="submit">${t('filter')}</button>
    </form>
    <datalist id="node-ids">
      ${names && [...names.values()].map((n) => html`<option value=${n.id}>${n.name}</option>`)}
    </datalist>
    <${ErrorNote} error=${error} />
    ${data && data.items.length === 0 && html`<p class="empty">${t('noItems')}</p>`}
    ${data && data.items.length > 0 && html`<${ItemTable} items=${data.items} names=${names} node=${me.node} />`}
    <nav class="pager" aria-label="pages">
      ${pages.length > 1 && html`<button onClick=${() => setPages([null])}>${t('firstPage')}</button>`}
      ${pages.length > 1 && html`<button onClick=${() => setPages(pages.slice(0, -1))}>${t('prevPage')}</button>`}
      ${pages.length > 1 && html`<span class="muted">${t('page')} ${pages.length}</span>`}
      ${data?.nextCursor && html`<button onClick=${() => setPages([...pages, data.nextCursor])}>${t('nextPage')}</button>`}
    </nav>
  </section>`;
}

export function ItemTable({ items, names, node }) {
  return html`<table class="items">
    <thead>
      <tr>
        <th>${t('light')}</th>
        <th>${t('title')}</th>
        <th>${t('kind')}</th>
        <th>${t('assignee')}</th>
        <th>${t('status')}</th>
        <th>${t('deadline')}</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (i) =>
          html`<tr data-item=${i.id}>
            <td data-label=${t('light')}><${Light} light=${i.light} /></td>
            <td data-label=${t('title')} class="title">
              <a href=${`#/items/${node}/${i.id}`}>${i.title}</a><small>${i.noticeNo}</small>
            </td>
            <td data-label=${t('kind')}>${tv('kind', i.kind)}</td>
            <td data-label=${t('assignee')}>${nameOf(names, i.assignee, i.assignedAt)}</td>
            <td data-label=${t('status')}><${Status} status=${i.status} /></td>
            <td data-label=${t('deadline')}>
              ${fmtTime(i.deadline)}${i.deadlineProvisional && html` <${Provisional} />`}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** 交办 (and 分解 when a parent is given): title, kind, lead unit, working-day deadline. */
export function AssignForm({ me, names, parentId = null, onDone }) {
  const [f, setF] = useState({
    title: '',
    kind: 'annual-target',
    assignee: '',
    days: '10',
    description: '',
    leader: '',
  });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const below = names ? [...names.values()].filter((n) => n.parentId === me.node) : [];
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api(`/nodes/${me.node}/tasks/items`, {
        method: 'POST',
        body: {
          title: f.title,
          kind: f.kind,
          assignee: f.assignee,
          description: f.description,
          leader: f.leader.trim() || null,
          parentId,
          deadlineRule: { kind: 'working-days', days: Number(f.days) },
        },
      });
      onDone(r.item);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const bind = (k) => ({
    value: f[k],
    onInput: (e) => setF({ ...f, [k]: e.target.value }),
    onChange: (e) => setF({ ...f, [k]: e.target.value }),
  });
  return html`<form
    class="card form"
    onSubmit=${submit}
    aria-label=${parentId ? t('decompose') : t('newItem')}
  >
    <h2>${parentId ? t('decompose') : t('newItem')}</h2>
    <label>${t('title')}<input name="title" required maxlength="200" ...${bind('title')} /></label>
    <label
      >${t('kind')}<select name="kind" ...${bind('kind')}>
        ${KINDS.map((k) => html`<option value=${k}>${tv('kind', k)}</option>`)}
      </select></label
    >
    <label
      >${t('assignee')}<select name="assignee" required ...${bind('assignee')}>
        <option value="">—</option>
        ${below.map((n) => html`<option value=${n.id}>${n.name}（${n.id}）</option>`)}
      </select></label
    >
    <label
      >${t('deadline')}（${t('days')}）<input
        name="days"
        type="number"
        min="1"
        max="365"
        required
        ...${bind('days')}
    /></label>
    <label>${t('leader')}<input name="leader" ...${bind('leader')} /></label>
    <label
      >${t('description')}<textarea name="description" rows="3" ...${bind('description')}></textarea>
    </label>
    <${ErrorNote} error=${error} />
    <div class="actions">
      <button type="submit" class="primary" disabled=${busy}>${t('submit')}</button
      ><button type="button" onClick=${() => onDone(null)}>${t('cancel')}</button>
    </div>
  </form>`;
}
