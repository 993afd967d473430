// The server restarts in the middle of a chat: both sides reconnect by
// themselves, a message typed while the server was down is delivered once,
// and nothing said before is lost or shown twice.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSuite, startServer, signIn, startSession, sendChat, messageWith, screenshot } from './harness.mjs';

let suite;

before(async () => {
  suite = await setupSuite();
});

after(async () => {
  await suite?.teardown();
});

async function countOf(scope, text) {
  return messageWith(scope, text).count();
}

test('both sides reconnect after a server restart without losing or repeating messages', async () => {
  const url = suite.server.url;
  const tech = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 860 } });
  const tp = await tech.newPage();
  await signIn(tp, url, suite.technician);
  const { panel, joinLink } = await startSession(tp);

  const cust = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 420, height: 800 } });
  const cp = await cust.newPage();
  await cp.goto(joinLink);
  await cp.getByTestId('join-name').fill('Robin');
  await cp.getByTestId('join-submit').click();
  await cp.waitForURL(/\/s\/[^/]+$/);
  await panel.getByTestId('session-status').filter({ hasText: 'Customer connected (Robin)' }).waitFor();

  await sendChat(cp, 'before restart from Robin');
  await messageWith(panel, 'before restart from Robin').waitFor();
  await sendChat(panel, 'before restart from Dana');
  await messageWith(cp, 'before restart from Dana').waitFor();

  // Stop the server: both pages notice and try to reconnect.
  const port = suite.server.port;
  await suite.server.stop();
  await cp.locator('[data-testid="connection-status"][data-state="reconnecting"]').filter({ hasText: 'Reconnecting…' }).waitFor();
  await panel.locator('[data-testid="connection-status"][data-state="reconnecting"]').waitFor();

  // Typed while the server is away: kept and sent after reconnecting.
  await sendChat(cp, 'typed while the server was down');
  await cp.locator('.msg.pending', { hasText: 'typed while the server was down' }).waitFor();
  await screenshot(cp, 'customer-reconnecting');

  suite.server = await startServer({ dataDir: suite.dataDir, port });
  assert.equal(suite.server.port, port);

  await cp.locator('[data-testid="connection-status"][data-state="online"]').waitFor();
  await panel.locator('[data-testid="connection-status"][data-state="online"]').waitFor();
  await messageWith(panel, 'typed while the server was down').waitFor();
  await messageWith(cp, 'typed while the server was down').waitFor();
  await cp.locator('.msg.pending').waitFor({ state: 'detached' });

  await sendChat(cp, 'after restart from Robin');
  await messageWith(panel, 'after restart from Robin').filter({ hasText: 'Robin' }).waitFor();
  await sendChat(panel, 'after restart from Dana');
  await messageWith(cp, 'after restart from Dana').filter({ hasText: 'Dana Tech' }).waitFor();

  const texts = [
    'before restart from Robin',
    'before restart from Dana',
    'typed while the server was down',
    'after restart from Robin',
    'after restart from Dana',
  ];
  for (const scope of [cp, panel]) {
    for (const text of texts) assert.equal(await countOf(scope, text), 1, `"${text}" shown exactly once`);
    assert.equal(await scope.getByTestId('messages').locator('[data-kind="chat"]').count(), texts.length);
  }
  await screenshot(cp, 'customer-after-restart');

  // A reload shows the same conversation, again exactly once each.
  await cp.reload();
  await messageWith(cp, 'after restart from Dana').waitFor();
  for (const text of texts) assert.equal(await countOf(cp, text), 1, `"${text}" once after reload`);
  await tp.reload();
  const reopened = tp.locator('[data-testid="session-panel"]');
  await tp.getByTestId('session-tab').first().click();
  await messageWith(reopened, 'after restart from Robin').waitFor();
  for (const text of texts) assert.equal(await countOf(reopened, text), 1, `"${text}" once in the reopened tab`);
});
