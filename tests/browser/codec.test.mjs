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
