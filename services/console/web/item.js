import { useEffect, useState } from './vendor/hooks.mjs';
import { api } from './api.js';
import { html, t, tv, ErrorNote, Status, can, SUPERVISING, HANDLING, HEAD, nodeNames, nameOf } from './ui.js';
import { fmtTime } from './i18n.js';
import { AssignForm, ItemTable } from './ledger.js';

const POINTS = [
  'policyAndLaw',
  'factsAndProcedure',
  'textAndFormat',
  'allProblemsFound',
  'conclusionRight',
  'handlingDone',
];
const REASONS = [
  'policy-or-law',
  'facts-or-procedure',
  'text-or-format',
  'problems-missed',
  'conclusion-wrong',
  'handling-not-done',
  'not-signed-by-head',
  'other',
];
const WORKING = ['assigned', 'acknowledged', 'returned', 'reopened'];

/** An item: its data, its sub-items, its whole timeline, and what this person may do here. */
export function ItemPage({ me, node, id }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [names, setNames] = useState(null);
  const [tick, setTick] = useState(0);
  const [done, setDone] = useState(null);
  useEffect(() => {
    void nodeNames(api).then(setNames, () => undefined);
  }, []);
  useEffect(() => {
    api(`/nodes/${node}/tasks/items/${id}`).then(setData, setError);
  }, [node, id, tick]);
  if (!data)
    return html`<${ErrorNote} error=${error} />${!error && html`<p class="loading">${t('loading')}</p>`}`;
  const { item, timeline } = data;
  const subItems = Array.isArray(data.subItems) ? data.subItems : data.subItems.items;
  const reload = (message) => {
    setDone(message ?? t('done'));
    setTick(tick + 1);
  };
  return html`<article class="item" aria-labelledby="item-title">
    <p><a href="#/ledger">← ${t('ledger')}</a></p>
    <h1 id="item-title">${item.title}</h1>
    <p class="meta"><${Status} status=${item.status} /> · ${item.noticeNo} · ${tv('kind', item.kind)}</p>
    ${done && html`<p class="ok" role="status">${done}</p>`}
    ${data && error && html`<${ErrorNote} error=${error} />`}
    <dl class="facts">
      <dt>${t('assigner')}</dt>
      <dd>${nameOf(names, item.assigner, item.assignedAt)}</dd>
      <dt>${t('assignee')}</dt>
      <dd>${nameOf(names, item.assignee, item.assignedAt)}</dd>
      <dt>${t('deadline')}</dt>
      <dd>${fmtTime(item.deadline)}${item.deadlineProvisional && html` <${Provisional} />`}</dd>
      <dt>${t('leader')}</dt>
      <dd>${item.leader ?? '—'}</dd>
      ${
        item.progress != null &&
        html`<dt>${t('percent')}</dt>
          <dd>${item.progress}%</dd>`
      }
      ${
        item.draft &&
        html`<dt>${t('reportSummary')}</dt>
          <dd>${item.draft.summary ?? item.draft}</dd>`
      }
      ${
        item.report &&
        html`<dt>${t('reportSummary')}</dt>
          <dd>${item.report.summary}</dd>`
      }
      ${
        item.description &&
        html`<dt>${t('description')}</dt>
          <dd>${item.description}</dd>`
      }
    </dl>
    <p class="actions">
      <button onClick=${() => void docx(node, 'notice', item, setError)}>督促查办事项通知单 (.docx)</button>
    </p>
    <section aria-labelledby="actions-title">
      <h2 id="actions-title">${t('actions')}</h2>
      <${Actions} me=${me} node=${node} item=${item} names=${names} onDone=${reload} />
    </section>
    ${
      subItems.length > 0 &&
      html`<section>
        <h2>${t('subItems')}</h2>
        <${ItemTable} items=${subItems} names=${names} node=${node} />
      </section>`
    }
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">${t('timeline')}</h2>
      <ol class="timeline" data-testid="timeline">
        ${timeline.map(
          (e) =>
            html`<li data-type=${e.type}>
              <span class="when">${fmtTime(e.time)}</span>
              <b class="what">${t(`ev_${e.type}`)}</b>
              <span class="who"
                >${nameOf(names, e.source)}${e.data?.by ? ` · ${e.data.by}` : ''}${e.data?.signedOffBy ? ` · ${e.data.signedOffBy}` : ''}</span
              >
              <${EventDetail} e=${e} />
            </li>`,
        )}
      </ol>
    </section>
  </article>`;
}

/** 督促查办事项通知单 (or 催办通知书) of the item, as the office prints it. */
async function docx(node, kind, item, setError) {
  try {
    const r = await api(`/nodes/${node}/notifications/documents/${kind}/${item.id}.docx`, { raw: true });
    const href = URL.createObjectURL(await r.blob());
    Object.assign(document.createElement('a'), { href, download: `${item.noticeNo}.docx` }).click();
    setTimeout(() => URL.revokeObjectURL(href), 10_000);
  } catch (err) {
    setError(err);
  }
}

/** The mark beside a provisional deadline (ADR 0026); the hint says what it means. */
export function Provisional() {
  return html`<abbr class="provisional" data-testid="provisional" title=${t('provisionalHint')}
    >${t('provisional')}</abbr
  >`;
}

function EventDetail({ e }) {
  const d = e.data ?? {};
  const parts = [];
  if (d.outcome) parts.push(tv('outcome', d.outcome));
  if (d.reasons?.length) parts.push(d.reasons.map((r) => tv('reason', r)).join('、'));
  if (d.comment) parts.push(d.comment);
  if (d.note) parts.push(d.note + (d.percent != null ? `（${d.percent}%）` : ''));
  if (d.summary) parts.push(d.summary);
  if (d.reason && e.type !== 'tasks.item.transferred') parts.push(d.reason);
  if (d.newDeadline) parts.push(`${t('newDeadline')} ${fmtTime(d.newDeadline)}`);
  return parts.length ? html`<p class="detail">${parts.join(' · ')}</p>` : null;
}

function Actions({ me, node, item, names, onDone }) {
  const [open, setOpen] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const mine = node === me.node;
  const handling = mine && can(me, HANDLING) && (item.relation === 'assignee' || item.relation === 'co-unit');
  const supervising = mine && can(me, SUPERVISING) && item.relation === 'assigner';
  const run = async (path, body) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/nodes/${node}/tasks/items/${item.id}/${path}`, { method: 'POST', body: body ?? {} });
      setOpen(null);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const buttons = [];
  const button = (key, onClick) =>
    buttons.push(
      html`<button onClick=${onClick} disabled=${busy} aria-expanded=${open === key}>${t(key)}</button>`,
    );
  if (handling && item.relation === 'assignee') {
    if (item.status === 'assigned') button('acknowledge', () => void run('acknowledge'));
    if (WORKING.includes(item.status)) {
      button('progress', () => setOpen('progress'));
      button('report', () => setOpen('report'));
      if (item.draft && can(me, HEAD)) button('signOff', () => void run('sign-off'));
    }
    if (item.status !== 'closed' && !item.pendingExtension) button('extension', () => setOpen('extension'));
  }
  if (supervising) {
    if (item.status === 'reported' || item.status === 'rechecking') button('review', () => setOpen('review'));
    if (item.status === 'closed') button('reopen', () => setOpen('reopen'));
    if (item.pendingExtension) button('decideExtension', () => setOpen('decide'));
  }
  if (mine && can(me, SUPERVISING) && item.status !== 'closed')
    button('decompose', () => setOpen('decompose'));
  return html`<div>
    <div class="actions">${buttons.length ? buttons : html`<span class="muted">${t('none')}</span>`}</div>
    <${ErrorNote} error=${error} />
    ${
      open === 'progress' &&
      html`<${TextForm}
        title=${t('progress')}
        fields=${[
          ['note', t('progressNote'), 'textarea'],
          ['percent', t('percent'), 'number'],
        ]}
        busy=${busy}
        onCancel=${() => setOpen(null)}
        onSubmit=${(v) => run('progress', { note: v.note, percent: v.percent === '' ? null : Number(v.percent) })}
      />`
    }
    ${
      open === 'report' &&
      html`<${TextForm}
        title=${t('report')}
        fields=${[['summary', t('reportSummary'), 'textarea']]}
        busy=${busy}
        onCancel=${() => setOpen(null)}
        onSubmit=${(v) => run('report', { summary: v.summary })}
      />`
    }
    ${
      open === 'extension' &&
      html`<${TextForm}
        title=${t('extension')}
        fields=${[
          ['newDeadline', t('newDeadline'), 'date'],
          ['reason', t('reason'), 'textarea'],
        ]}
        busy=${busy}
        onCancel=${() => setOpen(null)}
        onSubmit=${(v) => run('extension', { newDeadline: `${v.newDeadline}T17:30:00+08:00`, reason: v.reason })}
      />`
    }
    ${
      open === 'reopen' &&
      html`<${TextForm}
        title=${t('reopen')}
        fields=${[['reason', t('reason'), 'textarea']]}
        busy=${busy}
        onCancel=${() => setOpen(null)}
        onSubmit=${(v) => run('reopen', { reason: v.reason })}
      />`
    }
    ${open === 'review' && html`<${ReviewForm} busy=${busy} onCancel=${() => setOpen(null)} onSubmit=${(body) => run('review', body)} />`}
    ${
      open === 'decide' &&
      html`<${DecideExtension}
        pending=${item.pendingExtension}
        busy=${busy}
        onCancel=${() => setOpen(null)}
        onSubmit=${(body) => run(`extension/${item.pendingExtension.requestId}/decision`, body)}
      />`
    }
    ${open === 'decompose' && html`<${AssignForm} me=${me} names=${names} parentId=${item.id} onDone=${(created) => (setOpen(null), created && onDone())} />`}
  </div>`;
}

function TextForm({ title, fields, busy, onSubmit, onCancel }) {
  const [v, setV] = useState(Object.fromEntries(fields.map(([k]) => [k, ''])));
  const submit = (e) => {
    e.preventDefault();
    onSubmit(v);
  };
  const keydown = (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
  };
  return html`<form class="card form" onSubmit=${submit} aria-label=${title}>
    <h3>${title}</h3>
    ${fields.map(([k, label, type]) =>
      type === 'textarea'
        ? html`<label
            >${label}<textarea
              name=${k}
              rows="3"
              required
              onKeyDown=${keydown}
              value=${v[k]}
              onInput=${(e) => setV({ ...v, [k]: e.target.value })}
            ></textarea>
          </label>`
        : html`<label
            >${label}<input
              name=${k}
              type=${type}
              required=${type !== 'number'}
              min=${type === 'number' ? 0 : undefined}
              max=${type === 'number' ? 100 : undefined}
              value=${v[k]}
              onInput=${(e) => setV({ ...v, [k]: e.target.value })}
          /></label>`,
    )}
    <div class="actions">
      <button type="submit" class="primary" disabled=${busy}>${t('submit')}</button
      ><button type="button" onClick=${onCancel}>${t('cancel')}</button>
    </div>
  </form>`;
}

/** 逐点审核: each point passes or fails with a comment; a return names coded reasons. */
function ReviewForm({ busy, onSubmit, onCancel }) {
  const [points, setPoints] = useState(Object.fromEntries(POINTS.map((p) => [p, { ok: true, comment: '' }])));
  const [reasons, setReasons] = useState([]);
  const [comment, setComment] = useState('');
  const [corrections, setCorrections] = useState('');
  const send = (outcome) =>
    onSubmit({ outcome, points, reasons: outcome === 'returned' ? reasons : [], comment, corrections });
  return html`<form
    class="card form review"
    onSubmit=${(e) => (e.preventDefault(), send('accepted'))}
    aria-label=${t('review')}
  >
    <h3>${t('review')}</h3>
    <fieldset>
      <legend>${t('review')}</legend>
      ${POINTS.map(
        (p) =>
          html`<div class="point">
            <label class="check"
              ><input
                type="checkbox"
                name=${`point-${p}`}
                checked=${points[p].ok}
                onChange=${(e) => setPoints({ ...points, [p]: { ...points[p], ok: e.target.checked } })}
              />${tv('point', p)}</label
            >
            ${
              !points[p].ok &&
              html`<input
                aria-label=${`${tv('point', p)} ${t('comment')}`}
                value=${points[p].comment}
                onInput=${(e) => setPoints({ ...points, [p]: { ...points[p], comment: e.target.value } })}
              />`
            }
          </div>`,
      )}
    </fieldset>
    <fieldset>
      <legend>${t('returnReasons')}</legend>
      ${REASONS.map(
        (r) =>
          html`<label class="check"
            ><input
              type="checkbox"
              name=${`reason-${r}`}
              checked=${reasons.includes(r)}
              onChange=${(e) => setReasons(e.target.checked ? [...reasons, r] : reasons.filter((x) => x !== r))}
            />${tv('reason', r)}</label
          >`,
      )}
    </fieldset>
    <label
      >${t('comment')}<textarea
        name="comment"
        rows="2"
        value=${comment}
        onInput=${(e) => setComment(e.target.value)}
      ></textarea>
    </label>
    <label
      >${t('corrections')}<textarea
        name="corrections"
        rows="2"
        value=${corrections}
        onInput=${(e) => setCorrections(e.target.value)}
      ></textarea>
    </label>
    <div class="actions">
      <button type="submit" class="primary" disabled=${busy}>${t('accept')}</button>
      <button type="button" class="danger" disabled=${busy} onClick=${() => send('returned')}>
        ${t('return')}
      </button>
      <button type="button" disabled=${busy} onClick=${() => send('recheck')}>${t('recheck')}</button>
      <button type="button" onClick=${onCancel}>${t('cancel')}</button>
    </div>
  </form>`;
}

function DecideExtension({ pending, busy, onSubmit, onCancel }) {
  const [comment, setComment] = useState('');
  return html`<form
    class="card form"
    onSubmit=${(e) => (e.preventDefault(), onSubmit({ approve: true, comment }))}
    aria-label=${t('decideExtension')}
  >
    <h3>${t('decideExtension')}</h3>
    <p>${t('newDeadline')}: ${fmtTime(pending.newDeadline)} · ${t('reason')}: ${pending.reason}</p>
    <label
      >${t('comment')}<textarea
        rows="2"
        value=${comment}
        onInput=${(e) => setComment(e.target.value)}
      ></textarea>
    </label>
    <div class="actions">
      <button type="submit" class="primary" disabled=${busy}>${t('approve')}</button>
      <button
        type="button"
        class="danger"
        disabled=${busy}
        onClick=${() => onSubmit({ approve: false, comment })}
      >
        ${t('refuse')}
      </button>
      <button type="button" onClick=${onCancel}>${t('cancel')}</button>
    </div>
  </form>`;
}
