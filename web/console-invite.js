// Invitations the server sends for a waiting session: "Send by SMS" (a
// mobile number, read with the group's default country) and "Send by e-mail"
// (when SMTP is configured), each in the customer's language. The dialog
// ends with a confirmation naming the number or address the server used, or
// shows why it failed.

import { t, setText, lang, formatWait } from './i18n.js';
import { h, api, errorText, uuid, CALLING_CODES, countryName, formatPhone } from './common.js';

export class InviteDialog {
  /**
   * @param {HTMLElement} parent  where the dialog lives (the session panel)
   * @param {object} opts
   * @param {string} opts.sessionId
   * @param {() => object} opts.settings  the technician's current Settings
   */
  constructor(parent, { sessionId, settings }) {
    this.sessionId = sessionId;
    this.settings = settings;
    this.channel = 'sms';
    this.title = h('h2', { class: 'dialog-title', id: `inv-${uuid().slice(0, 8)}` });
    this.body = h('div');
    this.dialog = h('dialog', { class: 'dialog', 'aria-labelledby': this.title.id, dataset: { testid: 'invite-dialog' } },
      this.title, this.body);
    parent.append(this.dialog);
  }

  open(channel) {
    this.channel = channel;
    setText(this.title, channel === 'sms' ? 'invite.smsTitle' : 'invite.emailTitleSend');
    this.#form();
    this.dialog.showModal();
    this.to.focus();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  remove() {
    this.dialog.remove();
  }

  #form() {
    const sms = this.channel === 'sms';
    this.to = h('input', {
      class: 'input', id: `${this.title.id}-to`, type: sms ? 'tel' : 'email', autocomplete: 'off',
      inputmode: sms ? 'tel' : 'email', required: true, dataset: { testid: 'invite-to' },
    });
    const hint = h('div', { class: 'field-hint', id: `${this.title.id}-hint` });
    if (sms) {
      const country = this.settings().sms_default_country || 'DE';
      const code = CALLING_CODES[country];
      setText(hint, code ? 'invite.smsHint' : 'invite.smsHintNoCode', { country: countryName(country), code: code ? `+${code}` : '' });
    } else {
      setText(hint, 'invite.emailHint');
    }
    this.to.setAttribute('aria-describedby', hint.id);
    const language = h('select', { class: 'input', id: `${this.title.id}-lang`, dataset: { testid: 'invite-language' } },
      h('option', { value: 'en', i18n: 'lang.en' }),
      h('option', { value: 'de', i18n: 'lang.de' }));
    language.value = lang();
    const error = h('div', { class: 'alert alert-error', role: 'alert', hidden: true, dataset: { testid: 'invite-error' } });
    const cancel = h('button', { type: 'button', class: 'btn btn-secondary', i18n: 'dialog.cancel', dataset: { testid: 'invite-cancel' } });
    const send = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'invite.send', dataset: { testid: 'invite-send' } });
    const form = h('form', { novalidate: true },
      h('div', { class: 'field' },
        h('label', { class: 'field-label', for: this.to.id, i18n: sms ? 'invite.mobile' : 'invite.address' }),
        this.to, hint),
      h('div', { class: 'field' },
        h('label', { class: 'field-label', for: language.id, i18n: 'invite.language' }),
        language),
      error,
      h('div', { class: 'dialog-actions' }, cancel, send));
    cancel.addEventListener('click', () => this.close());
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (send.disabled) return;
      const to = this.to.value.trim();
      if (!to) {
        setText(error, sms ? 'invite.err.emptyPhone' : 'invite.err.emptyEmail');
        error.hidden = false;
        this.to.focus();
        return;
      }
      error.hidden = true;
      send.disabled = true;
      setText(send, 'invite.sending');
      try {
        const res = await api('POST', `/api/v1/sessions/${encodeURIComponent(this.sessionId)}/invitations`,
          { channel: this.channel, to, language: language.value });
        this.#sent(res?.to || to);
      } catch (err) {
        this.#showError(error, err);
        this.to.select();
      } finally {
        send.disabled = false;
        setText(send, 'invite.send');
      }
    });
    this.body.replaceChildren(form);
  }

  #showError(el, err) {
    delete el.dataset.i18n;
    if (err.error === 'invitation_limit') {
      el.textContent = err.retryAfter
        ? t('invite.err.invitation_limit_wait', { time: formatWait(err.retryAfter) })
        : t('invite.err.invitation_limit');
    } else if (err.error === 'delivery_failed') {
      el.textContent = t('invite.err.delivery_failed', { reason: err.message || '' });
    } else {
      el.textContent = errorText(err, 'invite.err.');
    }
    el.hidden = false;
  }

  #sent(to) {
    const shown = this.channel === 'sms' ? formatPhone(to) : to;
    const done = h('button', { type: 'button', class: 'btn btn-primary', i18n: 'invite.done', dataset: { testid: 'invite-done' } });
    done.addEventListener('click', () => this.close());
    const message = h('div', { class: 'alert alert-success', role: 'status', dataset: { testid: 'invite-sent', to } });
    setText(message, 'invite.sentTo', { to: shown });
    this.body.replaceChildren(message, h('div', { class: 'dialog-actions' }, done));
    done.focus();
  }
}
