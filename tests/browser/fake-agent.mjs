// A stand-in for the support app, speaking its side of docs/protocol.md:
// it reads the ticket from the end of the downloaded file, redeems it,
// connects to /api/v1/agent/ws with `hello`, answers `request` with
// `consent`, and sends screen frames (type 1 pictures compressed with raw
// DEFLATE, type 2 cursor) — so the console's viewer can be tested without a
// display. It records everything the server sends, input included.
//
// As a program, for trying the viewer by hand:
//   node tests/browser/fake-agent.mjs <downloaded tether-support file>
// allows every request and shows a test pattern.

import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const TRAILER_MAGIC = 'TETHERv1';

// ---------------------------------------------------------------------------
// The configuration block the server appends to a downloaded app.

/** `{server, ticket}` from the end of a downloaded app: JSON, u32 LE length, magic. */
export function readTrailer(bytes) {
  const buf = Buffer.from(bytes);
  if (buf.length < 12 || buf.subarray(buf.length - 8).toString('latin1') !== TRAILER_MAGIC) {
    throw new Error('the downloaded file has no Tether configuration block at its end');
  }
  const len = buf.readUInt32LE(buf.length - 12);
  return JSON.parse(buf.subarray(buf.length - 12 - len, buf.length - 12).toString('utf8'));
}

// ---------------------------------------------------------------------------
// Screen frames (docs/protocol.md, "Screen frames").

/**
 * A picture update. `tiles` = [{x, y, w, h, rgba}] with `rgba` a Buffer of
 * w×h×4 bytes; their pixels are compressed together with raw DEFLATE.
 */
export function pictureFrame({ keyframe = false, monitor = 1, width, height, frame, tiles }) {
  const head = Buffer.alloc(18 + tiles.length * 8);
  head.writeUInt8(1, 0);
  head.writeUInt8(keyframe ? 1 : 0, 1);
  head.writeUInt16LE(monitor, 2);
  head.writeUInt32LE(width, 4);
  head.writeUInt32LE(height, 8);
  head.writeUInt32LE(frame >>> 0, 12);
  head.writeUInt16LE(tiles.length, 16);
  tiles.forEach((t, i) => {
    const at = 18 + i * 8;
    if (t.rgba.length !== t.w * t.h * 4) throw new Error(`tile ${i}: ${t.rgba.length} bytes for ${t.w}×${t.h}`);
    head.writeUInt16LE(t.x, at);
    head.writeUInt16LE(t.y, at + 2);
    head.writeUInt16LE(t.w, at + 4);
    head.writeUInt16LE(t.h, at + 6);
  });
  return Buffer.concat([head, deflateRawSync(Buffer.concat(tiles.map((t) => t.rgba)))]);
}

/** A cursor update; `image` = {w, h, hotX, hotY, rgba} or null. */
export function cursorFrame({ visible = true, x, y, image = null }) {
  const head = Buffer.alloc(10 + (image ? 8 : 0));
  head.writeUInt8(2, 0);
  head.writeUInt8((visible ? 1 : 0) | (image ? 2 : 0), 1);
  head.writeInt32LE(x, 2);
  head.writeInt32LE(y, 6);
  if (!image) return head;
  head.writeUInt16LE(image.w, 10);
  head.writeUInt16LE(image.h, 12);
  head.writeUInt16LE(image.hotX, 14);
  head.writeUInt16LE(image.hotY, 16);
  return Buffer.concat([head, image.rgba]);
}

/** w×h pixels of one colour, `[r, g, b]`. */
export function solid(w, h, [r, g, b]) {
  const buf = Buffer.alloc(w * h * 4);
  for (let i = 0; i < buf.length; i += 4) {
    buf[i] = r;
    buf[i + 1] = g;
    buf[i + 2] = b;
    buf[i + 3] = 255;
  }
  return buf;
}

export const COLORS = {
  topLeft: [0xe5, 0x39, 0x35],
  topRight: [0x1e, 0x88, 0xe5],
  bottomLeft: [0x43, 0xa0, 0x47],
  bottomRight: [0xfd, 0xd8, 0x35],
  centre: [0xff, 0xff, 0xff],
};

/** The test pattern of testpad: four quadrants and a white 100×100 square in the middle. */
export function quadrants(width, height) {
  const buf = Buffer.alloc(width * height * 4);
  const hw = width / 2;
  const hh = height / 2;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let c;
      if (Math.abs(x + 0.5 - hw) <= 50 && Math.abs(y + 0.5 - hh) <= 50) c = COLORS.centre;
      else if (y < hh) c = x < hw ? COLORS.topLeft : COLORS.topRight;
      else c = x < hw ? COLORS.bottomLeft : COLORS.bottomRight;
      const i = (y * width + x) * 4;
      buf[i] = c[0];
      buf[i + 1] = c[1];
      buf[i + 2] = c[2];
      buf[i + 3] = 255;
    }
  }
  return buf;
}

// ---------------------------------------------------------------------------
// A small WebSocket client (RFC 6455): Node 20 has none that can send an
// Authorization header, and the agent endpoint takes its token only there.

export class WsClient extends EventEmitter {
  constructor(socket, head) {
    super();
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.fragments = null;
    this.closed = false;
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('close', () => this.#closed(1006));
    socket.on('error', () => this.#closed(1006));
    if (head?.length) this.#onData(head);
  }

  static connect(url, headers = {}) {
    const u = new URL(url);
    const secure = u.protocol === 'wss:' || u.protocol === 'https:';
    const key = crypto.randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request({
        host: u.hostname,
        port: u.port || (secure ? 443 : 80),
        path: u.pathname + u.search,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': key,
          ...headers,
        },
      });
      req.on('upgrade', (res, socket, head) => {
        const expected = crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        if (res.headers['sec-websocket-accept'] !== expected) {
          socket.destroy();
          reject(new Error('bad Sec-WebSocket-Accept'));
          return;
        }
        socket.setNoDelay(true);
        resolve(new WsClient(socket, head));
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => reject(new Error(`WebSocket refused: HTTP ${res.statusCode} ${body}`)));
      });
      req.on('error', reject);
      req.end();
    });
  }

  sendText(text) {
    this.#send(0x1, Buffer.from(text, 'utf8'));
  }

  sendBinary(bytes) {
    this.#send(0x2, Buffer.from(bytes));
  }

  close(code = 1000) {
    if (this.closed) return;
    const body = Buffer.alloc(2);
    body.writeUInt16BE(code, 0);
    this.#send(0x8, body);
    this.socket.end();
  }

  #send(opcode, payload) {
    if (this.closed) return;
    const len = payload.length;
    const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    if (len < 126) head[1] = 0x80 | len;
    else if (len < 65536) {
      head[1] = 0x80 | 126;
      head.writeUInt16BE(len, 2);
    } else {
      head[1] = 0x80 | 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
    const mask = crypto.randomBytes(4);
    const masked = Buffer.alloc(len);
    for (let i = 0; i < len; i += 1) masked[i] = payload[i] ^ mask[i & 3];
    this.socket.write(Buffer.concat([head, mask, masked]));
  }

  #onData(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      const fin = (b[0] & 0x80) !== 0;
      const opcode = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      const maskAt = off;
      if (masked) off += 4;
      if (b.length < off + len) return;
      let payload = b.subarray(off, off + len);
      if (masked) {
        payload = Buffer.from(payload);
        for (let i = 0; i < len; i += 1) payload[i] ^= b[maskAt + (i & 3)];
      }
      this.buffer = b.subarray(off + len);
      this.#frame(fin, opcode, Buffer.from(payload));
    }
  }

  #frame(fin, opcode, payload) {
    if (opcode === 0x8) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (!this.closed) this.#send(0x8, payload.subarray(0, 2));
      this.socket.end();
      this.#closed(code, payload.subarray(2).toString('utf8'));
      return;
    }
    if (opcode === 0x9) {
      this.#send(0xa, payload);
      return;
    }
    if (opcode === 0xa) return;
    if (opcode !== 0) this.fragments = { opcode, parts: [] };
    if (!this.fragments) return;
    this.fragments.parts.push(payload);
    if (!fin) return;
    const data = Buffer.concat(this.fragments.parts);
    const type = this.fragments.opcode;
    this.fragments = null;
    if (type === 0x1) this.emit('text', data.toString('utf8'));
    else if (type === 0x2) this.emit('binary', data);
  }

  #closed(code, reason = '') {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', code, reason);
  }
}

// ---------------------------------------------------------------------------
// The fake app.

const ONE_MONITOR = [{ id: 1, name: 'Virtual-1', x: 0, y: 0, width: 1280, height: 720, primary: true }];

export class FakeAgent {
  /**
   * @param {object} opts
   * @param {string} opts.server  e.g. http://127.0.0.1:8080
   * @param {string} opts.token   the agent token from redeem
   * @param {(agent: FakeAgent, monitor: number) => Buffer[]} [opts.picture]
   *        the frames that make a whole picture of `monitor` (default: quadrants, 1280×720)
   */
  constructor({ server, token, picture }) {
    this.server = server;
    this.token = token;
    this.picture = picture || ((agent, monitor) => [agent.keyframe(monitor, 1280, 720, quadrants(1280, 720))]);
    this.received = []; // every JSON frame from the server, in order
    this.inputs = []; // input events, flattened, with their epoch
    this.frameNo = 0;
    this.monitor = 1;
    this.grant = null; // {epoch, access}
    this.autoRefresh = true;
    this.waiters = new Set();
    this.ws = null;
  }

  /** Reads the ticket from a downloaded app and redeems it. */
  static async fromDownload(bytes, opts = {}) {
    const { server, ticket } = readTrailer(bytes);
    const res = await fetch(`${server}/api/v1/agent/redeem`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ticket }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`redeem refused: ${res.status} ${JSON.stringify(body)}`);
    return new FakeAgent({ server, token: body.agent_token, ...opts, technicianName: body.technician_name });
  }

  /** Connects and says hello. */
  async connect({ monitors = ONE_MONITOR, platform = 'linux-x86_64', hostname = 'fake-pc' } = {}) {
    const url = `${this.server.replace(/^http/, 'ws')}/api/v1/agent/ws`;
    this.ws = await WsClient.connect(url, { Authorization: `Bearer ${this.token}` });
    this.ws.on('text', (text) => this.#onText(text));
    this.ws.on('close', (code) => {
      this.closedWith = code;
      this.#notify();
    });
    this.#send({ type: 'hello', platform, hostname, monitors });
    return this;
  }

  /** The next frame of `type` not yet taken by an earlier call; waits for it. */
  next(type, { timeout = 10_000, since = 0 } = {}) {
    const find = () => {
      for (let i = since; i < this.received.length; i += 1) {
        const f = this.received[i];
        if (f.type === type && !f.taken) {
          f.taken = true;
          return f;
        }
      }
      return null;
    };
    return this.#waitFor(find, timeout, `a "${type}" frame`);
  }

  /** Waits until `predicate()` is truthy (re-checked whenever something arrives). */
  until(predicate, { timeout = 10_000, what = 'a condition' } = {}) {
    return this.#waitFor(() => predicate() || null, timeout, what);
  }

  consent(requestId, allow) {
    this.#send({ type: 'consent', request_id: requestId, allow });
  }

  stopSharing() {
    this.#send({ type: 'stop_sharing' });
  }

  endSession() {
    this.#send({ type: 'end_session' });
  }

  /** A keyframe (a whole picture) of `rgba`, numbered as the next frame. */
  keyframe(monitor, width, height, rgba) {
    this.frameNo += 1;
    return pictureFrame({ keyframe: true, monitor, width, height, frame: this.frameNo, tiles: [{ x: 0, y: 0, w: width, h: height, rgba }] });
  }

  /** A change of some tiles, numbered as the next frame (or `frame`, to make a gap). */
  delta(monitor, width, height, tiles, frame = this.frameNo + 1) {
    this.frameNo = frame;
    return pictureFrame({ keyframe: false, monitor, width, height, frame, tiles });
  }

  sendFrame(bytes) {
    this.ws.sendBinary(bytes);
  }

  sendPicture() {
    for (const f of this.picture(this, this.monitor)) this.sendFrame(f);
  }

  close() {
    this.ws?.close();
  }

  #send(frame) {
    this.ws.sendText(JSON.stringify(frame));
  }

  #onText(text) {
    const frame = JSON.parse(text);
    this.received.push(frame);
    switch (frame.type) {
      case 'request':
        // Like the real app: the prompt is on screen as soon as the request arrives.
        this.#send({ type: 'prompted', request_id: frame.request_id });
        break;
      case 'grant':
        this.grant = { epoch: frame.epoch, access: frame.access };
        this.sendPicture();
        break;
      case 'revoke':
        if (this.grant?.epoch === frame.epoch) this.grant = null;
        break;
      case 'refresh':
        if (this.autoRefresh && this.grant?.epoch === frame.epoch) this.sendPicture();
        break;
      case 'select_monitor':
        if (this.grant?.epoch === frame.epoch) {
          this.monitor = frame.monitor;
          this.sendPicture();
        }
        break;
      case 'input':
        // As the real app: only under its own current control grant.
        if (this.grant?.access === 'control' && this.grant.epoch === frame.epoch) {
          for (const ev of frame.events) this.inputs.push({ ...ev, epoch: frame.epoch });
        } else {
          this.refusedInput = (this.refusedInput || 0) + frame.events.length;
        }
        break;
      default:
    }
    this.#notify();
  }

  #notify() {
    for (const w of [...this.waiters]) w();
  }

  #waitFor(find, timeout, what) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found) {
          done();
          resolve(found);
        } else if (this.closedWith !== undefined) {
          done();
          reject(new Error(`fake agent: connection closed (${this.closedWith}) while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`fake agent: no ${what} within ${timeout} ms; received ${JSON.stringify(this.received.map((f) => f.type))}`));
      }, timeout);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

// ---------------------------------------------------------------------------

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node fake-agent.mjs <downloaded tether-support file>');
    process.exit(2);
  }
  const agent = await FakeAgent.fromDownload(await readFile(file));
  await agent.connect();
  console.log('connected; allowing every request');
  for (;;) {
    const req = await agent.next('request', { timeout: 3_600_000 });
    console.log(`request ${req.request_id} (${req.access}) from ${req.technician}: allowed`);
    agent.consent(req.request_id, true);
  }
}
