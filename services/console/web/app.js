import { render } from './vendor/preact.mjs';
import { useState, useEffect } from './vendor/hooks.mjs';
import { html } from './ui.js';
import { t, getLocale, setLocale } from './i18n.js';
import { session, onSession, resume, logout, login, stream } from './api.js';
import { Ledger } from './ledger.js';
import { ItemPage } from './item.js';
import { Inbox } from './inbox.js';
import { Admin } from './admin.js';
import { ErrorNote, can } from './ui.js';

// Views are chosen by the hash (#/ledger, #/items/<node>/<id>, #/inbox, #/leaders, #/admin).
function useRoute() {
  const [hash, setHash] = useState(location.hash || '#/ledger');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/ledger');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.slice(2).split('?')[0].split('/');
}

function Login() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(name.trim(), password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <form class="card" onSubmit=${submit} aria-labelledby="login-title">
      <h1 id="login-title">${t('app')}</h1>
      <label
        >${t('loginName')}<input
          name="login"
          autocomplete="username"
          required
          autofocus
          value=${name}
          onInput=${(e) => setName(e.target.value)}
      /></label>
      <label
        >${t('password')}<input
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value=${password}
          onInput=${(e) => setPassword(e.target.value)}
      /></label>
      <${ErrorNote} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>${t('signIn')}</button>
      <button
        type="button"
        class="link"
        onClick=${() => (setLocale(getLocale() === 'en' ? 'zh-CN' : 'en'), location.reload())}
      >
        ${t('language')}
      </button>
    </form>
  </main>`;
}

function Shell({ me, route }) {
  const [unread, setUnread] = useState(null);
  const [newest, setNewest] = useState(null);
  useEffect(
    () =>
      stream(`/nodes/${me.node}/notifications/inbox/stream`, (name, data) => {
        if (name !== 'inbox') return;
        setUnread(data.unread);
        setNewest(data.newest);
      }),
    [me.node],
  );
  const view = route[0] || 'ledger';
  const leaderView = can(me, ['county-leader', 'committee-member', 'office-staff', 'analyst', 'admin']);
  const links = [
    ['ledger', t('ledger')],
    ['inbox', t('inbox')],
    ...(leaderView ? [['leaders', t('leaders')]] : []),
    ...(can(me, ['admin']) ? [['admin', t('admin')]] : []),
  ];
  let body;
  if (view === 'items') body = html`<${ItemPage} me=${me} node=${route[1]} id=${route[2]} />`;
  else if (view === 'inbox') body = html`<${Inbox} me=${me} newest=${newest} />`;
  else if (view === 'leaders' && leaderView) body = html`<${LeadersLazy} me=${me} />`;
  else if (view === 'admin') body = html`<${Admin} me=${me} />`;
  else body = html`<${Ledger} me=${me} />`;
  return html`<div class="shell">
    <header class="top">
      <a class="brand" href="#/ledger">督办</a>
      <nav aria-label="main">
        ${links.map(
          ([id, label]) =>
            html`<a
              href=${`#/${id}`}
              class=${view === id ? 'active' : ''}
              aria-current=${view === id ? 'page' : undefined}
            >
              ${label}${id === 'inbox' && unread ? html` <span class="badge" data-testid="unread">${unread}</span>` : ''}
            </a>`,
        )}
      </nav>
      <div class="who">
        <span title=${me.roles.join(', ')}>${me.person}</span>
        <button
          class="link"
          onClick=${() => (setLocale(getLocale() === 'en' ? 'zh-CN' : 'en'), location.reload())}
        >
          ${t('language')}
        </button>
        <button class="link" onClick=${() => void logout()}>${t('signOut')}</button>
      </div>
    </header>
    <main class="content">${body}</main>
  </div>`;
}

// The leaders' view brings ECharts (1 MB): loaded only when opened, never on the first screen.
function LeadersLazy({ me }) {
  const [View, setView] = useState(null);
  useEffect(() => {
    void import('./leaders.js').then((m) => setView(() => m.Leaders));
  }, []);
  return View ? html`<${View} me=${me} />` : html`<p class="loading">${t('loading')}</p>`;
}

function App() {
  const [me, setMe] = useState(session());
  const [ready, setReady] = useState(false);
  const route = useRoute();
  useEffect(() => {
    const off = onSession(setMe);
    void resume()
      .catch(() => false)
      .finally(() => setReady(true));
    return off;
  }, []);
  if (!ready) return html`<p class="loading">${t('loading')}</p>`;
  return me ? html`<${Shell} me=${me} route=${route} />` : html`<${Login} />`;
}

document.title = t('app');
render(html`<${App} />`, document.getElementById('app'));
