// The console's screen viewer (web/viewer.js) against the Rust codec: the
// `fixture` example of crates/codec writes update messages that use every
// operation (copies of scrolled and moved content, fills, palettes, raw
// pixels, H.264 video decoded with WebCodecs, the lossless refresh after it)
// and the reference decoder's final picture; the viewer, fed the same
// messages in Chromium, must end with exactly that picture.
//
// Needs: target/debug/examples/fixture (built by `cargo test --workspace`), or
// CODEC_FIXTURE_BIN.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { tetherBin, repoRoot, launchBrowser } from './harness.mjs';

const FIXTURE = process.env.CODEC_FIXTURE_BIN || path.join(path.dirname(tetherBin), 'examples', 'fixture');

let dir;
let server;
let browser;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tether-codec-'));
  await promisify(execFile)(FIXTURE, [dir]);
  const viewer = await readFile(path.join(repoRoot, 'web', 'viewer.js'));
  // The page and viewer.js from one origin (a secure context, as WebCodecs needs).
  server = http.createServer(async (req, res) => {
    if (req.url === '/viewer.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(viewer);
    } else if (req.url.startsWith('/fixture/')) {
      res.end(await readFile(path.join(dir, path.basename(req.url))));
    } else {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>codec</title><body></body>');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the viewer shows exactly what codec::Decoder shows, through every operation', async () => {
  const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8'));
  for (const kind of ['copy', 'fill', 'raw', 'palette', 'video']) {
    assert.ok(meta.ops[kind] > 0, `the fixture uses ${kind} operations: ${JSON.stringify(meta.ops)}`);
  }
  const files = (await readdir(dir)).filter((f) => f.endsWith('.bin')).sort();
  assert.equal(files.length, meta.frames);
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'warning' || m.type() === 'error') errors.push(m.text()); });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const result = await page.evaluate(async (names) => {
    const { ScreenViewer } = await import('/viewer.js');
    const sent = [];
    const viewer = new ScreenViewer({ send: (f) => { sent.push(f); return true; } });
    document.body.append(viewer.element);
    viewer.setGrant({ access: 'view', epoch: 1 });
    for (const name of names) viewer.handleBinary(await (await fetch(`/fixture/${name}`)).arrayBuffer());
    await viewer.chain;
    const expected = new Uint8Array(await (await fetch('/fixture/expected.rgba')).arrayBuffer());
    const got = viewer.ctx.getImageData(0, 0, viewer.width, viewer.height).data;
    let differing = 0;
    let first = null;
    for (let i = 0; i < expected.length; i += 4) {
      if (got[i] !== expected[i] || got[i + 1] !== expected[i + 1] || got[i + 2] !== expected[i + 2]) {
        differing += 1;
        if (!first) first = { at: i / 4, got: [...got.subarray(i, i + 3)], want: [...expected.subarray(i, i + 3)] };
      }
    }
    return { width: viewer.width, height: viewer.height, frame: viewer.lastFrame, refreshes: sent.filter((f) => f.type === 'refresh').length, differing, first };
  }, files);
  assert.deepEqual(errors, [], 'no frame failed');
  assert.equal(result.width, meta.width);
  assert.equal(result.height, meta.height);
  assert.equal(result.frame, meta.frames, 'every frame was shown');
  assert.equal(result.refreshes, 1, 'only the refresh a new grant asks for');
  assert.equal(result.differing, 0, `pixels differ, the first: ${JSON.stringify(result.first)}`);
  await page.close();
});

test('an update that continues a compressed stream the viewer lost is not shown; a keyframe starts it again', async () => {
  const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8'));
  const files = (await readdir(dir)).filter((f) => f.endsWith('.bin')).sort();
  const page = await browser.newPage();
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text()); });
  page.on('pageerror', (e) => warnings.push(`uncaught: ${e.message}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const result = await page.evaluate(async (names) => {
    const { ScreenViewer } = await import('/viewer.js');
    const frames = await Promise.all(names.map(async (n) => (await fetch(`/fixture/${n}`)).arrayBuffer()));
    const expected = new Uint8Array(await (await fetch('/fixture/expected.rgba')).arrayBuffer());
    const streamed = frames.every((f) => (new Uint8Array(f)[1] & 2) !== 0);
    // Fed as a socket would, without letting the queue grow past the
    // viewer's limit (beyond it, the viewer drops what waits).
    const feed = async (viewer, list) => {
      for (const f of list) {
        viewer.handleBinary(f);
        if (viewer.backlog >= 8) await viewer.chain;
      }
      await viewer.chain;
    };
    const run = async (broken) => {
      const sent = [];
      const viewer = new ScreenViewer({ send: (f) => { sent.push(f); return true; } });
      document.body.append(viewer.element);
      viewer.setGrant({ access: 'view', epoch: 1 });
      await feed(viewer, broken);
      const stuck = { frame: viewer.lastFrame, refreshes: sent.filter((f) => f.type === 'refresh').length };
      // The keyframe the viewer asked for, and everything after it.
      await feed(viewer, frames);
      const got = viewer.ctx.getImageData(0, 0, viewer.width, viewer.height).data;
      let differing = 0;
      for (let i = 0; i < expected.length; i += 4) {
        if (got[i] !== expected[i] || got[i + 1] !== expected[i + 1] || got[i + 2] !== expected[i + 2]) differing += 1;
      }
      viewer.destroy();
      return { ...stuck, after: viewer.lastFrame, differing };
    };
    // Update 6 never arrives.
    const missing = await run([...frames.slice(0, 5), ...frames.slice(6)]);
    // Update 4 says it inflates to one byte more than it does.
    const longer = frames[3].slice(0);
    new DataView(longer).setUint32(22, new DataView(longer).getUint32(22, true) + 1, true);
    const lying = await run([...frames.slice(0, 3), longer, ...frames.slice(4)]);
    // Update 4's compressed bytes are damaged.
    const damaged = frames[3].slice(0);
    new Uint8Array(damaged).fill(0xff, 26, 26 + Math.min(16, new DataView(damaged).getUint32(18, true)));
    const corrupt = await run([...frames.slice(0, 3), damaged, ...frames.slice(4)]);
    return { streamed, missing, lying, corrupt };
  }, files);
  assert.ok(result.streamed, 'every fixture update continues the encoder\'s stream');
  for (const [what, r, last] of [['missing', result.missing, 5], ['lying', result.lying, 3], ['corrupt', result.corrupt, 3]]) {
    assert.equal(r.frame, last, `${what}: nothing after the broken update is shown`);
    assert.equal(r.refreshes, 2, `${what}: the grant's refresh, then one for the loss`);
    assert.equal(r.after, meta.frames, `${what}: from the keyframe on, every update is shown`);
    assert.equal(r.differing, 0, `${what}: the picture ends exact`);
  }
  assert.ok(warnings.some((w) => /gave \d+ of the \d+ bytes it says/.test(w)), `the short piece was reported: ${warnings.join(' | ')}`);
  assert.ok(!warnings.some((w) => w.startsWith('uncaught')), warnings.join(' | '));
  await page.close();
});
