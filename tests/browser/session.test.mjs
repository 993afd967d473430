// A chat-only support session end to end: sign-in, start, invite by link,
// chat both ways, file transfer, the customer ends it, history; then a
// second session joined through the support website.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setupSuite, signIn, startSession, sendChat, messageWith, screenshot, watchPage } from './harness.mjs';

let suite;
let techPage;
let techWatch;

before(async () => {
  suite = await setupSuite();
  const tech = await suite.browser.newContext({
    locale: 'en-US',
    viewport: { width: 1366, height: 860 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  techPage = await tech.newPage();
  techWatch = watchPage(techPage);
  await signIn(techPage, suite.server.url, suite.technician);
});

after(async () => {
  await suite?.teardown();
});

test('technician and customer chat, exchange a file, and the customer ends the session', async () => {
  const url = suite.server.url;
  const tp = techPage;
  await tp.getByTestId('user-name').filter({ hasText: 'Dana Tech' }).waitFor();

  const { panel, key, joinLink } = await startSession(tp);
  const digits = key.replace(/\D/g, '');
  assert.match(key, /^\d{3} \d{3} \d{3}$/, 'the key is shown grouped');
  assert.ok(joinLink.endsWith(`/join/${digits}`), `join link ${joinLink} carries the key`);
  await panel.getByTestId('session-status').filter({ hasText: 'Waiting for the customer' }).waitFor();
  assert.match(await panel.getByTestId('key-validity').textContent(), /Valid for \d+:\d\d/);

  // Invitation: copy link, support website, e-mail.
  await panel.getByTestId('copy-link').click();
  await panel.getByTestId('copy-state').filter({ hasText: 'Copied' }).waitFor();
  assert.equal(await tp.evaluate(() => navigator.clipboard.readText()), joinLink);
  const mailto = await panel.getByTestId('email-link').getAttribute('href');
  assert.ok(mailto.startsWith('mailto:?subject='), mailto);
  assert.ok(mailto.includes(encodeURIComponent(joinLink)), 'the e-mail body has the join link');
  assert.ok(mailto.includes(encodeURIComponent(key)), 'the e-mail body has the key');
  await panel.getByText('or ask the customer to open').waitFor();
  await screenshot(tp, 'console-session-waiting');

  // The customer opens the link on a phone-sized screen.
  const cust = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 780 }, acceptDownloads: true });
  const cp = await cust.newPage();
  const custWatch = watchPage(cp);
  await cp.goto(joinLink);
  assert.equal(await cp.getByTestId('join-key').inputValue(), key, 'the key is prefilled, grouped');
  assert.equal(await cp.evaluate(() => document.activeElement?.dataset.testid), 'join-name', 'focus is on the name');
  await cp.getByTestId('join-name').fill('Alex Customer');
  await cp.getByTestId('join-submit').click();
  await cp.waitForURL(/\/s\/[^/]+$/);
  await cp.getByTestId('technician-name').filter({ hasText: 'Your technician: Dana Tech' }).waitFor();
  await cp.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor();
  assert.ok(await cp.getByTestId('end-session').isVisible(), 'End session is visible to the customer');

  await panel.getByTestId('session-status').filter({ hasText: 'Customer connected (Alex Customer)' }).waitFor();
  await panel.getByTestId('key-validity').waitFor({ state: 'hidden' });
  await tp.getByTestId('session-tab').filter({ hasText: 'Alex Customer' }).waitFor();

  // Chat both ways, with sender names.
  await sendChat(cp, 'Hello, my printer does not print.');
  await messageWith(panel, 'Hello, my printer does not print.').filter({ hasText: 'Alex Customer' }).waitFor();
  await sendChat(panel, 'Hi Alex, I will send you a driver.');
  await messageWith(cp, 'Hi Alex, I will send you a driver.').filter({ hasText: 'Dana Tech' }).waitFor();
  assert.match(await messageWith(cp, 'Hello, my printer').getAttribute('class'), /\bown\b/, 'own message on the right');
  assert.match(await messageWith(cp, 'Hi Alex').getAttribute('class'), /\bother\b/, "technician's message on the left");

  // Shift+Enter makes a new line, Enter sends.
  const input = cp.getByTestId('chat-input');
  await input.fill('first line');
  await input.press('Shift+Enter');
  await input.pressSequentially('second line');
  await input.press('Enter');
  const multi = messageWith(panel, 'second line');
  await multi.waitFor();
  assert.equal(await multi.locator('.msg-text').textContent(), 'first line\nsecond line');

  // User text is shown as text, never as markup.
  await sendChat(cp, '<img src=x onerror="window.__xss=1"><b>bold?</b>');
  await messageWith(panel, '<b>bold?</b>').waitFor();
  assert.equal(await tp.evaluate(() => window.__xss), undefined);

  // The technician sends a file; the customer downloads the same bytes.
  const bytes = randomBytes(300 * 1024);
  await panel.getByTestId('file-input').setInputFiles({ name: 'printer-driver.bin', mimeType: 'application/octet-stream', buffer: bytes });
  const link = cp.getByTestId('file-link').filter({ hasText: 'printer-driver.bin' });
  await link.waitFor();
  await messageWith(cp, 'printer-driver.bin').filter({ hasText: '300 KB' }).waitFor();
  await panel.getByTestId('file-link').filter({ hasText: 'printer-driver.bin' }).waitFor();
  assert.ok(await panel.getByTestId('upload-error').isHidden(), 'no upload error');
  const [download] = await Promise.all([cp.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), 'printer-driver.bin');
  const downloaded = await readFile(await download.path());
  assert.equal(downloaded.length, bytes.length);
  assert.ok(downloaded.equals(bytes), 'downloaded bytes are identical');
  await screenshot(cp, 'customer-chat');
  await screenshot(tp, 'console-session-chat');

  // The customer ends the session, after confirming.
  await cp.getByTestId('end-session').click();
  const dialog = cp.getByTestId('confirm-end');
  await dialog.waitFor({ state: 'visible' });
  await screenshot(cp, 'customer-confirm-end');
  await cp.getByTestId('confirm-end-ok').click();
  await cp.getByTestId('session-ended').filter({ hasText: 'You ended the session' }).waitFor();
  assert.ok(await cp.getByTestId('chat-input').isDisabled(), 'customer input disabled');
  assert.ok(await cp.getByTestId('end-session').isDisabled(), 'end button disabled');
  await screenshot(cp, 'customer-ended');

  await panel.getByTestId('session-ended').filter({ hasText: 'The customer ended the session' }).waitFor();
  await panel.getByTestId('session-status').filter({ hasText: 'Session ended by the customer' }).waitFor();
  assert.ok(await panel.getByTestId('chat-input').isDisabled(), 'technician input disabled');
  assert.ok(await panel.getByTestId('send-file').isDisabled(), 'send file disabled');
  await screenshot(tp, 'console-session-ended');

  // Reopening the join link goes straight back to the (ended) chat.
  await cp.goto(joinLink);
  await cp.waitForURL(/\/s\/[^/]+$/);
  await cp.getByTestId('session-ended').waitFor();
  await messageWith(cp, 'Hello, my printer does not print.').waitFor();
  await cust.close();

  // History lists the session with its transcript.
  await tp.getByTestId('nav-history').click();
  const row = tp.getByTestId('history-row').filter({ hasText: 'Alex Customer' });
  await row.waitFor();
  assert.match(await row.textContent(), /Customer/);
  await row.click();
  const transcript = tp.getByTestId('history-transcript');
  await transcript.getByText('Hello, my printer does not print.').waitFor();
  await transcript.getByText('Hi Alex, I will send you a driver.').waitFor();
  await transcript.getByText('printer-driver.bin').waitFor();
  await transcript.getByText('The customer ended the session.').waitFor();
  await screenshot(tp, 'console-history');
  techWatch.check();
  custWatch.check();
});

test('a second session: the customer types the key on the support website', async () => {
  const url = suite.server.url;
  const tp = techPage;
  await tp.getByTestId('nav-sessions').click();
  const { panel, key, sessionId } = await startSession(tp);
  const tab = tp.locator(`[data-testid="session-tab"][data-session-id="${sessionId}"]`);
  const digits = key.replace(/\D/g, '');
  assert.equal(await tp.getByTestId('session-tab').count(), 2, 'the ended tab stays until closed');

  const cust = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 760 } });
  const cp = await cust.newPage();
  await cp.goto(`${url}/`);
  await cp.getByRole('heading', { name: 'Join a support session' }).waitFor();
  const keyInput = cp.getByTestId('join-key');
  assert.equal(await cp.evaluate(() => document.activeElement?.dataset.testid), 'join-key');

  // Too short: refused without asking the server.
  await keyInput.pressSequentially('12345');
  assert.equal(await keyInput.inputValue(), '123 45');
  await cp.getByTestId('join-submit').click();
  await cp.locator('[data-testid="join-error"][data-error-code="invalid_key"]').filter({ hasText: 'exactly 9 digits' }).waitFor();

  // A wrong key: the server does not know it.
  const wrong = String((Number(digits) + 1) % 1e9).padStart(9, '0');
  await keyInput.fill('');
  await keyInput.pressSequentially(wrong);
  assert.equal(await keyInput.inputValue(), `${wrong.slice(0, 3)} ${wrong.slice(3, 6)} ${wrong.slice(6)}`, 'grouped while typing');
  await cp.getByTestId('join-submit').click();
  await cp.locator('[data-testid="join-error"][data-error-code="unknown_key"]').filter({ hasText: 'This support key is not known' }).waitFor();
  await screenshot(cp, 'customer-unknown-key');

  // The right key.
  await keyInput.fill('');
  await keyInput.pressSequentially(digits);
  assert.equal(await keyInput.inputValue(), key);
  await cp.getByTestId('join-submit').click();
  await cp.waitForURL(/\/s\/[^/]+$/);
  await cp.getByTestId('technician-name').filter({ hasText: 'Dana Tech' }).waitFor();
  await panel.getByTestId('session-status').filter({ hasText: 'Customer connected' }).waitFor();

  await sendChat(cp, 'Second session here.');
  await messageWith(panel, 'Second session here.').waitFor();

  // Switching tabs keeps each tab's chat.
  const firstTab = tp.getByTestId('session-tab').first();
  await firstTab.click();
  const firstPanel = tp.locator('[data-testid="session-panel"]:visible');
  await messageWith(firstPanel, 'Hello, my printer does not print.').waitFor();
  await tab.click();
  await messageWith(panel, 'Second session here.').waitFor();

  // The technician ends it; the customer is told.
  await panel.getByTestId('end-session').click();
  await panel.getByTestId('confirm-end').waitFor({ state: 'visible' });
  await panel.getByTestId('confirm-end-ok').click();
  await panel.getByTestId('session-ended').filter({ hasText: 'You ended the session' }).waitFor();
  await cp.getByTestId('session-ended').filter({ hasText: 'Your technician ended the session' }).waitFor();
  assert.ok(await cp.getByTestId('chat-input').isDisabled());

  // Closing an ended tab removes it.
  await tab.getByTestId('close-tab').click();
  await tp.waitForFunction(() => document.querySelectorAll('[data-testid="session-tab"]').length === 1);
  await cust.close();
});
