// Screen access in the browsers with a stand-in support app (fake-agent.mjs):
// the guided flow step by step, the customer's request card and download,
// the viewer's picture (pixels read back from the canvas), delta frames,
// gaps and keyframes, the cursor, monitors, fit and 1:1, input events as the
// app receives them, view-only, denial, withdrawal, Stop screen sharing from
// either side, the card on systems without an app (in German), and the app
// ending the session.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setupSuite, signIn, startSession, screenshot, watchPage, typeGerman, stopSharingTimed, joinAsCustomer } from './harness.mjs';
import { FakeAgent, COLORS, quadrants, solid, cursorFrame } from './fake-agent.mjs';

const FAKE_APP = Buffer.from('\x7fELF pretend support app\n');
const TWO_MONITORS = [
  { id: 1, name: 'Virtual-1', x: 0, y: 0, width: 1280, height: 720, primary: true },
  { id: 2, name: 'HDMI-1', x: 1280, y: 0, width: 800, height: 600, primary: false },
];
const SECOND = [0x8e, 0x24, 0xaa];
const BLACK = [0, 0, 0];

let suite;
let tp;
let techWatch;
// Shared by the tests below, which continue one session.
let panel;
let sessionId;
let cp;
let custWatch;
let agent;

before(async () => {
  suite = await setupSuite({ agentFiles: { 'tether-support': FAKE_APP } });
  const tech = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 860 } });
  tp = await tech.newPage();
  techWatch = watchPage(tp);
  await signIn(tp, suite.server.url, suite.technician);
});

after(async () => {
  agent?.close();
  await suite?.teardown();
});

const canvasSel = () => `[data-testid="session-panel"][data-session-id="${sessionId}"] [data-testid="viewer"]`;

/** Waits until the viewer's canvas shows `rgb` (±8 per channel) at each picture pixel. */
async function waitForPixels(expect, { timeout = 10_000 } = {}) {
  await tp.waitForFunction(({ sel, expect: want }) => {
    const c = document.querySelector(sel);
    if (!c || c.width < 2) return false;
    const ctx = c.getContext('2d');
    return want.every(({ x, y, rgb }) => {
      const d = ctx.getImageData(x, y, 1, 1).data;
      return Math.abs(d[0] - rgb[0]) <= 8 && Math.abs(d[1] - rgb[1]) <= 8 && Math.abs(d[2] - rgb[2]) <= 8;
    });
  }, { sel: canvasSel(), expect }, { timeout });
}

async function pixel(x, y, sel = canvasSel()) {
  return tp.evaluate(({ s, x: px, y: py }) => [...document.querySelector(s).getContext('2d').getImageData(px, py, 1, 1).data], { s: sel, x, y });
}

/** Where on the page picture pixel (x, y) is shown, as a position inside the canvas element. */
async function positionOf(x, y) {
  const box = await tp.locator(canvasSel()).evaluate((c) => {
    const r = c.getBoundingClientRect();
    return { w: r.width, h: r.height, W: c.width, H: c.height };
  });
  return { x: ((x + 0.5) * box.w) / box.W, y: ((y + 0.5) * box.h) / box.H };
}

const flow = () => panel.getByTestId('access-flow');
const flowAt = (step) => panel.locator(`[data-testid="access-flow"][data-step="${step}"]`);

test('remote control: guided flow, download, consent, live picture and input', async () => {
  const started = await startSession(tp);
  ({ panel, sessionId } = started);
  ({ cp, custWatch } = await joinAsCustomer(suite.browser, started.joinLink, panel, 'Alex Customer'));

  // The toolbar offers both kinds of access; nothing is pending.
  const toolbar = panel.getByTestId('access-toolbar');
  await toolbar.waitFor();
  assert.equal(await panel.getByTestId('request-control').textContent(), 'REMOTE CONTROL');
  assert.ok(await panel.getByTestId('request-view').isVisible());
  assert.ok(await panel.getByTestId('cancel-request').isHidden());
  assert.ok(await panel.getByTestId('viewer-area').isHidden());

  await panel.getByTestId('request-control').click();
  await flowAt('request_sent').waitFor();
  assert.match(await flow().textContent(), /Request sent.*Download started.*App connected.*Waiting for the customer.s consent.*Active/s);
  assert.equal(await panel.getByTestId('access-flow-hint').textContent(), 'Ask the customer to click DOWNLOAD APPLICATION in their chat');
  assert.equal(await flow().locator('[aria-current="step"]').textContent(), 'Request sent');
  assert.ok(await panel.getByTestId('cancel-request').isVisible(), 'a pending request can be withdrawn');
  assert.ok(await panel.getByTestId('request-control').isHidden());
  await panel.getByTestId('messages').getByText('You asked for remote control').waitFor();

  // The customer's card: what to do, with the download.
  const card = cp.getByTestId('access-request');
  await card.waitFor();
  assert.equal(await card.locator('h2').textContent(), 'Dana Tech asks to see and control your screen');
  assert.match(await card.textContent(), /Click DOWNLOAD APPLICATION.*Open the downloaded program/s);
  const link = cp.getByTestId('download-app');
  assert.equal(await link.textContent(), 'DOWNLOAD APPLICATION');
  assert.match(await link.getAttribute('href'), /\/api\/v1\/app\/download\?ticket=/);
  await cp.getByTestId('request-linux').filter({ hasText: 'chmod +x tether-support && ./tether-support' }).waitFor();
  assert.ok(await cp.getByTestId('request-unsupported').isHidden());
  await cp.getByTestId('messages').getByText('Dana Tech asks to see and control your screen').waitFor();
  await screenshot(cp, 'customer-access-request');
  await screenshot(tp, 'console-flow-request-sent');

  const [download] = await Promise.all([cp.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), 'tether-support');
  const bytes = await readFile(await download.path());
  assert.ok(bytes.subarray(0, FAKE_APP.length).equals(FAKE_APP), 'the app comes first, the configuration after it');
  await flowAt('download_started').waitFor();
  assert.equal(await panel.getByTestId('access-flow-hint').textContent(), 'Ask the customer to run the downloaded program');
  assert.equal(await flow().locator('[data-state="done"]').count(), 1);

  // The app starts: it joins by itself with the ticket from its own file.
  agent = await FakeAgent.fromDownload(bytes, {
    picture: (a, monitor) => (monitor === 2
      ? [a.keyframe(2, 800, 600, solid(800, 600, SECOND))]
      : [a.keyframe(1, 1280, 720, quadrants(1280, 720))]),
  });
  await agent.connect({ monitors: TWO_MONITORS });
  const welcome = await agent.next('welcome');
  assert.equal(welcome.technician, 'Dana Tech');
  const ask = await agent.next('request');
  assert.equal(ask.access, 'control');
  await flowAt('awaiting_consent').waitFor();
  assert.equal(await flow().locator('[aria-current="step"]').textContent(), "Waiting for the customer's consent");
  assert.equal(await panel.getByTestId('access-flow-hint').textContent(), 'Waiting for the customer to click Allow');
  await cp.getByTestId('request-answer').filter({ hasText: 'Please answer the question in the Tether window on your screen (Allow or Deny).' }).waitFor();
  assert.ok(await cp.getByTestId('download-app').isHidden(), 'no second download once the app runs');
  await panel.getByTestId('messages').getByText('The support app connected (fake-pc)').waitFor();
  assert.ok(await panel.getByTestId('viewer-area').isHidden(), 'nothing to see before the customer allows');

  // Allowed in the app: the picture arrives.
  agent.consent(ask.request_id, true);
  const grant = await agent.next('grant');
  assert.equal(grant.access, 'control');
  await flowAt('active').waitFor();
  assert.equal(await flow().locator('[aria-current="step"]').textContent(), 'Active');
  await panel.getByTestId('viewer-area').waitFor();
  await waitForPixels([
    { x: 320, y: 180, rgb: COLORS.topLeft },
    { x: 960, y: 180, rgb: COLORS.topRight },
    { x: 320, y: 540, rgb: COLORS.bottomLeft },
    { x: 960, y: 540, rgb: COLORS.bottomRight },
    { x: 640, y: 360, rgb: COLORS.centre },
  ]);
  const canvas = tp.locator(canvasSel());
  assert.deepEqual(await canvas.evaluate((c) => [c.width, c.height, c.tabIndex]), [1280, 720, 0]);
  await panel.getByTestId('viewer-status').filter({ hasText: /^Remote control · 1280 × 720 · \d+ fps$/ }).waitFor();
  assert.ok(await panel.getByTestId('stop-viewing').isVisible());
  assert.ok(await panel.getByTestId('ctrl-alt-del').isVisible());
  assert.ok(await panel.getByTestId('request-control-bar').isHidden(), 'no "request control" bar under a control grant');
  await cp.getByTestId('sharing-notice').filter({ hasText: 'Dana Tech can see and control your screen' }).waitFor();
  assert.ok(await cp.getByTestId('access-request').isHidden());
  assert.ok(await cp.getByTestId('end-session').isVisible(), 'End session stays visible');
  await cp.getByTestId('messages').getByText('You allowed remote control').waitFor();
  await panel.getByTestId('messages').getByText('Alex Customer allowed remote control').waitFor();
  await screenshot(cp, 'customer-sharing-notice');
  await screenshot(tp, 'console-viewer-fake');

  // Fit to window (default) scales the picture; 1:1 shows it at its size with
  // scrollbars. The app is told the size the picture is shown at, so that it
  // need not code video larger.
  const cssWidth = () => canvas.evaluate((c) => c.getBoundingClientRect().width);
  const shownSize = () => canvas.evaluate((c) => {
    const r = c.getBoundingClientRect();
    return [Math.round(r.width * devicePixelRatio), Math.round(r.height * devicePixelRatio)];
  });
  const viewSaid = async (size) => {
    await agent.until(() => agent.received.some((f) => f.type === 'view' && f.width === size[0] && f.height === size[1]), { what: `the viewer's size ${size}` });
    const said = agent.received.filter((f) => f.type === 'view').at(-1);
    assert.deepEqual([said.epoch, said.width, said.height], [grant.epoch, ...size]);
  };
  assert.ok((await cssWidth()) < 1280, 'fit: scaled down into the viewer');
  const fitted = await shownSize();
  await viewSaid(fitted);
  await panel.getByTestId('viewer-fit').click();
  assert.equal(Math.round(await cssWidth()), 1280);
  await viewSaid([1280, 720]);
  assert.ok(await panel.locator('.viewer-scroll').evaluate((el) => el.scrollWidth > el.clientWidth), '1:1 scrolls');
  await panel.getByTestId('viewer-fit').click();
  assert.ok((await cssWidth()) < 1280);
  await viewSaid(fitted);

  // Delta frames change only their tiles; a gap makes the viewer wait for a keyframe.
  await agent.until(() => agent.received.some((f) => f.type === 'refresh'), { what: 'the viewer asking for a picture' });
  await tp.waitForFunction(({ sel, n }) => document.querySelector(sel)?.dataset.frame === String(n), { sel: canvasSel(), n: agent.frameNo });
  agent.sendFrame(agent.delta(1, 1280, 720, [{ x: 10, y: 10, w: 20, h: 20, rgba: solid(20, 20, BLACK) }]));
  await waitForPixels([{ x: 15, y: 15, rgb: BLACK }, { x: 35, y: 15, rgb: COLORS.topLeft }]);
  agent.autoRefresh = false;
  const mark = agent.received.length;
  agent.sendFrame(agent.delta(1, 1280, 720, [{ x: 300, y: 300, w: 20, h: 20, rgba: solid(20, 20, BLACK) }], agent.frameNo + 2));
  agent.sendFrame(agent.delta(1, 1280, 720, [{ x: 400, y: 100, w: 20, h: 20, rgba: solid(20, 20, BLACK) }]));
  const refresh = await agent.next('refresh', { since: mark });
  assert.equal(refresh.epoch, grant.epoch);
  await tp.waitForFunction(({ sel, n }) => Number(document.querySelector(sel)?.dataset.frame) < n, { sel: canvasSel(), n: agent.frameNo });
  assert.deepEqual((await pixel(305, 305)).slice(0, 3), COLORS.topLeft, 'a frame after a gap is not applied');
  assert.deepEqual((await pixel(405, 105)).slice(0, 3), COLORS.topLeft, 'nor any until a keyframe');
  agent.autoRefresh = true;
  agent.sendPicture();
  await waitForPixels([{ x: 15, y: 15, rgb: COLORS.topLeft }]);
  agent.sendFrame(agent.delta(1, 1280, 720, [{ x: 600, y: 600, w: 10, h: 10, rgba: solid(10, 10, BLACK) }]));
  await waitForPixels([{ x: 605, y: 605, rgb: BLACK }]);

  // A frame whose compressed pixels are damaged is not shown: the viewer
  // asks for a whole picture, and the page reports no error.
  agent.autoRefresh = false;
  const beforeDamage = agent.received.length;
  const damaged = agent.delta(1, 1280, 720, [{ x: 100, y: 400, w: 20, h: 20, rgba: solid(20, 20, BLACK) }]);
  damaged[18 + 8] = 0x07; // the first DEFLATE block: final, of the reserved type 3
  agent.sendFrame(damaged);
  const afterDamage = await agent.next('refresh', { since: beforeDamage });
  assert.equal(afterDamage.epoch, grant.epoch);
  assert.deepEqual((await pixel(105, 405)).slice(0, 3), COLORS.bottomLeft, 'nothing of the damaged frame is shown');
  agent.autoRefresh = true;
  agent.sendPicture();
  await waitForPixels([{ x: 605, y: 605, rgb: COLORS.bottomLeft }]);
  agent.sendFrame(agent.delta(1, 1280, 720, [{ x: 100, y: 400, w: 20, h: 20, rgba: solid(20, 20, BLACK) }]));
  await waitForPixels([{ x: 105, y: 405, rgb: BLACK }]);

  // The customer's cursor, drawn on the overlay from type-2 frames.
  const magenta = solid(8, 8, [255, 0, 255]);
  agent.sendFrame(cursorFrame({ x: 500, y: 200, image: { w: 8, h: 8, hotX: 2, hotY: 2, rgba: magenta } }));
  const overlayPixel = (x, y) => tp.evaluate(({ sel, x: px, y: py }) => [...document.querySelector(sel).parentElement.querySelector('[data-testid="viewer-cursor"]').getContext('2d').getImageData(px, py, 1, 1).data], { sel: canvasSel(), x, y });
  await tp.waitForFunction((sel) => document.querySelector(sel).parentElement.querySelector('[data-testid="viewer-cursor"]').dataset.x === '500', canvasSel());
  assert.deepEqual(await overlayPixel(500, 200), [255, 0, 255, 255]);
  agent.sendFrame(cursorFrame({ x: 700, y: 250 }));
  await tp.waitForFunction((sel) => document.querySelector(sel).parentElement.querySelector('[data-testid="viewer-cursor"]').dataset.x === '700', canvasSel());
  assert.deepEqual(await overlayPixel(700, 250), [255, 0, 255, 255]);
  assert.equal((await overlayPixel(500, 200))[3], 0, 'the old cursor is gone');

  // Input: a click lands on the picture pixel under the mouse.
  const at = await positionOf(100, 120);
  await canvas.click({ position: at });
  await agent.until(() => agent.inputs.some((e) => e.t === 'button' && e.button === 'left' && e.down === false), { what: 'a left click' });
  const downAt = agent.inputs.findIndex((e) => e.t === 'button' && e.down);
  const move = agent.inputs.slice(0, downAt).reverse().find((e) => e.t === 'move');
  assert.ok(Math.abs(move.x - 100) <= 1 && Math.abs(move.y - 120) <= 1, `clicked at ${move.x},${move.y}`);
  assert.ok(agent.inputs.every((e) => e.epoch === grant.epoch), 'input carries the grant epoch');
  assert.ok(agent.received.some((f) => f.type === 'input' && f.events.length > 1), 'events are batched');
  assert.equal(await tp.evaluate(() => document.activeElement?.dataset.testid), 'viewer', 'a click focuses the viewer');

  // Typing: characters as text (layout-independent), other keys by code.
  agent.inputs.length = 0;
  await typeGerman(tp, 'Grüße');
  await agent.until(() => agent.inputs.filter((e) => e.t === 'text').map((e) => e.text).join('') === 'Grüße', { what: 'Grüße' });
  assert.deepEqual(agent.inputs.filter((e) => e.t === 'key').map((e) => `${e.code}:${e.down}`), ['ShiftLeft:true', 'ShiftLeft:false']);
  agent.inputs.length = 0;
  await tp.keyboard.press('Enter');
  await tp.keyboard.press('Control+a');
  await tp.keyboard.press('F5');
  await agent.until(() => agent.inputs.some((e) => e.code === 'F5' && e.down === false), { what: 'F5' });
  assert.deepEqual(agent.inputs.map((e) => `${e.t}:${e.code}:${e.down}`), [
    'key:Enter:true', 'key:Enter:false',
    'key:ControlLeft:true', 'key:KeyA:true', 'key:KeyA:false', 'key:ControlLeft:false',
    'key:F5:true', 'key:F5:false',
  ]);
  assert.equal(await tp.evaluate(() => location.pathname), '/console', 'F5 went to the customer, not to this page');

  // A key goes out at once, without waiting for the next animation frame
  // (pointer moves do wait, to be gathered): pressed right after one frame,
  // it is on the socket before the page's next task.
  const sentAtOnce = await tp.evaluate(async (sel) => {
    const viewer = document.querySelector(sel);
    const send = WebSocket.prototype.send;
    let inputs = 0;
    WebSocket.prototype.send = function counted(data) {
      if (typeof data === 'string' && JSON.parse(data).type === 'input') inputs += 1;
      return send.call(this, data);
    };
    try {
      await new Promise((r) => { requestAnimationFrame(r); });
      viewer.dispatchEvent(new KeyboardEvent('keydown', { key: 'F6', code: 'F6', bubbles: true }));
      viewer.dispatchEvent(new KeyboardEvent('keyup', { key: 'F6', code: 'F6', bubbles: true }));
      await Promise.resolve();
      return inputs;
    } finally {
      WebSocket.prototype.send = send;
    }
  }, canvasSel());
  assert.equal(sentAtOnce, 1, 'F6 down and up went out in one input frame before the next animation frame');
  await agent.until(() => agent.inputs.some((e) => e.code === 'F6' && e.down === false), { what: 'F6' });

  // Wheel in notches, the right button without a context menu here, Ctrl+Alt+Del.
  agent.inputs.length = 0;
  await tp.evaluate(() => {
    window.__menus = 0;
    document.addEventListener('contextmenu', (e) => {
      if (!e.defaultPrevented) window.__menus += 1;
    });
  });
  const mid = await canvas.boundingBox();
  await tp.mouse.move(mid.x + mid.width / 2, mid.y + mid.height / 2);
  await tp.mouse.wheel(0, 100);
  await tp.mouse.wheel(0, -100);
  await canvas.click({ position: await positionOf(640, 360), button: 'right' });
  await agent.until(() => agent.inputs.some((e) => e.t === 'button' && e.button === 'right' && !e.down), { what: 'a right click' });
  assert.deepEqual(agent.inputs.filter((e) => e.t === 'wheel').map((e) => e.dy), [1, -1]);
  assert.equal(await tp.evaluate(() => window.__menus), 0, 'no context menu in the console');
  await panel.getByTestId('ctrl-alt-del').click();
  await agent.until(() => agent.inputs.some((e) => e.t === 'ctrl_alt_del'), { what: 'Ctrl+Alt+Del' });

  // Two monitors: the selector switches the picture (and the canvas size).
  const select = panel.getByTestId('monitor-select');
  await select.waitFor();
  assert.deepEqual(await select.locator('option').allTextContents(), ['Virtual-1 (main)', 'HDMI-1']);
  await select.selectOption('2');
  const pick = await agent.next('select_monitor');
  assert.deepEqual([pick.monitor, pick.epoch], [2, grant.epoch]);
  await tp.waitForFunction((sel) => document.querySelector(sel).width === 800, canvasSel());
  await waitForPixels([{ x: 400, y: 300, rgb: SECOND }]);
  await panel.getByTestId('viewer-status').filter({ hasText: '800 × 600' }).waitFor();
  await select.selectOption('1');
  await waitForPixels([{ x: 320, y: 180, rgb: COLORS.topLeft }]);
  techWatch.check();
  custWatch.check();
});

test('Stop screen sharing on the customer page stops the viewer at once', async (t) => {
  const canvas = tp.locator(canvasSel());
  const elapsed = await stopSharingTimed(tp, cp, sessionId);
  assert.ok(elapsed >= 0 && elapsed < 250, `the viewer stopped ${elapsed} ms after the click`);
  t.diagnostic(`the console's viewer stopped ${elapsed} ms after the click`);
  await panel.getByTestId('access-notice').filter({ hasText: 'The customer stopped screen sharing' }).waitFor();
  await cp.getByTestId('sharing-notice').waitFor({ state: 'hidden' });
  await cp.getByTestId('messages').getByText('You stopped screen sharing').waitFor();
  const revoke = await agent.next('revoke');
  assert.ok(revoke.epoch > 0);
  assert.ok(await canvas.isHidden());
  assert.ok(await panel.getByTestId('request-control').isVisible(), 'the technician may ask again');
  assert.ok(await panel.getByTestId('stop-viewing').isHidden());
});

test('screen view is view-only; asking for control; a denial; the technician stops; a withdrawn request', async () => {
  agent.inputs.length = 0;
  await panel.getByTestId('request-view').click();
  const ask = await agent.next('request');
  assert.equal(ask.access, 'view');
  await flowAt('awaiting_consent').waitFor();
  assert.equal(await flow().locator('[data-state="done"]').count(), 3, 'with the app running, the request goes straight to consent');
  assert.equal(await cp.getByTestId('access-request').locator('h2').textContent(), 'Dana Tech asks to see your screen');
  agent.consent(ask.request_id, true);
  const grant = await agent.next('grant');
  assert.equal(grant.access, 'view');
  await waitForPixels([{ x: 960, y: 540, rgb: COLORS.bottomRight }]);
  await panel.getByTestId('viewer-status').filter({ hasText: /^Viewing · / }).waitFor();
  await cp.getByTestId('sharing-notice').filter({ hasText: 'Dana Tech can see your screen' }).waitFor();
  assert.ok(await panel.getByTestId('ctrl-alt-del').isHidden(), 'no Ctrl+Alt+Del without control');
  const bar = panel.getByTestId('request-control-bar');
  assert.equal(await bar.textContent(), 'Click to request remote control');

  // Nothing the technician does on a view-only picture is sent.
  const canvas = tp.locator(canvasSel());
  const inputFrames = () => agent.received.filter((f) => f.type === 'input').length;
  const before = inputFrames();
  await canvas.click({ position: await positionOf(200, 200) });
  await tp.keyboard.type('abc');
  await tp.mouse.wheel(0, 100);
  await screenshot(tp, 'console-viewer-view-only');

  // "Click to request remote control" asks for control on top of the view.
  await bar.click();
  const upgrade = await agent.next('request');
  assert.equal(upgrade.access, 'control');
  assert.equal(inputFrames(), before, 'no input left the console under a view-only grant');
  assert.equal(agent.inputs.length, 0);
  await flowAt('awaiting_consent').waitFor();
  assert.ok(await panel.getByTestId('viewer-area').isVisible(), 'the view goes on while control is asked for');

  // Denied in the app: the console says so, in red; the view stays.
  agent.consent(upgrade.request_id, false);
  await flowAt('denied').waitFor();
  const denied = flow().locator('li[data-state="denied"]');
  assert.equal(await denied.textContent(), 'Denied');
  assert.equal(await denied.evaluate((el) => getComputedStyle(el).color), 'rgb(196, 48, 43)');
  assert.equal(await panel.getByTestId('access-flow-hint').textContent(), 'The customer denied the request. You can ask again.');
  await panel.getByTestId('messages').getByText('Alex Customer denied remote control').waitFor();
  await cp.getByTestId('messages').getByText('You denied remote control').waitFor();
  assert.ok(await panel.getByTestId('viewer-area').isVisible());
  await panel.getByTestId('viewer-status').filter({ hasText: /^Viewing/ }).waitFor();
  await screenshot(tp, 'console-flow-denied');

  // The technician stops viewing.
  await panel.getByTestId('stop-viewing').click();
  await panel.getByTestId('viewer-area').waitFor({ state: 'hidden' });
  await agent.next('revoke');
  await cp.getByTestId('sharing-notice').waitFor({ state: 'hidden' });
  await cp.getByTestId('messages').getByText('Your technician stopped viewing your screen').waitFor();
  await panel.getByTestId('messages').getByText('You stopped viewing the screen').waitFor();

  // A request withdrawn before the customer answered.
  await panel.getByTestId('request-control').click();
  await agent.next('request');
  await cp.getByTestId('access-request').waitFor();
  await panel.getByTestId('cancel-request').click();
  await agent.next('cancel');
  await flow().waitFor({ state: 'hidden' });
  await cp.getByTestId('access-request').waitFor({ state: 'hidden' });
  await cp.getByTestId('messages').getByText('Your technician withdrew the request').waitFor();
  assert.ok(await panel.getByTestId('request-control').isVisible());
  techWatch.check();
  custWatch.check();
});

test('on Windows, in German, the card says the app is coming soon instead of offering it', async () => {
  const other = await startSession(tp);
  const ctx = await suite.browser.newContext({
    locale: 'de-DE',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  });
  const wp = await ctx.newPage();
  await wp.goto(other.joinLink);
  await wp.getByTestId('join-submit').click();
  await wp.getByTestId('connection-status').waitFor();
  await other.panel.getByTestId('request-control').click();
  const card = wp.getByTestId('access-request');
  await card.waitFor();
  assert.equal(await card.locator('h2').textContent(), 'Dana Tech möchte Ihren Bildschirm sehen und steuern');
  await wp.getByTestId('request-unsupported').filter({ hasText: 'Die Support-App für Ihr System folgt in Kürze' }).waitFor();
  assert.ok(await wp.getByTestId('download-app').isHidden());
  await wp.getByTestId('messages').getByText('Dana Tech möchte Ihren Bildschirm sehen und steuern').waitFor();
  await screenshot(wp, 'customer-access-request-windows-de');
  await other.panel.getByTestId('end-session').click();
  await other.panel.getByTestId('confirm-end-ok').click();
  await wp.getByTestId('session-ended').waitFor();
  assert.ok(await card.isHidden(), 'no request card in an ended session');
  await ctx.close();
});

test('the support app ends the session: both pages say so', async () => {
  await tp.locator(`[data-testid="session-tab"][data-session-id="${sessionId}"]`).click();
  await panel.getByTestId('request-control').click();
  const ask = await agent.next('request');
  agent.consent(ask.request_id, true);
  await agent.next('grant');
  await waitForPixels([{ x: 320, y: 540, rgb: COLORS.bottomLeft }]);
  agent.endSession();
  await cp.getByTestId('session-ended').filter({ hasText: 'You ended the session' }).waitFor();
  await panel.getByTestId('session-ended').filter({ hasText: 'The customer ended the session' }).waitFor();
  await panel.getByTestId('viewer-area').waitFor({ state: 'hidden' });
  assert.ok(await panel.getByTestId('access-toolbar').isHidden());
  assert.ok(await panel.getByTestId('access-flow').isHidden());
  assert.ok(await cp.getByTestId('sharing-notice').isHidden());
  techWatch.check();
  custWatch.check();
});
