import { useEffect, useState } from './vendor/hooks.mjs';
import { api } from './api.js';
import { html, t, ErrorNote, can, nodeNames, KINDS, tv } from './ui.js';

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

function Organisations() {
  const [names, setNames] = useState(null);
  useEffect(() => void nodeNames(api).then(setNames, () => undefined), []);
  const all = names ? [...names.values()] : [];
  return html`<section class="panel">
    <h2>${t('organisations')}</h2>
    <details>
      <summary>${all.length}</summary>
      <ul class="tree">
        ${all.map((n) => html`<li>${n.name} <small>${n.id} · ${n.kind}</small></li>`)}
      </ul>
    </details>
  </section>`;
}

/** Admin: organisations, accounts and roles, calendars, policies, templates. */
export function Admin({ me }) {
  if (!can(me, ['admin', 'office-staff'])) return html`<p>${t('auth.role_required')}</p>`;
  return html`<section class="admin">
    <h1>${t('admin')}</h1>
    <${Organisations} />
    ${can(me, ['admin']) && html`<${Accounts} me=${me} />`}
    <${Calendar} me=${me} />
    <${Policies} me=${me} />
    <${Templates} me=${me} />
  </section>`;
}
