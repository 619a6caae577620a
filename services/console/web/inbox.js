import { useEffect, useState } from './vendor/hooks.mjs';
import { api } from './api.js';
import { html, t, ErrorNote } from './ui.js';
import { fmtTime } from './i18n.js';

/** The node's inbox for this person; refreshes whenever the live stream reports a new message. */
export function Inbox({ me, newest }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api(`/nodes/${me.node}/notifications/inbox?limit=100`).then(setData, setError);
  }, [me.node, newest?.id, tick]);
  const mark = async (m, action) => {
    try {
      await api(`/nodes/${me.node}/notifications/inbox/${m.id}/${action}`, { method: 'POST', body: {} });
      setTick(tick + 1);
    } catch (err) {
      setError(err);
    }
  };
  // The notice's own action (签收 of the item), straight from the inbox.
  const run = async (m, action) => {
    try {
      await api(action.path, { method: action.method, body: {} });
      await mark(m, 'read');
      location.hash = `#/items/${me.node}/${m.subject}`;
    } catch (err) {
      setError(err);
    }
  };
  return html`<section aria-labelledby="inbox-title">
    <h1 id="inbox-title">
      ${t('inbox')}
      ${data && html`<small>（${t('unread')} <b data-testid="inbox-unread">${data.unread}</b>）</small>`}
    </h1>
    <${ErrorNote} error=${error} />
    <ul class="inbox">
      ${data?.messages.map(
        (m) =>
          html`<li class=${m.read ? 'read' : 'unread'}>
            <div><b>${m.title}</b> <small>${fmtTime(m.createdAt)}</small></div>
            <p>${m.body}</p>
            <div class="actions">
              ${m.subject && html`<a class="button" href=${`#/items/${me.node}/${m.subject}`} onClick=${() => void mark(m, 'read')}>${t('open')}</a>`}
              ${(m.actions ?? [])
                .filter((a) => a.name === 'acknowledge-item')
                .map(
                  (a) =>
                    html`<button class="primary" onClick=${() => void run(m, a)}>
                      ${t('acknowledge')}
                    </button>`,
                )}
              ${!m.read && html`<button onClick=${() => void mark(m, 'read')}>${t('markRead')}</button>`}
              ${!m.acknowledged && html`<button onClick=${() => void mark(m, 'acknowledge')}>${t('markAck')}</button>`}
            </div>
          </li>`,
      )}
    </ul>
  </section>`;
}
