// The admin center (/admin): accounts, technician groups and their policies,
// the SMS and e-mail gateways, the session history of the administrator's
// groups with export, and the audit log. Administrators only; a technician
// sees a pointer back to the console. An administrator of one group sees
// that group only (no new groups, no gateways).

import {
  t, has, setText, setFormatted, applyI18n, mountLanguageSwitch, onLanguageChange, lang,
} from './i18n.js';
import {
  h, api, errorText, groupKey, Timeline, renderEvent, confirmDialog, copyText, uuid,
  CALLING_CODES, countryName,
} from './common.js';
import { mountSignIn, AccountEvents } from './account.js';

const $ = (sel, root = document) => root.querySelector(sel);
const byTestId = (root, id) => root.querySelector(`[data-testid="${id}"]`);

const VIEWS = ['accounts', 'groups', 'messaging', 'sessions', 'audit'];
const PAGE_SIZE = 50;
const SAVED_SHOWN_MS = 4000;

const state = {
  me: null,
  users: [],
  groups: [],
  selectedGroup: null,
  sessionsOffset: 0,
  events: null,
};

/** True for an administrator of every group; a group administrator has `group_id`. */
const allGroups = () => !state.me?.group_id;

function showView(name) {
  for (const id of ['loading', 'login', 'forbidden', ...VIEWS]) $(`#view-${id}`).hidden = id !== name;
  for (const link of document.querySelectorAll('#main-nav .nav-link')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function showError(el, err, prefix = 'admin.err.') {
  delete el.dataset.i18n;
  el.textContent = typeof err === 'string' ? err : errorText(err, prefix);
  el.hidden = false;
}

/** Shows "Saved" beside a Save button for a few seconds. */
function flashSaved(el) {
  setText(el, 'admin.saved');
  el.dataset.state = 'saved';
  clearTimeout(el.timer);
  el.timer = setTimeout(() => {
    el.textContent = '';
    delete el.dataset.i18n;
    delete el.dataset.state;
  }, SAVED_SHOWN_MS);
}

/** A cell with a relative time ("3 hours ago") and the exact time on hover. */
function timeCell(at, emptyKey) {
  const td = h('td', { class: 'num' });
  if (!at) {
    if (emptyKey) setText(td, emptyKey);
    else td.textContent = '—';
    return td;
  }
  const el = h('time', { datetime: at });
  setFormatted(el, 'relative', at);
  el.title = new Date(at).toLocaleString();
  td.append(el);
  return td;
}

function text(value) {
  const span = h('span');
  span.textContent = value ?? '';
  return span;
}

/** A modal dialog with a title, a body and the usual close behaviour. */
function modal(testid, titleKey) {
  const title = h('h2', { class: 'dialog-title', id: `dlg-${uuid().slice(0, 8)}`, i18n: titleKey });
  const body = h('div');
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': title.id, dataset: { testid } }, title, body);
  document.body.append(dialog);
  return { dialog, title, body };
}

function field(labelKey, input, hintKey) {
  input.id ||= `f-${uuid().slice(0, 8)}`;
  const wrap = h('div', { class: 'field' }, h('label', { class: 'field-label', for: input.id, i18n: labelKey }), input);
  if (hintKey) {
    const hint = h('div', { class: 'field-hint', id: `${input.id}-hint`, i18n: hintKey });
    input.setAttribute('aria-describedby', hint.id);
    wrap.append(hint);
  }
  return wrap;
}

// ---------------------------------------------------------------------------
// Accounts

const confirmDisable = confirmDialog({
  testid: 'confirm-disable', titleKey: 'admin.accounts.disableTitle', textKey: 'admin.accounts.disableText', okKey: 'admin.accounts.disable',
});
const confirmEnable = confirmDialog({
  testid: 'confirm-enable', titleKey: 'admin.accounts.enableTitle', textKey: 'admin.accounts.enableText', okKey: 'admin.accounts.enable', danger: false,
});
const confirmReset2fa = confirmDialog({
  testid: 'confirm-reset-2fa', titleKey: 'admin.accounts.reset2faTitle', textKey: 'admin.accounts.reset2faText', okKey: 'admin.accounts.reset2fa',
});
const confirmDeleteGroup = confirmDialog({
  testid: 'confirm-delete-group', titleKey: 'admin.groups.deleteTitle', textKey: 'admin.groups.deleteText', okKey: 'admin.groups.delete',
});

async function loadUsers() {
  const errorBox = byTestId(document, 'accounts-error');
  try {
    ({ users: state.users } = await api('GET', '/api/v1/admin/users'));
    errorBox.hidden = true;
  } catch (err) {
    if (err.status === 401) return signedOut(null);
    showError(errorBox, err);
    return;
  }
  renderUsers();
  fillTechnicianFilter();
}

function groupName(id) {
  return state.groups.find((g) => g.id === id)?.name;
}

function renderUsers() {
  const rows = $('#account-rows');
  rows.replaceChildren();
  const users = [...state.users].sort((a, b) => (a.name || '').localeCompare(b.name || '', lang()));
  for (const u of users) {
    const name = h('td', { class: 'cell-strong' }, text(u.name));
    if (u.id === state.me.id) name.append(' ', h('span', { class: 'badge', i18n: 'admin.accounts.you' }));
    const role = h('td', { i18n: u.role === 'admin' ? 'role.admin' : 'role.technician' });
    const group = h('td');
    const gname = u.group_name || groupName(u.group_id);
    if (gname) group.textContent = gname;
    else setText(group, u.role === 'admin' ? 'admin.accounts.allGroups' : 'admin.accounts.noGroup');
    const twofa = h('td', {}, h('span', {
      class: `badge ${u.totp_enabled ? 'badge-on' : 'badge-off'}`, i18n: u.totp_enabled ? 'admin.on' : 'admin.off',
      dataset: { testid: 'account-2fa' },
    }));
    const status = h('td', {}, h('span', {
      class: `badge ${u.disabled ? 'badge-danger' : 'badge-on'}`, i18n: u.disabled ? 'admin.accounts.disabled' : 'admin.accounts.active',
      dataset: { testid: 'account-status' },
    }));

    const actions = h('div', { class: 'row-actions' });
    const button = (key, testid, onClick, cls = 'btn-secondary') => {
      const b = h('button', { type: 'button', class: `btn btn-small ${cls}`, i18n: key, dataset: { testid } });
      b.addEventListener('click', onClick);
      actions.append(b);
    };
    button('admin.accounts.edit', 'account-edit', () => userDialog(u));
    button('admin.accounts.resetPassword', 'account-reset-password', () => resetPassword(u));
    if (u.totp_enabled) button('admin.accounts.reset2fa', 'account-reset-2fa', () => reset2fa(u));
    if (u.id !== state.me.id) {
      if (u.disabled) button('admin.accounts.enable', 'account-enable', () => setDisabled(u, false));
      else button('admin.accounts.disable', 'account-disable', () => setDisabled(u, true), 'btn-danger-soft');
    }
    const email = h('td', {}, text(u.email));
    rows.append(h('tr', { dataset: { testid: 'account-row', email: u.email, userId: u.id, disabled: String(Boolean(u.disabled)) } },
      name, email, role, group, twofa, timeCell(u.last_login_at, 'admin.accounts.never'), status, h('td', {}, actions)));
  }
}

function groupOptions(select, { emptyKey, selected }) {
  select.replaceChildren();
  if (emptyKey) select.append(h('option', { value: '', i18n: emptyKey }));
  for (const g of state.groups) {
    const o = h('option', { value: g.id });
    o.textContent = g.name;
    select.append(o);
  }
  select.value = selected ?? '';
}

/** The create / edit dialog. Creating ends with the one-time link. */
function userDialog(user = null) {
  const { dialog, body } = modal('user-dialog', user ? 'admin.accounts.editTitle' : 'admin.accounts.createTitle');
  const name = h('input', { class: 'input', type: 'text', maxlength: '120', autocomplete: 'off', required: true, dataset: { testid: 'user-name' } });
  const email = h('input', { class: 'input', type: 'email', autocomplete: 'off', required: true, dataset: { testid: 'user-email' } });
  const role = h('select', { class: 'input', dataset: { testid: 'user-role' } },
    h('option', { value: 'technician', i18n: 'role.technician' }),
    h('option', { value: 'admin', i18n: 'role.admin' }));
  const group = h('select', { class: 'input', dataset: { testid: 'user-group' } });
  const groupHint = h('div', { class: 'field-hint', id: `ug-${uuid().slice(0, 8)}` });
  group.setAttribute('aria-describedby', groupHint.id);
  const error = h('div', { class: 'alert alert-error', role: 'alert', hidden: true, dataset: { testid: 'user-error' } });
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', i18n: 'dialog.cancel', dataset: { testid: 'user-cancel' } });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', i18n: user ? 'admin.save' : 'admin.accounts.createButton', dataset: { testid: 'user-save' } });

  const updateGroupChoice = () => {
    // Technicians always belong to a group; an administrator without one
    // manages all groups. A group administrator can only place people in
    // their own group.
    const empty = allGroups() && role.value === 'admin' ? 'admin.accounts.allGroups' : null;
    let current = group.value || (user ? user.group_id : state.me.group_id) || '';
    if (!empty && !state.groups.some((g) => g.id === current)) current = state.groups[0]?.id || '';
    groupOptions(group, { emptyKey: empty, selected: current });
    group.disabled = !allGroups();
    setText(groupHint, role.value === 'admin' ? 'admin.accounts.groupHintAdmin' : 'admin.accounts.groupHintTech');
  };
  name.value = user?.name || '';
  email.value = user?.email || '';
  role.value = user?.role || 'technician';
  updateGroupChoice();
  role.addEventListener('change', updateGroupChoice);

  const form = h('form', { novalidate: true },
    field('admin.accounts.name', name),
    field('admin.accounts.email', email),
    h('div', { class: 'field-row' }, h('div', { class: 'field-grow' }, field('admin.accounts.role', role)),
      h('div', { class: 'field-grow' }, h('div', { class: 'field' },
        h('label', { class: 'field-label', for: (group.id = `g-${uuid().slice(0, 8)}`), i18n: 'admin.accounts.group' }), group))),
    groupHint,
    error,
    h('div', { class: 'dialog-actions' }, cancel, save));
  body.append(form);
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (save.disabled) return;
    error.hidden = true;
    if (!name.value.trim() || !email.value.trim()) {
      showError(error, t('admin.err.required'));
      return;
    }
    const payload = { name: name.value.trim(), email: email.value.trim(), role: role.value, group_id: group.value || null };
    save.disabled = true;
    try {
      if (user) {
        await api('PATCH', `/api/v1/admin/users/${encodeURIComponent(user.id)}`, payload);
        dialog.close();
      } else {
        // The set-password e-mail goes out in the administrator's language.
        const res = await api('POST', '/api/v1/admin/users', { ...payload, language: lang() });
        showLink(body, { ...res, user: res.user || payload, created: true }, () => dialog.close());
      }
      await loadUsers();
    } catch (err) {
      showError(error, err);
    } finally {
      save.disabled = false;
    }
  });
  dialog.showModal();
  name.focus();
}

/** The one-time set-password link, with Copy and whether it was e-mailed. */
function showLink(body, { user, link, link_expires_at: expires, emailed, created }, onDone) {
  const input = h('input', { class: 'input input-mono', type: 'text', readonly: true, dataset: { testid: 'user-link' } });
  input.value = link || '';
  input.id = `lk-${uuid().slice(0, 8)}`;
  const copyState = h('span', { class: 'copy-state', 'aria-live': 'polite', dataset: { testid: 'user-link-copy-state' } });
  const copy = h('button', { type: 'button', class: 'btn btn-primary btn-small', i18n: 'invite.copy', dataset: { testid: 'user-link-copy' } });
  copy.addEventListener('click', async () => {
    const ok = await copyText(input.value);
    setText(copyState, ok ? 'common.copied' : 'common.copyFailed');
  });
  input.addEventListener('focus', () => input.select());
  const valid = h('p', { class: 'small muted' });
  if (expires) setText(valid, 'admin.link.validUntil', { date: new Date(expires).toLocaleString(lang() === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }) });
  const mailed = h('div', { class: `alert ${emailed ? 'alert-success' : 'alert-info'}`, dataset: { testid: 'user-link-emailed', emailed: String(Boolean(emailed)) } });
  setText(mailed, emailed ? 'admin.link.emailed' : 'admin.link.notEmailed', { email: user?.email || '' });
  const done = h('button', { type: 'button', class: 'btn btn-primary', i18n: 'invite.done', dataset: { testid: 'user-link-done' } });
  done.addEventListener('click', onDone);
  const intro = h('p', {});
  setText(intro, created ? 'admin.link.created' : 'admin.link.reset', { name: user?.name || '' });
  body.replaceChildren(
    intro,
    h('div', { class: 'field' }, h('label', { class: 'field-label', for: input.id, i18n: 'admin.link.label' }), input),
    h('div', { class: 'invite-actions' }, copy, copyState),
    valid,
    mailed,
    h('div', { class: 'dialog-actions' }, done));
  done.focus();
}

async function resetPassword(user) {
  const { dialog, body } = modal('reset-dialog', 'admin.accounts.resetPasswordTitle');
  dialog.addEventListener('close', () => dialog.remove());
  const close = () => dialog.close();
  dialog.showModal();
  body.append(h('p', { class: 'muted', i18n: 'common.loading' }));
  try {
    const res = await api('POST', `/api/v1/admin/users/${encodeURIComponent(user.id)}/password-reset`, { language: lang() });
    showLink(body, { ...res, user, created: false }, close);
  } catch (err) {
    const error = h('div', { class: 'alert alert-error', role: 'alert' });
    showError(error, err);
    const ok = h('button', { type: 'button', class: 'btn btn-secondary', i18n: 'invite.done' });
    ok.addEventListener('click', close);
    body.replaceChildren(error, h('div', { class: 'dialog-actions' }, ok));
  }
}

async function reset2fa(user) {
  if (!(await confirmReset2fa.ask({ name: user.name }))) return;
  try {
    await api('POST', `/api/v1/admin/users/${encodeURIComponent(user.id)}/2fa-reset`);
  } catch (err) {
    showError(byTestId(document, 'accounts-error'), err);
  }
  await loadUsers();
}

async function setDisabled(user, disabled) {
  const dialog = disabled ? confirmDisable : confirmEnable;
  if (!(await dialog.ask({ name: user.name }))) return;
  const errorBox = byTestId(document, 'accounts-error');
  errorBox.hidden = true;
  try {
    await api('PATCH', `/api/v1/admin/users/${encodeURIComponent(user.id)}`, { disabled });
  } catch (err) {
    showError(errorBox, err);
  }
  await loadUsers();
}

// ---------------------------------------------------------------------------
// Groups

const POLICY_INPUTS = {
  key_lifetime_mins: ['policy-key-lifetime', 'number'],
  request_remote_control_default: ['policy-request-rc', 'bool'],
  auto_open_session: ['policy-auto-open', 'bool'],
  max_file_mb: ['policy-max-file', 'number'],
  allow_screen_sharing: ['policy-allow-sharing', 'bool'],
  customer_confirms_reboot: ['policy-confirm-reboot', 'bool'],
  customer_confirms_sharing_after_reboot: ['policy-confirm-sharing-reboot', 'bool'],
  support_website: ['policy-support-website', 'text'],
  sms_default_country: ['policy-sms-country', 'text'],
  require_2fa: ['policy-require-2fa', 'bool'],
};

async function loadGroups() {
  const errorBox = byTestId(document, 'groups-error');
  try {
    ({ groups: state.groups } = await api('GET', '/api/v1/admin/groups'));
    errorBox.hidden = true;
  } catch (err) {
    if (err.status === 401) return signedOut(null);
    showError(errorBox, err);
    return;
  }
  renderGroups();
  fillGroupFilter();
}

function renderGroups() {
  const list = $('#group-list');
  list.replaceChildren();
  $('#groups-empty').hidden = state.groups.length > 0;
  for (const g of state.groups) {
    const members = h('span', { class: 'muted small' });
    setText(members, g.member_count === 1 ? 'admin.groups.member' : 'admin.groups.members', { n: g.member_count ?? 0 });
    const item = h('button', {
      type: 'button', class: 'group-item', 'aria-current': g.id === state.selectedGroup ? 'true' : false,
      dataset: { testid: 'group-item', groupId: g.id },
    }, h('span', { class: 'group-item-name' }, text(g.name)), members);
    item.addEventListener('click', () => selectGroup(g.id));
    list.append(h('li', {}, item));
  }
  if (state.selectedGroup && !state.groups.some((g) => g.id === state.selectedGroup)) state.selectedGroup = null;
  if (!state.selectedGroup && state.groups.length) selectGroup(state.groups[0].id);
  else if (state.selectedGroup) selectGroup(state.selectedGroup);
  else {
    $('#group-form').hidden = true;
    $('#group-placeholder').hidden = false;
  }
}

function selectGroup(id) {
  state.selectedGroup = id;
  const g = state.groups.find((x) => x.id === id);
  for (const item of document.querySelectorAll('#group-list .group-item')) {
    if (item.dataset.groupId === id) item.setAttribute('aria-current', 'true');
    else item.removeAttribute('aria-current');
  }
  if (!g) return;
  $('#group-placeholder').hidden = true;
  const form = $('#group-form');
  form.hidden = false;
  form.dataset.groupId = id;
  byTestId(document, 'group-error').hidden = true;
  $('#group-name').value = g.name;
  setText($('#group-members'), g.member_count === 1 ? 'admin.groups.member' : 'admin.groups.members', { n: g.member_count ?? 0 });
  const s = g.settings || {};
  for (const [key, [inputId, kind]] of Object.entries(POLICY_INPUTS)) {
    const input = $(`#${inputId}`);
    if (kind === 'bool') input.checked = Boolean(s[key]);
    else input.value = s[key] ?? '';
  }
  byTestId(document, 'group-delete').hidden = !allGroups();
}

function readPolicy() {
  const settings = {};
  for (const [key, [inputId, kind]] of Object.entries(POLICY_INPUTS)) {
    const input = $(`#${inputId}`);
    if (kind === 'bool') settings[key] = input.checked;
    else if (kind === 'number') settings[key] = Number(input.value);
    else settings[key] = input.value.trim();
  }
  return settings;
}

async function saveGroup(e) {
  e.preventDefault();
  const form = $('#group-form');
  const save = byTestId(document, 'group-save');
  const error = byTestId(document, 'group-error');
  if (save.disabled) return;
  error.hidden = true;
  const name = $('#group-name').value.trim();
  const settings = readPolicy();
  if (!name) return showError(error, t('admin.err.required'));
  if (!Number.isInteger(settings.key_lifetime_mins) || settings.key_lifetime_mins < 1) {
    return showError(error, t('admin.err.keyLifetime'));
  }
  if (!Number.isInteger(settings.max_file_mb) || settings.max_file_mb < 1) return showError(error, t('admin.err.maxFile'));
  save.disabled = true;
  try {
    // Only what changed, so the audit log says exactly that.
    const current = state.groups.find((g) => g.id === form.dataset.groupId)?.settings || {};
    const changed = Object.fromEntries(Object.entries(settings).filter(([k, v]) => current[k] !== v));
    const group = await api('PATCH', `/api/v1/admin/groups/${encodeURIComponent(form.dataset.groupId)}`, { name, settings: changed });
    const i = state.groups.findIndex((g) => g.id === form.dataset.groupId);
    if (i >= 0 && group?.id) state.groups[i] = group;
    renderGroups();
    flashSaved(byTestId(document, 'group-saved'));
  } catch (err) {
    showError(error, err);
  } finally {
    save.disabled = false;
  }
}

function createGroup() {
  const { dialog, body } = modal('group-dialog', 'admin.groups.createTitle');
  const name = h('input', { class: 'input', type: 'text', maxlength: '100', required: true, dataset: { testid: 'group-new-name' } });
  const error = h('div', { class: 'alert alert-error', role: 'alert', hidden: true, dataset: { testid: 'group-new-error' } });
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', i18n: 'dialog.cancel' });
  const ok = h('button', { type: 'submit', class: 'btn btn-primary', i18n: 'admin.groups.createButton', dataset: { testid: 'group-new-save' } });
  const form = h('form', { novalidate: true },
    h('p', { class: 'muted', i18n: 'admin.groups.createText' }),
    field('admin.groups.name', name), error, h('div', { class: 'dialog-actions' }, cancel, ok));
  body.append(form);
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (ok.disabled) return;
    if (!name.value.trim()) return showError(error, t('admin.err.required'));
    ok.disabled = true;
    try {
      const group = await api('POST', '/api/v1/admin/groups', { name: name.value.trim() });
      state.selectedGroup = group.id;
      dialog.close();
      await loadGroups();
    } catch (err) {
      showError(error, err);
    } finally {
      ok.disabled = false;
    }
  });
  dialog.showModal();
  name.focus();
}

async function deleteGroup() {
  const g = state.groups.find((x) => x.id === state.selectedGroup);
  if (!g || !(await confirmDeleteGroup.ask({ name: g.name }))) return;
  try {
    await api('DELETE', `/api/v1/admin/groups/${encodeURIComponent(g.id)}`);
    state.selectedGroup = null;
    await loadGroups();
  } catch (err) {
    showError(byTestId(document, 'group-error'), err);
  }
}

function fillCountries() {
  const select = $('#policy-sms-country');
  const value = select.value;
  const codes = Object.keys(CALLING_CODES).sort((a, b) => countryName(a).localeCompare(countryName(b), lang()));
  select.replaceChildren(...codes.map((c) => {
    const o = h('option', { value: c });
    o.textContent = `${countryName(c)} (+${CALLING_CODES[c]})`;
    return o;
  }));
  if (value) select.value = value;
}

// ---------------------------------------------------------------------------
// Messaging

const DEFAULT_TWILIO = 'https://api.twilio.com';

async function loadMessaging() {
  const error = byTestId(document, 'messaging-error');
  let m;
  try {
    m = await api('GET', '/api/v1/admin/messaging');
    error.hidden = true;
  } catch (err) {
    if (err.status === 401) return signedOut(null);
    showError(error, err);
    return;
  }
  const sms = m?.sms;
  $('#sms-enabled').checked = Boolean(sms);
  $('#sms-base-url').value = sms?.base_url || DEFAULT_TWILIO;
  $('#sms-account-sid').value = sms?.account_sid || '';
  $('#sms-from').value = sms?.from || '';
  $('#sms-auth-token').value = '';
  secretState(byTestId(document, 'sms-auth-token-state'), sms?.auth_token_set);
  const smtp = m?.smtp;
  $('#smtp-enabled').checked = Boolean(smtp);
  $('#smtp-host').value = smtp?.host || '';
  $('#smtp-port').value = smtp?.port ?? 587;
  $('#smtp-security').value = smtp?.security || 'starttls';
  $('#smtp-username').value = smtp?.username || '';
  $('#smtp-from').value = smtp?.from || '';
  $('#smtp-password').value = '';
  secretState(byTestId(document, 'smtp-password-state'), smtp?.password_set);
  syncMessagingFields();
}

function secretState(el, isSet) {
  el.dataset.set = String(Boolean(isSet));
  setText(el, isSet ? 'admin.secretSet' : 'admin.secretNotSet');
}

function syncMessagingFields() {
  $('#sms-fields').disabled = !$('#sms-enabled').checked;
  $('#smtp-fields').disabled = !$('#smtp-enabled').checked;
}

async function saveMessaging(e) {
  e.preventDefault();
  const save = byTestId(document, 'messaging-save');
  const error = byTestId(document, 'messaging-error');
  if (save.disabled) return;
  error.hidden = true;
  const body = { sms: null, smtp: null };
  if ($('#sms-enabled').checked) {
    body.sms = {
      provider: 'twilio',
      base_url: $('#sms-base-url').value.trim() || DEFAULT_TWILIO,
      account_sid: $('#sms-account-sid').value.trim(),
      from: $('#sms-from').value.trim(),
    };
    // Write-only: an empty field keeps the stored token.
    if ($('#sms-auth-token').value) body.sms.auth_token = $('#sms-auth-token').value;
    if (!body.sms.account_sid || !body.sms.from) return showError(error, t('admin.err.smsRequired'));
  }
  if ($('#smtp-enabled').checked) {
    body.smtp = {
      host: $('#smtp-host').value.trim(),
      port: Number($('#smtp-port').value) || 587,
      security: $('#smtp-security').value,
      username: $('#smtp-username').value.trim(),
      from: $('#smtp-from').value.trim(),
    };
    if ($('#smtp-password').value) body.smtp.password = $('#smtp-password').value;
    if (!body.smtp.host || !body.smtp.from) return showError(error, t('admin.err.smtpRequired'));
  }
  save.disabled = true;
  try {
    await api('PUT', '/api/v1/admin/messaging', body);
    await loadMessaging();
    flashSaved(byTestId(document, 'messaging-saved'));
  } catch (err) {
    showError(error, err);
  } finally {
    save.disabled = false;
  }
}

// ---------------------------------------------------------------------------
// Session history

function fillTechnicianFilter() {
  const select = $('#filter-technician');
  const value = select.value;
  const users = [...state.users].sort((a, b) => (a.name || '').localeCompare(b.name || '', lang()));
  select.replaceChildren(h('option', { value: '', i18n: 'admin.sessions.allTechnicians' }), ...users.map((u) => {
    const o = h('option', { value: u.id });
    o.textContent = u.name;
    return o;
  }));
  select.value = users.some((u) => u.id === value) ? value : '';
}

function fillGroupFilter() {
  const select = $('#filter-group');
  const value = select.value;
  groupOptions(select, { emptyKey: 'admin.sessions.allGroups', selected: state.groups.some((g) => g.id === value) ? value : '' });
  $('#filter-group-field').hidden = !allGroups();
}

function filterQuery() {
  const q = new URLSearchParams();
  const add = (name, value) => {
    if (value) q.set(name, value);
  };
  add('technician', $('#filter-technician').value);
  add('group', $('#filter-group').value);
  add('from', $('#filter-from').value);
  add('to', $('#filter-to').value);
  add('customer', $('#filter-customer').value.trim());
  return q;
}

function updateExportLinks() {
  for (const format of ['csv', 'json']) {
    const q = filterQuery();
    q.set('format', format);
    byTestId(document, `export-${format}`).href = `/api/v1/admin/sessions/export?${q}`;
  }
}

async function loadSessions({ more = false } = {}) {
  const rows = $('#admin-session-rows');
  const errorBox = byTestId(document, 'sessions-error');
  const moreBtn = byTestId(document, 'sessions-more');
  updateExportLinks();
  if (!more) state.sessionsOffset = 0;
  const q = filterQuery();
  q.set('limit', String(PAGE_SIZE));
  q.set('offset', String(state.sessionsOffset));
  let res;
  try {
    res = await api('GET', `/api/v1/admin/sessions?${q}`);
    errorBox.hidden = true;
  } catch (err) {
    if (err.status === 401) return signedOut(null);
    showError(errorBox, err);
    return;
  }
  if (!more) rows.replaceChildren();
  const sessions = res?.sessions || [];
  state.sessionsOffset += sessions.length;
  const total = res?.total ?? state.sessionsOffset;
  setText(byTestId(document, 'sessions-total'), total === 1 ? 'admin.sessions.totalOne' : 'admin.sessions.total', { n: total });
  $('#admin-sessions-empty').hidden = total > 0;
  moreBtn.hidden = state.sessionsOffset >= total;
  for (const s of sessions) rows.append(sessionRow(s));
}

function sessionRow(s) {
  const started = h('td', { class: 'num' });
  setFormatted(started, 'datetime', s.created_at);
  const tech = h('td', {}, text(s.technician?.name || '—'));
  const customer = h('td', {}, text(s.customer_name || s.customer?.name || '—'));
  const group = h('td', {}, text(s.group_name || '—'));
  const duration = h('td', { class: 'num' });
  if (typeof s.duration_secs === 'number') setFormatted(duration, 'duration', s.duration_secs);
  else duration.textContent = '—';
  const messages = h('td', { class: 'num' }, String(s.messages ?? 0));
  const files = h('td', { class: 'num' }, String(s.files ?? 0));
  const stateCell = h('td');
  if (s.state !== 'ended') setText(stateCell, `admin.sessions.state.${s.state === 'waiting' ? 'waiting' : 'active'}`);
  else if (has(`reason.short.${s.end_reason}`)) setText(stateCell, 'admin.sessions.endedBy', { who: t(`reason.short.${s.end_reason}`) });
  else setText(stateCell, 'admin.sessions.state.ended');
  const row = h('tr', { tabindex: '0', dataset: { testid: 'admin-session-row', sessionId: s.id, technician: s.technician?.id || '' } },
    started, tech, customer, group, duration, messages, files, stateCell);
  const open = () => showSession(s.id, row);
  row.addEventListener('click', open);
  row.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open();
    }
  });
  return row;
}

const CHAT_KINDS = new Set(['chat', 'file']);

async function showSession(id, row) {
  for (const r of document.querySelectorAll('#admin-session-rows tr')) r.setAttribute('aria-selected', String(r === row));
  const panel = byTestId(document, 'admin-session-detail');
  const facts = $('#detail-facts');
  const list = byTestId(panel, 'admin-transcript');
  const files = byTestId(panel, 'admin-files');
  const trail = byTestId(panel, 'admin-trail');
  panel.hidden = false;
  panel.dataset.sessionId = id;
  for (const el of [facts, list, files, trail]) el.replaceChildren();
  let detail;
  try {
    detail = await api('GET', `/api/v1/admin/sessions/${encodeURIComponent(id)}`);
  } catch (err) {
    list.append(h('p', { class: 'placeholder' }, errorText(err)));
    return;
  }
  if (panel.dataset.sessionId !== id) return; // another row was chosen meanwhile
  const s = detail.session || {};
  const fact = (key, value) => facts.append(h('dt', { i18n: key }), h('dd', {}, value));
  fact('history.key', text(s.key_display || groupKey(s.key)));
  fact('admin.sessions.technician', text(s.technician ? `${s.technician.name} <${s.technician.email || ''}>` : '—'));
  fact('admin.sessions.customer', text(s.customer_name || s.customer?.name || '—'));
  fact('admin.sessions.group', text(s.group_name || '—'));
  fact('history.started', setFormatted(h('span'), 'datetime', s.created_at));
  if (s.ended_at) fact('history.ended', setFormatted(h('span'), 'datetime', s.ended_at));
  if (typeof s.duration_secs === 'number') fact('history.duration', setFormatted(h('span'), 'duration', s.duration_secs));
  if (has(`reason.short.${s.end_reason}`)) fact('history.reason', h('span', { i18n: `reason.short.${s.end_reason}` }));

  const events = detail.events || [];
  const timeline = new Timeline(list, { viewer: 'admin', sessionId: id, audit: true });
  for (const ev of events) timeline.add(ev);
  list.scrollTop = 0;
  if (!list.children.length) list.append(h('p', { class: 'placeholder', i18n: 'admin.sessions.noMessages' }));

  for (const f of detail.files || []) {
    const href = `/api/v1/sessions/${encodeURIComponent(id)}/files/${encodeURIComponent(f.id)}`;
    const link = h('a', { href, download: f.name || '', dataset: { testid: 'admin-file-link' } });
    link.textContent = f.name || f.id;
    const size = h('span', { class: 'muted small' });
    setFormatted(size, 'size', f.size ?? 0);
    files.append(h('li', {}, link, ' ', size));
  }
  if (!files.children.length) files.append(h('li', { class: 'muted small', i18n: 'admin.sessions.noFiles' }));

  for (const ev of events) {
    if (CHAT_KINDS.has(ev.kind)) continue;
    const node = renderEvent(ev, { viewer: 'admin', sessionId: id, audit: true });
    const what = node?.querySelector('.sys-text');
    const line = h('span');
    if (what?.dataset.i18n) setText(line, what.dataset.i18n, what.dataset.i18nParams ? JSON.parse(what.dataset.i18nParams) : undefined);
    else line.textContent = has(`ev.kind.${ev.kind}`) ? t(`ev.kind.${ev.kind}`) : ev.kind;
    const when = h('time', { class: 'muted small', datetime: ev.at });
    setFormatted(when, 'datetime', ev.at);
    trail.append(h('li', { dataset: { testid: 'admin-trail-item', kind: ev.kind } }, when, line));
  }
  if (!trail.children.length) trail.append(h('li', { class: 'muted small', i18n: 'admin.sessions.noTrail' }));
  panel.scrollIntoView({ block: 'nearest' });
}

// ---------------------------------------------------------------------------
// Audit log

function who(value) {
  if (value && typeof value === 'object') return value.name || value.email || value.id || '';
  return value ?? '';
}

/** Translated names of the fields an audit entry mentions. */
const FIELD_LABELS = {
  name: 'admin.accounts.name', email: 'admin.accounts.email', role: 'admin.accounts.role', group_id: 'admin.accounts.group',
  disabled: 'admin.accounts.disabled', key_lifetime_mins: 'admin.policy.keyLifetime', request_remote_control_default: 'admin.policy.requestRc',
  auto_open_session: 'admin.policy.autoOpen', max_file_mb: 'admin.policy.maxFile', allow_screen_sharing: 'admin.policy.allowSharing',
  customer_confirms_reboot: 'admin.policy.confirmReboot', customer_confirms_sharing_after_reboot: 'admin.policy.confirmSharingReboot',
  support_website: 'admin.policy.website', sms_default_country: 'admin.policy.smsCountry', require_2fa: 'admin.policy.require2fa',
  sms: 'admin.sms.heading', smtp: 'admin.smtp.heading',
};

function valueText(key, v) {
  if (typeof v === 'boolean') return t(v ? 'admin.on' : 'admin.off');
  if (key === 'group_id') return groupName(v) || v;
  if (key === 'role' && has(`role.${v}`)) return t(`role.${v}`);
  if (v !== null && typeof v === 'object') {
    return Object.entries(v).filter(([, x]) => x !== null && x !== '').map(([k, x]) => `${k}=${x}`).join(', ');
  }
  return String(v);
}

/** What changed, in words: "Key lifetime: 15 · Require two-factor sign-in: On". */
function detailsText(details) {
  if (details === null || details === undefined || details === '') return '';
  if (typeof details !== 'object') return String(details);
  let fields = details.changed ?? details;
  if (details.after !== undefined && details.before !== undefined) {
    // Messaging: name the parts that differ, never more than the server logged.
    fields = Object.fromEntries(Object.entries(details.after || {})
      .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(details.before?.[k])));
  }
  return Object.entries(fields)
    .filter(([k, v]) => v !== null && v !== undefined && k !== 'settings' && k !== 'before')
    .map(([k, v]) => `${FIELD_LABELS[k] ? t(FIELD_LABELS[k]) : k}: ${v === null ? '—' : valueText(k, v)}`)
    .join(' · ');
}

async function loadAudit() {
  const rows = $('#audit-rows');
  const errorBox = byTestId(document, 'audit-error');
  let entries;
  try {
    ({ entries } = await api('GET', '/api/v1/admin/audit?limit=200'));
    errorBox.hidden = true;
  } catch (err) {
    if (err.status === 401) return signedOut(null);
    showError(errorBox, err);
    return;
  }
  rows.replaceChildren();
  $('#audit-empty').hidden = entries.length > 0;
  for (const e of entries) {
    const when = h('td', { class: 'num' });
    setFormatted(when, 'datetime', e.at);
    const action = h('td');
    if (has(`audit.${e.action}`)) setText(action, `audit.${e.action}`);
    else action.textContent = e.action;
    rows.append(h('tr', { dataset: { testid: 'audit-row', action: e.action } },
      when, h('td', {}, text(who(e.actor))), action, h('td', {}, text(who(e.target))),
      h('td', { class: 'audit-details' }, text(detailsText(e.details)))));
  }
}

// ---------------------------------------------------------------------------
// Sign-in, routing and start-up

let signIn = null;

function showLogin(reason) {
  $('#main-nav').hidden = true;
  for (const id of ['sign-out', 'admin-user', 'to-console']) byTestId(document, id).hidden = true;
  showView('login');
  signIn ??= mountSignIn($('#view-login'), { onSignedIn: () => boot(), introKey: 'admin.loginIntro' });
  signIn.show(reason);
}

function signedOut(reason) {
  if (!state.me) {
    if (reason) signIn?.notice(reason);
    return;
  }
  state.me = null;
  if (reason) {
    state.events?.stop();
    state.events = null;
  }
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  showLogin(reason || 'signed_out');
}

function route() {
  if (!state.me) return;
  let view = location.hash.slice(1);
  if (!VIEWS.includes(view) || (view === 'messaging' && !allGroups())) view = 'accounts';
  showView(view);
  if (view === 'accounts') loadUsers();
  else if (view === 'groups') loadGroups();
  else if (view === 'messaging') loadMessaging();
  else if (view === 'sessions') loadSessions();
  else if (view === 'audit') loadAudit();
}

async function signOut() {
  state.events?.stop();
  state.events = null;
  try {
    await api('POST', '/api/v1/auth/logout');
  } catch (err) {
    console.warn('tether: sign-out failed', err);
  }
  location.replace('/admin');
}

async function boot() {
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
  const user = byTestId(document, 'admin-user');
  user.textContent = me.user.name;
  user.title = t('nav.user', { name: me.user.name });
  user.hidden = false;
  byTestId(document, 'sign-out').hidden = false;
  byTestId(document, 'to-console').hidden = false;
  if (me.user.role !== 'admin') {
    showView('forbidden');
    return;
  }
  state.me = me.user;
  $('#main-nav').hidden = false;
  byTestId(document, 'admin-nav-messaging').hidden = !allGroups();
  byTestId(document, 'group-create').hidden = !allGroups();
  state.events?.stop();
  state.events = new AccountEvents({ onSignedOut: (reason) => signedOut(reason) }).start();
  // Groups and accounts feed the selects of every tab.
  await Promise.all([loadGroups(), loadUsers()]);
  route();
}

mountLanguageSwitch($('#lang-slot'));
applyI18n();
fillCountries();
onLanguageChange(() => {
  fillCountries();
  if (state.me) {
    byTestId(document, 'admin-user').title = t('nav.user', { name: state.me.name });
    const g = state.groups.find((x) => x.id === state.selectedGroup);
    if (g) $('#policy-sms-country').value = $('#policy-sms-country').value || g.settings?.sms_default_country || '';
  }
});

byTestId(document, 'sign-out').addEventListener('click', signOut);
byTestId(document, 'account-create').addEventListener('click', () => userDialog());
byTestId(document, 'group-create').addEventListener('click', createGroup);
byTestId(document, 'group-delete').addEventListener('click', deleteGroup);
$('#group-form').addEventListener('submit', saveGroup);
$('#messaging-form').addEventListener('submit', saveMessaging);
$('#sms-enabled').addEventListener('change', syncMessagingFields);
$('#smtp-enabled').addEventListener('change', syncMessagingFields);
$('#session-filters').addEventListener('submit', (e) => {
  e.preventDefault();
  loadSessions();
});
$('#session-filters').addEventListener('change', updateExportLinks);
$('#session-filters').addEventListener('input', updateExportLinks);
byTestId(document, 'filter-reset').addEventListener('click', () => {
  $('#session-filters').reset();
  loadSessions();
});
byTestId(document, 'sessions-more').addEventListener('click', () => loadSessions({ more: true }));
byTestId(document, 'detail-close').addEventListener('click', () => {
  byTestId(document, 'admin-session-detail').hidden = true;
  for (const r of document.querySelectorAll('#admin-session-rows tr')) r.removeAttribute('aria-selected');
});
byTestId(document, 'audit-refresh').addEventListener('click', loadAudit);
window.addEventListener('hashchange', route);

boot();
