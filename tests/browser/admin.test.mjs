// The admin center end to end: an administrator creates a group with its
// policy and a technician in it; the technician sets a password through the
// one-time link and signs in to a console that obeys the policy (a tab opened
// by itself, the remote-control default, a 15-minute key, a 1 MB file limit);
// a policy change reaches the open console at once; disabling the account
// signs the open console out; re-enabled, the technician signs in again; the
// session history finds the session, shows its transcript and exports it.
// Last, the admin center in German.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  setupSuite, screenshot, watchPage, signInAdmin, submitPassword, sendChat, messageWith,
} from './harness.mjs';

let suite;
let admin; // the administrator's admin-center page
let adminWatch;

const tech = { email: 'theo@example.test', name: 'Theo Tech', password: 'a perfectly long password' };

before(async () => {
  suite = await setupSuite();
  const ctx = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  admin = await ctx.newPage();
  adminWatch = watchPage(admin);
  await signInAdmin(admin, suite.server.url, suite.technician);
});

after(async () => {
  await suite?.teardown();
});

/** The technician's row in the accounts table. */
const techRow = () => admin.locator(`[data-testid="account-row"][data-email="${tech.email}"]`);

test('a group policy and a new technician, obeyed by the console, changed live, disabled and enabled', async () => {
  const url = suite.server.url;

  // A group with its policy.
  await admin.getByTestId('admin-nav-groups').click();
  await admin.getByTestId('group-create').click();
  await admin.getByTestId('group-new-name').fill('Field Support');
  await admin.getByTestId('group-new-save').click();
  await admin.locator('[data-testid="group-item"][aria-current="true"]', { hasText: 'Field Support' }).waitFor();
  assert.equal(await admin.getByTestId('group-name').inputValue(), 'Field Support');
  await admin.getByTestId('policy-key-lifetime').fill('15');
  await admin.getByTestId('policy-request-rc').check();
  await admin.getByTestId('policy-auto-open').check();
  await admin.getByTestId('policy-max-file').fill('1');
  await admin.getByTestId('policy-sms-country').selectOption('DE');
  await admin.getByTestId('group-save').click();
  await admin.getByTestId('group-saved').filter({ hasText: 'Saved' }).waitFor();
  await screenshot(admin, 'admin-group-policy');

  // A technician in that group; the dialog ends with the one-time link.
  await admin.getByTestId('admin-nav-accounts').click();
  await admin.getByTestId('account-create').click();
  const dialog = admin.getByTestId('user-dialog');
  await dialog.getByTestId('user-name').fill(tech.name);
  await dialog.getByTestId('user-email').fill(tech.email);
  await dialog.getByTestId('user-role').selectOption('technician');
  await dialog.getByTestId('user-group').selectOption({ label: 'Field Support' });
  await dialog.getByTestId('user-save').click();
  const linkInput = dialog.getByTestId('user-link');
  await linkInput.waitFor();
  const link = await linkInput.inputValue();
  assert.match(link, /\/reset\?token=/, link);
  assert.equal(await dialog.getByTestId('user-link-emailed').getAttribute('data-emailed'), 'false', 'no SMTP: not e-mailed');
  await dialog.getByTestId('user-link-emailed').filter({ hasText: 'not sent by e-mail' }).waitFor();
  await screenshot(admin, 'admin-account-link');
  await dialog.getByTestId('user-link-done').click();
  await techRow().filter({ hasText: 'Field Support' }).filter({ hasText: 'Never' }).waitFor();

  // The technician sets a password through the link and signs in.
  const tctx = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 860 } });
  const tp = await tctx.newPage();
  const techWatch = watchPage(tp);
  await tp.goto(link);
  await tp.getByTestId('reset-account').filter({ hasText: `${tech.name} (${tech.email})` }).waitFor();
  await tp.getByTestId('reset-password').fill('too short');
  await tp.getByTestId('reset-password2').fill('too short');
  await tp.getByTestId('reset-submit').click();
  await tp.getByTestId('reset-error').filter({ hasText: 'at least 10 characters' }).waitFor();
  await tp.getByTestId('reset-password').fill(tech.password);
  await tp.getByTestId('reset-password2').fill(tech.password);
  await tp.getByTestId('reset-submit').click();
  await tp.getByTestId('reset-done').waitFor();
  await screenshot(tp, 'reset-done');
  await tp.getByTestId('reset-console-link').click();
  await submitPassword(tp, tech);

  // The console opened a session tab by itself, with the group's policy.
  const panel = tp.locator('[data-testid="session-panel"]:visible');
  await panel.getByTestId('support-key').filter({ hasText: /^\d{3} \d{3} \d{3}$/ }).waitFor();
  assert.equal(await tp.getByTestId('session-tab').count(), 1);
  await panel.getByTestId('rc-pending').waitFor(); // requested by default
  const validity = await panel.getByTestId('key-validity').textContent();
  const [, mm, ss] = validity.match(/Valid for (\d+):(\d\d)/) || [];
  const left = Number(mm) * 60 + Number(ss);
  assert.ok(left > 14 * 60 && left <= 15 * 60, `key valid for about 15 minutes: ${validity}`);
  assert.equal(await tp.getByTestId('request-rc').isChecked(), true, 'the checkbox defaults to the policy');

  // A 2 MB file is refused before anything is sent.
  const uploads = [];
  tp.on('request', (r) => {
    if (r.url().includes('/files')) uploads.push(r.url());
  });
  await panel.getByTestId('file-input').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(2 * 1024 * 1024, 7) });
  await panel.getByTestId('upload-error').filter({ hasText: 'big.bin could not be sent' }).filter({ hasText: '1 MB' }).waitFor();
  assert.deepEqual(uploads, [], 'nothing was uploaded');
  await screenshot(tp, 'console-policy');

  // A policy change reaches the open console at once.
  await admin.getByTestId('admin-nav-groups').click();
  await admin.locator('[data-testid="group-item"]', { hasText: 'Field Support' }).click();
  await admin.getByTestId('policy-key-lifetime').fill('30');
  await admin.getByTestId('policy-request-rc').uncheck();
  await admin.getByTestId('group-save').click();
  await admin.getByTestId('group-saved').filter({ hasText: 'Saved' }).waitFor();
  await tp.getByTestId('tab-start').click();
  await tp.locator('#start-intro', { hasText: 'within 30 minutes' }).waitFor();
  await tp.waitForFunction(() => !document.querySelector('[data-testid="request-rc"]').checked);

  // Disabling the account signs the open console out at once.
  await admin.getByTestId('admin-nav-accounts').click();
  await techRow().getByTestId('account-disable').click();
  await admin.getByTestId('confirm-disable').filter({ hasText: `Disable ${tech.name}?` }).waitFor();
  await admin.getByTestId('confirm-disable-ok').click();
  await techRow().getByTestId('account-status').filter({ hasText: 'Disabled' }).waitFor();
  await tp.getByTestId('login-notice').filter({ hasText: 'Your account was disabled by an administrator.' }).waitFor();
  await tp.getByTestId('login-email').waitFor();
  assert.equal(await tp.getByTestId('session-panel').count(), 0, 'the session tabs are gone');
  await screenshot(tp, 'console-disabled');
  await submitPassword(tp, tech);
  await tp.getByTestId('login-error').waitFor();

  // Enabled again, the technician signs in; the waiting session is still there.
  await techRow().getByTestId('account-enable').click();
  await admin.getByTestId('confirm-enable-ok').click();
  await techRow().getByTestId('account-status').filter({ hasText: 'Active' }).waitFor();
  await submitPassword(tp, tech);
  await tp.getByTestId('sign-out').waitFor();
  const again = tp.locator('[data-testid="session-panel"]:visible');
  await again.getByTestId('join-link').filter({ hasText: '/join/' }).waitFor();
  assert.equal(await tp.getByTestId('session-tab').count(), 1, 'the live session reopens, no second one');
  await admin.reload();
  await techRow().locator('time').waitFor(); // "Last sign-in" is no longer "Never"

  // A customer joins and chats; the technician ends the session.
  const joinLink = (await again.getByTestId('join-link').textContent()).trim();
  const cctx = await suite.browser.newContext({ locale: 'en-US' });
  const cp = await cctx.newPage();
  await cp.goto(joinLink);
  await cp.getByTestId('join-name').fill('Alex Customer');
  await cp.getByTestId('join-submit').click();
  await cp.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor();
  await sendChat(cp, 'My printer is out of toner.');
  await messageWith(again, 'My printer is out of toner.').waitFor();
  await again.getByTestId('end-session').click();
  await again.getByTestId('confirm-end-ok').click();
  await again.getByTestId('session-ended').waitFor();
  await cctx.close();

  // The session history: filter by technician, open the transcript, export.
  await admin.getByTestId('admin-nav-sessions').click();
  await admin.getByTestId('filter-technician').selectOption({ label: tech.name });
  await admin.getByTestId('filter-apply').click();
  const rows = admin.getByTestId('admin-session-row');
  await rows.filter({ hasText: 'Alex Customer' }).waitFor();
  const techIds = await rows.evaluateAll((trs) => [...new Set(trs.map((tr) => tr.dataset.technician))]);
  assert.equal(techIds.length, 1, 'only the chosen technician\'s sessions');
  for (const row of await rows.all()) assert.match(await row.textContent(), /Theo Tech/);
  await rows.filter({ hasText: 'Alex Customer' }).click();
  const detail = admin.getByTestId('admin-session-detail');
  await detail.getByTestId('admin-transcript').getByText('My printer is out of toner.').waitFor();
  await detail.getByTestId('admin-trail').getByText('Alex Customer joined the session').waitFor();
  await screenshot(admin, 'admin-session-detail');

  const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('export-csv').click()]);
  assert.match(download.suggestedFilename(), /^tether-sessions-\d{4}-\d\d-\d\d\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  assert.match(csv, /Theo Tech/);
  assert.match(csv, /Alex Customer/);
  assert.doesNotMatch(csv, /Dana Tech/, 'the export follows the technician filter');

  // The audit log names who changed what.
  await admin.getByTestId('admin-nav-audit').click();
  await admin.locator('[data-testid="audit-row"][data-action="account_disabled"]', { hasText: 'Dana Tech' }).filter({ hasText: tech.email }).waitFor();
  const change = admin.locator('[data-testid="audit-row"][data-action="group_changed"]', { hasText: 'Field Support' })
    .filter({ hasText: 'Support-key lifetime: 30' });
  await change.waitFor();
  assert.doesNotMatch(await change.textContent(), /Maximum file size/, 'only what changed is logged');

  techWatch.check();
  adminWatch.check();
  await tctx.close();
});

test('a technician who opens the admin center is pointed back to the console', async () => {
  const ctx = await suite.browser.newContext({ locale: 'en-US' });
  const page = await ctx.newPage();
  await page.goto(`${suite.server.url}/admin`);
  await submitPassword(page, tech);
  await page.getByTestId('admin-forbidden').filter({ hasText: 'Administrators only' }).waitFor();
  await page.getByTestId('forbidden-console-link').click();
  await page.waitForURL(/\/console$/);
  await page.getByTestId('sign-out').waitFor();
  assert.equal(await page.getByTestId('nav-admin').isVisible(), false, 'no admin link for a technician');
  await ctx.close();
});

test('the admin center in German', async () => {
  const ctx = await suite.browser.newContext({ locale: 'de-DE', viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const watch = watchPage(page);
  await page.goto(`${suite.server.url}/admin`);
  await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
  await submitPassword(page, suite.technician);
  await page.getByRole('heading', { name: 'Konten' }).waitFor();
  for (const [id, label] of [['admin-nav-accounts', 'Konten'], ['admin-nav-groups', 'Gruppen'], ['admin-nav-messaging', 'Nachrichtenversand'], ['admin-nav-sessions', 'Sitzungen'], ['admin-nav-audit', 'Änderungsprotokoll']]) {
    assert.equal((await page.getByTestId(id).textContent()).trim(), label);
  }
  await page.locator('[data-testid="account-row"]', { hasText: tech.email }).filter({ hasText: 'Techniker' }).filter({ hasText: 'Aktiv' }).waitFor();
  await page.getByTestId('admin-nav-groups').click();
  await page.getByRole('heading', { name: 'Technikergruppen' }).waitFor();
  await page.getByText('Gültigkeitsdauer des Supportschlüssels').waitFor();
  await page.getByText('Zwei-Faktor-Anmeldung verlangen').waitFor();
  await page.getByTestId('admin-nav-messaging').click();
  await page.getByRole('heading', { name: 'SMS-Gateway (Twilio)' }).waitFor();
  await page.getByTestId('admin-nav-sessions').click();
  await page.getByTestId('export-csv').filter({ hasText: 'Als CSV exportieren' }).waitFor();
  assert.equal(await page.title(), 'Admin-Center – Tether');
  await screenshot(page, 'admin-german');
  watch.check();
  await ctx.close();
});
