// Set a password through a one-time link (/reset?token=…): shows whose
// account it is, takes the new password twice, and then points to the
// sign-in. An expired or used link says so and what to do instead.

import { setText, applyI18n, mountLanguageSwitch } from './i18n.js';
import { api, errorText } from './common.js';

const MIN_PASSWORD_CHARS = 10;

const $ = (sel) => document.querySelector(sel);
const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const form = $('#reset-form');
const errorBox = byTestId('reset-error');
const submit = $('#reset-submit');
const token = new URLSearchParams(location.search).get('token') || '';

function showError(key, params) {
  setText(errorBox, key, params);
  errorBox.hidden = false;
}

/** The link cannot be used (expired, used, unknown): say so instead of the form. */
function invalid(key) {
  $('#reset-loading').hidden = true;
  form.hidden = true;
  errorBox.hidden = true;
  setText(document.querySelector('[data-role="invalid-text"]'), key);
  byTestId('reset-invalid').hidden = false;
}

function invalidKey(err) {
  if (err.error === 'link_expired') return 'reset.err.link_expired';
  if (err.error === 'unknown_link' || err.status === 404) return 'reset.err.unknown_link';
  return null;
}

async function inspect() {
  if (!token) {
    invalid('reset.err.noToken');
    return;
  }
  try {
    const account = await api('POST', '/api/v1/auth/reset/inspect', { token });
    $('#reset-loading').hidden = true;
    setText(byTestId('reset-account'), 'reset.account', { name: account.name || '', email: account.email || '' });
    $('#reset-username').value = account.email || '';
    form.hidden = false;
    $('#reset-password').focus();
  } catch (err) {
    const key = invalidKey(err);
    if (key) {
      invalid(key);
      return;
    }
    $('#reset-loading').hidden = true;
    delete errorBox.dataset.i18n;
    errorBox.textContent = errorText(err);
    errorBox.hidden = false;
  }
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (submit.disabled) return;
  errorBox.hidden = true;
  const password = $('#reset-password').value;
  if ([...password].length < MIN_PASSWORD_CHARS) {
    showError('reset.err.short', { min: MIN_PASSWORD_CHARS });
    $('#reset-password').focus();
    return;
  }
  if (password !== $('#reset-password2').value) {
    showError('reset.err.mismatch');
    $('#reset-password2').select();
    return;
  }
  submit.disabled = true;
  setText(submit, 'reset.saving');
  try {
    await api('POST', '/api/v1/auth/reset', { token, password });
    form.hidden = true;
    byTestId('reset-done').hidden = false;
    byTestId('reset-console-link').focus();
    // The link is spent; keep it out of the address bar and history.
    history.replaceState(null, '', '/reset');
  } catch (err) {
    const key = invalidKey(err);
    if (key) invalid(key);
    else {
      delete errorBox.dataset.i18n;
      errorBox.textContent = errorText(err, 'reset.err.');
      errorBox.hidden = false;
    }
  } finally {
    submit.disabled = false;
    setText(submit, 'reset.submit');
  }
});

mountLanguageSwitch($('#lang-slot'));
applyI18n();
inspect();
