// Test harness for Tether's browser tests: starts the real server binary on a
// fresh data directory, adds users through its CLI, launches the system
// Chromium (never a downloaded one) and saves screenshots to artifacts/.
//
// Environment:
//   TETHER_BIN      server binary (default: <repo>/target/debug/tether)
//   TETHER_WEB_DIR  if set, passed as --web-dir so the server serves web/
//                   from disk instead of the copy built into the binary
//   CHROMIUM_PATH   browser executable (default: /usr/bin/chromium)

import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, link, copyFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const artifactsDir = path.join(here, 'artifacts');
export const tetherBin = process.env.TETHER_BIN || path.join(repoRoot, 'target', 'debug', 'tether');

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** A fresh, empty directory for one test file's server data. */
export async function makeDataDir(prefix = 'tether-browser-') {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export async function removeDir(dir) {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Starts `tether serve` and resolves once it prints
 * `Tether is listening on http://127.0.0.1:<port>`.
 * Returns {url, port, stop(), output()}.
 */
export function startServer({ dataDir, port = 0, extraArgs = [], bin = tetherBin }) {
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, ...extraArgs];
  if (process.env.TETHER_WEB_DIR) args.push('--web-dir', process.env.TETHER_WEB_DIR);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  let log = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const ready = new Promise((resolve, reject) => {
    let stdoutBuf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tether serve did not report listening within ${STARTUP_TIMEOUT_MS} ms:\n${log}`));
    }, STARTUP_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      log += chunk;
      stdoutBuf += chunk;
      const match = stdoutBuf.match(/Tether is listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      if (match) {
        clearTimeout(timer);
        stdoutBuf = '';
        resolve({ url: match[1], port: Number(match[2]) });
      }
    });
    child.stderr.on('data', (chunk) => {
      log += chunk;
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${bin}: ${err.message}`));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`tether serve exited (code ${code}, signal ${signal}) before listening:\n${log}`));
    });
  });

  const waitForOutput = (re, timeoutMs = STARTUP_TIMEOUT_MS) => new Promise((resolve, reject) => {
    const check = () => {
      const match = log.match(re);
      if (!match) return false;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve(match);
      return true;
    };
    const timer = setTimeout(() => {
      child.stdout.off('data', check);
      reject(new Error(`server output never matched ${re}:\n${log}`));
    }, timeoutMs);
    if (!check()) child.stdout.on('data', check);
  });

  return ready.then(({ url, port: actualPort }) => ({
    url,
    port: actualPort,
    output: () => log,
    waitForOutput,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  }));
}

/** Runs `tether user add`, giving the password on standard input. */
export function addUser(dataDir, { email, name, password, admin = false }) {
  const args = ['user', 'add', '--data-dir', dataDir, '--email', email, '--name', name];
  if (admin) args.push('--admin');
  return new Promise((resolve, reject) => {
    const child = spawn(tetherBin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`tether user add exited with ${code}:\n${out}`));
    });
    child.stdin.end(`${password}\n`);
  });
}

/** The system Chromium, headless, with nothing that phones home. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a full-page screenshot as artifacts/<name>.png. */
export async function screenshot(page, name) {
  await mkdir(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
}

/** Signs a technician in on a fresh console page and waits for the console. */
export async function signIn(page, baseUrl, { email, password }) {
  await page.goto(`${baseUrl}/console`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('sign-out').waitFor();
  await page.getByTestId('tab-start').waitFor();
}

/** Starts a session from the Start tab; returns {panel, key, joinLink, sessionId}. */
export async function startSession(page, { requestRemoteControl = false } = {}) {
  await page.getByTestId('tab-start').click();
  const rc = page.getByTestId('request-rc');
  if ((await rc.isChecked()) !== requestRemoteControl) await rc.setChecked(requestRemoteControl);
  const before = await page.getByTestId('session-panel').count();
  await page.getByTestId('start-session').click();
  const panel = page.locator('[data-testid="session-panel"]:visible');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="session-panel"]').length > n, before);
  await panel.getByTestId('join-link').filter({ hasText: '/join/' }).waitFor();
  const key = (await panel.getByTestId('support-key').textContent()).trim();
  const joinLink = (await panel.getByTestId('join-link').textContent()).trim();
  const sessionId = await panel.getAttribute('data-session-id');
  return { panel: page.locator(`[data-testid="session-panel"][data-session-id="${sessionId}"]`), key, joinLink, sessionId };
}

/** Sends a chat message through the composer inside `scope`. */
export async function sendChat(scope, text) {
  const input = scope.getByTestId('chat-input');
  await input.fill(text);
  await input.press('Enter');
}

/** The locator of chat messages in `scope` whose text contains `text`. */
export function messageWith(scope, text) {
  return scope.getByTestId('messages').locator('[data-testid="message"][data-seq]', { hasText: text });
}

/**
 * The server hands out the support app from the folder its own binary is in.
 * For a stand-in app, this puts the server binary (hard-linked, or copied)
 * into a fresh folder beside `files` = {name: bytes}; returns its path.
 */
export async function serverWithApps(dir, files) {
  const bin = path.join(dir, 'tether');
  try {
    await link(tetherBin, bin);
  } catch {
    await copyFile(tetherBin, bin);
  }
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes, { mode: 0o755 });
  return bin;
}

/**
 * Per-file setup: a data dir, a technician account, a server, a browser.
 * `agentFiles` ({name: bytes}) replaces the support apps the server offers
 * for download (by default, the ones built beside the server binary).
 */
export async function setupSuite({ extraArgs = [], agentFiles = null, technician = { email: 'dana@example.test', name: 'Dana Tech', password: 'correct horse battery staple', admin: true } } = {}) {
  const dataDir = await makeDataDir();
  await addUser(dataDir, technician);
  let bin = tetherBin;
  if (agentFiles) {
    const binDir = path.join(dataDir, 'bin');
    await mkdir(binDir);
    bin = await serverWithApps(binDir, agentFiles);
  }
  const server = await startServer({ dataDir, extraArgs, bin });
  const browser = await launchBrowser();
  const suite = {
    dataDir,
    server, // replaced by tests that restart the server; teardown stops the current one
    browser,
    technician,
    async teardown() {
      await browser.close().catch(() => {});
      await suite.server.stop().catch(() => {});
      await removeDir(dataDir);
    },
  };
  return suite;
}

/**
 * Collects what must never happen on a page: uncaught exceptions and
 * Content-Security-Policy refusals. `check()` throws if any occurred.
 */
export function watchPage(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(text)) problems.push(`csp: ${text}`);
  });
  return {
    problems,
    check() {
      if (problems.length) throw new Error(`page problems:\n${problems.join('\n')}`);
    },
  };
}

/**
 * Types `text` as a German keyboard would: every character is a real key
 * press (keydown with its `key` and `code`, then keyup), Shift held for
 * capitals. Playwright's own `keyboard.type` inserts characters that a US
 * layout lacks (ü, ß) as text, without any key event, which a remote-control
 * viewer never sees.
 */
export async function typeGerman(page, text) {
  const cdp = await page.context().newCDPSession(page);
  const codes = { 'ü': 'BracketLeft', 'ö': 'Semicolon', 'ä': 'Quote', 'ß': 'Minus', 'z': 'KeyY', 'y': 'KeyZ' };
  const shift = { key: 'Shift', code: 'ShiftLeft', windowsVirtualKeyCode: 16 };
  for (const ch of text) {
    const lower = ch.toLowerCase();
    const upper = ch !== lower;
    const code = codes[lower] ?? (/^[a-z]$/.test(lower) ? `Key${lower.toUpperCase()}` : '');
    const modifiers = upper ? 8 : 0;
    if (upper) await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...shift, modifiers });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: ch, code, text: ch, unmodifiedText: lower, modifiers });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch, code, modifiers });
    if (upper) await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...shift, modifiers: 0 });
  }
  await cdp.detach();
}

/**
 * Clicks "Stop screen sharing" on the customer's page `cp` and waits for the
 * console `tp` to take the viewer of `sessionId` away. Returns the time from
 * the click to that change in ms, from timestamps taken inside both pages
 * (one machine clock), so neither Playwright's polling nor its round trips
 * count.
 */
export async function stopSharingTimed(tp, cp, sessionId) {
  await cp.evaluate(() => {
    window.__clickedAt = null;
    document.querySelector('[data-testid="stop-sharing"]').addEventListener('click', () => {
      window.__clickedAt = Date.now();
    }, { capture: true, once: true });
  });
  await tp.evaluate((sid) => {
    const area = document.querySelector(`[data-testid="session-panel"][data-session-id="${sid}"] [data-testid="viewer-area"]`);
    window.__stoppedAt = null;
    new MutationObserver((_, obs) => {
      if (area.hidden) {
        window.__stoppedAt = Date.now();
        obs.disconnect();
      }
    }).observe(area, { attributes: true });
  }, sessionId);
  const stopped = tp.waitForFunction(() => window.__stoppedAt !== null, null, { polling: 'raf' });
  await cp.getByTestId('stop-sharing').click();
  await stopped;
  return (await tp.evaluate(() => window.__stoppedAt)) - (await cp.evaluate(() => window.__clickedAt));
}
