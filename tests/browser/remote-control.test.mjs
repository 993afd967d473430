// Remote control end to end, with nothing faked: a real X server (Xvfb), the
// test fixture `testpad` (a known picture that reports keys and clicks), the
// real support app downloaded by the customer's browser and started as a
// customer would, and its consent window answered with real key presses
// through XTEST (xdotool). The console must show the customer's screen,
// drive it, stop at once when the customer stops sharing, show a denial,
// and end with the session ended from the app.
//
// Needs: target/debug/tether-support and target/debug/examples/testpad
// (built beside the server), Xvfb and xdotool.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  tetherBin, setupSuite, signIn, startSession, screenshot, watchPage, typeGerman, stopSharingTimed,
} from './harness.mjs';

const APP = path.join(path.dirname(tetherBin), 'tether-support');
const TESTPAD = process.env.TESTPAD_BIN || path.join(path.dirname(tetherBin), 'examples', 'testpad');
const PROMPT_TITLE = 'Tether – Permission requested';
const STATUS_TITLE = '^Tether$';
const TESTPAD_COLORS = {
  topLeft: [0xe5, 0x39, 0x35],
  topRight: [0x1e, 0x88, 0xe5],
  bottomLeft: [0x43, 0xa0, 0x47],
  bottomRight: [0xfd, 0xd8, 0x35],
  white: [0xff, 0xff, 0xff],
};

let suite;
let tmp;
let display;
let xvfb;
let testpad;
let app;

// ---------------------------------------------------------------------------
// Processes

/** A child process whose stdout lines are kept (and parsed, if JSON). */
function startProcess(cmd, args, env) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const proc = { child, lines: [], events: [], log: '', waiters: new Set(), exited: null };
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    proc.log += chunk;
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      proc.lines.push(line);
      try {
        proc.events.push(JSON.parse(line));
      } catch { /* not a JSON line */ }
    }
    for (const w of [...proc.waiters]) w();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    proc.log += chunk;
  });
  child.once('exit', (code, signal) => {
    proc.exited = { code, signal };
    for (const w of [...proc.waiters]) w();
  });
  child.once('error', (err) => {
    proc.exited = { error: err.message };
    for (const w of [...proc.waiters]) w();
  });
  /** Resolves with the first stdout event from index `from` on that matches. */
  proc.waitForEvent = (pred, { from = 0, timeout = 15_000, what = 'an event' } = {}) => new Promise((resolve, reject) => {
    const check = () => {
      const found = proc.events.slice(from).find(pred);
      if (found) {
        finish();
        resolve(found);
      } else if (proc.exited) {
        finish();
        reject(new Error(`${cmd} exited (${JSON.stringify(proc.exited)}) while waiting for ${what}:\n${proc.log}`));
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`${cmd}: no ${what} within ${timeout} ms; got ${JSON.stringify(proc.events.slice(from))}\n${proc.log}`));
    }, timeout);
    const finish = () => {
      clearTimeout(timer);
      proc.waiters.delete(check);
    };
    proc.waiters.add(check);
    check();
  });
  proc.stop = async () => {
    if (proc.exited) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };
  return proc;
}

/** Xvfb on the first free display number; resolves once its socket exists. */
async function startXvfb() {
  let n = 90;
  while (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) n += 1;
  const proc = startProcess('Xvfb', [`:${n}`, '-screen', '0', '1280x720x24', '-nolisten', 'tcp'], {});
  const deadline = Date.now() + 15_000;
  while (!existsSync(`/tmp/.X11-unix/X${n}`)) {
    if (proc.exited) throw new Error(`Xvfb :${n} exited: ${proc.log}`);
    if (Date.now() > deadline) throw new Error(`Xvfb :${n} did not come up: ${proc.log}`);
    await delay(25);
  }
  return { display: `:${n}`, proc };
}

/** Runs xdotool on our display; resolves with its output (rejects on failure). */
function xdotool(...args) {
  return new Promise((resolve, reject) => {
    execFile('xdotool', args, { env: { ...process.env, DISPLAY: display }, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`xdotool ${args.join(' ')}: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Ids of the mapped windows whose name matches `pattern` (none: []). */
async function visibleWindows(pattern) {
  try {
    return (await xdotool('search', '--onlyvisible', '--name', pattern)).split('\n').filter(Boolean);
  } catch {
    return []; // xdotool exits with 1 when nothing matches
  }
}

/**
 * Presses `key` in window `id` through XTEST (the window gets the focus
 * first), again and again until `done()` — for buttons with the input guard
 * (Allow, the confirmation of End session), which ignore key presses for the
 * first 600 ms after they appear.
 */
async function pressUntil(id, key, done, { what, timeout = 10_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    await xdotool('windowfocus', '--sync', id, 'key', key);
    const until = Date.now() + 300;
    while (Date.now() < until) {
      if (await done()) return;
      await delay(50);
    }
    if (Date.now() > deadline) throw new Error(`pressing ${key} did not lead to ${what}`);
  }
}

/** The consent window, once it is on the screen. */
async function promptWindow() {
  const ids = (await xdotool('search', '--sync', '--onlyvisible', '--name', PROMPT_TITLE)).split('\n').filter(Boolean);
  assert.ok(ids.length >= 1, 'the consent window is shown');
  return ids[0];
}

/** Answers the consent window with Allow, as a person would with the keyboard: Tab (from Deny to Allow), Return. */
async function allowInApp() {
  const id = await promptWindow();
  await xdotool('windowfocus', '--sync', id, 'key', 'Tab');
  await pressUntil(id, 'Return', async () => !(await visibleWindows(PROMPT_TITLE)).includes(id), { what: 'the consent window closing' });
}

/** Waits until the viewer's canvas is 1280×720 and shows `want` (±8 per channel); says what it shows if not. */
async function showsPicture(page, sel, want, timeout = 20_000) {
  const check = ({ sel: s, want: w, read }) => {
    const c = document.querySelector(s);
    if (!c) return read ? 'no canvas' : false;
    const ctx = c.getContext('2d');
    const seen = w.map(({ x, y }) => [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)]);
    if (read) return { size: [c.width, c.height], seen };
    return c.width === 1280 && c.height === 720 && w.every(({ rgb }, i) => rgb.every((v, k) => Math.abs(seen[i][k] - v) <= 8));
  };
  try {
    await page.waitForFunction(check, { sel, want, read: false }, { timeout });
  } catch (err) {
    const shown = await page.evaluate(check, { sel, want, read: true });
    await screenshot(page, 'e2e-console-picture-failed');
    throw new Error(`${err.message}\nwanted ${JSON.stringify(want)}\nshown ${JSON.stringify(shown)}\napp: ${app?.log}`);
  }
}

// ---------------------------------------------------------------------------

before(async () => {
  const missing = [APP, TESTPAD].filter((f) => !existsSync(f));
  if (missing.length) {
    throw new Error(`remote-control.test.mjs needs ${missing.join(' and ')}: build the support app and the testpad example first`);
  }
  tmp = await mkdtemp(path.join(tmpdir(), 'tether-rc-'));
  ({ display, proc: xvfb } = await startXvfb());
  testpad = startProcess(TESTPAD, [], { DISPLAY: display });
  await testpad.waitForEvent((e) => e.event === 'ready', { what: 'testpad ready' });
  suite = await setupSuite();
});

after(async () => {
  await app?.stop();
  await testpad?.stop();
  await suite?.teardown();
  await xvfb?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('remote control of a real desktop: consent in the app, picture, mouse, keyboard, stop, deny, end', async (t) => {
  const tech = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 860 } });
  const tp = await tech.newPage();
  const techWatch = watchPage(tp);
  await signIn(tp, suite.server.url, suite.technician);
  const { panel, joinLink, sessionId } = await startSession(tp);
  const flowAt = (step) => panel.locator(`[data-testid="access-flow"][data-step="${step}"]`);
  const canvasSel = `[data-testid="session-panel"][data-session-id="${sessionId}"] [data-testid="viewer"]`;
  const canvas = tp.locator(canvasSel);

  const cust = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 800 }, acceptDownloads: true });
  const cp = await cust.newPage();
  const custWatch = watchPage(cp);
  await cp.goto(joinLink);
  await cp.getByTestId('join-name').fill('Alex Customer');
  await cp.getByTestId('join-submit').click();
  await cp.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor();
  await panel.getByTestId('session-status').filter({ hasText: 'Customer connected' }).waitFor();

  // The technician asks; the customer downloads and runs the app.
  await panel.getByTestId('request-control').click();
  await flowAt('request_sent').waitFor();
  await panel.locator('[aria-current="step"]').filter({ hasText: 'Request sent' }).waitFor();
  await cp.getByTestId('access-request').waitFor();
  await screenshot(cp, 'e2e-customer-request-card');
  const [download] = await Promise.all([cp.waitForEvent('download'), cp.getByTestId('download-app').click()]);
  const file = path.join(tmp, download.suggestedFilename());
  await download.saveAs(file);
  await chmod(file, 0o755);
  await flowAt('download_started').waitFor();
  await panel.locator('[aria-current="step"]').filter({ hasText: 'Download started' }).waitFor();

  app = startProcess(file, [], { DISPLAY: display, LANG: 'en_US.UTF-8' });
  await flowAt('awaiting_consent').waitFor({ timeout: 20_000 });
  await panel.locator('[aria-current="step"]').filter({ hasText: "Waiting for the customer's consent" }).waitFor();
  await cp.getByTestId('request-answer').waitFor();

  // The customer allows in the app's own window, with real key presses.
  await allowInApp();
  await flowAt('active').waitFor();
  // The app's status window stays on top at the top right (about x 835–1264,
  // y 16–215), over part of the blue quadrant: blue is checked below it.
  const pattern = [
    { x: 320, y: 180, rgb: TESTPAD_COLORS.topLeft },
    { x: 960, y: 300, rgb: TESTPAD_COLORS.topRight },
    { x: 320, y: 540, rgb: TESTPAD_COLORS.bottomLeft },
    { x: 960, y: 540, rgb: TESTPAD_COLORS.bottomRight },
    { x: 640, y: 360, rgb: TESTPAD_COLORS.white },
  ];
  await showsPicture(tp, canvasSel, pattern);
  await cp.getByTestId('sharing-notice').filter({ hasText: 'Dana Tech can see and control your screen' }).waitFor();
  await screenshot(tp, 'e2e-console-viewer');
  await screenshot(cp, 'e2e-customer-sharing-notice');

  // A click on the spot that shows picture pixel (100, 120) clicks there.
  const positionOf = async (x, y) => {
    const box = await canvas.evaluate((c) => {
      const r = c.getBoundingClientRect();
      return { w: r.width, h: r.height, W: c.width, H: c.height };
    });
    return { x: ((x + 0.5) * box.w) / box.W, y: ((y + 0.5) * box.h) / box.H };
  };
  let mark = testpad.events.length;
  await canvas.click({ position: await positionOf(100, 120) });
  const click = await testpad.waitForEvent((e) => e.event === 'button', { from: mark, what: 'a click' });
  assert.equal(click.button, 1);
  assert.ok(Math.abs(click.x - 100) <= 2 && Math.abs(click.y - 120) <= 2, `testpad was clicked at ${click.x},${click.y}`);

  // Typing on the focused viewer types on the customer's desktop, ü and ß included.
  assert.equal(await tp.evaluate(() => document.activeElement?.dataset.testid), 'viewer');
  mark = testpad.events.length;
  await typeGerman(tp, 'Grüße');
  const keys = (from) => testpad.events.slice(from).filter((e) => e.event === 'key').map((e) => e.text);
  await testpad.waitForEvent(() => keys(mark).length >= 5, { from: mark, what: 'five characters' });
  assert.deepEqual(keys(mark), ['G', 'r', 'ü', 'ß', 'e']);
  const afterTyping = testpad.events.length;

  // The customer stops sharing: the console's viewer goes at once.
  const { access: before } = await tp.evaluate((sid) => fetch(`/api/v1/sessions/${sid}`).then((r) => r.json()), sessionId);
  const elapsed = await stopSharingTimed(tp, cp, sessionId);
  t.diagnostic(`the console's viewer stopped ${elapsed} ms after the click`);
  assert.ok(elapsed >= 0 && elapsed < 250, `the viewer stopped ${elapsed} ms after the click`);
  await panel.getByTestId('access-notice').filter({ hasText: 'The customer stopped screen sharing' }).waitFor();
  assert.ok(await canvas.isHidden());

  // Input after the stop goes nowhere: typed into the page, and sent on a
  // socket of its own under the ended grant (the server refuses it).
  await tp.keyboard.type('qq');
  const refusal = await tp.evaluate(({ sid, epoch }) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}/api/v1/sessions/${sid}/ws?after=1000000000`);
    const timer = setTimeout(() => reject(new Error('no answer to input')), 5000);
    ws.onmessage = (m) => {
      if (typeof m.data !== 'string') return;
      const f = JSON.parse(m.data);
      if (f.type === 'hello') ws.send(JSON.stringify({ type: 'input', epoch, events: [{ t: 'text', text: 'q' }] }));
      if (f.type === 'error') {
        clearTimeout(timer);
        ws.close();
        resolve(f.error);
      }
    };
  }), { sid: sessionId, epoch: before.grant.epoch });
  assert.equal(refusal, 'no_control');

  // Asked again and allowed again: the next key testpad sees is the next one typed.
  await panel.getByTestId('request-control').click();
  await flowAt('awaiting_consent').waitFor();
  await allowInApp();
  await flowAt('active').waitFor();
  await showsPicture(tp, canvasSel, pattern);
  await canvas.click({ position: await positionOf(200, 200) });
  await tp.keyboard.press('x');
  const next = await testpad.waitForEvent((e) => e.event === 'key', { from: afterTyping, what: 'the next key' });
  assert.equal(next.text, 'x', 'nothing typed while sharing was stopped reached the desktop');

  // The technician stops viewing; a new request is denied with Escape.
  await panel.getByTestId('stop-viewing').click();
  await panel.getByTestId('viewer-area').waitFor({ state: 'hidden' });
  await cp.getByTestId('sharing-notice').waitFor({ state: 'hidden' });
  await panel.getByTestId('request-view').click();
  await flowAt('awaiting_consent').waitFor();
  const prompt = await promptWindow();
  await xdotool('windowfocus', '--sync', prompt, 'key', 'Escape');
  await flowAt('denied').waitFor();
  await panel.locator('li[data-state="denied"]').filter({ hasText: 'Denied' }).waitFor();
  await panel.getByTestId('messages').getByText('Alex Customer denied screen view').waitFor();
  assert.ok(await panel.getByTestId('viewer-area').isHidden());
  await screenshot(tp, 'e2e-console-denied');

  // The customer ends the session in the app: End session, then confirm.
  const [status] = await visibleWindows(STATUS_TITLE);
  assert.ok(status, 'the app shows its status window');
  await xdotool('windowfocus', '--sync', status, 'key', 'Tab', 'Return');
  await xdotool('windowfocus', '--sync', status, 'key', 'Tab');
  const ended = panel.getByTestId('session-ended');
  await pressUntil(status, 'Return', () => ended.isVisible(), { what: 'the session ending' });
  await ended.filter({ hasText: 'The customer ended the session' }).waitFor();
  await cp.getByTestId('session-ended').filter({ hasText: 'You ended the session' }).waitFor();
  assert.ok(await cp.getByTestId('sharing-notice').isHidden());
  assert.ok(await panel.getByTestId('access-toolbar').isHidden());
  assert.ok(await panel.getByTestId('access-flow').isHidden(), 'nothing left to follow in an ended session');
  await screenshot(tp, 'e2e-console-ended');
  await screenshot(cp, 'e2e-customer-ended');
  techWatch.check();
  custWatch.check();
});
