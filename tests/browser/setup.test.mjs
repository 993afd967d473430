// First start of a new installation: the administrator is created in the
// browser with the one-time setup address the server prints, and with
// --auto-open-session the console opens a session tab by itself.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeDataDir, removeDir, startServer, launchBrowser, screenshot } from './harness.mjs';

let dataDir;
let server;
let browser;

before(async () => {
  dataDir = await makeDataDir();
  server = await startServer({ dataDir, extraArgs: ['--auto-open-session'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await removeDir(dataDir);
});

test('the first administrator is created through the setup page', async () => {
  const [, setupUrl] = await server.waitForOutput(/(http:\/\/\S+\/setup\?token=\S+)/);
  const ctx = await browser.newContext({ locale: 'en-US' });
  const page = await ctx.newPage();

  await page.goto(`${server.url}/setup`);
  await page.getByTestId('setup-error').filter({ hasText: 'has no token' }).waitFor();

  await page.goto(setupUrl);
  await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
  await page.getByTestId('setup-name').fill('Sam Admin');
  await page.getByTestId('setup-email').fill('sam@example.test');
  await page.getByTestId('setup-password').fill('a long enough password');
  await page.getByTestId('setup-password2').fill('a different password!');
  await page.getByTestId('setup-submit').click();
  await page.getByTestId('setup-error').filter({ hasText: 'do not match' }).waitFor();
  await page.getByTestId('setup-password2').fill('a long enough password');
  await page.getByTestId('setup-submit').click();
  await page.getByTestId('setup-done').waitFor();
  await screenshot(page, 'setup-done');

  // The token is spent.
  const again = await ctx.newPage();
  await again.goto(setupUrl);
  await again.getByTestId('setup-name').fill('Mallory');
  await again.getByTestId('setup-email').fill('mallory@example.test');
  await again.getByTestId('setup-password').fill('another long password');
  await again.getByTestId('setup-password2').fill('another long password');
  await again.getByTestId('setup-submit').click();
  await again.getByTestId('setup-error').filter({ hasText: 'Setup is already complete' }).waitFor();
  await again.close();

  // Into the console; the server asks for a session tab on opening.
  await page.getByTestId('setup-console-link').click();
  await page.getByTestId('login-email').fill('sam@example.test');
  await page.getByTestId('login-password').fill('a long enough password');
  await page.getByTestId('login-submit').click();
  const panel = page.locator('[data-testid="session-panel"]:visible');
  await panel.getByTestId('support-key').filter({ hasText: /^\d{3} \d{3} \d{3}$/ }).waitFor();
  assert.equal(await page.getByTestId('session-tab').count(), 1);

  // Opening the console again reuses the live session instead of adding one.
  await page.reload();
  await page.locator('[data-testid="session-panel"]:visible').waitFor();
  assert.equal(await page.getByTestId('session-tab').count(), 1);
  await screenshot(page, 'console-auto-open');
});
