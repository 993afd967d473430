// Test harness for Tether's browser tests: starts the real server binary on a
// fresh data directory, adds users through its CLI, launches the system
// Chromium (never a downloaded one) and saves screenshots to artifacts/.
//
// Environment:
//   TETHER_BIN      server binary (default: <repo>/target/debug/tether)
//   TETHER_WEB_DIR  if set, passed as --web-dir so the server serves web/
//                   from disk instead of the copy built into the binary
//   CHROMIUM_PATH   browser executable (default: /usr/bin/chromium)

import { spawn, execFile } from 'node:child_process';
import { chmod, mkdtemp, mkdir, rm, link, copyFile, writeFile, readdir, readFile, watch } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmac } from 'node:crypto';
import { createInflateRaw, inflateRawSync, constants as zlibConstants } from 'node:zlib';
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

/**
 * The customer's page `cp` downloads the support app from its request card
 * into `dir` (its file name after `prefix`) and makes it executable, as a
 * customer would; returns its path.
 */
export async function downloadApp(cp, dir, prefix = '') {
  const [download] = await Promise.all([cp.waitForEvent('download'), cp.getByTestId('download-app').click()]);
  const file = path.join(dir, `${prefix}${download.suggestedFilename()}`);
  await download.saveAs(file);
  await chmod(file, 0o755);
  return file;
}

/** Runs xdotool on X display `display`; resolves with its output (rejects on failure). */
export function xdotool(display, ...args) {
  return new Promise((resolve, reject) => {
    execFile('xdotool', args, { env: { ...process.env, DISPLAY: display }, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`xdotool ${args.join(' ')}: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
  });
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
 * A customer joins through `joinLink` in a context of its own (English, a
 * 1024×800 window, downloads allowed) under `name`, and is connected: its
 * page says so and so does the technician's session `panel`. Returns
 * {cust (the context), cp (the page), custWatch (watchPage of it)}.
 */
export async function joinAsCustomer(browser, joinLink, panel, name) {
  const cust = await browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 800 }, acceptDownloads: true });
  const cp = await cust.newPage();
  const custWatch = watchPage(cp);
  await cp.goto(joinLink);
  await cp.getByTestId('join-name').fill(name);
  await cp.getByTestId('join-submit').click();
  await cp.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor();
  await panel.getByTestId('session-status').filter({ hasText: 'Customer connected' }).waitFor();
  return { cust, cp, custWatch };
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

// ---------------------------------------------------------------------------
// Accounts, two-factor sign-in, the admin center (issue 4)

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decodes RFC 4648 Base32 (spaces and padding ignored). */
export function base32Decode(text) {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const idx = BASE32.indexOf(ch);
    if (idx < 0) throw new Error(`not Base32: ${ch}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/**
 * The RFC 6238 code an authenticator app shows for `secret` (Base32) at
 * `atMs`: HMAC-SHA1 over the 30-second step, dynamic truncation, 6 digits.
 */
export function totpCode(secret, atMs = Date.now()) {
  const step = Math.floor(atMs / 1000 / 30);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}

/** Fills in and submits the e-mail/password step of the sign-in card on `page`. */
export async function submitPassword(page, { email, password }) {
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Signs in to the admin center at /admin and waits for the accounts table. */
export async function signInAdmin(page, baseUrl, creds) {
  await page.goto(`${baseUrl}/admin`);
  await submitPassword(page, creds);
  await page.getByTestId('accounts-table').waitFor();
}

/**
 * A JSON client of the server's API signed in as one account, for the steps
 * a test needs but does not test. `call(method, path, body)` resolves with
 * {status, body}.
 */
export async function apiAs(baseUrl, { email, password }) {
  const call = async (method, path, body, token) => {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };
  const login = await call('POST', '/api/v1/auth/login', { email, password });
  if (login.status !== 200 || !login.body?.token) throw new Error(`sign-in of ${email} failed: ${login.status} ${JSON.stringify(login.body)}`);
  const token = login.body.token;
  return { token, call: (method, path, body) => call(method, path, body, token) };
}

/**
 * Creates an account through the admin API and sets its password through
 * the one-time link, as the person would; returns the User.
 */
export async function createAccount(admin, { email, name, password, role = 'technician', group_id = null }) {
  const created = await admin.call('POST', '/api/v1/admin/users', { email, name, role, group_id });
  if (created.status !== 201) throw new Error(`create ${email}: ${created.status} ${JSON.stringify(created.body)}`);
  const token = new URL(created.body.link).searchParams.get('token');
  const base = new URL(created.body.link).origin;
  const res = await fetch(`${base}/api/v1/auth/reset`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, password }),
  });
  if (res.status !== 204) throw new Error(`set password of ${email}: ${res.status} ${await res.text()}`);
  return created.body.user;
}

// ---------------------------------------------------------------------------
// Messaging: a real SMTP server and a stand-in SMS gateway on loopback

/**
 * Starts `smtp-sink.py` (Debian's python3-aiosmtpd) on a free loopback port.
 * Returns {port, dir, messages(), waitForMessage(pred), stop()}; a message is
 * what the sink decoded ({subject, text, html, rcpt_tos, …}) plus `eml`, the
 * raw message as it arrived.
 */
export async function startSmtpSink(dir) {
  await mkdir(dir, { recursive: true });
  const python = process.env.SMTP_PYTHON || '/usr/bin/python3';
  const child = spawn(python, [path.join(here, 'smtp-sink.py'), dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  const port = await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      log += chunk;
      const m = log.match(/SMTP listening on 127\.0\.0\.1:(\d+)/);
      if (m) resolve(Number(m[1]));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`smtp-sink exited (${code}):\n${log}`)));
  });
  const messages = async () => {
    const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    return Promise.all(names.map(async (n) => ({
      ...JSON.parse(await readFile(path.join(dir, n), 'utf8')),
      eml: await readFile(path.join(dir, n.replace(/\.json$/, '.eml')), 'utf8'),
    })));
  };
  return {
    port,
    dir,
    messages,
    /** Resolves with the first message `pred` accepts, watching the folder. */
    async waitForMessage(pred = () => true, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      const ac = new AbortController();
      const watcher = watch(dir, { signal: ac.signal })[Symbol.asyncIterator]();
      // One outstanding next() at a time, so no change is swallowed.
      let change = watcher.next().catch(() => null);
      try {
        for (;;) {
          const found = (await messages()).find(pred);
          if (found) return found;
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`no matching e-mail within ${timeoutMs} ms: ${JSON.stringify(await messages())}`);
          let timer;
          const changed = await Promise.race([change.then(() => true), new Promise((r) => { timer = setTimeout(() => r(false), left); })]);
          clearTimeout(timer);
          if (changed) change = watcher.next().catch(() => null);
        }
      } finally {
        ac.abort();
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A stand-in for Twilio's Messages API on loopback:
 * `POST /2010-04-01/Accounts/{sid}/Messages.json`, form-encoded To/From/Body,
 * HTTP Basic auth. Records every request ({path, auth: [user, password], form});
 * `respond` decides the answer (default: 201 with a message resource).
 */
export async function startFakeTwilio() {
  const requests = [];
  const gateway = {
    requests,
    url: '',
    respond: (req) => ({ status: 201, body: { sid: `SM${String(requests.length).padStart(32, '0')}`, status: 'queued', to: req.form.To, from: req.form.From, body: req.form.Body } }),
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const header = req.headers.authorization || '';
      const auth = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8').split(':') : null;
      const record = {
        method: req.method,
        path: req.url,
        contentType: req.headers['content-type'] || '',
        auth,
        form: Object.fromEntries(new URLSearchParams(raw)),
      };
      requests.push(record);
      const { status, body } = gateway.respond(record);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway.url = `http://127.0.0.1:${server.address().port}`;
  gateway.stop = () => new Promise((resolve) => server.close(resolve));
  return gateway;
}

/**
 * Inflates the compressed part of screen update frames (type 3,
 * docs/protocol.md "Screen frames"), independently of web/viewer.js, given
 * in the order a socket received them: a frame with flag bit 1 continues
 * the sender's DEFLATE stream from its last keyframe. Returns a function
 * of a frame that resolves to the operations and pixels (a Buffer), or to
 * null for frames of other types; results come in the order asked.
 */
export function updateInflater() {
  let stream = null;
  let chain = Promise.resolve();
  const piece = (bytes) => new Promise((resolve, reject) => {
    const chunks = [];
    const onData = (chunk) => chunks.push(chunk);
    stream.on('data', onData);
    stream.once('error', reject);
    stream.write(bytes);
    // The sender flushed the piece; flushing here brings all of it out.
    stream.flush(zlibConstants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', reject);
      resolve(Buffer.concat(chunks));
    });
  });
  return (buf) => {
    const result = chain.then(async () => {
      if (buf.length < 22 || buf[0] !== 3) return null;
      const compressed = buf.readUInt32LE(18);
      if (!(buf[1] & 2)) return inflateRawSync(buf.subarray(22, 22 + compressed));
      const size = buf.readUInt32LE(22);
      if (buf[1] & 1) {
        stream?.destroy();
        stream = createInflateRaw();
      }
      if (!stream) throw new Error(`update ${buf.readUInt32LE(12)} continues a compressed stream never started`);
      const out = await piece(buf.subarray(26, 26 + compressed));
      if (out.length !== size) {
        stream.destroy();
        stream = null;
        throw new Error(`update ${buf.readUInt32LE(12)} inflated to ${out.length} bytes, not ${size}`);
      }
      return out;
    });
    chain = result.catch(() => {});
    return result;
  };
}
