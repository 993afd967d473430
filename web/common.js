// Pieces shared by the customer page and the technician console: the JSON
// API helper, the reconnecting session WebSocket, rendering of timeline
// events, the chat composer, confirmation dialogs and small DOM helpers.
//
// User-supplied text (messages, names, file names) only ever reaches the DOM
// through textContent or attribute setters, never through innerHTML.

import { t, has, setText, setFormatted, formatSize, locale } from './i18n.js';

// ---------------------------------------------------------------------------
// DOM helpers

/** Creates an element: h('a', {href: '/', class: 'btn', dataset: {testid: 'x'}}, 'text', child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name === 'i18n') {
      if (Array.isArray(value)) setText(el, value[0], value[1]);
      else setText(el, value);
    }
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** `123456789` → `123 456 789` (partial input groups as far as it goes). */
export function groupKey(key) {
  const digits = String(key ?? '').replace(/\D/g, '');
  return digits.replace(/(\d{3})(?=\d)/g, '$1 ');
}

/** A v4 UUID; crypto.randomUUID only exists in secure contexts (https,
 *  localhost), so plain-http installations on a LAN get the fallback. */
export function uuid() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Copies text to the clipboard; returns whether it worked. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // navigator.clipboard needs a secure context and permission; fall back to
    // the older selection-based copy.
    // Styled through the CSSOM: the server's CSP forbids inline style attributes.
    const ta = h('textarea', { 'aria-hidden': 'true' });
    Object.assign(ta.style, { position: 'fixed', opacity: '0', top: '0', left: '0' });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

// ---------------------------------------------------------------------------
// Phone numbers

/** Countries offered as the SMS default country, with their calling codes. */
export const CALLING_CODES = {
  DE: '49', AT: '43', CH: '41', LI: '423', LU: '352', BE: '32', NL: '31', FR: '33', IT: '39', ES: '34',
  PT: '351', GB: '44', IE: '353', DK: '45', SE: '46', NO: '47', FI: '358', PL: '48', CZ: '420', SK: '421',
  HU: '36', SI: '386', HR: '385', GR: '30', TR: '90', US: '1', CA: '1', AU: '61', NZ: '64',
};

/** The country's name in the active language ("Deutschland", "Germany"). */
export function countryName(code) {
  try {
    return new Intl.DisplayNames([locale()], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}

/** An E.164 number grouped for reading: `+491711234567` → `+49 171 1234567`. */
export function formatPhone(e164) {
  const m = /^\+(\d+)$/.exec(String(e164 || ''));
  if (!m) return String(e164 || '');
  const all = m[1];
  const codes = [...new Set(Object.values(CALLING_CODES))].sort((a, b) => b.length - a.length);
  const cc = codes.find((c) => all.startsWith(c));
  if (!cc) return String(e164);
  const national = all.slice(cc.length);
  return national.length > 6 ? `+${cc} ${national.slice(0, 3)} ${national.slice(3)}` : `+${cc} ${national}`;
}

// ---------------------------------------------------------------------------
// HTTP API

/** Error thrown by api(): carries the HTTP status, the server's error code,
 *  its message and, for 429, the Retry-After seconds. */
export class ApiError extends Error {
  constructor({ status, error, message, retryAfter = null }) {
    super(message || error);
    this.name = 'ApiError';
    this.status = status;
    this.error = error;
    this.retryAfter = retryAfter;
  }
}

/** Calls the JSON API. Every state-changing request carries
 *  `Content-Type: application/json`, which the server requires of cookie
 *  authenticated requests (CSRF protection), so bodiless POSTs send `{}`. */
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined || method !== 'GET') {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError({ status: 0, error: 'network', message: e.message });
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const retry = res.headers.get('Retry-After');
    throw new ApiError({
      status: res.status,
      error: data?.error || `http_${res.status}`,
      message: data?.message || res.statusText,
      retryAfter: retry !== null && /^\d+$/.test(retry.trim()) ? Number(retry) : null,
    });
  }
  return data;
}

/** A translated sentence for an error: `<prefix><code>` first (a page's own
 *  wording), then the shared `err.<code>`, then the server's own message. */
export function errorText(err, prefix = '', params = {}) {
  const code = err?.error || 'unknown';
  if (prefix && has(`${prefix}${code}`)) return t(`${prefix}${code}`, params);
  if (has(`err.${code}`)) return t(`err.${code}`, params);
  if (err?.status === 401) return t('err.unauthorized');
  if (err?.status === 403) return t('err.forbidden');
  if (err?.message && err.message !== code) return err.message;
  return t('err.generic', { code });
}

// ---------------------------------------------------------------------------
// Live connection

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 5000;

/**
 * The WebSocket of one participant in one session, reconnecting by itself.
 *
 * - Remembers the highest `seq` shown and reconnects with `?after=<seq>`;
 *   every event is handed to `onEvent` once, whatever the server replays.
 * - Chat messages get a `client_id` and stay pending until their event comes
 *   back; pending ones are resent (same id, so the server stores them once)
 *   after every reconnect, and survive a page reload via sessionStorage.
 * - Backs off 0.5 s, 1 s, 2 s, 4 s, 5 s, 5 s … between attempts.
 */
export class SessionSocket {
  constructor(sessionId, handlers = {}) {
    this.sessionId = sessionId;
    this.handlers = handlers;
    this.lastSeq = 0;
    this.seen = new Set();
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = false;
    this.ended = false;
    this.state = 'idle';
    this.storageKey = `tether.pending.${sessionId}`;
    this.pending = new Map(this.#loadPending());
    this.onOnline = () => {
      if (this.timer && !this.stopped) {
        clearTimeout(this.timer);
        this.timer = null;
        this.#connect();
      }
    };
    window.addEventListener('online', this.onOnline);
  }

  start() {
    this.stopped = false;
    this.#setState('connecting');
    this.#connect();
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
    window.removeEventListener('online', this.onOnline);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000);
      this.ws = null;
    }
    this.#setState('closed');
  }

  /** Sends a chat message; returns its client_id. It is sent now if the
   *  socket is open, otherwise as soon as it reconnects. */
  sendChat(text) {
    const clientId = uuid();
    this.pending.set(clientId, { text, at: new Date().toISOString() });
    this.#savePending();
    this.#sendFrame({ type: 'chat', text, client_id: clientId });
    return clientId;
  }

  /** Sends a JSON frame (input, refresh, select_monitor) if the connection
   *  is up; returns whether it was sent. Such frames are not kept for later:
   *  input typed while offline must not arrive minutes afterwards. */
  send(frame) {
    return this.#sendFrame(frame);
  }

  /** Pending (not yet acknowledged) messages as [client_id, {text, at}]. */
  pendingMessages() {
    return [...this.pending.entries()];
  }

  #url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${location.host}/api/v1/sessions/${encodeURIComponent(this.sessionId)}/ws?after=${this.lastSeq}`;
  }

  #connect() {
    if (this.stopped) return;
    this.timer = null;
    let opened = false;
    const ws = new WebSocket(this.#url());
    // Screen frames arrive as binary frames on the same connection.
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (msg) => {
      if (msg.data instanceof ArrayBuffer) {
        this.handlers.onBinary?.(msg.data);
        return;
      }
      let frame;
      try {
        frame = JSON.parse(msg.data);
      } catch {
        console.warn('tether: ignoring a frame that is not JSON');
        return;
      }
      this.#handle(frame);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (this.ended) {
        this.#setState('closed');
        return;
      }
      this.#setState('reconnecting');
      this.#scheduleReconnect(opened, e.code);
    };
    ws.onerror = () => {
      // onclose follows and handles it.
    };
  }

  async #scheduleReconnect(opened, code) {
    // A socket that never opened (or was closed for a policy reason) may mean
    // the session is gone or this browser lost access; ask the HTTP API once
    // so the page can say so instead of retrying forever.
    if (!opened || code === 1008 || (code >= 4000 && code < 5000)) {
      try {
        const session = await api('GET', `/api/v1/sessions/${encodeURIComponent(this.sessionId)}`);
        if (session?.state === 'ended') {
          this.ended = true;
          this.handlers.onSession?.(session);
          // Connect once more so the final events are replayed; the server
          // closes after them and we stop then.
        }
      } catch (err) {
        if (err.status === 401 || err.status === 403 || err.status === 404) {
          this.stop();
          this.handlers.onUnavailable?.(err);
          return;
        }
        // Network errors: the server is down or restarting; keep trying.
      }
      if (this.stopped) return;
    }
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    this.attempt += 1;
    const jittered = Math.round(delay * (0.8 + Math.random() * 0.2));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.#connect(), jittered);
  }

  #handle(frame) {
    switch (frame.type) {
      case 'hello':
        this.attempt = 0;
        if (frame.session?.state === 'ended') this.ended = true;
        this.#setState('online');
        this.handlers.onHello?.(frame);
        for (const [clientId, { text }] of this.pending) {
          this.#sendFrame({ type: 'chat', text, client_id: clientId });
        }
        break;
      case 'event': {
        const ev = frame.event;
        if (!ev || typeof ev.seq !== 'number' || this.seen.has(ev.seq)) break;
        this.seen.add(ev.seq);
        if (ev.seq > this.lastSeq) this.lastSeq = ev.seq;
        if (ev.client_id && this.pending.delete(ev.client_id)) this.#savePending();
        if (ev.kind === 'ended') this.ended = true;
        this.handlers.onEvent?.(ev);
        break;
      }
      case 'session':
        if (frame.session?.state === 'ended') this.ended = true;
        this.handlers.onSession?.(frame.session);
        break;
      case 'error': {
        const dropped = frame.client_id && this.pending.get(frame.client_id);
        if (dropped) {
          this.pending.delete(frame.client_id);
          this.#savePending();
        }
        this.handlers.onError?.(frame, dropped ? dropped.text : null);
        break;
      }
      default:
        console.warn('tether: unknown frame type', frame.type);
    }
  }

  #sendFrame(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN && this.state === 'online') {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.handlers.onStatus?.(state);
  }

  #loadPending() {
    try {
      const raw = sessionStorage.getItem(this.storageKey);
      return raw ? JSON.parse(raw) : [];
    } catch {
      return [];
    }
  }

  #savePending() {
    try {
      if (this.pending.size) sessionStorage.setItem(this.storageKey, JSON.stringify([...this.pending]));
      else sessionStorage.removeItem(this.storageKey);
    } catch { /* pending messages then only live in memory */ }
  }
}

// ---------------------------------------------------------------------------
// Connection indicator

const CONN_KEYS = {
  idle: 'conn.connecting',
  connecting: 'conn.connecting',
  online: 'conn.online',
  reconnecting: 'conn.reconnecting',
  closed: 'conn.closed',
};

/** A small "● Connected / Reconnecting…" badge. */
export function connectionIndicator() {
  const label = h('span', { class: 'conn-label' });
  const el = h('span', { class: 'conn', role: 'status', 'aria-live': 'polite', dataset: { testid: 'connection-status' } },
    h('span', { class: 'conn-dot', 'aria-hidden': 'true' }), label);
  const set = (state) => {
    el.dataset.state = state;
    setText(label, CONN_KEYS[state] || 'conn.connecting');
  };
  set('connecting');
  return { el, set };
}

// ---------------------------------------------------------------------------
// Timeline rendering

function actorName(actor) {
  if (actor?.name) return actor.name;
  if (actor?.role === 'technician') return t('history.technician');
  if (actor?.role === 'customer') return t('common.customer');
  return '';
}

function timeEl(at) {
  const el = h('time', { class: 'ev-time', datetime: at });
  setFormatted(el, 'time', at);
  el.title = new Date(at).toLocaleString();
  return el;
}

function endedReasonKey(viewer, reason) {
  const who = viewer === 'customer' || viewer === 'admin' ? viewer : 'technician';
  const key = `reason.${who}.${reason}`;
  return has(key) ? key : 'reason.unknown';
}

/** The banner text for an ended session, seen by `viewer`. */
export function endedReasonText(viewer, reason) {
  return t(endedReasonKey(viewer, reason));
}

export { endedReasonKey };

/**
 * One timeline entry as a DOM node. `ctx.viewer` is the role looking at it
 * (`customer` or `technician`): it decides which bubbles are "own" (right)
 * and how system lines are worded. Returns null for kinds a chat does not show.
 */
export function renderEvent(ev, ctx) {
  // An administrator reads a technician's timeline: laid out as the
  // technician sees it, but worded in the third person.
  const admin = ctx.viewer === 'admin';
  const viewer = admin ? 'technician' : ctx.viewer;
  const own = ev.actor?.role === viewer;
  const base = { 'data-seq': ev.seq, 'data-kind': ev.kind };
  switch (ev.kind) {
    case 'chat': {
      const text = h('div', { class: 'msg-text' });
      text.textContent = ev.text ?? '';
      const sender = h('span', { class: 'msg-sender' });
      sender.textContent = actorName(ev.actor);
      return h('div', { ...base, class: `msg msg-chat ${own ? 'own' : 'other'}`, dataset: { testid: 'message', role: ev.actor?.role || '' } },
        h('div', { class: 'bubble' }, h('div', { class: 'msg-meta' }, sender, timeEl(ev.at)), text));
    }
    case 'file': {
      const file = ev.file || {};
      const href = `/api/v1/sessions/${encodeURIComponent(ctx.sessionId)}/files/${encodeURIComponent(file.id)}`;
      const link = h('a', { class: 'file-name', href, download: file.name || '', dataset: { testid: 'file-link' } });
      link.textContent = file.name || file.id;
      const size = h('span', { class: 'file-size' });
      setFormatted(size, 'size', file.size ?? 0);
      const sender = h('span', { class: 'msg-sender' });
      sender.textContent = actorName(ev.actor);
      const dl = h('a', { class: 'btn btn-small btn-secondary file-download', href, download: file.name || '', i18n: 'file.download', tabindex: '-1' });
      return h('div', { ...base, class: `msg msg-file ${own ? 'own' : 'other'}`, dataset: { testid: 'message', role: ev.actor?.role || '' } },
        h('div', { class: 'bubble' },
          h('div', { class: 'msg-meta' }, sender, timeEl(ev.at)),
          h('div', { class: 'file-card' },
            h('span', { class: 'file-icon', 'aria-hidden': 'true' }, fileIcon()),
            h('span', { class: 'file-info' }, link, size),
            dl)));
    }
    case 'created': {
      const name = ev.actor?.name;
      return systemLine(base, name ? ['ev.created', { name }] : ['ev.createdAnon'], ev.at);
    }
    case 'key_used':
      return ctx.audit || viewer === 'technician' ? systemLine(base, ['ev.key_used'], ev.at) : null;
    case 'joined': {
      if (viewer === 'customer') return systemLine(base, ['ev.joinedYou'], ev.at);
      const name = ev.name || ev.actor?.name;
      return systemLine(base, name ? ['ev.joined', { name }] : ['ev.joinedAnon'], ev.at);
    }
    case 'ended':
      return systemLine(base, [endedReasonKey(admin ? 'admin' : viewer, ev.reason)], ev.at, 'ended');
    default: {
      let line = accessLine(ev, viewer);
      const third = line && line[0].replace('.tech', '.admin');
      if (admin && has(third)) line = [third, { ...line[1], name: ev.actor?.name || t('history.technician') }];
      if (line) return systemLine(base, line, ev.at, 'access');
      // Kinds added by later versions show up in the audit view of the
      // history; the live chat leaves them out.
      return ctx.audit ? systemLine(base, ['ev.other', { kind: ev.kind }], ev.at) : null;
    }
  }
}

/** The translation key and parameters of a screen-access event's line, as
 *  `viewer` reads it; null for other kinds. */
function accessLine(ev, viewer) {
  const tech = viewer === 'technician';
  const access = ev.access === 'control' ? 'control' : 'view';
  const name = ev.actor?.name || '';
  switch (ev.kind) {
    case 'access_requested':
      return tech ? [`ev.access.requested.tech.${access}`] : [`ev.access.requested.customer.${access}`, { name: name || t('history.technician') }];
    case 'app_downloaded':
      return [tech ? 'ev.access.downloaded.tech' : 'ev.access.downloaded.customer'];
    case 'app_connected':
      return ev.hostname && tech ? ['ev.access.appConnectedHost', { host: ev.hostname }] : ['ev.access.appConnected'];
    case 'app_disconnected':
      return ['ev.access.appDisconnected'];
    case 'access_granted':
      return tech ? [`ev.access.granted.tech.${access}`, { name: name || t('common.customer') }] : [`ev.access.granted.customer.${access}`];
    case 'access_denied':
      return tech ? [`ev.access.denied.tech.${access}`, { name: name || t('common.customer') }] : [`ev.access.denied.customer.${access}`];
    case 'access_revoked': {
      const reason = ['customer', 'technician', 'app_left', 'session_ended'].includes(ev.reason) ? ev.reason : 'other';
      return [`ev.access.revoked.${tech ? 'tech' : 'customer'}.${reason}`];
    }
    case 'access_cancelled':
      return [tech ? 'ev.access.cancelled.tech' : 'ev.access.cancelled.customer'];
    default:
      return null;
  }
}

function systemLine(base, [key, params], at, extra = '') {
  const text = h('span', { class: 'sys-text' });
  setText(text, key, params);
  return h('div', { ...base, class: `msg msg-system ${extra}`, dataset: { testid: 'system-line' } }, text, timeEl(at));
}

function fileIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '22');
  svg.setAttribute('height', '22');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5M8 13h8M8 17h6');
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '1.6');
  path.setAttribute('stroke-linejoin', 'round');
  svg.append(path);
  return svg;
}

/**
 * The message list of one session: renders each event once, in seq order,
 * shows pending own messages greyed out until the server confirms them, and
 * keeps the view scrolled to the newest message while the reader is there.
 */
export class Timeline {
  constructor(listEl, ctx) {
    this.list = listEl;
    this.ctx = ctx;
    this.rendered = new Set();
    this.maxSeq = 0;
  }

  add(ev) {
    if (this.rendered.has(ev.seq)) return;
    this.rendered.add(ev.seq);
    if (ev.client_id) this.removePending(ev.client_id);
    const node = renderEvent(ev, this.ctx);
    if (!node) return;
    const stick = this.#nearBottom() || ev.actor?.role === this.ctx.viewer;
    let before = this.list.querySelector('.pending');
    if (ev.seq < this.maxSeq) {
      before = [...this.list.querySelectorAll('[data-seq]')].find((n) => Number(n.dataset.seq) > ev.seq) || before;
    }
    this.maxSeq = Math.max(this.maxSeq, ev.seq);
    this.list.insertBefore(node, before || null);
    if (stick) this.scrollToEnd();
  }

  addPending(clientId, text, name) {
    if (this.list.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`)) return;
    const body = h('div', { class: 'msg-text' });
    body.textContent = text;
    const sender = h('span', { class: 'msg-sender' });
    sender.textContent = name || t('chat.you');
    const state = h('span', { class: 'msg-pending', i18n: 'chat.sending' });
    this.list.append(h('div', { class: 'msg msg-chat own pending', 'data-client-id': clientId },
      h('div', { class: 'bubble' }, h('div', { class: 'msg-meta' }, sender, state), body)));
    this.scrollToEnd();
  }

  removePending(clientId) {
    this.list.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`)?.remove();
  }

  scrollToEnd() {
    this.list.scrollTop = this.list.scrollHeight;
  }

  #nearBottom() {
    return this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 80;
  }
}

// ---------------------------------------------------------------------------
// Chat composer

/** Wires a textarea + send button: Enter sends, Shift+Enter adds a line,
 *  the field grows with its content. `onSend(text)` gets the trimmed text. */
export function wireComposer(input, button, onSend) {
  const send = () => {
    const text = input.value.trim();
    if (!text || input.disabled) return;
    if (onSend(text) !== false) {
      input.value = '';
      autosize();
    }
    input.focus();
  };
  const autosize = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  input.addEventListener('input', autosize);
  button.addEventListener('click', send);
}

// ---------------------------------------------------------------------------
// Confirmation dialog

/**
 * A modal `<dialog>` asking to confirm. `ask()` resolves true on OK.
 * The dialog carries `data-testid=<testid>`, its buttons `<testid>-ok` and
 * `<testid>-cancel`.
 */
export function confirmDialog({ testid, titleKey, textKey, okKey, danger = true, parent = document.body }) {
  const ok = h('button', { type: 'submit', value: 'ok', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, i18n: okKey, dataset: { testid: `${testid}-ok` } });
  const cancel = h('button', { type: 'submit', value: 'cancel', class: 'btn btn-secondary', i18n: 'dialog.cancel', dataset: { testid: `${testid}-cancel` } });
  const title = h('h2', { class: 'dialog-title', i18n: titleKey });
  const textEl = h('p', { class: 'dialog-text', i18n: textKey });
  const dialog = h('dialog', { class: 'dialog', dataset: { testid } },
    h('form', { method: 'dialog' },
      title,
      textEl,
      h('div', { class: 'dialog-actions' }, cancel, ok)));
  const id = `dlg-${uuid().slice(0, 8)}`;
  title.id = id;
  dialog.setAttribute('aria-labelledby', id);
  parent.append(dialog);
  let resolver = null;
  dialog.addEventListener('close', () => {
    resolver?.(dialog.returnValue === 'ok');
    resolver = null;
  });
  return {
    dialog,
    /** Opens the dialog; `params` fill the text's placeholders ({name}). */
    ask(params) {
      setText(textEl, textKey, params);
      setText(title, titleKey, params);
      dialog.returnValue = '';
      dialog.showModal();
      cancel.focus();
      return new Promise((resolve) => {
        resolver = resolve;
      });
    },
    remove() {
      dialog.remove();
    },
  };
}

export { formatSize };
