// The technician console: sign-in, a tab per open session (key, invitation,
// chat, file transfer, end), the Start tab, the history of ended sessions,
// and the account: its dialog, and the live policy of the technician's group
// (a change applies at once; a disabled account is signed out at once).

import {
  t, has, setText, setFormatted, applyI18n, mountLanguageSwitch, onLanguageChange,
  formatPeriod, formatSize,
} from './i18n.js';
import {
  h, api, errorText, groupKey, SessionSocket, Timeline, wireComposer,
  confirmDialog, connectionIndicator, endedReasonKey, copyText,
} from './common.js';
import { AccessControls } from './console-access.js';
import { InviteDialog } from './console-invite.js';
import { mountSignIn, AccountEvents, accountDialog } from './account.js';

const $ = (sel, root = document) => root.querySelector(sel);
const byTestId = (root, id) => root.querySelector(`[data-testid="${id}"]`);

const state = {
  me: null,
  settings: {},
  tabs: new Map(), // session id → SessionTab
  active: 'start', // 'start' or a session id
  events: null, // AccountEvents while signed in
  signedOut: false,
  rcTouched: false, // the technician changed the "request remote control" box by hand
};

function showView(name) {
  for (const id of ['loading', 'login', 'sessions', 'history']) {
    $(`#view-${id}`).hidden = id !== name;
  }
  for (const btn of document.querySelectorAll('#main-nav .nav-link')) {
    if (btn.dataset.view === name) btn.setAttribute('aria-current', 'page');
    else btn.removeAttribute('aria-current');
  }
}

function showAlert(el, text) {
  delete el.dataset.i18n;
  el.textContent = text;
  el.hidden = false;
}

/** Writes a translation whose `{param}` placeholder becomes a link. */
function setTextWithLink(el, key, params, linkParam, href) {
  const marker = '\u0000';
  const text = t(key, { ...params, [linkParam]: marker });
  const [before, after = ''] = text.split(marker);
  const link = h('a', { href, target: '_blank', rel: 'noopener' });
  link.textContent = params[linkParam];
  el.replaceChildren(before, link, after);
}

// ---------------------------------------------------------------------------
// One session tab

class SessionTab {
  constructor(session) {
    this.id = session.id;
    this.session = session;
    this.ended = session.state === 'ended';
    this.myName = state.me?.name || '';
    this.copyTimer = null;
    this.uploading = false;
    this.uploadQueue = [];

    // Tab button.
    this.dot = h('span', { class: 'status-dot', 'aria-hidden': 'true' });
    this.label = h('span', { class: 'tab-label' });
    this.closeBtn = h('button', {
      type: 'button', class: 'tab-close', 'data-i18n-aria-label': 'tabs.close', 'aria-label': t('tabs.close'),
      'data-i18n-title': 'tabs.close', title: t('tabs.close'), dataset: { testid: 'close-tab' },
    }, '×');
    this.tab = h('div', {
      class: 'tab', role: 'tab', tabindex: '-1', 'aria-selected': 'false', id: `tab-${this.id}`,
      'aria-controls': `panel-${this.id}`, dataset: { testid: 'session-tab', sessionId: this.id },
    }, this.dot, this.label, this.closeBtn);
    this.tab.addEventListener('click', (e) => {
      if (!this.closeBtn.contains(e.target)) activate(this.id);
    });
    this.tab.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        activate(this.id);
      }
    });
    this.closeBtn.addEventListener('click', () => this.requestClose());

    // Panel from the template.
    this.panel = $('#session-template').content.firstElementChild.cloneNode(true);
    this.panel.id = `panel-${this.id}`;
    this.panel.dataset.sessionId = this.id;
    this.panel.setAttribute('aria-labelledby', this.tab.id);
    this.panel.hidden = true;
    const p = this.panel;
    this.el = {
      title: $('[data-role="title"]', p),
      status: byTestId(p, 'session-status'),
      panelDot: $('[data-role="dot"]', p),
      end: byTestId(p, 'end-session'),
      banner: byTestId(p, 'session-ended'),
      endedReason: $('[data-role="ended-reason"]', p),
      key: byTestId(p, 'support-key'),
      validity: byTestId(p, 'key-validity'),
      invite: $('[data-role="invite"]', p),
      joinLink: byTestId(p, 'join-link'),
      copy: byTestId(p, 'copy-link'),
      copyState: byTestId(p, 'copy-state'),
      website: $('[data-role="website"]', p),
      email: byTestId(p, 'email-link'),
      inviteSend: $('[data-role="invite-send"]', p),
      inviteSms: byTestId(p, 'invite-sms'),
      inviteEmail: byTestId(p, 'invite-email-send'),
      rc: byTestId(p, 'rc-pending'),
      messages: byTestId(p, 'messages'),
      input: byTestId(p, 'chat-input'),
      send: byTestId(p, 'chat-send'),
      sendFile: byTestId(p, 'send-file'),
      fileInput: byTestId(p, 'file-input'),
      progress: byTestId(p, 'upload-progress'),
      progressLabel: $('[data-role="upload-label"]', p),
      progressBar: $('progress', p),
      uploadError: byTestId(p, 'upload-error'),
      chatError: byTestId(p, 'chat-error'),
    };
    this.conn = connectionIndicator();
    $('[data-role="conn"]', p).append(this.conn.el);
    this.access = new AccessControls(p, {
      sessionId: this.id,
      send: (frame) => this.socket?.send(frame) ?? false,
      onSession: (s) => this.update(s),
    });
    this.timeline = new Timeline(this.el.messages, { viewer: 'technician', sessionId: this.id });

    this.endDialog = confirmDialog({
      testid: 'confirm-end', titleKey: 'end.confirmTitle', textKey: 'end.confirmTextTech', okKey: 'end.confirmOk', parent: p,
    });
    this.inviteDialog = new InviteDialog(p, { sessionId: this.id, settings: () => state.settings });
    this.closeDialog = confirmDialog({
      testid: 'confirm-close', titleKey: 'tabs.closeLiveTitle', textKey: 'tabs.closeLiveText', okKey: 'tabs.closeLiveOk', parent: p,
    });

    this.el.end.addEventListener('click', () => this.requestEnd());
    this.el.copy.addEventListener('click', () => this.copyLink());
    this.el.inviteSms.addEventListener('click', () => this.inviteDialog.open('sms'));
    this.el.inviteEmail.addEventListener('click', () => this.inviteDialog.open('email'));
    this.el.sendFile.addEventListener('click', () => this.el.fileInput.click());
    this.el.fileInput.addEventListener('change', () => {
      const files = [...this.el.fileInput.files];
      this.el.fileInput.value = '';
      for (const f of files) this.uploadQueue.push(f);
      this.pumpUploads();
    });
    wireComposer(this.el.input, this.el.send, (text) => this.sendChat(text));

    $('#tabbar').append(this.tab);
    $('#panels').append(p);
    applyI18n(p);
    this.render();
    this.connect();
  }

  // -- live connection -----------------------------------------------------

  async connect() {
    if (this.ended) {
      // Nothing live: show the stored timeline once.
      this.conn.el.hidden = true;
      try {
        const { events } = await api('GET', `/api/v1/sessions/${encodeURIComponent(this.id)}/messages`);
        for (const ev of events) this.timeline.add(ev);
      } catch (err) {
        showAlert(this.el.chatError, errorText(err));
      }
      return;
    }
    this.socket = new SessionSocket(this.id, {
      onStatus: (s) => this.conn.set(s),
      onHello: (frame) => {
        if (frame.you?.name) this.myName = frame.you.name;
        if (frame.session) this.update(frame.session);
        this.access.hello();
      },
      onEvent: (ev) => {
        this.timeline.add(ev);
        this.access.event(ev);
        if (ev.kind === 'ended') this.update({ state: 'ended', end_reason: ev.reason ?? this.session.end_reason });
      },
      onSession: (s) => this.update(s),
      onBinary: (buffer) => this.access.binary(buffer),
      onError: (frame, text) => {
        if (this.access.error(frame)) return;
        if (frame.client_id) this.timeline.removePending(frame.client_id);
        if (text && !this.el.input.value) this.el.input.value = text;
        if (frame.error === 'session_ended') return;
        const max = state.settings.max_message_chars;
        if (frame.error === 'message_too_long' && max) this.showChatError('err.message_too_long_max', { max });
        else showAlert(this.el.chatError, errorText(frame));
      },
      onUnavailable: (err) => {
        if (err.status === 401) signedOut(null);
        else showAlert(this.el.chatError, errorText(err));
      },
    });
    for (const [clientId, { text }] of this.socket.pendingMessages()) this.timeline.addPending(clientId, text, this.myName);
    this.socket.start();
  }

  update(partial) {
    this.session = { ...this.session, ...partial };
    if (this.session.state === 'ended') this.ended = true;
    this.render();
  }

  // -- rendering -------------------------------------------------------------

  status() {
    const s = this.session;
    if (this.ended || s.state === 'ended') return 'ended';
    if (s.state === 'waiting' || !s.customer) return this.keyExpired() ? 'expired' : 'waiting';
    return s.customer.online ? 'online' : 'offline';
  }

  keyExpired() {
    const s = this.session;
    return Boolean(s.expires_at) && Date.parse(s.expires_at) <= Date.now();
  }

  render() {
    const s = this.session;
    const status = this.status();
    const customerName = s.customer?.name || '';
    const keyDisplay = s.key_display || groupKey(s.key);

    // Tab label and title.
    if (customerName) {
      this.label.textContent = customerName;
      this.label.classList.remove('key');
      setText(this.el.title, 'session.heading', { name: customerName });
    } else {
      this.label.textContent = keyDisplay;
      this.label.classList.add('key');
      if (s.customer) setText(this.el.title, 'session.heading', { name: t('common.customer') });
      else setText(this.el.title, 'session.headingWaiting', { key: keyDisplay });
    }
    this.dot.dataset.status = status;
    this.el.panelDot.dataset.status = status;
    this.panel.dataset.status = status;

    // Status line.
    if (status === 'ended') {
      const key = `session.status.ended.${s.end_reason}`;
      setText(this.el.status, ['technician', 'customer', 'key_expired'].includes(s.end_reason) ? key : 'session.status.endedUnknown');
    } else if (status === 'waiting') {
      setText(this.el.status, 'session.status.waiting');
    } else if (status === 'expired') {
      setText(this.el.status, 'session.status.keyExpired');
    } else {
      if (customerName) setText(this.el.status, `session.status.${status}`, { name: customerName });
      else setText(this.el.status, `session.status.${status}Anon`);
    }

    // Key, validity, invitation.
    this.el.key.textContent = keyDisplay;
    this.el.key.setAttribute('aria-label', String(s.key || '').split('').join(' '));
    const joined = Boolean(s.customer) || s.state === 'active';
    this.el.validity.hidden = joined;
    this.el.invite.hidden = joined || status === 'ended' || status === 'expired';
    this.tick();
    if (s.join_url) {
      this.el.joinLink.textContent = s.join_url;
      this.el.joinLink.title = s.join_url;
    }
    // The group's support website wins: a policy change applies to open tabs too.
    const website = state.settings.support_website || s.support_website || `${location.origin}/`;
    setTextWithLink(this.el.website, 'invite.website', { website }, 'website', website);
    const body = t('invite.mailBody', { link: s.join_url || '', website, key: keyDisplay, name: state.me?.name || '' });
    this.el.email.href = `mailto:?subject=${encodeURIComponent(t('invite.mailSubject'))}&body=${encodeURIComponent(body.replace(/\n/g, '\r\n'))}`;
    this.el.inviteSms.hidden = !state.settings.sms_available;
    this.el.inviteEmail.hidden = !state.settings.email_available;
    this.el.inviteSend.hidden = this.el.inviteSms.hidden && this.el.inviteEmail.hidden;
    if (this.el.invite.hidden) this.inviteDialog.close();
    this.el.rc.hidden = !s.request_remote_control || joined || status === 'ended' || status === 'expired';
    this.access.render(s, status);

    // Ended state.
    if (status === 'ended') {
      setText(this.el.endedReason, endedReasonKey('technician', s.end_reason));
      this.el.banner.dataset.reason = s.end_reason || '';
      this.el.banner.hidden = false;
      for (const ctl of [this.el.input, this.el.send, this.el.sendFile, this.el.end]) ctl.disabled = true;
      this.conn.el.hidden = true;
      for (const node of this.el.messages.querySelectorAll('.pending')) node.remove();
      if (!this.endShown) {
        // The banner takes room from the chat; keep its last line in view.
        this.endShown = true;
        requestAnimationFrame(() => this.timeline.scrollToEnd());
      }
    }
  }

  /** Updates the key's countdown; called every second. */
  tick() {
    const s = this.session;
    if (this.el.validity.hidden || !s.expires_at) return;
    const left = Math.ceil((Date.parse(s.expires_at) - Date.now()) / 1000);
    if (left <= 0 || (this.ended && s.end_reason === 'key_expired')) {
      if (this.el.validity.dataset.state === 'valid') {
        // Just ran out: the status line and the invitation change too.
        this.el.validity.dataset.state = 'expired';
        this.render();
        return;
      }
      this.el.validity.dataset.state = 'expired';
      setText(this.el.validity, 'session.expired');
    } else {
      this.el.validity.dataset.state = 'valid';
      const mm = String(Math.floor(left / 60)).padStart(2, '0');
      const ss = String(left % 60).padStart(2, '0');
      setText(this.el.validity, 'session.validFor', { time: `${mm}:${ss}` });
    }
  }

  relabel() {
    this.render();
  }

  // -- actions ---------------------------------------------------------------

  showChatError(key, params) {
    setText(this.el.chatError, key, params);
    this.el.chatError.hidden = false;
  }

  sendChat(text) {
    if (this.ended || !this.socket) return false;
    this.el.chatError.hidden = true;
    const max = state.settings.max_message_chars;
    if (max && [...text].length > max) {
      this.showChatError('err.message_too_long_max', { max });
      return false;
    }
    const clientId = this.socket.sendChat(text);
    this.timeline.addPending(clientId, text, this.myName);
    return true;
  }

  async copyLink() {
    const ok = await copyText(this.session.join_url || '');
    setText(this.el.copyState, ok ? 'invite.copied' : 'invite.copyFailed');
    this.el.copyState.dataset.state = ok ? 'copied' : 'failed';
    clearTimeout(this.copyTimer);
    this.copyTimer = setTimeout(() => {
      this.el.copyState.textContent = '';
      delete this.el.copyState.dataset.i18n;
      delete this.el.copyState.dataset.state;
    }, 4000);
  }

  async end() {
    this.el.end.disabled = true;
    try {
      const s = await api('POST', `/api/v1/sessions/${encodeURIComponent(this.id)}/end`);
      this.update(s && s.state ? s : { state: 'ended', end_reason: 'technician' });
      return true;
    } catch (err) {
      if (err.error === 'session_ended') {
        const s = await api('GET', `/api/v1/sessions/${encodeURIComponent(this.id)}`).catch(() => null);
        this.update(s || { state: 'ended' });
        return true;
      }
      this.el.end.disabled = false;
      showAlert(this.el.chatError, errorText(err));
      return false;
    }
  }

  async requestEnd() {
    if (this.ended) return;
    if (await this.endDialog.ask()) await this.end();
  }

  async requestClose() {
    if (!this.ended) {
      activate(this.id);
      if (!(await this.closeDialog.ask())) return;
      if (!(await this.end())) return;
    }
    this.destroy();
  }

  destroy() {
    this.socket?.stop();
    this.access.destroy();
    this.endDialog.remove();
    this.closeDialog.remove();
    this.inviteDialog.remove();
    const ids = [...state.tabs.keys()];
    const idx = ids.indexOf(this.id);
    state.tabs.delete(this.id);
    this.tab.remove();
    this.panel.remove();
    if (state.active === this.id) {
      const next = ids[idx + 1] ?? ids[idx - 1];
      activate(next && next !== this.id ? next : 'start');
    }
  }

  // -- file transfer ---------------------------------------------------------

  async pumpUploads() {
    if (this.uploading) return;
    this.uploading = true;
    while (this.uploadQueue.length && !this.ended) {
      await this.upload(this.uploadQueue.shift());
    }
    this.uploadQueue = [];
    this.uploading = false;
  }

  upload(file) {
    const max = state.settings.max_file_bytes;
    this.el.uploadError.hidden = true;
    if (max && file.size > max) {
      this.showUploadError(file.name, t('err.file_too_large_max', { max: formatSize(max) }));
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      const setProgress = (pct) => {
        this.el.progressBar.value = pct;
        setText(this.el.progressLabel, 'upload.progress', { name: file.name, pct });
      };
      this.el.progress.hidden = false;
      setProgress(0);
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable) setProgress(Math.floor((e.loaded / e.total) * 100));
      });
      xhr.addEventListener('load', () => {
        this.el.progress.hidden = true;
        if (xhr.status === 201 || xhr.status === 200) {
          // The file event reaches the chat through the live connection.
          resolve();
          return;
        }
        let body = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = null;
        }
        const err = { status: xhr.status, error: body?.error || `http_${xhr.status}`, message: body?.message };
        const reason = err.error === 'file_too_large' && max
          ? t('err.file_too_large_max', { max: formatSize(max) })
          : errorText(err);
        this.showUploadError(file.name, reason);
        resolve();
      });
      xhr.addEventListener('error', () => {
        this.el.progress.hidden = true;
        this.showUploadError(file.name, t('err.network'));
        resolve();
      });
      xhr.open('POST', `/api/v1/sessions/${encodeURIComponent(this.id)}/files?name=${encodeURIComponent(file.name)}`);
      xhr.setRequestHeader('X-Tether-Upload', '1');
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      xhr.send(file);
    });
  }

  showUploadError(name, reason) {
    const el = this.el.uploadError;
    delete el.dataset.i18n;
    el.textContent = t('upload.failed', { name, reason });
    el.hidden = false;
  }
}

// ---------------------------------------------------------------------------
// Tabs

function activate(id) {
  state.active = id;
  const startTab = $('#tab-start');
  const isStart = id === 'start';
  startTab.setAttribute('aria-selected', String(isStart));
  startTab.tabIndex = isStart ? 0 : -1;
  $('#panel-start').hidden = !isStart;
  for (const [sid, tab] of state.tabs) {
    const on = sid === id;
    tab.tab.setAttribute('aria-selected', String(on));
    tab.tab.tabIndex = on ? 0 : -1;
    tab.panel.hidden = !on;
  }
  const tab = state.tabs.get(id);
  if (tab) {
    tab.timeline.scrollToEnd();
    if (!tab.ended) tab.el.input.focus();
  }
}

function openTab(session) {
  let tab = state.tabs.get(session.id);
  if (!tab) {
    tab = new SessionTab(session);
    state.tabs.set(session.id, tab);
  }
  return tab;
}

async function startSession() {
  const button = $('#start-session');
  const errorBox = byTestId(document, 'start-error');
  if (button.disabled) return;
  button.disabled = true;
  errorBox.hidden = true;
  setText(button, 'start.starting');
  try {
    const session = await api('POST', '/api/v1/sessions', { request_remote_control: $('#request-rc').checked });
    openTab(session);
    activate(session.id);
  } catch (err) {
    if (err.status === 401) {
      signedOut(null);
      return;
    }
    showAlert(errorBox, errorText(err));
  } finally {
    button.disabled = false;
    setText(button, 'start.button');
  }
}

// ---------------------------------------------------------------------------
// History

async function loadHistory() {
  const rows = $('#history-rows');
  const errorBox = byTestId(document, 'history-error');
  errorBox.hidden = true;
  let sessions;
  try {
    ({ sessions } = await api('GET', '/api/v1/sessions?state=ended'));
  } catch (err) {
    if (err.status === 401) {
      signedOut(null);
      return;
    }
    showAlert(errorBox, errorText(err));
    return;
  }
  rows.replaceChildren();
  $('#history-empty').hidden = sessions.length > 0;
  for (const s of sessions) {
    const date = h('td', { class: 'num' });
    setFormatted(date, 'datetime', s.created_at);
    const customer = h('td');
    customer.textContent = s.customer?.name || '—';
    const duration = h('td', { class: 'num' });
    if (s.ended_at) setFormatted(duration, 'duration', (Date.parse(s.ended_at) - Date.parse(s.created_at)) / 1000);
    else duration.textContent = '—';
    const reason = h('td');
    if (has(`reason.short.${s.end_reason}`)) setText(reason, `reason.short.${s.end_reason}`);
    else reason.textContent = s.end_reason || '—';
    const row = h('tr', { tabindex: '0', dataset: { testid: 'history-row', sessionId: s.id } }, date, customer, duration, reason);
    const open = () => showTranscript(s, row);
    row.addEventListener('click', open);
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open();
      }
    });
    rows.append(row);
  }
}

async function showTranscript(session, row) {
  for (const r of document.querySelectorAll('#history-rows tr')) r.setAttribute('aria-selected', String(r === row));
  const list = $('#transcript-messages');
  const facts = $('#transcript-facts');
  list.replaceChildren();
  facts.replaceChildren();
  $('#transcript-placeholder').hidden = true;
  $('#transcript-body').hidden = false;
  const fact = (labelKey, valueEl) => facts.append(h('dt', { i18n: labelKey }), h('dd', {}, valueEl));
  const text = (v) => {
    const span = h('span');
    span.textContent = v;
    return span;
  };
  fact('history.key', text(session.key_display || groupKey(session.key)));
  fact('history.customer', text(session.customer?.name || '—'));
  fact('history.started', setFormatted(h('span'), 'datetime', session.created_at));
  if (session.ended_at) fact('history.ended', setFormatted(h('span'), 'datetime', session.ended_at));
  if (has(`reason.short.${session.end_reason}`)) fact('history.reason', h('span', { i18n: `reason.short.${session.end_reason}` }));
  list.dataset.sessionId = session.id;
  try {
    const { events } = await api('GET', `/api/v1/sessions/${encodeURIComponent(session.id)}/messages`);
    if (list.dataset.sessionId !== session.id) return; // another row was chosen meanwhile
    const timeline = new Timeline(list, { viewer: 'technician', sessionId: session.id, audit: true });
    for (const ev of events) timeline.add(ev);
    list.scrollTop = 0;
  } catch (err) {
    list.append(h('p', { class: 'placeholder' }, errorText(err)));
  }
}

// ---------------------------------------------------------------------------
// Sign-in and start-up

let signIn = null;
let account = null;

function showLogin(reason) {
  $('#main-nav').hidden = true;
  byTestId(document, 'sign-out').hidden = true;
  byTestId(document, 'user-name').hidden = true;
  showView('login');
  signIn ??= mountSignIn($('#view-login'), { onSignedIn: (info) => boot(info) });
  signIn.show(reason);
}

/**
 * The server ended this sign-in (an administrator disabled the account, the
 * password was reset, or it expired): every live connection stops, the tabs
 * go, and the sign-in form says why. A second, more precise reason (the
 * account event after a session socket noticed first) replaces the notice.
 */
function signedOut(reason) {
  if (state.signedOut) {
    if (reason) signIn?.notice(reason);
    return;
  }
  state.signedOut = true;
  if (reason) {
    state.events?.stop();
    state.events = null;
  }
  account?.close();
  for (const tab of [...state.tabs.values()]) tab.destroy();
  state.me = null;
  showLogin(reason || 'signed_out');
}

/** A new policy for the technician's group, at start-up or live. */
function applySettings(settings) {
  state.settings = settings || {};
  setText($('#start-intro'), 'start.intro', { time: formatPeriod(state.settings.key_lifetime_secs ?? 3600) });
  if (!state.rcTouched) $('#request-rc').checked = Boolean(state.settings.request_remote_control_default);
  for (const tab of state.tabs.values()) tab.render();
}

function startAccountEvents() {
  state.events?.stop();
  state.events = new AccountEvents({
    onSettings: (settings, user) => {
      if (user) state.me = { ...state.me, ...user };
      applySettings(settings);
    },
    onSignedOut: (reason) => signedOut(reason),
  }).start();
}

async function signOut() {
  state.events?.stop();
  state.events = null;
  try {
    await api('POST', '/api/v1/auth/logout');
  } catch (err) {
    console.warn('tether: sign-out failed', err);
  }
  for (const tab of state.tabs.values()) tab.socket?.stop();
  location.replace('/console');
}

function showConsoleChrome() {
  $('#main-nav').hidden = false;
  byTestId(document, 'nav-admin').hidden = state.me.role !== 'admin';
  const user = byTestId(document, 'user-name');
  user.textContent = state.me.name;
  user.title = t('nav.user', { name: state.me.name });
  user.hidden = false;
  byTestId(document, 'sign-out').hidden = false;
}

async function reloadMe() {
  try {
    const me = await api('GET', '/api/v1/me');
    state.me = me.user;
    applySettings(me.settings);
  } catch (err) {
    if (err.status === 401) signedOut(null);
  }
}

function route() {
  if (location.hash === '#history') {
    showView('history');
    loadHistory();
  } else {
    showView('sessions');
  }
}

/** `info.recoveryCodesLeft`: the sign-in used a recovery code; say how many are left. */
async function boot(info = {}) {
  let me;
  for (;;) {
    try {
      me = await api('GET', '/api/v1/me');
      break;
    } catch (err) {
      if (err.status === 401) {
        showLogin();
        return;
      }
      setText($('#view-loading p'), 'err.network');
      showView('loading');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  state.me = me.user;
  state.signedOut = false;
  state.rcTouched = false;
  applySettings(me.settings);
  showConsoleChrome();
  const left = byTestId(document, 'recovery-left');
  left.hidden = typeof info.recoveryCodesLeft !== 'number';
  if (!left.hidden) setText(left, 'twofa.codesLeft', { n: info.recoveryCodesLeft });
  startAccountEvents();
  route();

  let live = [];
  try {
    ({ sessions: live } = await api('GET', '/api/v1/sessions?state=live'));
  } catch (err) {
    showAlert(byTestId(document, 'start-error'), errorText(err));
  }
  // Oldest first, so the tab order matches the order they were started in.
  for (const s of [...live].reverse()) openTab(s);
  if (live.length > 0) {
    activate(live[0].id); // the newest, as after starting it
  } else if (state.settings.auto_open_session) {
    await startSession();
  } else {
    activate('start');
  }
}

// ---------------------------------------------------------------------------

mountLanguageSwitch($('#lang-slot'));
applyI18n();
onLanguageChange(() => {
  for (const tab of state.tabs.values()) tab.relabel();
  if (state.me) {
    const user = byTestId(document, 'user-name');
    user.title = t('nav.user', { name: state.me.name });
  }
});

$('#start-session').addEventListener('click', startSession);
$('#tab-start').addEventListener('click', () => activate('start'));
byTestId(document, 'sign-out').addEventListener('click', signOut);
$('#request-rc').addEventListener('change', () => {
  state.rcTouched = true;
});
byTestId(document, 'user-name').addEventListener('click', () => {
  account ??= accountDialog({ getMe: () => ({ user: state.me, settings: state.settings }), onChanged: reloadMe });
  account.open();
});
$('#history-refresh').addEventListener('click', loadHistory);
for (const btn of document.querySelectorAll('#main-nav .nav-link')) {
  btn.addEventListener('click', () => {
    const target = btn.dataset.view === 'history' ? '#history' : '';
    if (location.hash !== target) history.pushState(null, '', target || location.pathname);
    route();
  });
}
window.addEventListener('popstate', route);
window.addEventListener('hashchange', route);
setInterval(() => {
  for (const tab of state.tabs.values()) tab.tick();
}, 1000);

boot();
