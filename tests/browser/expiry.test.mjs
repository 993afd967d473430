// An unused support key runs out: the console counts down to "Expired" and
// the customer who types the key afterwards is told it expired.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSuite, signIn, startSession, screenshot } from './harness.mjs';

let suite;

before(async () => {
  suite = await setupSuite({ extraArgs: ['--key-lifetime-secs', '1'] });
});

after(async () => {
  await suite?.teardown();
});

test('an expired key is shown as expired and refused with its own message', async () => {
  const url = suite.server.url;
  const tech = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 860 } });
  const tp = await tech.newPage();
  await signIn(tp, url, suite.technician);
  const { panel, key } = await startSession(tp);

  const validity = panel.locator('[data-testid="key-validity"][data-state="expired"]');
  await validity.filter({ hasText: 'Expired' }).waitFor();
  await screenshot(tp, 'console-key-expired');

  const cust = await suite.browser.newContext({ locale: 'en-US' });
  const cp = await cust.newPage();
  await cp.goto(`${url}/`);
  await cp.getByTestId('join-key').pressSequentially(key.replace(/\D/g, ''));
  await cp.getByTestId('join-submit').click();
  const error = cp.locator('[data-testid="join-error"][data-error-code="key_expired"]');
  await error.filter({ hasText: 'This support key has expired' }).waitFor();
  assert.match(cp.url(), /\/$/, 'the customer stays on the support website');
  await screenshot(cp, 'customer-key-expired');

  // The refused attempt ends the session; the console is told live.
  await panel.getByTestId('session-ended').filter({ hasText: 'The support key expired before the customer joined.' }).waitFor();
  await panel.getByTestId('key-validity').filter({ hasText: 'Expired' }).waitFor();
  assert.ok(await panel.getByTestId('chat-input').isDisabled());
  await screenshot(tp, 'console-key-expired-ended');
});
