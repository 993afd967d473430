// Screen access in one session tab of the console: the toolbar (REMOTE
// CONTROL, Screen view, Cancel request, Stop viewing, Ctrl+Alt+Del), the
// guided flow that follows a request through the customer's steps, and the
// viewer once the customer allowed it. Everything shown follows the
// server's `Session.access` and the access events; nothing is assumed.

import { t, setText, lang } from './i18n.js';
import { h, api, errorText } from './common.js';
import { ScreenViewer } from './viewer.js';

const STEPS = ['request_sent', 'download_started', 'app_connected', 'awaiting_consent'];
/** How long the guided flow keeps showing "Active" after the customer allowed. */
const ACTIVE_SHOWN_MS = 8000;
const NOTICE_SHOWN_MS = 4000;

const byTestId = (root, id) => root.querySelector(`[data-testid="${id}"]`);

export class AccessControls {
  /**
   * @param {HTMLElement} panel  the session tab's panel (from the template)
   * @param {object} opts
   * @param {string} opts.sessionId
   * @param {(frame: object) => boolean} opts.send  sends a JSON frame on the session socket
   * @param {(session: object) => void} opts.onSession  a fresh Session from an HTTP answer
   */
  constructor(panel, { sessionId, send, onSession }) {
    this.sessionId = sessionId;
    this.send = send;
    this.onSession = onSession;
    this.session = null;
    this.grant = null;
    this.flow = null; // {requestId, access, step, outcome: null|'granted'|'denied'}
    this.flowTimer = null;
    this.errorTimer = null;
    this.viewer = null;
    this.busy = false;
    this.connectedOnce = false;

    const q = (id) => byTestId(panel, id);
    this.el = {
      grid: panel.querySelector('.session-grid'),
      bar: q('access-toolbar'),
      requestControl: q('request-control'),
      requestView: q('request-view'),
      cancel: q('cancel-request'),
      stop: q('stop-viewing'),
      cad: q('ctrl-alt-del'),
      fit: q('viewer-fit'),
      monitorWrap: panel.querySelector('[data-role="monitor-wrap"]'),
      monitor: q('monitor-select'),
      status: q('viewer-status'),
      error: q('access-error'),
      notice: q('access-notice'),
      flow: q('access-flow'),
      flowTitle: panel.querySelector('[data-role="flow-title"]'),
      flowSteps: panel.querySelector('[data-role="flow-steps"]'),
      flowHint: q('access-flow-hint'),
      flowDismiss: q('access-flow-dismiss'),
      area: q('viewer-area'),
      screen: panel.querySelector('[data-role="viewer-screen"]'),
      waiting: q('viewer-waiting'),
      controlBar: q('request-control-bar'),
    };

    this.stepEls = new Map();
    for (const step of [...STEPS, 'active']) {
      const label = h('span', { class: 'flow-label', i18n: `flow.step.${step}` });
      const li = h('li', { class: 'flow-step', dataset: { step, state: 'todo' } },
        h('span', { class: 'flow-mark', 'aria-hidden': 'true' }), label);
      this.stepEls.set(step, { li, label });
      this.el.flowSteps.append(li);
    }

    this.el.requestControl.addEventListener('click', () => this.request('control'));
    this.el.requestView.addEventListener('click', () => this.request('view'));
    this.el.controlBar.addEventListener('click', () => this.request('control'));
    this.el.cancel.addEventListener('click', () => this.post('cancel'));
    this.el.stop.addEventListener('click', () => this.post('revoke'));
    this.el.cad.addEventListener('click', () => {
      this.viewer?.sendCtrlAltDel();
      this.viewer?.canvas.focus();
    });
    this.el.fit.addEventListener('click', () => {
      if (!this.viewer) return;
      this.viewer.setFit(!this.viewer.fit);
      this.renderViewerBar();
    });
    this.el.monitor.addEventListener('change', () => {
      const id = Number(this.el.monitor.value);
      if (Number.isFinite(id)) this.viewer?.selectMonitor(id);
    });
    this.el.flowDismiss.addEventListener('click', () => {
      this.flow = null;
      this.renderFlow();
    });
  }

  // -- from the session socket --------------------------------------------------

  /** Every (re)connect: after the first one, frames may have been lost. */
  hello() {
    if (this.connectedOnce) this.viewer?.reconnected();
    this.connectedOnce = true;
  }

  binary(buffer) {
    this.#ensureViewer().handleBinary(buffer);
  }

  event(ev) {
    switch (ev.kind) {
      case 'access_granted':
        if (this.flow && this.flow.requestId === ev.request_id) this.#answered('granted');
        break;
      case 'access_denied':
        if (this.flow && this.flow.requestId === ev.request_id) this.#answered('denied');
        break;
      case 'access_cancelled':
        if (this.flow && this.flow.requestId === ev.request_id) {
          this.flow = null;
          this.renderFlow();
        }
        break;
      case 'access_revoked':
        if (this.grant && this.grant.epoch === ev.epoch) {
          const reason = ['customer', 'technician', 'app_left', 'session_ended'].includes(ev.reason) ? ev.reason : 'other';
          this.showNotice(`ev.access.revoked.tech.${reason}`, reason);
        }
        break;
      default:
    }
  }

  /** The server refused a frame; only `no_control` belongs here. Returns whether it was handled. */
  error(frame) {
    if (frame.error !== 'no_control') return false;
    this.showError(errorText(frame));
    return true;
  }

  // -- rendering ------------------------------------------------------------------

  /** Follows the session: `status` is the tab's (waiting, online, offline, ended, expired). */
  render(session, status) {
    this.session = session;
    this.status = status;
    const live = status === 'online' || status === 'offline';
    const a = live ? session.access || {} : {};
    const grant = a.grant || null;
    const pending = a.pending || null;

    if (pending) {
      if (!this.flow || this.flow.requestId !== pending.request_id) {
        this.el.notice.hidden = true;
        this.el.error.hidden = true;
      }
      clearTimeout(this.flowTimer);
      this.flow = { requestId: pending.request_id, access: pending.access, step: pending.step, outcome: null };
    } else if (this.flow && !this.flow.outcome) {
      // Gone without an answer we saw (withdrawn, stopped, or the session ended).
      this.flow = null;
    }

    const grantChanged = (grant?.epoch ?? 0) !== (this.grant?.epoch ?? 0) || grant?.access !== this.grant?.access;
    this.grant = grant;
    if (grant && grantChanged) this.el.notice.hidden = true;
    if (grant) {
      this.#ensureViewer().setGrant(grant);
    } else if (this.viewer && grantChanged) {
      this.viewer.setGrant(null);
    }

    this.el.bar.hidden = !live;
    this.el.requestControl.hidden = Boolean(grant || pending);
    this.el.requestView.hidden = Boolean(grant || pending);
    this.el.cancel.hidden = !pending;
    this.el.stop.hidden = !grant;
    this.el.cad.hidden = grant?.access !== 'control';
    this.el.fit.hidden = !grant;
    for (const b of [this.el.requestControl, this.el.requestView, this.el.cancel, this.el.stop, this.el.controlBar]) {
      b.disabled = this.busy;
    }
    this.el.area.hidden = !grant;
    this.el.area.dataset.access = grant?.access || '';
    this.el.grid.classList.toggle('viewing', Boolean(grant));
    this.el.controlBar.hidden = !(grant && grant.access === 'view' && !pending);
    if (!live) {
      // Ended (or nobody joined yet): nothing is pending, nothing to follow.
      this.flow = null;
      clearTimeout(this.flowTimer);
      this.el.notice.hidden = true;
      this.el.error.hidden = true;
    }
    this.renderMonitors(a.monitors || []);
    this.renderViewerBar();
    this.renderFlow();
  }

  renderMonitors(monitors) {
    const show = Boolean(this.grant) && monitors.length > 1;
    this.el.monitorWrap.hidden = !show;
    if (!show) return;
    const key = JSON.stringify([lang(), ...monitors.map((m) => [m.id, m.name, m.primary])]);
    if (this.el.monitor.dataset.key !== key) {
      this.el.monitor.dataset.key = key;
      this.el.monitor.replaceChildren(...monitors.map((m) => {
        const opt = h('option', { value: String(m.id) });
        opt.textContent = m.primary ? t('access.monitorPrimary', { name: m.name }) : m.name;
        return opt;
      }));
    }
    const current = this.viewer?.monitor;
    if (current !== null && current !== undefined) this.el.monitor.value = String(current);
  }

  renderViewerBar() {
    const v = this.viewer;
    if (!this.grant) {
      this.el.status.hidden = true;
      return;
    }
    this.el.status.hidden = false;
    const mode = t(this.grant.access === 'control' ? 'access.status.control' : 'access.status.view');
    const parts = [mode];
    if (v?.hasPicture) parts.push(`${v.width} × ${v.height}`, t('access.fps', { n: v.fps }));
    this.el.status.textContent = parts.join(' · ');
    this.el.status.dataset.access = this.grant.access;
    setText(this.el.fit, v && !v.fit ? 'access.fit' : 'access.actualSize');
    this.el.waiting.hidden = Boolean(v?.hasPicture);
  }

  renderFlow() {
    const f = this.flow;
    this.el.flow.hidden = !f;
    if (!f) {
      delete this.el.flow.dataset.step;
      return;
    }
    const current = f.outcome === 'granted' ? 'active' : f.outcome === 'denied' ? 'denied' : f.step;
    this.el.flow.dataset.step = current;
    this.el.flow.dataset.access = f.access;
    setText(this.el.flowTitle, `flow.title.${f.access === 'control' ? 'control' : 'view'}`);
    // With the app already running, a request goes straight to the consent step.
    const index = current === 'active' || current === 'denied' ? STEPS.length : STEPS.indexOf(current);
    STEPS.forEach((step, i) => {
      const { li } = this.stepEls.get(step);
      li.dataset.state = i < index ? 'done' : i === index ? 'current' : 'todo';
      if (i === index) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    });
    const last = this.stepEls.get('active');
    setText(last.label, current === 'denied' ? 'flow.step.denied' : 'flow.step.active');
    last.li.dataset.state = current === 'active' ? 'current' : current === 'denied' ? 'denied' : 'todo';
    if (current === 'active' || current === 'denied') last.li.setAttribute('aria-current', 'step');
    else last.li.removeAttribute('aria-current');
    if (current === 'active') setText(this.el.flowHint, `flow.hint.active.${f.access === 'control' ? 'control' : 'view'}`);
    else setText(this.el.flowHint, `flow.hint.${current}`);
    this.el.flowHint.dataset.state = current;
  }

  // -- actions ---------------------------------------------------------------------

  async request(access) {
    await this.post('request', { access });
  }

  async post(action, body) {
    if (this.busy) return;
    this.busy = true;
    this.el.error.hidden = true;
    if (action === 'request') this.el.notice.hidden = true;
    this.render(this.session, this.status);
    try {
      await api('POST', `/api/v1/sessions/${encodeURIComponent(this.sessionId)}/access/${action}`, body);
      this.busy = false;
      // The session WebSocket carries every change in order; the answer's copy
      // of the session may already be older than what it delivered.
      this.render(this.session, this.status);
    } catch (err) {
      this.busy = false;
      this.render(this.session, this.status);
      this.showError(errorText(err));
    }
  }

  showError(text) {
    clearTimeout(this.errorTimer);
    delete this.el.error.dataset.i18n;
    this.el.error.textContent = text;
    this.el.error.hidden = false;
    this.errorTimer = setTimeout(() => {
      this.el.error.hidden = true;
    }, NOTICE_SHOWN_MS);
  }

  showNotice(key, reason) {
    setText(this.el.notice, key);
    this.el.notice.dataset.reason = reason;
    this.el.notice.hidden = false;
  }

  destroy() {
    clearTimeout(this.flowTimer);
    clearTimeout(this.errorTimer);
    this.viewer?.destroy();
  }

  // -- internals ---------------------------------------------------------------------

  #answered(outcome) {
    this.flow = { ...this.flow, outcome };
    clearTimeout(this.flowTimer);
    if (outcome === 'granted') {
      this.flowTimer = setTimeout(() => {
        if (this.flow?.outcome === 'granted') {
          this.flow = null;
          this.renderFlow();
        }
      }, ACTIVE_SHOWN_MS);
    }
    this.renderFlow();
  }

  #ensureViewer() {
    if (!this.viewer) {
      this.viewer = new ScreenViewer({
        send: (frame) => this.send(frame),
        onChange: () => {
          this.renderViewerBar();
          this.renderMonitors(this.session?.access?.monitors || []);
        },
        label: t('access.viewerLabel'),
      });
      this.el.screen.append(this.viewer.element);
    }
    return this.viewer;
  }
}
