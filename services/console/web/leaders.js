import { useEffect, useRef, useState } from './vendor/hooks.mjs';
import * as echarts from './vendor/echarts.mjs';
import { api } from './api.js';
import { html, t, ErrorNote, Light, Status, can, nodeNames, nameOf } from './ui.js';
import { fmtRate, fmtTime } from './i18n.js';
import { ItemTable } from './ledger.js';

/** A bar chart (ECharts) of closure and on-time rates, with the numbers in a table beside it. */
function RateChart({ id, title, rows }) {
  if (rows.length === 0)
    return html`<section class="panel">
      <h2>${title}</h2>
      <p class="muted" data-testid=${`${id}-table`}>${t('none')}</p>
    </section>`;
  return html`<${Chart} id=${id} title=${title} rows=${rows} />`;
}

function Chart({ id, title, rows }) {
  const ref = useRef(null);
  useEffect(() => {
    if (!ref.current) return undefined;
    const chart = echarts.init(ref.current, null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('closureRate'), t('onTimeRate')] },
      grid: { left: 40, right: 10, bottom: 60, top: 30 },
      xAxis: {
        type: 'category',
        data: rows.map((r) => r.name),
        axisLabel: { rotate: rows.length > 6 ? 40 : 0 },
      },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        {
          name: t('closureRate'),
          type: 'bar',
          data: rows.map((r) => Math.round((r.s.closureRate ?? 0) * 1000) / 10),
        },
        {
          name: t('onTimeRate'),
          type: 'bar',
          data: rows.map((r) => Math.round((r.s.onTimeClosureRate ?? 0) * 1000) / 10),
        },
      ],
    });
    const resize = () => chart.resize();
    addEventListener('resize', resize);
    return () => (removeEventListener('resize', resize), chart.dispose());
  }, [rows]);
  return html`<section class="panel" aria-labelledby=${`${id}-title`}>
    <h2 id=${`${id}-title`}>${title}</h2>
    <div class="chart-with-table">
      <div class="chart" ref=${ref} role="img" aria-label=${title}></div>
      <table class="numbers" data-testid=${`${id}-table`}>
        <thead>
          <tr>
            <th></th>
            <th>${t('items')}</th>
            <th>${t('closed')}</th>
            <th>${t('closureRate')}</th>
            <th>${t('onTimeRate')}</th>
            <th>${t('overdueOpen')}</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr data-group=${r.key}>
                <th scope="row">${r.name}</th>
                <td>${r.s.items}</td>
                <td>${r.s.closed}</td>
                <td class="closure">${fmtRate(r.s.closureRate)}</td>
                <td class="ontime">${fmtRate(r.s.onTimeClosureRate)}</td>
                <td>${r.s.overdueOpen}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

const groupsOf = (r, names) =>
  Object.entries(r.groups ?? {})
    .map(([key, s]) => ({ key, name: nameOf(names, key), s }))
    .sort((a, b) => b.s.items - a.s.items)
    .slice(0, 30);

/** 领导驾驶舱: rates by township and unit, overdue and escalated items, scoreboard, sanctions, bulletins. */
export function Leaders({ me }) {
  const [d, setD] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  const node = me.node;
  useEffect(() => {
    void (async () => {
      try {
        const names = await nodeNames(api);
        const get = (p) => api(`/nodes/${node}${p}`).catch((err) => ({ error: err }));
        const [county, byTownship, byUnit, overdue, scoreboard, sanctions, bulletins, escalations] =
          await Promise.all([
            get('/scoring/statistics'),
            get('/scoring/statistics?groupBy=township'),
            get('/scoring/statistics?groupBy=unit'),
            get('/tasks/items?scope=subtree&overdue=true&limit=20'),
            get('/scoring/scoreboard'),
            get('/scoring/sanctions'),
            get('/notifications/bulletins'),
            get('/notifications/inbox?kind=escalation&limit=20'),
          ]);
        setD({ names, county, byTownship, byUnit, overdue, scoreboard, sanctions, bulletins, escalations });
      } catch (err) {
        setError(err);
      }
    })();
  }, [node, tick]);
  if (!d)
    return html`<${ErrorNote} error=${error} />
      <p class="loading">${t('loading')}</p>`;
  const s = d.county.statistics;
  return html`<section class="leaders" aria-labelledby="leaders-title">
    <h1 id="leaders-title">${t('leaders')}</h1>
    ${
      s &&
      html`<div class="kpis" data-testid="kpis">
        <div class="kpi"><span>${t('items')}</span><b data-kpi="items">${s.items}</b></div>
        <div class="kpi"><span>${t('closed')}</span><b data-kpi="closed">${s.closed}</b></div>
        <div class="kpi">
          <span>${t('closureRate')}</span><b data-kpi="closureRate">${fmtRate(s.closureRate)}</b>
        </div>
        <div class="kpi">
          <span>${t('onTimeRate')}</span><b data-kpi="onTimeRate">${fmtRate(s.onTimeClosureRate)}</b>
        </div>
        <div class="kpi"><span>${t('overdueOpen')}</span><b data-kpi="overdueOpen">${s.overdueOpen}</b></div>
      </div>`
    }
    <${RateChart} id="township" title=${t('byTownship')} rows=${groupsOf(d.byTownship, d.names)} />
    <${RateChart} id="unit" title=${t('byUnit')} rows=${groupsOf(d.byUnit, d.names)} />
    <section class="panel">
      <h2>${t('overdueItems')}</h2>
      ${d.overdue.items?.length ? html`<${ItemTable} items=${d.overdue.items} names=${d.names} node=${node} />` : html`<p class="muted">${t('none')}</p>`}
    </section>
    <section class="panel">
      <h2>${t('escalated')}</h2>
      ${
        d.escalations.messages?.length
          ? html`<ul>
              ${d.escalations.messages.map((m) => html`<li><a href=${`#/items/${node}/${m.subject}`}>${m.title}</a> <small>${fmtTime(m.createdAt)}</small></li>`)}
            </ul>`
          : html`<p class="muted">${t('none')}</p>`
      }
    </section>
    <section class="panel">
      <h2>${t('scoreboard')} ${d.scoreboard.year ?? ''}</h2>
      ${
        d.scoreboard.units?.length
          ? html`<table class="numbers">
              <thead>
                <tr>
                  <th>${t('unit')}</th>
                  <th>${t('score')}</th>
                </tr>
              </thead>
              <tbody>
                ${d.scoreboard.units.map(
                  (u) =>
                    html`<tr>
                      <th scope="row">${nameOf(d.names, u.unit)}</th>
                      <td>${u.points}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : html`<p class="muted">${t('none')}</p>`
      }
    </section>
    <section class="panel">
      <h2>${t('sanctions')}</h2>
      ${
        d.sanctions.sanctions?.length
          ? html`<ul>
              ${d.sanctions.sanctions.map((x) => html`<li>${nameOf(d.names, x.unit)} · ${x.kind ?? x.type ?? ''} · ${x.reason ?? ''}</li>`)}
            </ul>`
          : html`<p class="muted">${t('none')}</p>`
      }
    </section>
    <${Bulletins} me=${me} list=${d.bulletins.bulletins ?? []} onChange=${() => setTick(tick + 1)} />
  </section>`;
}

function Bulletins({ me, list, onChange }) {
  const [error, setError] = useState(null);
  const office = can(me, ['office-staff', 'admin']);
  const today = new Date().toISOString().slice(0, 10);
  const [from, setFrom] = useState(`${today.slice(0, 4)}-01-01`);
  const [to, setTo] = useState(today);
  const act = async (path, body) => {
    setError(null);
    try {
      await api(`/nodes/${me.node}/notifications/bulletins${path}`, { method: 'POST', body });
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  const download = async (b) => {
    try {
      const r = await api(`/nodes/${me.node}/notifications/documents/bulletin/${b.id}.docx`, { raw: true });
      const href = URL.createObjectURL(await r.blob());
      Object.assign(document.createElement('a'), { href, download: `${b.title ?? b.id}.docx` }).click();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="panel">
    <h2>${t('bulletins')}</h2>
    <${ErrorNote} error=${error} />
    <ul>
      ${list.map(
        (b) =>
          html`<li>
            ${b.title ?? b.id} · ${b.status === 'published' ? t('published') : t('draft')}
            ${office && b.status !== 'published' && html` <button onClick=${() => void act(`/${b.id}/publish`, {})}>${t('publish')}</button>`}
            <button onClick=${() => void download(b)}>.docx</button>
          </li>`,
      )}
    </ul>
    ${
      office &&
      html`<form
        class="inline"
        onSubmit=${(e) => (e.preventDefault(), void act('', { periodFrom: from, periodTo: to }))}
      >
        <label
          >${t('periodFrom')}<input type="date" value=${from} onInput=${(e) => setFrom(e.target.value)}
        /></label>
        <label
          >${t('periodTo')}<input type="date" value=${to} onInput=${(e) => setTo(e.target.value)}
        /></label>
        <button type="submit">${t('draftBulletin')}</button>
      </form>`
    }
  </section>`;
}

export { Light, Status };
