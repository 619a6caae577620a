// The browser's session: the access token in memory only; the refresh token in sessionStorage
// (one tab, gone when it closes: ADR 0017 weighs this against XSS). A 401 auth.token_expired is
// answered by one refresh and a retry.
let access = null;
let me = null;
const REFRESH = 'duban.refresh';
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.issues = body?.error?.issues;
  }
}

export const session = () => me;
export const onSession = (fn) => (listeners.add(fn), () => listeners.delete(fn));
const changed = () => listeners.forEach((fn) => fn(me));

async function post(path, body) {
  const r = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

async function adopt(tokens) {
  access = tokens.accessToken;
  sessionStorage.setItem(REFRESH, tokens.refreshToken);
  me = await api('/auth/me');
  changed();
}

export async function login(loginName, password) {
  await adopt(await post('/auth/login', { login: loginName, password }));
}

let refreshing = null;
async function refresh() {
  const token = sessionStorage.getItem(REFRESH);
  if (!token) return false;
  refreshing ??= post('/auth/refresh', { refreshToken: token })
    .then(async (tokens) => {
      access = tokens.accessToken;
      sessionStorage.setItem(REFRESH, tokens.refreshToken);
      return true;
    })
    .catch(() => {
      sessionStorage.removeItem(REFRESH);
      return false;
    })
    .finally(() => (refreshing = null));
  return refreshing;
}

/** On page load: resume the tab's session from its refresh token, if any. */
export async function resume() {
  if (!(await refresh())) return false;
  me = await api('/auth/me');
  changed();
  return true;
}

export async function logout() {
  try {
    if (access) await api('/auth/logout', { method: 'POST', body: {} });
  } catch {
    // signing out locally is what matters
  }
  access = null;
  me = null;
  sessionStorage.removeItem(REFRESH);
  changed();
}

/** fetch() with the bearer token; JSON in and out; ApiError on failure. */
export async function api(path, { method = 'GET', body, raw = false, retry = true } = {}) {
  let r;
  try {
    r = await fetch(path, {
      method,
      headers: {
        ...(access ? { authorization: `Bearer ${access}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, { error: { code: 'network.failed', message: 'network error' } });
  }
  if (r.status === 401 && retry) {
    const json = await r
      .clone()
      .json()
      .catch(() => ({}));
    const code = json?.error?.code;
    if ((code === 'auth.token_expired' || code === 'auth.invalid_token') && (await refresh()))
      return api(path, { method, body, raw, retry: false });
    if (code !== 'auth.invalid_credentials') {
      access = null;
      me = null;
      changed();
    }
  }
  if (raw) {
    if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => ({})));
    return r;
  }
  const json = r.status === 204 ? {} : await r.json().catch(() => ({}));
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

/**
 * A server-sent-event stream read with fetch() (EventSource cannot send the bearer token).
 * Calls onEvent(name, data) per event; reconnects after a pause; returns a stop function.
 */
export function stream(path, onEvent) {
  let stopped = false;
  let controller = null;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const r = await fetch(path, {
          headers: { authorization: `Bearer ${access}` },
          signal: controller.signal,
        });
        if (r.status === 401) await refresh();
        if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let name = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) name = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (data) onEvent(name, JSON.parse(data));
          }
        }
      } catch {
        // reconnect below
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 3000));
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
