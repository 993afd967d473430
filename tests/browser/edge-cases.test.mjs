// Refusals and less travelled paths: limits on messages and files, a
// session opened in a browser that never joined it, sign-out, the remote
// control note, and throttling of wrong keys.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setupSuite, signIn, startSession, sendChat, messageWith, screenshot } from './harness.mjs';

let suite;
let techPage;

before(async () => {
  suite = await setupSuite({ extraArgs: ['--max-message-chars', '50', '--max-file-bytes', '100000'] });
  const tech = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 860 } });
  techPage = await tech.newPage();
  await signIn(techPage, suite.server.url, suite.technician);
});

after(async () => {
  await suite?.teardown();
});

test('limits: a too long message and a too large file are refused with a clear message', async () => {
  const tp = techPage;
  const { panel, joinLink, sessionId } = await startSession(tp, { requestRemoteControl: true });
  await panel.getByTestId('rc-pending').filter({ hasText: 'Remote control will be requested when the customer arrives' }).waitFor();

  const cust = await suite.browser.newContext({ locale: 'en-US' });
  const cp = await cust.newPage();
  await cp.goto(joinLink);
  await cp.getByTestId('join-submit').click();
  await cp.waitForURL(`**/s/${sessionId}`);
  await cp.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor();
  await panel.getByTestId('rc-pending').waitFor({ state: 'hidden' });

  // The customer's page learns the limit from the server's refusal.
  const long = 'x'.repeat(60);
  await sendChat(cp, long);
  await cp.locator('[data-testid="chat-error"]').filter({ hasText: 'This message is too long' }).waitFor();
  assert.equal(await cp.getByTestId('chat-input').inputValue(), long, 'the refused text is given back for editing');
  assert.equal(await cp.locator('.msg.pending').count(), 0);

  // The console knows the limit and says it before sending.
  await sendChat(panel, 'y'.repeat(60));
  await panel.getByTestId('chat-error').filter({ hasText: 'at most 50 characters' }).waitFor();
  await sendChat(panel, 'short and fine');
  await messageWith(cp, 'short and fine').waitFor();

  await panel.getByTestId('file-input').setInputFiles({ name: 'too-big.iso', mimeType: 'application/octet-stream', buffer: randomBytes(150_000) });
  await panel.getByTestId('upload-error').filter({ hasText: 'too-big.iso could not be sent: The file is too large' }).waitFor();
  await panel.getByTestId('file-input').setInputFiles({ name: 'small.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await cp.getByTestId('file-link').filter({ hasText: 'small.txt' }).waitFor();
  assert.equal(await cp.getByTestId('file-link').filter({ hasText: 'too-big.iso' }).count(), 0);
  await screenshot(tp, 'console-limits');
  await cust.close();
});

test('a chat link opened in another browser says the session is not available there', async () => {
  const tp = techPage;
  const { sessionId } = await startSession(tp);
  const other = await suite.browser.newContext({ locale: 'en-US' });
  const page = await other.newPage();
  await page.goto(`${suite.server.url}/s/${sessionId}`);
  await page.getByTestId('not-available').filter({ hasText: 'This session is not available in this browser' }).waitFor();
  assert.equal(await page.getByTestId('not-available').getByRole('link').getAttribute('href'), '/');
  await screenshot(page, 'customer-not-available');
  await other.close();
});

test('signing out returns to the sign-in form and live sessions reopen after signing in', async () => {
  const tp = techPage;
  const live = await tp.getByTestId('session-tab').count();
  assert.ok(live >= 1);
  await tp.getByTestId('sign-out').click();
  await tp.getByTestId('login-submit').waitFor();
  const me = await tp.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert.equal(me, 401);
  await signIn(tp, suite.server.url, suite.technician);
  await tp.waitForFunction((n) => document.querySelectorAll('[data-testid="session-tab"]').length === n, live);
});

test('too many wrong keys from one address are throttled with the waiting time', async () => {
  const cust = await suite.browser.newContext({ locale: 'en-US' });
  const cp = await cust.newPage();
  await cp.goto(`${suite.server.url}/`);
  const error = cp.getByTestId('join-error');
  for (let i = 0; i < 30; i += 1) {
    await cp.getByTestId('join-key').fill(String(100000000 + i * 7919));
    await cp.getByTestId('join-submit').click();
    await cp.locator('[data-testid="join-error"]:not([hidden])').waitFor();
    if ((await error.getAttribute('data-error-code')) === 'too_many_attempts') break;
    assert.equal(await error.getAttribute('data-error-code'), 'unknown_key');
  }
  await error.filter({ hasText: /Too many attempts\. Please wait \d+ (seconds|min)/ }).waitFor();
  assert.ok(await cp.getByTestId('join-submit').isDisabled(), 'Join waits until the time is over');
  await screenshot(cp, 'customer-throttled');
  await cust.close();
});
