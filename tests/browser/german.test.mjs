// A German browser gets German pages; the EN/DE switch changes the language
// and remembers the choice.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSuite, signIn, startSession, sendChat, messageWith, screenshot } from './harness.mjs';

let suite;

before(async () => {
  suite = await setupSuite();
});

after(async () => {
  await suite?.teardown();
});

test('a German browser sees the customer page and chat in German', async () => {
  const url = suite.server.url;
  const cust = await suite.browser.newContext({ locale: 'de-DE', viewport: { width: 390, height: 780 } });
  const cp = await cust.newPage();
  await cp.goto(`${url}/`);
  await cp.getByRole('heading', { name: 'An einer Supportsitzung teilnehmen' }).waitFor();
  assert.equal(await cp.getAttribute('html', 'lang'), 'de');
  assert.equal((await cp.getByTestId('join-submit').textContent()).trim(), 'Teilnehmen');
  await cp.getByTestId('join-key').pressSequentially('000000001');
  await cp.getByTestId('join-submit').click();
  await cp.getByTestId('join-error').filter({ hasText: 'Dieser Supportschlüssel ist nicht bekannt' }).waitFor();
  await screenshot(cp, 'customer-german');

  // Switch to English and back; the choice survives a reload.
  await cp.getByTestId('lang-en').click();
  await cp.getByRole('heading', { name: 'Join a support session' }).waitFor();
  await cp.getByTestId('join-error').filter({ hasText: 'This support key is not known' }).waitFor();
  await cp.reload();
  await cp.getByRole('heading', { name: 'Join a support session' }).waitFor();
  assert.equal(await cp.getAttribute('html', 'lang'), 'en');
  await cp.getByTestId('lang-de').click();
  await cp.getByRole('heading', { name: 'An einer Supportsitzung teilnehmen' }).waitFor();

  // A whole German chat.
  const tech = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 860 } });
  const tp = await tech.newPage();
  await signIn(tp, url, suite.technician);
  const { panel, joinLink } = await startSession(tp);
  await cp.goto(joinLink);
  await cp.getByText('Ihr Techniker hat Sie eingeladen').waitFor();
  await cp.getByTestId('join-name').fill('Jürgen');
  await cp.getByTestId('join-submit').click();
  await cp.getByTestId('technician-name').filter({ hasText: 'Ihr Techniker: Dana Tech' }).waitFor();
  assert.equal((await cp.getByTestId('end-session').textContent()).trim(), 'Sitzung beenden');
  await sendChat(panel, 'Guten Tag!');
  await messageWith(cp, 'Guten Tag!').waitFor();
  await cp.getByText('Sie sind der Sitzung beigetreten').waitFor();
  await screenshot(cp, 'customer-german-chat');
  await cp.getByTestId('end-session').click();
  await cp.getByTestId('confirm-end').getByText('Diese Sitzung beenden?').waitFor();
  await screenshot(cp, 'customer-german-confirm');
  await cp.getByTestId('confirm-end-ok').click();
  await cp.getByTestId('session-ended').filter({ hasText: 'Sie haben die Sitzung beendet.' }).waitFor();
});

test('the console follows the browser language too', async () => {
  const ctx = await suite.browser.newContext({ locale: 'de-AT' });
  const page = await ctx.newPage();
  await page.goto(`${suite.server.url}/console`);
  await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
  await page.getByTestId('login-email').fill(suite.technician.email);
  await page.getByTestId('login-password').fill('wrong password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-error').filter({ hasText: 'E-Mail-Adresse oder Passwort ist falsch.' }).waitFor();
  await signIn(page, suite.server.url, suite.technician);
  await page.getByRole('button', { name: 'Sitzung starten' }).waitFor();
  await page.getByTestId('nav-history').filter({ hasText: 'Verlauf' }).waitFor();
  await screenshot(page, 'console-german');
});
