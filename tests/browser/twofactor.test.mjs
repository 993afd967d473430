// Two-factor sign-in in the browser: a technician turns it on in the console
// (the test computes the RFC 6238 codes from the secret the page shows, as an
// authenticator app would), signs in with a code, is refused a wrong one, and
// signs in with a recovery code that then stops working; a technician whose
// group requires two-factor sign-in is led through enrolment at sign-in.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  setupSuite, screenshot, watchPage, signIn, submitPassword, totpCode, apiAs, createAccount,
} from './harness.mjs';

let suite;
let admin;

const tina = { email: 'tina@example.test', name: 'Tina Tech', password: 'tina has a long password' };
const rita = { email: 'rita@example.test', name: 'Rita Secure', password: 'rita has a long password' };

before(async () => {
  suite = await setupSuite();
  admin = await apiAs(suite.server.url, suite.technician);
  await createAccount(admin, tina);
  const group = await admin.call('POST', '/api/v1/admin/groups', { name: 'Secure desk', settings: { require_2fa: true } });
  assert.equal(group.status, 201, JSON.stringify(group.body));
  await createAccount(admin, { ...rita, group_id: group.body.id });
});

after(async () => {
  await suite?.teardown();
});

/** A 6-digit code that is valid for none of the steps the server accepts now. */
function wrongCode(secret) {
  const now = Date.now();
  const valid = new Set([-60, -30, 0, 30, 60].map((s) => totpCode(secret, now + s * 1000)));
  let n = 123456;
  while (valid.has(String(n))) n += 1;
  return String(n);
}

async function signOut(page) {
  await page.getByTestId('sign-out').click();
  await page.getByTestId('login-email').waitFor();
}

test('enrol in the console, sign in with a code, a wrong code, and a recovery code', async () => {
  const ctx = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 860 } });
  const page = await ctx.newPage();
  const watch = watchPage(page);
  await signIn(page, suite.server.url, tina);

  // Account dialog: turn on two-factor sign-in.
  await page.getByTestId('user-name').click();
  const dialog = page.getByTestId('account-dialog');
  await dialog.getByTestId('twofa-status').filter({ hasText: 'Two-factor sign-in is off.' }).waitFor();
  await dialog.getByTestId('twofa-enable').click();
  const secretEl = dialog.getByTestId('totp-secret');
  await secretEl.waitFor();
  const secret = await secretEl.getAttribute('data-secret');
  assert.match(secret, /^[A-Z2-7]{16,}$/, `a Base32 secret: ${secret}`);
  assert.equal((await secretEl.textContent()).replace(/\s/g, ''), secret, 'the secret is shown for typing');
  const qrLoaded = await dialog.getByTestId('totp-qr').evaluate(async (img) => {
    await img.decode();
    return img.naturalWidth > 0;
  });
  assert.ok(qrLoaded, 'the QR code renders under the CSP');
  await dialog.getByTestId('enrol-code').fill(wrongCode(secret));
  await dialog.getByTestId('enrol-submit').click();
  await dialog.getByTestId('enrol-error').filter({ hasText: 'wrong or has expired' }).waitFor();
  await dialog.getByTestId('enrol-code').fill(totpCode(secret));
  await dialog.getByTestId('enrol-submit').click();
  const items = dialog.getByTestId('recovery-code-item');
  await items.first().waitFor();
  const codes = await items.allTextContents();
  assert.ok(codes.length >= 8, `recovery codes shown: ${codes.length}`);
  await screenshot(page, 'twofa-recovery-codes');
  await dialog.getByTestId('recovery-done').click();
  await dialog.getByTestId('twofa-status').filter({ hasText: 'Two-factor sign-in is on.' }).waitFor();
  await dialog.getByTestId('account-close').click();

  // Sign out; the password alone no longer signs in.
  await signOut(page);
  await submitPassword(page, tina);
  await page.getByTestId('totp-code').waitFor();
  assert.equal(await page.getByTestId('sign-out').isVisible(), false);
  await page.getByTestId('totp-code').fill(wrongCode(secret));
  await page.getByTestId('totp-submit').click();
  await page.getByTestId('totp-error').filter({ hasText: 'The code is wrong or has expired.' }).waitFor();
  await screenshot(page, 'twofa-wrong-code');
  // The code of the enrolment's step is spent; the next step's code is what
  // the app shows a moment later, and the server accepts one step of skew.
  await page.getByTestId('totp-code').fill(totpCode(secret, Date.now() + 30_000));
  await page.getByTestId('totp-submit').click();
  await page.getByTestId('sign-out').waitFor();
  await page.getByTestId('tab-start').waitFor();

  // A recovery code instead of the app, once.
  await signOut(page);
  await submitPassword(page, tina);
  await page.getByTestId('totp-use-recovery').click();
  await page.getByTestId('recovery-code').fill(codes[0]);
  await page.getByTestId('totp-submit').click();
  await page.getByTestId('sign-out').waitFor();
  await page.getByTestId('recovery-left').filter({ hasText: `${codes.length - 1} are left` }).waitFor();
  await signOut(page);
  await submitPassword(page, tina);
  await page.getByTestId('totp-use-recovery').click();
  await page.getByTestId('recovery-code').fill(codes[0]);
  await page.getByTestId('totp-submit').click();
  await page.getByTestId('totp-error').waitFor();
  assert.equal(await page.getByTestId('sign-out').isVisible(), false, 'a used recovery code is refused');
  await page.getByTestId('recovery-code').fill(codes[1]);
  await page.getByTestId('totp-submit').click();
  await page.getByTestId('sign-out').waitFor();

  const { body } = await admin.call('GET', '/api/v1/admin/users');
  assert.equal(body.users.find((u) => u.email === tina.email).totp_enabled, true);
  watch.check();
  await ctx.close();
});

test('a group that requires two-factor sign-in leads its technician through enrolment', async () => {
  const ctx = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const watch = watchPage(page);
  await page.goto(`${suite.server.url}/console`);
  await submitPassword(page, rita);
  await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
  await page.getByText('Your group requires two-factor sign-in.').waitFor();
  const secret = await page.getByTestId('totp-secret').getAttribute('data-secret');
  assert.ok(await page.getByTestId('totp-qr').evaluate(async (img) => {
    await img.decode();
    return img.naturalWidth > 0;
  }), 'the QR code renders');
  assert.equal(await page.getByTestId('sign-out').isVisible(), false, 'not signed in before enrolment');
  await screenshot(page, 'twofa-enrol-at-sign-in');
  await page.getByTestId('enrol-code').fill(totpCode(secret));
  await page.getByTestId('enrol-submit').click();
  await page.getByTestId('recovery-code-item').first().waitFor();
  await page.getByTestId('recovery-done').click();
  await page.getByTestId('sign-out').waitFor();
  await page.getByTestId('tab-start').waitFor();

  // The group requires it, so it cannot be turned off.
  await page.getByTestId('user-name').click();
  const dialog = page.getByTestId('account-dialog');
  await dialog.getByTestId('twofa-status').filter({ hasText: 'is on' }).waitFor();
  await dialog.getByText('Your group requires two-factor sign-in.').waitFor();
  assert.equal(await dialog.getByTestId('twofa-disable').count(), 0);
  await dialog.getByTestId('account-close').click();

  // The next sign-in asks for the code.
  await signOut(page);
  await submitPassword(page, rita);
  await page.getByTestId('totp-code').fill(totpCode(secret, Date.now() + 30_000));
  await page.getByTestId('totp-submit').click();
  await page.getByTestId('sign-out').waitFor();
  watch.check();
  await ctx.close();
});
