// The customer's side: the support website (/) and join link (/join/{key})
// where a support key is redeemed, and the chat of the joined session
// (/s/{session_id}) with its always-visible "End session" button.

import { t, setText, applyI18n, mountLanguageSwitch, formatWait } from './i18n.js';
import {
  api, errorText, groupKey, SessionSocket, Timeline, wireComposer,
  confirmDialog, connectionIndicator, endedReasonKey,
} from './common.js';

const $ = (sel) => document.querySelector(sel);
const JOIN_STORAGE_PREFIX = 'tether.join.';

function showView(name) {
  for (const id of ['loading', 'join', 'chat', 'unavailable']) {
    $(`#view-${id}`).hidden = id !== name;
  }
  document.body.classList.toggle('chat-mode', name === 'chat');
}

function setTitle(key) {
  document.body.dataset.titleKey = key;
  document.title = t(key);
}

// ---------------------------------------------------------------------------
// Support website and join link

function rememberedSession(digits) {
  try {
    const raw = localStorage.getItem(JOIN_STORAGE_PREFIX + digits);
    const id = raw && JSON.parse(raw)?.session_id;
    return typeof id === 'string' && id ? id : null;
  } catch {
    return null;
  }
}

/** Keeps the key field grouped as `123 456 789` while typing, with the
 *  caret staying behind the same digit. */
function wireKeyInput(input) {
  input.addEventListener('input', () => {
    const caret = input.selectionStart ?? input.value.length;
    const digitsBeforeCaret = input.value.slice(0, caret).replace(/\D/g, '').length;
    const digits = input.value.replace(/\D/g, '').slice(0, 9);
    const grouped = groupKey(digits);
    if (grouped !== input.value) input.value = grouped;
    let pos = 0;
    let seen = 0;
    while (pos < grouped.length && seen < digitsBeforeCaret) {
      if (/\d/.test(grouped[pos])) seen += 1;
      pos += 1;
    }
    input.setSelectionRange(pos, pos);
  });
}

async function openJoin(prefilledKey) {
  const digits = (prefilledKey || '').replace(/\D/g, '');
  const known = digits && rememberedSession(digits);
  if (known) {
    // This browser already joined with this link: back to that chat, unless
    // the browser lost its access to it (cookies cleared), then join afresh.
    try {
      await api('GET', `/api/v1/sessions/${encodeURIComponent(known)}`);
      location.replace(`/s/${encodeURIComponent(known)}`);
      return;
    } catch (err) {
      if (![401, 403, 404].includes(err.status)) {
        location.replace(`/s/${encodeURIComponent(known)}`);
        return;
      }
      try {
        localStorage.removeItem(JOIN_STORAGE_PREFIX + digits);
      } catch { /* nothing to forget then */ }
    }
  }
  setTitle('join.pageTitle');
  showView('join');

  const form = $('#join-form');
  const keyInput = $('#join-key');
  const nameInput = $('#join-name');
  const submit = $('#join-submit');
  const errorBox = $('[data-testid="join-error"]');
  let retryTimer = null;

  wireKeyInput(keyInput);
  if (digits) {
    keyInput.value = groupKey(digits.slice(0, 9));
    keyInput.classList.add('prefilled');
    setText($('#join-intro'), 'join.introLink');
    nameInput.focus();
  } else {
    keyInput.focus();
  }

  const hideError = () => {
    if (retryTimer) return; // a throttling notice stays until it runs out
    errorBox.hidden = true;
    delete errorBox.dataset.errorCode;
  };
  keyInput.addEventListener('input', hideError);

  const showError = (code, key, params) => {
    errorBox.dataset.errorCode = code;
    setText(errorBox, key, params);
    errorBox.hidden = false;
  };

  const startRetryCountdown = (seconds) => {
    clearInterval(retryTimer);
    const until = Date.now() + seconds * 1000;
    submit.disabled = true;
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        clearInterval(retryTimer);
        retryTimer = null;
        submit.disabled = false;
        showError('too_many_attempts', 'join.err.too_many_attempts_over');
        return;
      }
      showError('too_many_attempts', 'join.err.too_many_attempts', { time: formatWait(left) });
    };
    retryTimer = setInterval(tick, 1000);
    tick();
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (submit.disabled) return;
    const key = keyInput.value.replace(/\D/g, '');
    if (key.length !== 9) {
      showError('invalid_key', 'join.err.invalid_key');
      keyInput.focus();
      return;
    }
    const name = nameInput.value.trim();
    submit.disabled = true;
    setText(submit, 'join.joining');
    try {
      const res = await api('POST', '/api/v1/join', name ? { key, name } : { key });
      try {
        localStorage.setItem(JOIN_STORAGE_PREFIX + key, JSON.stringify({ session_id: res.session_id }));
      } catch { /* without storage the join link simply cannot skip the form next time */ }
      location.assign(`/s/${encodeURIComponent(res.session_id)}`);
      return;
    } catch (err) {
      setText(submit, 'join.submit');
      submit.disabled = false;
      if (err.error === 'too_many_attempts') {
        startRetryCountdown(err.retryAfter ?? 60);
      } else if (['invalid_key', 'unknown_key', 'key_expired', 'key_used'].includes(err.error)) {
        showError(err.error, `join.err.${err.error}`);
        keyInput.focus();
      } else {
        errorBox.dataset.errorCode = err.error;
        errorBox.textContent = errorText(err);
        delete errorBox.dataset.i18n;
        errorBox.hidden = false;
      }
    }
  });
}

// ---------------------------------------------------------------------------
// The chat

async function openChat(sessionId) {
  setTitle('chat.pageTitle');
  let session;
  for (;;) {
    try {
      session = await api('GET', `/api/v1/sessions/${encodeURIComponent(sessionId)}`);
      break;
    } catch (err) {
      if ([401, 403, 404].includes(err.status)) {
        showUnavailable();
        return;
      }
      // The server is unreachable or restarting: say so and try again.
      setText($('#view-loading p'), 'err.network');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  showView('chat');
  const endButton = $('[data-testid="end-session"]');
  endButton.hidden = false;
  const input = $('#chat-input');
  const sendButton = $('#chat-send');
  const chatError = $('[data-testid="chat-error"]');
  const banner = $('[data-testid="session-ended"]');
  const conn = connectionIndicator();
  $('#conn-slot').append(conn.el);

  const timeline = new Timeline($('[data-testid="messages"]'), { viewer: 'customer', sessionId });
  let myName = '';
  let ended = false;

  const showTechnician = (s) => {
    const name = s?.technician?.name;
    if (name) setText($('[data-testid="technician-name"]'), 'chat.yourTech', { name });
  };

  const access = new CustomerAccess(sessionId, { technician: session.technician?.name || '' });

  const showChatError = (key, params) => {
    setText(chatError, key, params);
    chatError.hidden = false;
  };

  const applyEnded = (reason) => {
    access.ended();
    if (ended) return;
    ended = true;
    setText($('#ended-reason'), endedReasonKey('customer', reason));
    banner.dataset.reason = reason || '';
    banner.hidden = false;
    input.disabled = true;
    sendButton.disabled = true;
    endButton.disabled = true;
    conn.el.hidden = true;
    chatError.hidden = true;
    for (const node of document.querySelectorAll('.msg.pending')) node.remove();
    requestAnimationFrame(() => timeline.scrollToEnd());
  };

  showTechnician(session);
  access.update(session);
  input.focus();

  if (session.state === 'ended') {
    // Show what was said, read-only; there is nothing live to connect to.
    conn.el.hidden = true;
    try {
      const { events } = await api('GET', `/api/v1/sessions/${encodeURIComponent(sessionId)}/messages`);
      for (const ev of events) timeline.add(ev);
    } catch (err) {
      showChatError('err.generic', { code: err.error });
    }
    applyEnded(session.end_reason);
    return;
  }

  const socket = new SessionSocket(sessionId, {
    onStatus: (state) => conn.set(state),
    onHello: (frame) => {
      myName = frame.you?.name || '';
      showTechnician(frame.session);
      access.update(frame.session);
      if (frame.session?.state === 'ended') applyEnded(frame.session.end_reason);
    },
    onEvent: (ev) => {
      timeline.add(ev);
      if (ev.kind === 'ended') applyEnded(ev.reason);
    },
    onSession: (s) => {
      showTechnician(s);
      access.update(s);
      if (s.state === 'ended') applyEnded(s.end_reason);
    },
    onError: (frame, text) => {
      if (frame.client_id) timeline.removePending(frame.client_id);
      if (text && !input.value) input.value = text;
      if (frame.error === 'session_ended') return;
      chatError.textContent = errorText(frame);
      delete chatError.dataset.i18n;
      chatError.hidden = false;
    },
    onUnavailable: () => showUnavailable(),
  });
  for (const [clientId, { text }] of socket.pendingMessages()) timeline.addPending(clientId, text, myName);
  socket.start();

  wireComposer(input, sendButton, (text) => {
    if (ended) return false;
    chatError.hidden = true;
    const clientId = socket.sendChat(text);
    timeline.addPending(clientId, text, myName);
    return true;
  });

  const dialog = confirmDialog({
    testid: 'confirm-end',
    titleKey: 'end.confirmTitle',
    textKey: 'end.confirmTextCustomer',
    okKey: 'end.confirmOk',
  });
  endButton.addEventListener('click', async () => {
    if (ended || !(await dialog.ask())) return;
    endButton.disabled = true;
    try {
      const s = await api('POST', `/api/v1/sessions/${encodeURIComponent(sessionId)}/end`);
      applyEnded(s?.end_reason || 'customer');
    } catch (err) {
      if (err.error === 'session_ended') {
        const s = await api('GET', `/api/v1/sessions/${encodeURIComponent(sessionId)}`).catch(() => null);
        applyEnded(s?.end_reason);
        return;
      }
      endButton.disabled = false;
      chatError.textContent = errorText(err);
      delete chatError.dataset.i18n;
      chatError.hidden = false;
    }
  });
}

// ---------------------------------------------------------------------------
// Screen access: the request card with DOWNLOAD APPLICATION, and the notice
// with "Stop screen sharing" while the technician sees the screen.

/** The customer's system, as far as the support app cares. */
function customerPlatform() {
  const ua = navigator.userAgent || '';
  const hint = navigator.userAgentData?.platform || '';
  if (navigator.userAgentData?.mobile || /Android|iPhone|iPad|iPod/i.test(ua)) return 'mobile';
  if (/Windows/i.test(hint) || /Windows/.test(ua)) return 'windows';
  if (/mac/i.test(hint) || /Macintosh|Mac OS X/.test(ua)) return 'macos';
  if (/Chrome OS|ChromeOS/i.test(hint) || /CrOS/.test(ua)) return 'other';
  if (/Linux/i.test(hint) || /Linux|X11/.test(ua)) return 'linux';
  return 'other';
}

class CustomerAccess {
  constructor(sessionId, { technician }) {
    this.sessionId = sessionId;
    this.technician = technician;
    this.platform = customerPlatform();
    this.isEnded = false;
    this.stopping = false;
    this.el = {
      card: $('[data-testid="access-request"]'),
      title: $('[data-role="request-title"]'),
      download: $('[data-role="request-download"]'),
      link: $('[data-testid="download-app"]'),
      linux: $('[data-testid="request-linux"]'),
      unsupported: $('[data-testid="request-unsupported"]'),
      answer: $('[data-testid="request-answer"]'),
      note: $('[data-role="request-note"]'),
      notice: $('[data-testid="sharing-notice"]'),
      noticeText: $('[data-role="sharing-text"]'),
      stop: $('[data-testid="stop-sharing"]'),
      chatError: $('[data-testid="chat-error"]'),
    };
    this.el.card.dataset.platform = this.platform;
    this.el.stop.addEventListener('click', () => this.stop());
  }

  update(session) {
    if (!session) return;
    if (session.technician?.name) this.technician = session.technician.name;
    if (session.state === 'ended' || this.isEnded) {
      this.ended();
      return;
    }
    const a = session.access || {};
    const name = this.technician || t('history.technician');
    const pending = a.pending;
    const el = this.el;
    el.card.hidden = !pending;
    if (pending) {
      const kind = pending.access === 'control' ? 'control' : 'view';
      setText(el.title, `request.title.${kind}`, { name });
      el.card.dataset.access = kind;
      const supported = this.platform === 'linux';
      const awaitingAnswer = Boolean(a.app_connected);
      const url = a.download_url;
      el.download.hidden = awaitingAnswer || !url || !supported;
      if (url && /^(https?:\/\/|\/api\/v1\/app\/download\?)/.test(url) && el.link.getAttribute('href') !== url) el.link.setAttribute('href', url);
      el.linux.hidden = !supported;
      el.unsupported.hidden = awaitingAnswer || supported;
      el.answer.hidden = !awaitingAnswer;
      el.note.hidden = !supported && !awaitingAnswer;
      el.card.dataset.stage = awaitingAnswer ? 'answer' : 'download';
    }
    const grant = a.grant;
    el.notice.hidden = !grant;
    if (grant) {
      const kind = grant.access === 'control' ? 'control' : 'view';
      setText(el.noticeText, `sharing.${kind}`, { name });
      el.notice.dataset.access = kind;
      el.stop.disabled = this.stopping;
    }
  }

  /** "Stop screen sharing": frames and input stop at once, chat goes on. */
  async stop() {
    if (this.stopping) return;
    this.stopping = true;
    this.el.stop.disabled = true;
    try {
      await api('POST', `/api/v1/sessions/${encodeURIComponent(this.sessionId)}/access/revoke`);
      this.stopping = false;
      // The change itself arrives over the session WebSocket, in order.
      this.el.stop.disabled = false;
    } catch (err) {
      this.stopping = false;
      this.el.stop.disabled = false;
      if (err.error === 'not_shared') {
        this.el.notice.hidden = true;
        return;
      }
      this.el.chatError.textContent = errorText(err);
      delete this.el.chatError.dataset.i18n;
      this.el.chatError.hidden = false;
    }
  }

  ended() {
    this.isEnded = true;
    this.el.card.hidden = true;
    this.el.notice.hidden = true;
  }
}

function showUnavailable() {
  $('[data-testid="end-session"]').hidden = true;
  setTitle('chat.unavailableTitle');
  showView('unavailable');
}

// ---------------------------------------------------------------------------

mountLanguageSwitch($('#lang-slot'));
applyI18n();

const path = location.pathname;
let match;
if ((match = path.match(/^\/s\/([^/]+)\/?$/))) {
  openChat(decodeURIComponent(match[1]));
} else if ((match = path.match(/^\/join\/([^/]+)\/?$/))) {
  openJoin(decodeURIComponent(match[1]));
} else {
  openJoin(null);
}
