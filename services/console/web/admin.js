import { useEffect, useState } from './vendor/hooks.mjs';
import { api } from './api.js';
import { html, t, ErrorNote, can, forgetNodeNames, KINDS, tv } from './ui.js';

const ROLES = [
  'office-staff',
  'committee-member',
  'county-leader',
  'analyst',
  'admin',
  'township-supervisor',
  'unit-handler',
  'unit-head',
];

function useLoad(path, tick) {
  const [state, setState] = useState({ data: null, error: null });
  useEffect(() => {
    api(path).then(
      (data) => setState({ data, error: null }),
      (error) => setState({ data: null, error }),
    );
  }, [path, tick]);
  return state;
}

/** A JSON editor for the settings that have no bespoke form yet: policy, template, amendment. */
function JsonForm({ label, initial, submitLabel, onSubmit }) {
  const [text, setText] = useState(JSON.stringify(initial, null, 2));
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setOk(false);
    try {
      await onSubmit(JSON.parse(text));
      setOk(true);
    } catch (err) {
      setError(err instanceof SyntaxError ? { message: `JSON: ${err.message}` } : err);
    }
  };
  return html`<form class="form" onSubmit=${submit}>
    <label
      >${label}<textarea
        rows="8"
        class="code"
        value=${text}
        onInput=${(e) => setText(e.target.value)}
      ></textarea>
    </label>
    <${ErrorNote} error=${error} />${ok && html`<p class="ok" role="status">${t('saved')}</p>`}
    <button type="submit" class="primary">${submitLabel ?? t('save')}</button>
  </form>`;
}

function Accounts({ me }) {
  const [tick, setTick] = useState(0);
  const { data, error } = useLoad('/auth/accounts', tick);
  const [f, setF] = useState({ node: me.node, login: '', name: '', roles: 'unit-handler' });
  const [created, setCreated] = useState(null);
  const [err, setErr] = useState(null);
  const create = async (e) => {
    e.preventDefault();
    setErr(null);
    try {
      const r = await api('/auth/accounts', {
        method: 'POST',
        body: {
          ...f,
          roles: f.roles
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        },
      });
      setCreated(r);
      setTick(tick + 1);
    } catch (x) {
      setErr(x);
    }
  };
  const bind = (k) => ({ value: f[k], onInput: (e) => setF({ ...f, [k]: e.target.value }) });
  return html`<section class="panel">
    <h2>${t('accounts')}</h2>
    <${ErrorNote} error=${error} />
    <table class="numbers">
      <thead>
        <tr>
          <th>${t('loginName')}</th>
          <th>${t('name')}</th>
          <th>${t('node')}</th>
          <th>${t('roles')}</th>
        </tr>
      </thead>
      <tbody>
        ${data?.accounts.map(
          (a) =>
            html`<tr>
              <td>${a.login}</td>
              <td>${a.name}</td>
              <td>${a.node}</td>
              <td>${a.roles.map((r) => tv('role', r)).join('、')}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <form class="form inline" onSubmit=${create}>
      <label>${t('node')}<input required ...${bind('node')} /></label>
      <label>${t('loginName')}<input required ...${bind('login')} /></label>
      <label>${t('name')}<input required ...${bind('name')} /></label>
      <label>${t('roles')}<input required list="roles" ...${bind('roles')} /></label>
      <datalist id="roles">${ROLES.map((r) => html`<option value=${r}>${tv('role', r)}</option>`)}</datalist>
      <button type="submit" class="primary">${t('create')}</button>
    </form>
    <${ErrorNote} error=${err} />
    ${created?.password && html`<p class="ok" role="status">${created.login ?? created.account?.login}: ${created.password}</p>`}
  </section>`;
}

function Calendar({ me }) {
  const [tick, setTick] = useState(0);
  const { data, error } = useLoad(`/nodes/${me.node}/reminders/calendar`, tick);
  const next = new Date().getFullYear() + 1;
  return html`<section class="panel">
    <h2>${t('calendar')}</h2>
    <${ErrorNote} error=${error} />
    ${
      data &&
      html`<p data-testid="calendar">
        ${t('calendar')} ${data.version} ·
        ${data.coveredYears?.length ? `${data.coveredYears[0]}–${data.coveredYears[data.coveredYears.length - 1]}` : ''}
        · ${(data.amendments ?? []).map((a) => a.name ?? a.id).join('、') || t('none')}
      </p>`
    }
    <${JsonForm}
      label=${t('addAmendment')}
      submitLabel=${t('addAmendment')}
      initial=${{
        id: `state-council-${next}`,
        name: `国务院办公厅关于${next}年部分节假日安排的通知`,
        source: 'state-council',
        coversYear: next,
        days: [{ date: `${next}-01-01`, kind: 'holiday', name: '元旦' }],
      }}
      onSubmit=${async (body) => (await api(`/nodes/${me.node}/reminders/calendar/amendments`, { method: 'POST', body }), setTick(tick + 1))}
    />
  </section>`;
}

function Policies({ me }) {
  const { data, error } = useLoad(`/nodes/${me.node}/reminders/policies`, 0);
  const [kind, setKind] = useState('annual-target');
  const policies = data?.policies ?? data;
  const current = Array.isArray(policies)
    ? (policies.find((p) => p.kind === kind)?.policy ?? policies.find((p) => p.kind === kind))
    : policies?.[kind];
  return html`<section class="panel">
    <h2>${t('policies')}</h2>
    <${ErrorNote} error=${error} />
    <label
      >${t('kind')}<select value=${kind} onChange=${(e) => setKind(e.target.value)}>
        ${KINDS.map((k) => html`<option value=${k}>${tv('kind', k)}</option>`)}
      </select></label
    >
    ${
      current &&
      html`<${JsonForm}
        key=${kind}
        label=${tv('kind', kind)}
        initial=${current}
        onSubmit=${(body) => api(`/nodes/${me.node}/reminders/policies/${kind}`, { method: 'PUT', body })}
      />`
    }
  </section>`;
}

function Templates({ me }) {
  const { data, error } = useLoad(`/nodes/${me.node}/notifications/templates`, 0);
  const [type, setType] = useState('tasks.item.assigned');
  return html`<section class="panel">
    <h2>${t('templates')}</h2>
    <${ErrorNote} error=${error} />
    ${
      data &&
      html`<label
          >${t('kind')}<select value=${type} onChange=${(e) => setType(e.target.value)}>
            ${Object.keys(data.placeholders).map((k) => html`<option value=${k}>${k}</option>`)}
          </select></label
        >
        <p class="muted">{{${(data.placeholders[type] ?? []).join('}} {{')}}}</p>
        <${JsonForm}
          key=${type}
          label="zh"
          initial=${data.overrides.find((o) => o.eventType === type) ?? { title: '', body: '' }}
          onSubmit=${(body) => api(`/nodes/${me.node}/notifications/templates/${type}/zh`, { method: 'PUT', body: { title: body.title, body: body.body } })}
        />`
    }
  </section>`;
}

const CHANGES = ['add', 'rename', 'move', 'merge', 'abolish'];
/** Which fields each kind of change asks for (the API's discriminated union). */
const FIELDS = {
  add: ['unitId', 'name', 'unitKind', 'parentId'],
  rename: ['unitId', 'name'],
  move: ['unitId', 'parentId'],
  merge: ['unitId', 'into'],
  abolish: ['unitId', 'successorId'],
};

/** 组织机构: the tree as this node knows it; the county office's admin re-organises it (机构调整). */
function Organisations({ me }) {
  const [tick, setTick] = useState(0);
  const { data, error } = useLoad(`/nodes/${me.node}/org`, tick);
  const [f, setF] = useState({ kind: 'merge', unitId: '', name: '', unitKind: 'unit', parentId: me.node });
  const [err, setErr] = useState(null);
  const [done, setDone] = useState(null);
  const nodes = data?.nodes ?? [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const office = byId.get(me.node)?.kind === 'county-office' && can(me, ['admin']);
  const units = nodes.filter((n) => n.kind === 'township' || n.kind === 'unit');
  const active = units.filter((n) => n.status === 'active');
  const parents = nodes.filter((n) => n.status === 'active' && n.kind !== 'city');
  const submit = async (e) => {
    e.preventDefault();
    setErr(null);
    setDone(null);
    const body = { kind: f.kind };
    for (const k of FIELDS[f.kind]) body[k] = k === 'successorId' && !f[k] ? null : f[k];
    try {
      const r = await api(`/nodes/${me.node}/org/changes`, { method: 'POST', body });
      forgetNodeNames();
      setDone(r);
      setTick(tick + 1);
    } catch (x) {
      setErr(x);
    }
  };
  const bind = (k) => ({ value: f[k] ?? '', onInput: (e) => setF({ ...f, [k]: e.target.value }) });
  const pick = (k, list, optional) =>
    html`<select ...${bind(k)} onChange=${(e) => setF({ ...f, [k]: e.target.value })}>
      ${optional ? html`<option value="">${t('none')}</option>` : html`<option value="" disabled>—</option>`}
      ${list.map((n) => html`<option value=${n.id}>${n.name}（${n.id}）</option>`)}
    </select>`;
  const field = {
    unitId: () =>
      html`<label
        >${t('orgUnit')}${f.kind === 'add' ? html`<input required pattern="[a-z][a-z0-9-]{1,62}" ...${bind('unitId')} />` : pick('unitId', active)}</label
      >`,
    name: () => html`<label>${t('name')}<input ...${bind('name')} /></label>`,
    unitKind: () =>
      html`<label
        >${t('orgKind')}<select
          ...${bind('unitKind')}
          onChange=${(e) => setF({ ...f, unitKind: e.target.value })}
        >
          <option value="unit">${tv('orgkind', 'unit')}</option>
          <option value="township">${tv('orgkind', 'township')}</option>
        </select></label
      >`,
    parentId: () => html`<label>${t('orgParent')}${pick('parentId', parents)}</label>`,
    into: () => html`<label>${t('orgInto')}${pick('into', active)}</label>`,
    successorId: () => html`<label>${t('orgSuccessor')}${pick('successorId', active, true)}</label>`,
  };
  return html`<section class="panel" data-testid="organisations">
    <h2>${t('organisations')}</h2>
    <${ErrorNote} error=${error} />
    <details>
      <summary>${nodes.length}</summary>
      <ul class="tree">
        ${nodes.map(
          (n) =>
            html`<li data-status=${n.status}>
              ${n.name}
              <small
                >${n.id} ·
                ${tv('orgkind', n.kind)}${n.parentId ? ` · ${byId.get(n.parentId)?.name ?? n.parentId}` : ''}</small
              >
              ${n.status !== 'active' && html` <b>${tv('orgstatus', n.status)}</b>${n.successorId ? ` → ${byId.get(n.successorId)?.name ?? n.successorId}` : ''}`}
            </li>`,
        )}
      </ul>
    </details>
    ${
      office &&
      html`<form class="form inline" onSubmit=${submit} data-testid="org-change">
        <label
          >${t('orgChange')}<select value=${f.kind} onChange=${(e) => setF({ ...f, kind: e.target.value })}>
            ${CHANGES.map((k) => html`<option value=${k}>${tv('orgchange', k)}</option>`)}
          </select></label
        >
        ${FIELDS[f.kind].map((k) => field[k]())}
        <button type="submit" class="primary">${t('submit')}</button>
      </form>`
    }
    <${ErrorNote} error=${err} />
    ${done && html`<p class="ok" role="status">${t('saved')}: ${done.unit?.name ?? ''} ${tv('orgstatus', done.unit?.status ?? 'active')}</p>`}
  </section>`;
}

/** Admin: organisations, accounts and roles, calendars, policies, templates. */
export function Admin({ me }) {
  if (!can(me, ['admin', 'office-staff'])) return html`<p>${t('auth.role_required')}</p>`;
  return html`<section class="admin">
    <h1>${t('admin')}</h1>
    <${Organisations} me=${me} />
    ${can(me, ['admin']) && html`<${Accounts} me=${me} />`}
    <${Calendar} me=${me} />
    <${Policies} me=${me} />
    <${Templates} me=${me} />
  </section>`;
}
