// First-time setup: creates the first administrator with the one-time token
// that `tether serve` prints while no administrator exists (?token=…).

import { setText, applyI18n, mountLanguageSwitch } from './i18n.js';
import { api, errorText } from './common.js';

const $ = (sel) => document.querySelector(sel);
const form = $('#setup-form');
const errorBox = $('[data-testid="setup-error"]');
const submit = $('#setup-submit');
const token = new URLSearchParams(location.search).get('token') || '';

function showError(key) {
  setText(errorBox, key);
  errorBox.hidden = false;
}

mountLanguageSwitch($('#lang-slot'));
applyI18n();

if (!token) {
  showError('setup.err.noToken');
  for (const el of form.elements) el.disabled = true;
} else {
  $('#setup-name').focus();
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (submit.disabled) return;
  errorBox.hidden = true;
  const name = $('#setup-name').value.trim();
  const email = $('#setup-email').value.trim();
  const password = $('#setup-password').value;
  if (password !== $('#setup-password2').value) {
    showError('setup.err.mismatch');
    $('#setup-password2').select();
    return;
  }
  submit.disabled = true;
  setText(submit, 'setup.creating');
  try {
    await api('POST', '/api/v1/setup', { token, email, name, password });
    form.hidden = true;
    $('#setup-done').hidden = false;
    $('[data-testid="setup-console-link"]').focus();
    // The token is spent; keep it out of the address bar and history.
    history.replaceState(null, '', '/setup');
  } catch (err) {
    if (err.error === 'setup_closed') showError('setup.err.setup_closed');
    else if (['invalid_token', 'forbidden', 'unauthorized'].includes(err.error)) showError('setup.err.invalid_token');
    else {
      delete errorBox.dataset.i18n;
      errorBox.textContent = errorText(err);
      errorBox.hidden = false;
    }
  } finally {
    submit.disabled = false;
    setText(submit, 'setup.submit');
  }
});
