// Invitations the server sends: the administrator configures the SMS gateway
// and SMTP in the admin center (secrets write-only), then a technician
// invites by SMS (a national number read with the group's default country),
// by e-mail in German, and sees the gateway's reason when it refuses.
// The SMTP server is real (Debian's python3-aiosmtpd, `smtp-sink.py`); the SMS
// gateway is a local stand-in that speaks Twilio's Messages API.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  setupSuite, screenshot, watchPage, signIn, signInAdmin, startSession, apiAs, createAccount,
  startSmtpSink, startFakeTwilio,
} from './harness.mjs';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'tok-9f8e7d6c5b4a-never-in-logs';
const SENDER = '+4915100000000';

let suite;
let sink;
let gateway;
let techPage;
let session; // {panel, joinLink, …} of the technician's waiting session

const ina = { email: 'ina@example.test', name: 'Ina Invite', password: 'ina has a long password' };

before(async () => {
  suite = await setupSuite();
  sink = await startSmtpSink(path.join(suite.dataDir, 'mail'));
  gateway = await startFakeTwilio();
  const admin = await apiAs(suite.server.url, suite.technician);
  await createAccount(admin, ina);
});

after(async () => {
  await gateway?.stop();
  await sink?.stop();
  await suite?.teardown();
});

test('the administrator configures SMS and e-mail; secrets stay write-only', async () => {
  const ctx = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 1000 } });
  const page = await ctx.newPage();
  const watch = watchPage(page);
  await signInAdmin(page, suite.server.url, suite.technician);
  await page.getByTestId('admin-nav-messaging').click();
  await page.getByTestId('sms-auth-token-state').filter({ hasText: 'Not set' }).waitFor();
  assert.equal(await page.getByTestId('sms-base-url').isDisabled(), true, 'fields are off until SMS is switched on');

  await page.getByTestId('sms-enabled').check();
  assert.equal(await page.getByTestId('sms-base-url').inputValue(), 'https://api.twilio.com', 'Twilio by default');
  await page.getByTestId('sms-base-url').fill(gateway.url);
  await page.getByTestId('sms-account-sid').fill(SID);
  await page.getByTestId('sms-auth-token').fill(TOKEN);
  await page.getByTestId('sms-from').fill(SENDER);
  await page.getByTestId('smtp-enabled').check();
  await page.getByTestId('smtp-host').fill('127.0.0.1');
  await page.getByTestId('smtp-port').fill(String(sink.port));
  await page.getByTestId('smtp-security').selectOption('none');
  await page.getByTestId('smtp-from').fill('Tether Support <support@example.test>');
  await page.getByTestId('messaging-save').click();
  await page.getByTestId('messaging-saved').filter({ hasText: 'Saved' }).waitFor();
  await page.getByTestId('sms-auth-token-state').filter({ hasText: 'Stored' }).waitFor();
  assert.equal(await page.getByTestId('sms-auth-token').inputValue(), '', 'the token is not shown again');
  await screenshot(page, 'admin-messaging');

  // After a reload the settings are there, the token still only "Stored".
  await page.reload();
  await page.getByTestId('sms-account-sid').waitFor();
  await page.waitForFunction((sid) => document.querySelector('[data-testid="sms-account-sid"]').value === sid, SID);
  await page.getByTestId('sms-auth-token-state').filter({ hasText: 'Stored' }).waitFor();
  assert.equal(await page.getByTestId('smtp-port').inputValue(), String(sink.port));
  const html = await page.content();
  assert.ok(!html.includes(TOKEN), 'the token never reaches the page');
  watch.check();
  await ctx.close();
});

test('a technician invites by SMS with the group\'s default country', async () => {
  const ctx = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 } });
  techPage = await ctx.newPage();
  const tp = techPage;
  const watch = watchPage(tp);
  await signIn(tp, suite.server.url, ina);
  session = await startSession(tp);
  const { panel, joinLink } = session;

  await panel.getByTestId('invite-sms').click();
  const dialog = tp.getByTestId('invite-dialog').filter({ visible: true });
  await dialog.getByText('read as a number in Germany (+49)').waitFor();
  assert.equal(await dialog.getByTestId('invite-language').inputValue(), 'en', 'the console\'s language by default');
  await dialog.getByTestId('invite-to').fill('0171 1234567');
  await dialog.getByTestId('invite-send').click();
  // The server answers after the gateway did, so the request is recorded by now.
  await dialog.getByTestId('invite-sent').filter({ hasText: 'Invitation sent to +49 171 1234567' }).waitFor();
  assert.equal(gateway.requests.length, 1);
  const [req] = gateway.requests;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, `/2010-04-01/Accounts/${SID}/Messages.json`);
  assert.match(req.contentType, /application\/x-www-form-urlencoded/);
  assert.deepEqual(req.auth, [SID, TOKEN], 'Basic auth with the SID and the token');
  assert.equal(req.form.To, '+491711234567');
  assert.equal(req.form.From, SENDER);
  assert.ok(req.form.Body.includes(joinLink), `the SMS has the join link: ${req.form.Body}`);
  await screenshot(tp, 'invite-sms-sent');
  await dialog.getByTestId('invite-done').click();
  await tp.getByTestId('invite-dialog').first().waitFor({ state: 'hidden' });
  assert.ok(!suite.server.output().includes(TOKEN), 'the token never appears in the server log');
  watch.check();
});

test('a technician invites by e-mail in German', async () => {
  const tp = techPage;
  const { panel, joinLink } = session;
  await panel.getByTestId('invite-email-send').click();
  const dialog = tp.getByTestId('invite-dialog').filter({ visible: true });
  await dialog.getByTestId('invite-to').fill('kunde@example.test');
  await dialog.getByTestId('invite-language').selectOption('de');
  await dialog.getByTestId('invite-send').click();
  await dialog.getByTestId('invite-sent').filter({ hasText: 'Invitation sent to kunde@example.test' }).waitFor();

  const mail = await sink.waitForMessage((m) => m.rcpt_tos.includes('kunde@example.test'));
  assert.equal(mail.subject, `Ihre Fernsupport-Sitzung mit ${ina.name}`);
  assert.ok(mail.text.includes(joinLink), 'the text part has the join link');
  assert.match(mail.text, /Guten Tag/);
  assert.ok(mail.html.includes(joinLink), 'the HTML part has the join link');
  assert.match(mail.html, /An der Sitzung teilnehmen/);
  assert.match(mail.eml, /^Subject: /m);
  await dialog.getByTestId('invite-done').click();
});

test('the gateway refuses: the console shows its reason', async () => {
  const tp = techPage;
  const { panel } = session;
  const reason = "The 'To' number +491719999999 is not a valid phone number.";
  gateway.respond = () => ({
    status: 400,
    body: { code: 21211, message: reason, more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 },
  });
  await panel.getByTestId('invite-sms').click();
  const dialog = tp.getByTestId('invite-dialog').filter({ visible: true });
  await dialog.getByTestId('invite-to').fill('+49 171 9999999');
  const before = gateway.requests.length;
  await dialog.getByTestId('invite-send').click();
  const error = dialog.getByTestId('invite-error');
  await error.filter({ hasText: 'could not be delivered' }).waitFor();
  assert.equal(gateway.requests.length, before + 1, 'the gateway was asked');
  assert.equal(gateway.requests.at(-1).form.To, '+491719999999');
  assert.ok((await error.textContent()).includes('is not a valid phone number'), await error.textContent());
  assert.equal(await dialog.getByTestId('invite-sent').count(), 0);
  await screenshot(tp, 'invite-sms-refused');
  await dialog.getByTestId('invite-cancel').click();
});
