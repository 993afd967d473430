// Benchmark of the technician's real browser as the screen viewer: does the
// console (web/viewer.js in headless Chromium: DecompressionStream for tiles,
// WebCodecs for H.264, canvas drawing) keep up with what the real support app
// sends? `cargo xtask bench screen` decodes with the Rust codec instead, so it
// cannot tell. This starts Xvfb, the release server and two Chromiums (the
// technician's console, measured, and the customer's page), lets the customer
// download and run the real support app, allows remote control in its consent
// window with real key presses, then runs the screen benchmark's scroll, move
// and video workloads and measures, inside the console page and in /proc: updates
// received, frames applied to the canvas, the lag between the two,
// animation frames, long tasks, `refresh` requests and CPU.
// See docs/bench-screen.md, "The real browser as viewer".
//
//   cargo build --release -p tether -p tether-support -p xtask
//   (cd tests/browser && npm ci)
//   node bench/browser-viewer.mjs [--workloads scroll,move,video] [--duration-secs 10]
//                                 [--warmup-secs 2] [--latency-samples 20]
//                                 [--json FILE] [--profile DIR]

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const release = (name) => path.join(repoRoot, 'target', 'release', name);
// The harness starts (and adds users with) TETHER_BIN: the release server here.
process.env.TETHER_BIN ||= release('tether');
// The harness finds playwright-core in tests/browser/node_modules, beside itself.
const { addUser, downloadApp, joinAsCustomer, launchBrowser, signIn, startServer, startSession, tetherBin, updateInflater, xdotool } = await import('../tests/browser/harness.mjs').catch((err) => {
  if (err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  console.error(`browser-viewer: ${err.message}\nrun (cd tests/browser && npm ci)`);
  process.exit(1);
});
const APP_BIN = path.join(path.dirname(tetherBin), 'tether-support');
const XTASK_BIN = release('xtask');

const TECHNICIAN = { email: 'bench@example.test', name: 'Bench Tech', password: 'browser viewer bench password' };
const PROMPT_TITLE = 'Tether – Permission requested';
/** The technician's browser window, as in the browser tests: the picture is scaled to fit. */
const CONSOLE_VIEWPORT = { width: 1366, height: 860 };
const SCREEN = { width: 1920, height: 1080 };
/** The video workload: `xtask bench screen-video`'s defaults, as `cargo xtask bench screen` runs it. */
const VIDEO = { fps: 30, x: 320, y: 180, width: 1280, height: 720 };
/** The move workload: `cargo xtask bench screen`'s, an xterm walked along an ellipse at 60 Hz, 2 s a lap. */
const MOVE = { title: 'tether-bench-move', hz: 60, steps: 120 };
/** The probe `cargo xtask bench screen` clicks: a square that switches colour on every click, away from every workload. */
const PROBE = { x: 1824, y: 984, size: 96 };
/** A click whose answer is not on the canvas within this long counts as missed. */
const CLICK_TIMEOUT_MS = 2000;
/** Frame types that carry pixels (docs/protocol.md, "Screen frames"). */
const PICTURE_TYPES = new Set([1, 3]);
/** Operation kinds of an update frame (type 3), by number. */
const OP_KINDS = ['', 'copy', 'fill', 'raw', 'palette', 'video'];
const SETUP_TIMEOUT_MS = 30_000;
/** How long a frame received in the window may still take to be applied after it. */
const DRAIN_TIMEOUT_MS = 2000;
const STOP_GRACE_MS = 2000;

// ---------------------------------------------------------------------------
// Cleanup: every child is in a process group of its own, ended on success,
// on error and on Ctrl-C; if the process exits before that finished, the
// 'exit' handler kills what is left and removes the temporary folder.

const groups = new Set();
const cleanups = [];
let cleaning = null;

/** Runs the registered cleanups, newest first, once. */
function cleanup() {
  cleaning ||= (async () => {
    for (const step of [...cleanups].reverse()) {
      try {
        await step.run();
      } catch (err) {
        console.error(`cleanup: ${step.what}: ${err.message}`);
      }
      const i = cleanups.indexOf(step);
      if (i >= 0) cleanups.splice(i, 1);
    }
  })();
  return cleaning;
}

/**
 * Registers `run` (async) to undo a step; `sync` (optional) does it at once
 * if the process exits first. Returns a function that forgets it (undone).
 */
function onCleanup(what, run, sync = null) {
  const step = { what, run, sync };
  cleanups.push(step);
  return () => {
    const i = cleanups.indexOf(step);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

// Playwright's own SIGINT handler closes the browsers and exits, maybe
// before cleanup() is through: what is left is done here, synchronously.
process.on('exit', () => {
  for (const group of groups) killGroup(group.pid, 'SIGKILL');
  for (const step of cleanups) step.sync?.();
});
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping`);
    cleanup().finally(() => process.exit(code));
  });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch { /* the group is gone */ }
}

/** Resolves as `promise` does, or rejects with `message` after `ms`. */
async function withTimeout(promise, ms, message) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** An error whose message says it all: shown without a stack. */
function fail(message) {
  return Object.assign(new Error(message), { plain: true });
}

// ---------------------------------------------------------------------------
// Processes

/**
 * Starts `cmd` as the leader of a new process group; keeps the end of its
 * output and hands every stdout line to `onLine`. Resolves once it runs.
 */
async function spawnGroup(name, cmd, argv, { env = {}, onLine = null, fds = [] } = {}) {
  const child = spawn(cmd, argv, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', ...fds],
    env: { ...process.env, ...env },
  });
  const proc = { name, child, pid: child.pid, log: '', exited: null };
  const keep = (chunk) => {
    proc.log = (proc.log + chunk).slice(-16_000);
  };
  child.stderr.setEncoding('utf8').on('data', keep);
  child.stdout.setEncoding('utf8');
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    keep(`${line}\n`);
    onLine?.(line);
  });
  proc.done = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      proc.exited = { code, signal };
      resolve();
    });
  });
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new Error(`cannot start ${name} (${cmd}): ${err.message}; is it installed? (scripts/install-bench-deps.sh)`)));
  });
  groups.add(proc);
  proc.check = () => {
    if (proc.exited) throw new Error(`${name} exited (${JSON.stringify(proc.exited)}); its output ends with:\n${proc.log.slice(-2000)}`);
  };
  proc.stop = async () => {
    if (!proc.exited) {
      killGroup(proc.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(proc.pid, 'SIGKILL'), STOP_GRACE_MS);
      await proc.done;
      clearTimeout(timer);
    }
    killGroup(proc.pid, 'SIGKILL'); // what the leader left behind in its group
    groups.delete(proc);
  };
  return proc;
}

/**
 * Xvfb at 1920×1080×24 on a display it picks itself: it writes the number
 * to fd 3 once it is ready (-displayfd).
 */
async function startXvfb() {
  const proc = await spawnGroup('Xvfb', 'Xvfb', ['-displayfd', '3', '-screen', '0', `${SCREEN.width}x${SCREEN.height}x24`, '-nolisten', 'tcp', '-noreset'], { fds: ['pipe'] });
  let number = null;
  // Killed with SIGKILL at exit, Xvfb leaves its lock and socket behind.
  onCleanup('Xvfb', () => proc.stop(), () => {
    if (number === null || proc.exited) return;
    for (const f of [`/tmp/.X${number}-lock`, `/tmp/.X11-unix/X${number}`]) rmSync(f, { force: true });
  });
  const ready = new Promise((resolve, reject) => {
    let text = '';
    proc.child.stdio[3].setEncoding('utf8').on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(Number(text.trim()));
    });
    proc.done.then(() => reject(new Error(`Xvfb exited before it was ready:\n${proc.log}`)));
  });
  number = await withTimeout(ready, SETUP_TIMEOUT_MS, `Xvfb did not come up within ${SETUP_TIMEOUT_MS} ms`);
  return { display: `:${number}`, proc };
}

// ---------------------------------------------------------------------------
// /proc: process trees and their CPU time

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** A /proc stat file: {name (comm), ppid, ticks (utime + stime)}, or null if it is gone. */
function readStat(file) {
  let stat;
  try {
    stat = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": utime and stime are the 14th and 15th fields.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** Every process: pid → {ppid, ticks}. */
function processTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(`/proc/${name}/stat`);
    if (stat) table.set(Number(name), stat);
  }
  return table;
}

/** The threads of `pid`: tid → {name, ticks}. */
function threadsOf(pid) {
  const threads = new Map();
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch { /* gone */ }
  for (const tid of tids) {
    const stat = readStat(`/proc/${pid}/task/${tid}/stat`);
    if (stat) threads.set(Number(tid), stat);
  }
  return threads;
}

/** `root` and all its descendants in `table`. */
function treeOf(table, root) {
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [pid, { ppid }] of table) if (ppid === tree[i]) tree.push(pid);
  }
  return tree.filter((pid) => table.has(pid));
}

/** Our direct children running `exe` (a path). */
function childrenRunning(exe) {
  const want = path.resolve(exe);
  return [...processTable()].filter(([pid, { ppid }]) => {
    if (ppid !== process.pid) return false;
    try {
      return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '') === want;
    } catch {
      return false;
    }
  }).map(([pid]) => pid);
}

/** Our direct children (pids). */
function ourChildren() {
  return [...processTable()].filter(([, { ppid }]) => ppid === process.pid).map(([pid]) => pid);
}

/** What a Chromium process is, from its command line: browser, renderer, gpu-process, utility (network…), zygote. */
function chromiumRole(pid) {
  try {
    // Chromium rewrites its command line with spaces between the arguments.
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const type = args.find((a) => a.startsWith('--type='))?.slice(7);
    if (!type) return 'browser';
    const sub = args.find((a) => a.startsWith('--utility-sub-type='))?.split('.').at(-1);
    return sub ? `${type}:${sub}` : type;
  } catch {
    return 'gone';
  }
}

/**
 * CPU time now of every process tree in `roots` ({name: pid}) and of the
 * whole machine; the processes of the trees named in `chromium` are also
 * counted by role and by thread.
 */
function cpuSample(roots, chromium = []) {
  const table = processTable();
  const trees = {};
  for (const [name, root] of Object.entries(roots)) {
    const detailed = chromium.includes(name);
    trees[name] = new Map(treeOf(table, root).map((pid) => [pid, {
      ticks: table.get(pid).ticks,
      role: detailed ? chromiumRole(pid) : null,
      threads: detailed ? threadsOf(pid) : null,
    }]));
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
  const machine = cpu.slice(0, 8).reduce((a, b) => a + b, 0) - cpu[3] - cpu[4];
  return { at: performance.now(), trees, machine };
}

/**
 * CPU between two samples in % of one core: per tree, the machine's, and
 * for the detailed trees per process role and per "role/thread name"
 * (threads of one name summed). A process or thread that started in
 * between counts from zero; one that ended in between is lost.
 */
function cpuBetween(before, after) {
  const seconds = (after.at - before.at) / 1000;
  const pct = (ticks) => (ticks / CLOCK_TICKS / seconds) * 100;
  const add = (map, key, ticks) => map.set(key, (map.get(key) ?? 0) + ticks);
  const trees = {};
  const roles = {};
  const threads = {};
  for (const [name, procs] of Object.entries(after.trees)) {
    let ticks = 0;
    const byRole = new Map();
    const byThread = new Map();
    for (const [pid, now] of procs) {
      const then = before.trees[name]?.get(pid);
      ticks += now.ticks - (then?.ticks ?? 0);
      if (!now.role) continue;
      add(byRole, now.role, now.ticks - (then?.ticks ?? 0));
      for (const [tid, t] of now.threads) add(byThread, `${now.role}/${t.name}`, t.ticks - (then?.threads.get(tid)?.ticks ?? 0));
    }
    trees[name] = pct(ticks);
    const percents = (map) => Object.fromEntries([...map].map(([k, v]) => [k, pct(v)]).sort((a, b) => b[1] - a[1]));
    if (byRole.size) {
      roles[name] = percents(byRole);
      threads[name] = percents(byThread);
    }
  }
  return { trees, roles, threads, machine: pct(after.machine - before.machine) };
}

// ---------------------------------------------------------------------------
// Inside the console page (these functions run in the page, not here)

/**
 * Installed before the console's scripts run: notes the time and frame
 * number of every picture frame the session WebSocket receives (a listener
 * added in the constructor runs before the page's own `onmessage`), and
 * every long task. A benchmark hook; the product has none.
 */
function instrumentPage() {
  const bench = { received: [], applied: [], longTasks: [], ticks: null };
  Object.defineProperty(window, '__tetherBench', { value: bench });
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      if (!/\/api\/v1\/sessions\/[^/]+\/ws/.test(String(url))) return;
      this.addEventListener('message', (m) => {
        const at = performance.now();
        if (!(m.data instanceof ArrayBuffer) || m.data.byteLength < 16) return;
        const view = new DataView(m.data);
        const type = view.getUint8(0);
        if (type === 1 || type === 3) bench.received.push(at, view.getUint32(12, true));
      });
    }
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longTasks.push(e.startTime, e.duration);
  }).observe({ type: 'longtask', buffered: true });
}

/** Notes the time and frame number of every frame the viewer applies (it sets `data-frame` on its canvas for each). */
function observeCanvas(sel) {
  const bench = window.__tetherBench;
  const canvas = document.querySelector(sel);
  new MutationObserver((records) => {
    const at = performance.now();
    // A record has the value before its change: the next record's old value, or the current one.
    records.forEach((r, i) => {
      const value = i + 1 < records.length ? records[i + 1].oldValue : canvas.getAttribute('data-frame');
      bench.applied.push(at, Number(value));
    });
  }).observe(canvas, { attributes: true, attributeFilter: ['data-frame'], attributeOldValue: true });
}

/**
 * Arms the next click's timing: from the `pointerdown` the canvas gets until a
 * frame applied to the canvas changes the pixel at picture (x, y). The
 * result (ms, or null when not seen within `timeout`) is awaited with
 * `clickAnswered`.
 */
function armClick({ sel, x, y, timeout }) {
  const canvas = document.querySelector(sel);
  const ctx = canvas.getContext('2d');
  const colour = () => ctx.getImageData(x, y, 1, 1).data.slice(0, 3).join();
  const before = colour();
  window.__tetherBench.click = new Promise((resolve) => {
    let downAt = null;
    const down = () => {
      downAt = performance.now();
    };
    const observer = new MutationObserver(() => {
      if (downAt !== null && colour() !== before) done(performance.now() - downAt);
    });
    const timer = setTimeout(() => done(null), timeout);
    function done(ms) {
      observer.disconnect();
      clearTimeout(timer);
      canvas.removeEventListener('pointerdown', down, { capture: true });
      resolve(ms);
    }
    canvas.addEventListener('pointerdown', down, { capture: true, once: true });
    observer.observe(canvas, { attributes: true, attributeFilter: ['data-frame'] });
  });
}

function clickAnswered() {
  return window.__tetherBench.click;
}

/** Where picture pixel (x, y) is on the page, in CSS pixels (the canvas is scaled to fit). */
function pagePoint({ sel, x, y }) {
  const canvas = document.querySelector(sel);
  const r = canvas.getBoundingClientRect();
  return { x: r.left + ((x + 0.5) * r.width) / canvas.width, y: r.top + ((y + 0.5) * r.height) / canvas.height };
}

/** Notes every animation frame with the canvas's frame number then, until `stopTicks`. */
function startTicks(sel) {
  const bench = window.__tetherBench;
  const canvas = document.querySelector(sel);
  const ticks = { at: [], running: true };
  bench.ticks = ticks;
  const tick = () => {
    if (!ticks.running) return;
    ticks.at.push(performance.now(), Number(canvas.dataset.frame));
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function stopTicks() {
  window.__tetherBench.ticks.running = false;
}

/** The page's figures for the window t0..t1 (performance.now()). */
function pageFigures({ t0, t1 }) {
  const bench = window.__tetherBench;
  const pairs = (list) => {
    const out = [];
    for (let i = 0; i < list.length; i += 2) out.push([list[i], list[i + 1]]);
    return out;
  };
  const inside = ([at]) => at >= t0 && at <= t1;
  const received = pairs(bench.received);
  const applied = pairs(bench.applied);
  const appliedAt = new Map();
  for (const [at, frame] of applied) if (!appliedAt.has(frame)) appliedAt.set(frame, at);
  const receivedIn = received.filter(inside);
  const lags = [];
  let neverApplied = 0;
  for (const [at, frame] of receivedIn) {
    const shown = appliedAt.get(frame);
    if (shown === undefined) neverApplied += 1;
    else lags.push(shown - at);
  }
  const last = (list) => list.filter(([at]) => at <= t1).at(-1)?.[1] ?? null;
  const lastReceived = last(received);
  const lastApplied = last(applied);
  const ticks = pairs(bench.ticks.at).filter(inside);
  let changes = 0;
  for (let i = 1; i < ticks.length; i += 1) if (ticks[i][1] !== ticks[i - 1][1]) changes += 1;
  let longTaskMs = 0;
  let longTasks = 0;
  for (const [start, duration] of pairs(bench.longTasks)) {
    const overlap = Math.min(t1, start + duration) - Math.max(t0, start);
    if (overlap > 0) {
      longTaskMs += overlap;
      longTasks += 1;
    }
  }
  return {
    received: receivedIn.length,
    applied: applied.filter(inside).length,
    neverApplied,
    lags,
    behindAtEnd: lastReceived === null || lastApplied === null ? null : lastReceived - lastApplied,
    animationFrames: ticks.length,
    changedAnimationFrames: changes,
    longTasks,
    longTaskMs,
  };
}

// ---------------------------------------------------------------------------
// Tether: server, browsers, console, customer, support app

/** launchBrowser(), and the pid of the process tree it started (our new child). */
async function launchTracked(what) {
  const before = new Set(ourChildren());
  const browser = await launchBrowser();
  onCleanup(`${what} browser`, () => browser.close());
  const root = ourChildren().find((pid) => !before.has(pid));
  if (!root) throw new Error(`cannot find the process of the ${what} browser`);
  return { browser, root };
}

/**
 * What an update frame (type 3) asks the viewer to do: operations by kind,
 * and the pixels they set ({copy: {ops, pixels}, …}); read independently
 * of web/viewer.js, from docs/protocol.md, in `ops`: its compressed part
 * inflated (harness `updateInflater`).
 */
function updateOps(buf, ops) {
  const count = buf.readUInt16LE(16);
  const kinds = {};
  let at = 0;
  for (let i = 0; i < count; i += 1) {
    const kind = OP_KINDS[ops[at]] ?? `kind ${ops[at]}`;
    const pixels = ops.readUInt16LE(at + 5) * ops.readUInt16LE(at + 7);
    at += 9 + ({ copy: 4, fill: 3, palette: 1 + 3 * ops[at + 9], video: 5 }[kind] ?? 0);
    kinds[kind] ||= { ops: 0, pixels: 0 };
    kinds[kind].ops += 1;
    kinds[kind].pixels += pixels;
  }
  return kinds;
}

/**
 * Records, on the Node side, the picture frames the console page receives
 * on its session WebSocket (with their operations) and the JSON frames it
 * sends (type only), with Date.now(). Must be called before the page opens
 * its sockets.
 */
function watchSocket(page) {
  const wire = { received: [], sent: [], unshown: [] };
  page.on('websocket', (ws) => {
    if (!/\/api\/v1\/sessions\/[^/]+\/ws/.test(ws.url())) return;
    const inflate = updateInflater();
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string' || payload.length < 16 || !PICTURE_TYPES.has(payload[0])) return;
      const got = { at: Date.now(), frame: payload.readUInt32LE(12), bytes: payload.length, ops: null };
      wire.received.push(got);
      inflate(payload).then(
        (bytes) => {
          got.ops = bytes ? updateOps(payload, bytes) : null;
        },
        () => {
          got.ops = { unreadable: { ops: 1, pixels: 0 } }; // the viewer would have asked for a refresh
        },
      );
    });
    ws.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string') return;
      try {
        wire.sent.push({ at: Date.now(), type: JSON.parse(payload).type });
      } catch { /* not JSON */ }
    });
  });
  return wire;
}

/**
 * Answers the consent window with Allow as a person would with the keyboard
 * (Tab from Deny to Allow, Return), pressing Return again until the console
 * shows the grant: the button ignores keys for its first 600 ms.
 */
async function allowInApp(display, active, app) {
  const [id] = (await xdotool(display, 'search', '--sync', '--onlyvisible', '--name', PROMPT_TITLE)).split('\n').filter(Boolean);
  await xdotool(display, 'windowfocus', '--sync', id, 'key', 'Tab');
  const deadline = Date.now() + SETUP_TIMEOUT_MS;
  for (;;) {
    await xdotool(display, 'windowfocus', '--sync', id, 'key', 'Return');
    if (await active.waitFor({ timeout: 400 }).then(() => true, () => false)) return;
    app.check();
    if (Date.now() > deadline) throw new Error('pressing Allow in the consent window did not grant access');
  }
}

/**
 * Everything up to a console showing the customer's screen under remote
 * control: returns {page, canvasSel, wire, app, roots (process trees to
 * measure: {name: pid}), chromiumVersion}.
 */
async function startTether(display, tmp) {
  const dataDir = path.join(tmp, 'data');
  await mkdir(dataDir);
  await addUser(dataDir, TECHNICIAN);
  const server = await startServer({ dataDir });
  // The harness starts it in our process group: found by its binary, for its CPU and for a kill at exit.
  const serverPids = childrenRunning(tetherBin);
  onCleanup('server', () => server.stop(), () => {
    for (const pid of serverPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch { /* gone */ }
    }
  });
  if (serverPids.length !== 1) throw new Error(`expected one tether serve child process, found ${serverPids.length}`);
  console.error(`server ${server.url}`);

  const technician = await launchTracked('console');
  const customer = await launchTracked('customer');
  const tech = await technician.browser.newContext({ locale: 'en-US', viewport: CONSOLE_VIEWPORT });
  await tech.addInitScript(instrumentPage);
  const page = await tech.newPage();
  const wire = watchSocket(page);
  page.on('pageerror', (err) => console.error(`console page: ${err.message}`));
  // The viewer warns for every frame it could not show (and then asks for a whole picture).
  page.on('console', (msg) => {
    if (msg.text().includes('a screen frame could not be shown')) wire.unshown.push(Date.now());
  });
  await signIn(page, server.url, TECHNICIAN);
  const { panel, joinLink, sessionId } = await startSession(page);
  const canvasSel = `[data-testid="session-panel"][data-session-id="${sessionId}"] [data-testid="viewer"]`;
  const flowAt = (step) => panel.locator(`[data-testid="access-flow"][data-step="${step}"]`);

  const { cp } = await joinAsCustomer(customer.browser, joinLink, panel, 'Bench Customer');

  // Remote control, asked for in the console; the customer downloads the app and runs it.
  await panel.getByTestId('request-control').click();
  await cp.getByTestId('access-request').waitFor();
  const file = await downloadApp(cp, tmp);
  const app = await spawnGroup('support app', file, [], { env: { DISPLAY: display, LANG: 'en_US.UTF-8' } });
  onCleanup('support app', () => app.stop());
  await flowAt('awaiting_consent').waitFor({ timeout: SETUP_TIMEOUT_MS });
  await allowInApp(display, flowAt('active'), app);
  console.error('remote control allowed in the app');

  // The whole screen on the canvas, before anything is measured.
  await page.waitForFunction(({ sel, width, height }) => {
    const c = document.querySelector(sel);
    return c && c.width === width && c.height === height && c.dataset.frame !== undefined;
  }, { sel: canvasSel, ...SCREEN }, { timeout: SETUP_TIMEOUT_MS });
  await page.evaluate(observeCanvas, canvasSel);
  await startProbe(display);
  return {
    page,
    canvasSel,
    wire,
    app,
    roots: { chromium: technician.root, customer: customer.root, app: app.pid, server: serverPids[0] },
    chromiumVersion: technician.browser.version(),
  };
}

/** Starts `xtask bench screen-probe` for the whole run; resolves once it shows. */
async function startProbe(display) {
  let shown;
  const ready = new Promise((resolve) => { shown = resolve; });
  const probe = await spawnGroup('probe', XTASK_BIN, ['bench', 'screen-probe', '--x', PROBE.x, '--y', PROBE.y, '--size', PROBE.size].map(String), {
    env: { DISPLAY: display },
    onLine: (line) => { if (line === 'ready') shown(); },
  });
  onCleanup('probe', () => probe.stop());
  await withTimeout(Promise.race([ready, probe.done.then(() => probe.check())]), SETUP_TIMEOUT_MS, `the probe did not show within ${SETUP_TIMEOUT_MS} ms`);
}

/**
 * Clicks the probe on the console's canvas `samples` times, 100–250 ms
 * apart at random, and times each from the canvas's `pointerdown` until the
 * canvas shows the probe's new colour. Returns the times (ms) and the
 * clicks not answered within CLICK_TIMEOUT_MS.
 */
async function clickLatencies(page, canvasSel, samples) {
  const centre = { x: PROBE.x + PROBE.size / 2, y: PROBE.y + PROBE.size / 2 };
  const times = [];
  let missed = 0;
  for (let i = 0; i < samples; i += 1) {
    await delay(100 + Math.random() * 150);
    await page.evaluate(armClick, { sel: canvasSel, ...centre, timeout: CLICK_TIMEOUT_MS });
    const at = await page.evaluate(pagePoint, { sel: canvasSel, ...centre });
    await page.mouse.click(at.x, at.y);
    const ms = await page.evaluate(clickAnswered);
    if (ms === null) missed += 1;
    else times.push(ms);
  }
  return { times, missed };
}

// ---------------------------------------------------------------------------
// Workloads: those of `cargo xtask bench screen` (xtask/src/bench_screen/workloads.rs)

/**
 * Starts `name` on the display; resolves once it has drawn. Returns
 * {drawn: [[Date.now(), count]…], check(), stop()}; stop() kills its
 * process groups.
 */
async function startWorkload(name, display) {
  const env = { DISPLAY: display };
  const drawn = [];
  let first;
  const firstDrawn = new Promise((resolve) => { first = resolve; });
  // Both counters print `frames N`: the painter after every frame, the
  // damage watcher for every 1/60 s slot in which the screen changed.
  const count = (line) => {
    const m = /^frames (\d+)$/.exec(line);
    if (!m) return;
    drawn.push([Date.now(), Number(m[1])]);
    first();
  };
  const procs = [];
  if (name === 'scroll') {
    procs.push(await spawnGroup('scroll xterm', 'xterm', ['-T', 'tether-bench-scroll', '-geometry', '300x80+0+0', '-e', 'sh', '-c', 'while :; do ls -lR /usr; done'], { env }));
    procs.push(await spawnGroup('damage watcher', XTASK_BIN, ['bench', 'screen-damage', '--hz', '60'], { env, onLine: count }));
  } else if (name === 'move') {
    procs.push(await spawnGroup('move xterm', 'xterm', ['-T', MOVE.title, '-geometry', '100x30+500+250', '-e', 'sh', '-c', 'ls -l /usr/bin | head -n 28; exec sleep 1000000'], { env }));
    const [window] = (await xdotool(display, 'search', '--sync', '--onlyvisible', '--name', MOVE.title)).split('\n').filter(Boolean);
    let laps = 0;
    const lap = (line) => {
      if (line !== 'lap') return;
      laps += 1;
      drawn.push([Date.now(), laps * MOVE.steps]);
      first();
    };
    procs.push(await spawnGroup('mover', 'sh', ['-c', `while :; do xdotool ${movePath(window)} && echo lap; done`], { env, onLine: lap }));
  } else {
    const { fps, x, y, width, height } = VIDEO;
    procs.push(await spawnGroup('video painter', XTASK_BIN, ['bench', 'screen-video', '--fps', fps, '--x', x, '--y', y, '--width', width, '--height', height].map(String), { env, onLine: count }));
  }
  const stopAll = () => Promise.all(procs.map((p) => p.stop()));
  const forget = onCleanup(`${name} workload`, stopAll);
  const check = () => procs.forEach((p) => p.check());
  const exited = Promise.race(procs.map((p) => p.done)).then(() => 'exited');
  const outcome = await withTimeout(Promise.race([firstDrawn.then(() => 'drawn'), exited]), SETUP_TIMEOUT_MS, `the ${name} workload drew nothing within ${SETUP_TIMEOUT_MS} ms`);
  if (outcome === 'exited') check();
  return {
    drawn,
    check,
    async stop() {
      await stopAll();
      forget();
    },
  };
}

/**
 * One lap of the move workload's ellipse as one xdotool command chain, as
 * xtask/src/bench_screen/workloads.rs builds it: `windowmove --sync` and a
 * sleep shortened by the move's round trip, per step.
 */
function movePath(window) {
  const steps = [];
  for (let i = 0; i < MOVE.steps; i += 1) {
    const a = (2 * Math.PI * i) / MOVE.steps;
    const x = Math.round(500 + 400 * Math.cos(a));
    const y = Math.round(250 + 200 * Math.sin(a));
    steps.push(`windowmove --sync ${window} ${x} ${y} sleep ${(1 / MOVE.hz - 0.0007).toFixed(4)}`);
  }
  return steps.join(' ');
}

/** Operations a frame by kind, and megapixels they set a second, over `frames` in `seconds`. */
function opsSummary(frames, seconds) {
  const sum = {};
  for (const f of frames) {
    for (const [kind, { ops, pixels }] of Object.entries(f.ops ?? {})) {
      sum[kind] ||= { ops: 0, pixels: 0 };
      sum[kind].ops += ops;
      sum[kind].pixels += pixels;
    }
  }
  return Object.fromEntries(Object.entries(sum).map(([kind, { ops, pixels }]) => [kind, {
    perFrame: frames.length ? ops / frames.length : 0,
    megapixelsPerSec: pixels / 1e6 / seconds,
  }]));
}

/** The nearest-rank `p`th percentile of `values` (null for none; 100: the largest). */
function percentile(values, p) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Things drawn a second between the first and the last report within from..to (Date.now()). */
function drawnRate(drawn, from, to) {
  const inside = drawn.filter(([at]) => at >= from && at <= to);
  if (inside.length < 2) return null;
  const [a, b] = [inside[0], inside.at(-1)];
  return b[0] > a[0] ? ((b[1] - a[1]) * 1000) / (b[0] - a[0]) : null;
}

// ---------------------------------------------------------------------------
// Where the console's main thread spends its time (--profile)

/** Starts V8's sampling profiler on the page's main thread; resolves with stop(), which resolves with the profile. */
async function startProfile(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    await cdp.detach();
    return profile;
  };
}

/** Self time of a CPU profile by function ("name file:line", or V8's own "(idle)", "(program)", "(garbage collector)"), ms, biggest first. */
function selfTimes(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const ms = new Map();
  profile.samples.forEach((id, i) => {
    const f = nodes.get(id);
    const key = f.url ? `${f.functionName || '(anonymous)'} ${f.url.split('/').at(-1)}:${f.lineNumber + 1}` : f.functionName || '(native)';
    ms.set(key, (ms.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...ms].sort((a, b) => b[1] - a[1]);
}

// ---------------------------------------------------------------------------
// Measuring

/** Runs one workload: warm-up, then the measured window. Returns its row. */
async function measure(name, tether, opts) {
  const { page, canvasSel, wire, app, roots } = tether;
  const workload = await startWorkload(name, tether.display);
  await delay(opts.warmupSecs * 1000);
  workload.check();
  app.check();
  await page.evaluate(startTicks, canvasSel);
  const stopProfile = opts.profile ? await startProfile(page) : null;
  console.error(`${name}: measuring ${opts.durationSecs} s (${busyNote()})`);

  const cpuBefore = cpuSample(roots, ['chromium', 'customer']);
  const driverBefore = process.cpuUsage();
  const from = Date.now();
  const t0 = await page.evaluate(() => performance.now());
  await delay(opts.durationSecs * 1000);
  const t1 = await page.evaluate(() => performance.now());
  const to = Date.now();
  const cpuAfter = cpuSample(roots, ['chromium', 'customer']);
  const driver = process.cpuUsage(driverBefore);
  const profile = await stopProfile?.();
  await page.evaluate(stopTicks);
  workload.check();
  app.check();

  // Frames received in the window may be applied after it: wait for the last one (or give up: it was dropped).
  const lastFrame = wire.received.filter((f) => f.at <= to).at(-1)?.frame;
  if (lastFrame !== undefined) {
    await page.waitForFunction((frame) => window.__tetherBench.applied.at(-1) >= frame, lastFrame, { timeout: DRAIN_TIMEOUT_MS })
      .catch(() => console.error(`${name}: frame ${lastFrame} was not applied within ${DRAIN_TIMEOUT_MS} ms of the window's end`));
  }
  const fig = await page.evaluate(pageFigures, { t0, t1 });
  const clicks = await clickLatencies(page, canvasSel, opts.latencySamples);
  await workload.stop();

  const seconds = (t1 - t0) / 1000;
  const received = wire.received.filter((f) => f.at >= from && f.at <= to);
  const cpu = cpuBetween(cpuBefore, cpuAfter);
  const perSec = (n) => n / seconds;
  // The renderer's main thread keeps the process's name ("chromium"); Chromium names all its other threads.
  const rendererMain = cpu.threads.chromium?.['renderer/chromium'] ?? null;
  return {
    workload: name,
    seconds,
    drawnPerSec: drawnRate(workload.drawn, from, to),
    received: received.length,
    receivedPerSec: perSec(received.length),
    receivedInPage: fig.received,
    mbitPerSec: (received.reduce((s, f) => s + f.bytes, 0) * 8) / 1e6 / seconds,
    operations: opsSummary(received, seconds),
    appliedPerAnimationFramePerSec: perSec(fig.changedAnimationFrames),
    distinctApplied: fig.applied,
    distinctAppliedPerSec: perSec(fig.applied),
    appliedPct: fig.received ? ((fig.received - fig.neverApplied) * 100) / fig.received : null,
    neverApplied: fig.neverApplied,
    lagP50Ms: percentile(fig.lags, 50),
    lagP99Ms: percentile(fig.lags, 99),
    lagMaxMs: percentile(fig.lags, 100),
    clickMs: clicks.times,
    clickP50Ms: percentile(clicks.times, 50),
    clickP99Ms: percentile(clicks.times, 99),
    clicksMissed: clicks.missed,
    behindAtEndFrames: fig.behindAtEnd,
    animationFramesPerSec: perSec(fig.animationFrames),
    longTasks: fig.longTasks,
    longTaskMsPerSec: perSec(fig.longTaskMs),
    refreshes: wire.sent.filter((f) => f.type === 'refresh' && f.at >= from && f.at <= to).length,
    framesNotShown: wire.unshown.filter((at) => at >= from && at <= to).length,
    cpuChromium: cpu.trees.chromium,
    cpuChromiumByRole: cpu.roles.chromium,
    cpuChromiumByThread: cpu.threads.chromium,
    cpuRendererMain: rendererMain,
    cpuCustomerChromium: cpu.trees.customer,
    cpuApp: cpu.trees.app,
    cpuServer: cpu.trees.server,
    cpuXvfb: cpu.trees.xvfb,
    cpuMachine: cpu.machine,
    rendererMainMsPerFrame: fig.applied && rendererMain !== null ? (rendererMain * 10) / perSec(fig.applied) : null,
    // This process: Playwright's side of the browser and the frames' operations read here.
    cpuDriver: ((driver.user + driver.system) / 1e6 / seconds) * 100,
    ...(profile && await saveProfile(profile, name, opts.profile)),
  };
}

/** Writes the profile as <dir>/<workload>.cpuprofile (Chrome DevTools opens it); returns its top self times. */
async function saveProfile(profile, name, dir) {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.cpuprofile`);
  await writeFile(file, JSON.stringify(profile));
  return { profileFile: file, profileSelfMs: Object.fromEntries(selfTimes(profile).slice(0, 25)) };
}

/** The load average now: whether the machine was otherwise idle. */
function busyNote() {
  return `load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`;
}

// ---------------------------------------------------------------------------
// Report

const fmt = (v, digits = 1) => (v === null || v === undefined ? '—' : v.toFixed(digits));

/** The table, then CPU by process and thread, dropped frames, operations and (--profile) the main thread's top functions. */
function printReport(report) {
  const cols = [
    ['workload', (r) => r.workload, 8],
    ['drawn/s', (r) => fmt(r.drawnPerSec), 8],
    ['recv/s', (r) => fmt(r.receivedPerSec), 7],
    ['applied/s', (r) => fmt(r.appliedPerAnimationFramePerSec), 9],
    ['distinct/s', (r) => fmt(r.distinctAppliedPerSec), 10],
    ['appl %', (r) => fmt(r.appliedPct), 7],
    ['lag p50', (r) => fmt(r.lagP50Ms), 8],
    ['lag p99', (r) => fmt(r.lagP99Ms), 8],
    ['behind', (r) => String(r.behindAtEndFrames ?? '—'), 6],
    ['rAF/s', (r) => fmt(r.animationFramesPerSec), 6],
    ['longtask', (r) => fmt(r.longTaskMsPerSec), 8],
    ['chromium', (r) => fmt(r.cpuChromium), 8],
    ['app', (r) => fmt(r.cpuApp), 6],
    ['server', (r) => fmt(r.cpuServer), 6],
    ['Xvfb', (r) => fmt(r.cpuXvfb), 6],
    ['machine', (r) => fmt(r.cpuMachine), 7],
    ['refresh', (r) => String(r.refreshes), 7],
    ['click p50', (r) => fmt(r.clickP50Ms), 9],
    ['click p99', (r) => fmt(r.clickP99Ms), 9],
    ['missed', (r) => `${r.clicksMissed}/${r.clickMs.length + r.clicksMissed}`, 6],
  ];
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(cols[i][2]) : c.padStart(cols[i][2]))).join(' ');
  console.log(`\nThe browser as viewer: Chromium ${report.chromium} (headless, --disable-gpu), console ${CONSOLE_VIEWPORT.width}×${CONSOLE_VIEWPORT.height}, screen ${SCREEN.width}×${SCREEN.height} on ${report.display} (${report.cores} cores), ${report.durationSecs} s measured after ${report.warmupSecs} s warm-up a workload`);
  console.log('drawn = what the workload drew a second (video frames; 1/60 s slots with damage for scroll); recv = picture frames the page received;');
  console.log('applied = animation frames in which the canvas showed a new frame; distinct = frames applied to the canvas (every data-frame change);');
  console.log('appl % = received frames that were applied; lag = receive → applied in the page, ms; behind = frames received but not yet applied at the end;');
  console.log('longtask = main-thread long tasks, ms a second; CPU in % of one core (chromium: the console\'s browser, all its processes)\n');
  console.log(line(cols.map(([h]) => h)));
  for (const r of report.rows) console.log(line(cols.map(([, f]) => f(r))));
  const top = (byName, min) => Object.entries(byName ?? {}).filter(([, v]) => v >= min).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
  console.log('\nThe console\'s Chromium by process and by thread (% of one core; threads of one name summed, 1 % and up):');
  for (const r of report.rows) {
    console.log(`  ${r.workload.padEnd(8)} ${top(r.cpuChromiumByRole, 0.05)}; the customer's browser ${fmt(r.cpuCustomerChromium)}`);
    console.log(`  ${''.padEnd(8)} the renderer's main thread: ${fmt(r.cpuRendererMain)} % = ${fmt(r.rendererMainMsPerFrame)} ms a frame applied`);
    console.log(`  ${''.padEnd(8)} ${top(r.cpuChromiumByThread, 1)}`);
  }
  console.log('\nFrames received in the window and never applied (dropped by the viewer), and frames it could not show (errors):');
  for (const r of report.rows) {
    console.log(`  ${r.workload.padEnd(8)} ${r.neverApplied} of ${r.receivedInPage} never applied, ${r.framesNotShown} could not be shown; lag max ${fmt(r.lagMaxMs)} ms`);
  }
  console.log('\nOperations received (a frame, and megapixels they set a second):');
  for (const r of report.rows) {
    console.log(`  ${r.workload.padEnd(8)} ${Object.entries(r.operations).map(([k, v]) => `${k} ${fmt(v.perFrame)} (${fmt(v.megapixelsPerSec)} Mpx/s)`).join(', ')}`);
  }
  for (const r of report.rows.filter((row) => row.profileSelfMs)) {
    console.log(`\nThe console's main thread in ${fmt(r.seconds)} s of ${r.workload}, self time in ms (${r.profileFile}):`);
    for (const [fn, ms] of Object.entries(r.profileSelfMs).slice(0, 15)) console.log(`  ${fmt(ms).padStart(8)}  ${fn}`);
  }
}

// ---------------------------------------------------------------------------

function parseCli() {
  const { values } = parseArgs({
    options: {
      workloads: { type: 'string', default: 'scroll,move,video' },
      'duration-secs': { type: 'string', default: '10' },
      'warmup-secs': { type: 'string', default: '2' },
      'latency-samples': { type: 'string', default: '20' },
      json: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('node bench/browser-viewer.mjs [--workloads scroll,move,video] [--duration-secs 10] [--warmup-secs 2] [--latency-samples 20] [--json FILE] [--profile DIR]');
    console.log('  --profile DIR  also profile the console page\'s main thread in each window (V8 sampling profiler, adds overhead)');
    process.exit(0);
  }
  const workloads = values.workloads.split(',').map((w) => w.trim()).filter(Boolean);
  for (const w of workloads) if (!['scroll', 'move', 'video'].includes(w)) throw fail(`unknown workload ${w}: scroll, move or video`);
  if (!workloads.length) throw fail('--workloads names none');
  const durationSecs = Number(values['duration-secs']);
  const warmupSecs = Number(values['warmup-secs']);
  if (!(durationSecs > 0)) throw fail('--duration-secs must be above 0');
  if (!(warmupSecs >= 0)) throw fail('--warmup-secs must be 0 or more');
  const latencySamples = Number(values['latency-samples']);
  if (!Number.isInteger(latencySamples) || latencySamples < 0) throw fail('--latency-samples must be a whole number, 0 or more');
  return { workloads, durationSecs, warmupSecs, latencySamples, json: values.json, profile: values.profile };
}

function checkBinaries() {
  const needs = [
    [tetherBin, 'cargo build --release -p tether'],
    [APP_BIN, 'cargo build --release -p tether-support'],
    [XTASK_BIN, 'cargo build --release -p xtask'],
  ];
  for (const [bin, build] of needs) {
    const shown = bin.startsWith(`${repoRoot}/`) ? path.relative(repoRoot, bin) : bin;
    if (!existsSync(bin)) throw fail(`${shown} not found: run ${build}`);
  }
}

async function main() {
  const opts = parseCli();
  checkBinaries();
  const tmp = await mkdtemp(path.join(tmpdir(), 'tether-bench-viewer-'));
  onCleanup('temporary folder', () => rm(tmp, { recursive: true, force: true }), () => rmSync(tmp, { recursive: true, force: true }));
  const { display, proc: xvfb } = await startXvfb();
  console.error(`Xvfb ${display} at ${SCREEN.width}×${SCREEN.height}`);
  const tether = { ...(await startTether(display, tmp)), display };
  tether.roots.xvfb = xvfb.pid;
  const report = {
    command: ['node', path.relative(repoRoot, process.argv[1]), ...process.argv.slice(2)].join(' '),
    commit: execFileSync('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    date: new Date().toISOString(),
    chromium: tether.chromiumVersion,
    display,
    cores: availableParallelism(),
    durationSecs: opts.durationSecs,
    warmupSecs: opts.warmupSecs,
    rows: [],
  };
  for (const name of opts.workloads) {
    const row = await measure(name, tether, opts);
    console.error(`${name}: ${fmt(row.receivedPerSec)} received/s, ${fmt(row.distinctAppliedPerSec)} applied/s, lag p50/p99 ${fmt(row.lagP50Ms)}/${fmt(row.lagP99Ms)} ms`);
    report.rows.push(row);
  }
  printReport(report);
  if (opts.json) {
    await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
    console.error(`Wrote ${opts.json}`);
  }
}

try {
  await main();
  await cleanup();
} catch (err) {
  console.error(`browser-viewer: ${err.plain ? err.message : err.stack}`);
  await cleanup();
  process.exitCode = 1;
}
