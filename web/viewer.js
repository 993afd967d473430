// The technician's view of the customer's screen: decodes the support app's
// binary frames (docs/protocol.md, "Screen frames": copies, fills, palette and
// raw pixels inflated with DecompressionStream, H.264 video with WebCodecs)
// onto a canvas whose internal size is the picture's, draws the customer's cursor on an overlay,
// scales the picture to the window or shows it 1:1, and — only under a
// remote-control grant — turns mouse and keyboard on the canvas into input
// events: buttons and keys at once, pointer moves and wheel gathered once per
// animation frame.
//
// The module knows nothing of sessions or the DOM around it: the console
// hands it a `send(frame)` for JSON frames and reads `element`.

export const FRAME_PICTURE = 1;
export const FRAME_CURSOR = 2;
export const FRAME_UPDATE = 3;

/** Operations of an update frame (docs/protocol.md, "Screen frames"). */
const OP_COPY = 1;
const OP_FILL = 2;
const OP_RAW = 3;
const OP_PALETTE = 4;
const OP_VIDEO = 5;
/** How long a video picture may take to decode before the frame counts as lost. */
const VIDEO_TIMEOUT_MS = 1000;

const PICTURE_HEADER = 18;
const TILE_RECT = 8;
const CURSOR_HEADER = 10;
const CURSOR_IMAGE_HEADER = 8;
/** More undecoded frames than this: the viewer is too slow; drop and ask for a whole picture. */
const MAX_BACKLOG = 30;
/** A refresh is asked for at most this often while waiting for a keyframe. */
const REFRESH_EVERY_MS = 1000;

const BUTTONS = ['left', 'middle', 'right', 'back', 'forward'];
/** `MouseEvent.button` → the bit of that button in `MouseEvent.buttons`. */
const BUTTON_BITS = [1, 4, 2, 8, 16];

/**
 * Parses one binary frame. Returns null for a frame this viewer does not
 * understand (a later frame type, or one cut short).
 */
export function parseFrame(buffer) {
  const view = new DataView(buffer);
  if (view.byteLength < 2) return null;
  const type = view.getUint8(0);
  const flags = view.getUint8(1);
  if (type === FRAME_PICTURE) {
    if (view.byteLength < PICTURE_HEADER) return null;
    const count = view.getUint16(16, true);
    const dataStart = PICTURE_HEADER + count * TILE_RECT;
    if (view.byteLength < dataStart) return null;
    const tiles = [];
    for (let i = 0; i < count; i += 1) {
      const at = PICTURE_HEADER + i * TILE_RECT;
      tiles.push({
        x: view.getUint16(at, true),
        y: view.getUint16(at + 2, true),
        w: view.getUint16(at + 4, true),
        h: view.getUint16(at + 6, true),
      });
    }
    return {
      type,
      keyframe: (flags & 1) !== 0,
      monitor: view.getUint16(2, true),
      width: view.getUint32(4, true),
      height: view.getUint32(8, true),
      frame: view.getUint32(12, true),
      tiles,
      payload: new Uint8Array(buffer, dataStart),
    };
  }
  if (type === FRAME_UPDATE) return parseUpdate(buffer, view, flags);
  if (type === FRAME_CURSOR) {
    if (view.byteLength < CURSOR_HEADER) return null;
    const cursor = {
      type,
      visible: (flags & 1) !== 0,
      x: view.getInt32(2, true),
      y: view.getInt32(6, true),
      image: null,
    };
    if (flags & 2) {
      if (view.byteLength < CURSOR_HEADER + CURSOR_IMAGE_HEADER) return null;
      const w = view.getUint16(10, true);
      const h = view.getUint16(12, true);
      const start = CURSOR_HEADER + CURSOR_IMAGE_HEADER;
      if (view.byteLength < start + w * h * 4) return null;
      cursor.image = {
        w,
        h,
        hotX: view.getUint16(14, true),
        hotY: view.getUint16(16, true),
        rgba: new Uint8ClampedArray(buffer, start, w * h * 4),
      };
    }
    return cursor;
  }
  return null;
}

/** Bits a pixel of a palette of `n` colours. */
function paletteBits(n) {
  return n <= 2 ? 1 : n <= 4 ? 2 : 4;
}

/** An update frame's header; its operations are inside the compressed part. */
function parseUpdate(buffer, view, flags) {
  // Bit 1: the compressed part is the next piece of the sender's one
  // DEFLATE stream, and the length it inflates to comes before it.
  const stream = (flags & 2) !== 0;
  const start = PICTURE_HEADER + (stream ? 8 : 4);
  if (view.byteLength < start) return null;
  const compressed = view.getUint32(PICTURE_HEADER, true);
  if (view.byteLength < start + compressed) return null;
  return {
    type: FRAME_UPDATE,
    keyframe: (flags & 1) !== 0,
    stream,
    inflatedLength: stream ? view.getUint32(PICTURE_HEADER + 4, true) : null,
    monitor: view.getUint16(2, true),
    width: view.getUint32(4, true),
    height: view.getUint32(8, true),
    frame: view.getUint32(12, true),
    count: view.getUint16(16, true),
    compressed: new Uint8Array(buffer, start, compressed),
    video: new Uint8Array(buffer, start + compressed),
  };
}

/**
 * The operations of an update from its inflated bytes; pixels follow them
 * there (`pixelsAt`), video units follow the compressed part in `video`.
 * Throws on anything cut short or unknown.
 */
export function parseOps(bytes, count, video) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ops = [];
  let at = 0;
  let videoAt = 0;
  let pixelBytes = 0;
  const need = (n) => {
    if (at + n > view.byteLength) throw new Error('operations cut short');
  };
  for (let i = 0; i < count; i += 1) {
    need(9);
    const op = {
      kind: view.getUint8(at),
      x: view.getUint16(at + 1, true),
      y: view.getUint16(at + 3, true),
      w: view.getUint16(at + 5, true),
      h: view.getUint16(at + 7, true),
    };
    at += 9;
    switch (op.kind) {
      case OP_COPY:
        need(4);
        op.sx = view.getUint16(at, true);
        op.sy = view.getUint16(at + 2, true);
        at += 4;
        break;
      case OP_FILL:
        need(3);
        op.color = `rgb(${view.getUint8(at)},${view.getUint8(at + 1)},${view.getUint8(at + 2)})`;
        at += 3;
        break;
      case OP_RAW:
        op.bytes = op.w * op.h * 3;
        pixelBytes += op.bytes;
        break;
      case OP_PALETTE: {
        need(1);
        const n = view.getUint8(at);
        if (n < 2 || n > 16) throw new Error(`palette of ${n} colours`);
        need(1 + n * 3);
        // Colours as little-endian RGBA words, ready for a Uint32Array view.
        op.colors = new Uint32Array(n);
        for (let c = 0; c < n; c += 1) {
          const o = at + 1 + c * 3;
          op.colors[c] = (0xff000000 | (view.getUint8(o + 2) << 16) | (view.getUint8(o + 1) << 8) | view.getUint8(o)) >>> 0;
        }
        op.bits = paletteBits(n);
        op.rowBytes = Math.ceil((op.w * op.bits) / 8);
        op.bytes = op.rowBytes * op.h;
        pixelBytes += op.bytes;
        at += 1 + n * 3;
        break;
      }
      case OP_VIDEO: {
        need(5);
        op.fresh = (view.getUint8(at) & 1) !== 0;
        const len = view.getUint32(at + 1, true);
        if (videoAt + len > video.length) throw new Error('video unit cut short');
        op.data = video.subarray(videoAt, videoAt + len);
        videoAt += len;
        at += 5;
        break;
      }
      default:
        throw new Error(`unknown operation ${op.kind}`);
    }
    ops.push(op);
  }
  if (at + pixelBytes > bytes.length) throw new Error('operations need more pixels than sent');
  return { ops, pixelsAt: at };
}

/** `avc1.PPCCLL` from the stream's sequence parameter set (NAL type 7). */
function avcCodec(data) {
  for (let i = 0; i + 6 < data.length; i += 1) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1 && (data[i + 3] & 0x1f) === 7) {
      const hex = (b) => b.toString(16).padStart(2, '0');
      return `avc1.${hex(data[i + 4])}${hex(data[i + 5])}${hex(data[i + 6])}`;
    }
  }
  return 'avc1.42e01f';
}

/**
 * Inflates raw DEFLATE (RFC 1951) with the browser's own decompressor,
 * writing into it directly: through a `Blob` stream it takes five times as
 * long (1.1 against 0.2 ms for a scroll frame's 80 KB in Chromium).
 */
export async function inflateRaw(bytes) {
  const inflate = new DecompressionStream('deflate-raw');
  const writer = inflate.writable.getWriter();
  // Bad data fails the read below; these would only repeat that failure.
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  return new Uint8Array(await new Response(inflate.readable).arrayBuffer());
}

/**
 * The sender's DEFLATE stream from its last keyframe on: each update's piece
 * is written in as it comes, and read back until it gave the bytes the
 * update says. The sender ends every piece with a sync flush, so all of a
 * piece's bytes come out once it is written in.
 */
export class InflateStream {
  constructor() {
    const inflate = new DecompressionStream('deflate-raw');
    this.writer = inflate.writable.getWriter();
    this.reader = inflate.readable.getReader();
    this.pending = null;
  }

  async piece(bytes, size) {
    const out = new Uint8Array(size);
    // Settles once the decompressor has taken the piece and put out all it
    // gives (bad data rejects the reads as well).
    const written = this.writer.write(bytes).then(() => null, () => null);
    let filled = 0;
    while (filled < size) {
      // A read of what is already out wins the race against `written`.
      const next = await Promise.race([this.#read(), written]);
      if (!next) throw new Error(`a compressed piece gave ${filled} of the ${size} bytes it says`);
      this.pending = null;
      if (next.done) throw new Error('the compressed stream ended');
      if (filled + next.value.length > size) throw new Error(`a compressed piece gave more than the ${size} bytes it says`);
      out.set(next.value, filled);
      filled += next.value.length;
    }
    await written;
    if (await Promise.race([this.#read(), Promise.resolve(null)])) {
      throw new Error(`a compressed piece gave more than the ${size} bytes it says`);
    }
    return out;
  }

  /** The next read; one left waiting when a piece ended is the next piece's. */
  #read() {
    this.pending ??= this.reader.read();
    return this.pending;
  }

  close() {
    this.reader.cancel().catch(() => {});
    this.writer.abort().catch(() => {});
  }
}

export class ScreenViewer {
  /**
   * @param {object} opts
   * @param {(frame: object) => boolean} opts.send  sends a JSON frame on the session socket
   * @param {() => void} [opts.onChange]            picture size, monitor, fps or waiting state changed
   * @param {string} [opts.label]                   accessible name of the canvas
   */
  constructor({ send, onChange = () => {}, label = '' }) {
    this.send = send;
    this.onChange = onChange;
    this.grant = null; // {access, epoch}
    this.fit = true;
    this.monitor = null;
    this.lastFrame = null;
    this.needKeyframe = true;
    this.hasPicture = false;
    this.lastRefreshAt = 0;
    this.backlog = 0;
    this.chain = Promise.resolve();
    this.video = null; // {decoder, area, waiting, count, failed}: the H.264 stream being shown
    this.inflater = null; // InflateStream: the sender's compressed stream, from its last keyframe
    this.framesThisSecond = 0;
    this.fps = 0;
    this.cursor = { x: 0, y: 0, visible: false, image: null, hotX: 0, hotY: 0, drawn: null };
    // Input state.
    this.queue = [];
    this.pendingMove = null;
    this.lastMove = null;
    this.raf = 0;
    this.flushQueued = false;
    /** The picture's size on the page (CSS pixels), and the last size sent with `view` ({epoch, width, height}). */
    this.shown = null;
    this.sentView = null;
    this.keysDown = new Set();
    this.buttonsDown = new Set();

    this.canvas = document.createElement('canvas');
    this.canvas.className = 'viewer-canvas';
    this.canvas.dataset.testid = 'viewer';
    this.canvas.tabIndex = 0;
    this.canvas.width = 1;
    this.canvas.height = 1;
    if (label) this.canvas.setAttribute('aria-label', label);
    this.ctx = this.canvas.getContext('2d', { alpha: false });
    // Copies go through this canvas (see #copy), grown to the largest copy.
    this.scratch = document.createElement('canvas');
    this.scratch.width = 1;
    this.scratch.height = 1;
    this.sctx = this.scratch.getContext('2d', { alpha: false });

    this.overlay = document.createElement('canvas');
    this.overlay.className = 'viewer-cursor';
    this.overlay.dataset.testid = 'viewer-cursor';
    this.overlay.width = 1;
    this.overlay.height = 1;
    this.overlay.setAttribute('aria-hidden', 'true');
    this.octx = this.overlay.getContext('2d');

    this.stage = document.createElement('div');
    this.stage.className = 'viewer-stage';
    this.stage.append(this.canvas, this.overlay);
    this.element = document.createElement('div');
    this.element.className = 'viewer-scroll';
    this.element.dataset.fit = 'true';
    this.element.append(this.stage);

    this.resizeObserver = new ResizeObserver(() => this.#layout());
    this.resizeObserver.observe(this.element);
    this.fpsTimer = setInterval(() => {
      const fps = this.framesThisSecond;
      this.framesThisSecond = 0;
      if (fps !== this.fps) {
        this.fps = fps;
        this.onChange();
      }
    }, 1000);
    this.#wireInput();
  }

  get width() {
    return this.canvas.width;
  }

  get height() {
    return this.canvas.height;
  }

  get control() {
    return this.grant?.access === 'control';
  }

  /** A new grant (or none). A new epoch starts from a clean picture. */
  setGrant(grant) {
    const epoch = grant?.epoch ?? 0;
    const previous = this.grant?.epoch ?? 0;
    if (this.grant && grant && epoch === previous && grant.access === this.grant.access) return;
    if (this.control && (grant?.access !== 'control' || epoch !== previous)) this.#forgetInput();
    this.grant = grant ? { access: grant.access, epoch } : null;
    this.canvas.dataset.access = grant ? grant.access : 'none';
    this.element.dataset.control = String(this.control);
    if (epoch !== previous) {
      this.lastFrame = null;
      this.needKeyframe = true;
      this.hasPicture = false;
      this.ctx.fillStyle = '#1b2430';
      this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
      this.#clearCursor();
      if (epoch) this.#askRefresh(true);
      this.#sendView();
      this.onChange();
    }
  }

  /** The session socket reconnected: frames may have been lost meanwhile. */
  reconnected() {
    this.needKeyframe = true;
    this.#askRefresh(true);
    this.sentView = null;
    this.#sendView();
  }

  /** "Fit to window" (true) or 1:1 with scrollbars (false). */
  setFit(fit) {
    this.fit = fit;
    this.element.dataset.fit = String(fit);
    this.#layout();
  }

  selectMonitor(id) {
    if (!this.grant) return;
    this.send({ type: 'select_monitor', epoch: this.grant.epoch, monitor: id });
    this.needKeyframe = true;
  }

  sendCtrlAltDel() {
    if (!this.control) return;
    this.#push({ t: 'ctrl_alt_del' });
    this.#flush();
  }

  /** A binary frame from the session socket. Frames are decoded strictly in order. */
  handleBinary(buffer) {
    if (this.backlog >= MAX_BACKLOG) {
      // Too far behind: what is queued is stale anyway; start over from a
      // keyframe (asked for once the queue has drained and a frame is missing).
      this.#dropStream();
      this.lastFrame = null;
      this.needKeyframe = true;
      this.lastRefreshAt = 0;
      return;
    }
    this.backlog += 1;
    this.chain = this.chain
      .then(() => this.#apply(buffer))
      .catch((err) => {
        console.warn('tether: a screen frame could not be shown', err);
        this.#closeVideo();
        this.#dropStream();
        this.#askRefresh(!this.needKeyframe);
        this.needKeyframe = true;
      })
      .finally(() => {
        this.backlog -= 1;
      });
  }

  destroy() {
    this.#closeVideo();
    this.#dropStream();
    clearInterval(this.fpsTimer);
    this.resizeObserver.disconnect();
    if (this.raf) cancelAnimationFrame(this.raf);
    this.element.remove();
  }

  // -- decoding -------------------------------------------------------------

  async #apply(buffer) {
    const frame = parseFrame(buffer);
    if (!frame) return;
    if (frame.type === FRAME_CURSOR) {
      this.#applyCursor(frame);
      return;
    }
    if (!frame.width || !frame.height) return;
    const resized = frame.width !== this.canvas.width || frame.height !== this.canvas.height;
    if (!frame.keyframe) {
      const lost = resized
        || (this.monitor !== null && frame.monitor !== this.monitor)
        || (this.lastFrame !== null && frame.frame !== ((this.lastFrame + 1) >>> 0));
      if (lost || this.needKeyframe) {
        // What follows continues a stream this viewer no longer follows.
        this.#dropStream();
        // Ask at once when the loss is new; while waiting, now and then.
        this.#askRefresh(lost && !this.needKeyframe);
        this.needKeyframe = true;
        return;
      }
    }
    if (frame.type === FRAME_UPDATE) {
      const bytes = frame.stream ? await this.#inflatePiece(frame) : await inflateRaw(frame.compressed);
      const { ops, pixelsAt } = parseOps(bytes, frame.count, frame.video);
      if (resized || frame.keyframe) this.#closeVideo();
      if (resized) this.#resize(frame.width, frame.height);
      await this.#applyOps(frame, ops, bytes, pixelsAt);
      this.#shown(frame, resized);
      return;
    }
    const pixels = await inflateRaw(frame.payload);
    if (resized) this.#resize(frame.width, frame.height);
    let offset = 0;
    for (const tile of frame.tiles) {
      const n = tile.w * tile.h * 4;
      if (!n) continue;
      if (offset + n > pixels.length) throw new Error(`frame ${frame.frame}: tiles need more pixels than sent`);
      const data = new Uint8ClampedArray(pixels.buffer, pixels.byteOffset + offset, n);
      this.ctx.putImageData(new ImageData(data, tile.w, tile.h), tile.x, tile.y);
      offset += n;
    }
    this.#shown(frame, resized);
  }

  /** Bookkeeping once a picture frame is on the canvas. */
  #shown(frame, resized) {
    const monitorChanged = frame.monitor !== this.monitor;
    this.monitor = frame.monitor;
    this.lastFrame = frame.frame;
    this.framesThisSecond += 1;
    if (frame.keyframe) this.needKeyframe = false;
    const first = !this.hasPicture;
    this.hasPicture = true;
    this.canvas.dataset.frame = String(frame.frame);
    if (first || resized || monitorChanged) this.onChange();
  }

  async #applyOps(frame, ops, pixels, pixelsAt) {
    const ctx = this.ctx;
    let offset = pixelsAt;
    for (const op of ops) {
      if (op.x + op.w > frame.width || op.y + op.h > frame.height) throw new Error(`frame ${frame.frame}: operation outside the picture`);
      if (!op.w || !op.h) continue;
      switch (op.kind) {
        case OP_COPY:
          this.#copy(op);
          break;
        case OP_FILL:
          ctx.fillStyle = op.color;
          ctx.fillRect(op.x, op.y, op.w, op.h);
          break;
        case OP_RAW: {
          const image = new ImageData(op.w, op.h);
          const out = image.data;
          for (let i = 0, o = 0; o < out.length; i += 3, o += 4) {
            out[o] = pixels[offset + i];
            out[o + 1] = pixels[offset + i + 1];
            out[o + 2] = pixels[offset + i + 2];
            out[o + 3] = 255;
          }
          ctx.putImageData(image, op.x, op.y);
          offset += op.bytes;
          break;
        }
        case OP_PALETTE: {
          const image = new ImageData(op.w, op.h);
          const out = new Uint32Array(image.data.buffer);
          const { bits, colors, rowBytes } = op;
          const mask = (1 << bits) - 1;
          for (let y = 0; y < op.h; y += 1) {
            const row = offset + y * rowBytes;
            for (let x = 0; x < op.w; x += 1) {
              const bit = x * bits;
              const index = (pixels[row + (bit >> 3)] >> (8 - bits - (bit & 7))) & mask;
              if (index >= colors.length) throw new Error(`frame ${frame.frame}: palette index out of range`);
              out[y * op.w + x] = colors[index];
            }
          }
          ctx.putImageData(image, op.x, op.y);
          offset += op.bytes;
          break;
        }
        case OP_VIDEO: {
          const picture = await this.#decodeVideo(op);
          // Video coded smaller than its area (the app codes it no larger
          // than this viewer shows it, give or take an eighth): stretched
          // without smoothing then, a third of the cost in a software
          // canvas, and no different on the screen.
          const shown = this.#shownDevice();
          const shownScale = shown ? shown.width / this.canvas.width : 1;
          ctx.imageSmoothingEnabled = picture.displayWidth >= op.w || picture.displayWidth * 9 < op.w * shownScale * 8;
          try {
            ctx.drawImage(picture, op.x, op.y, op.w, op.h);
          } finally {
            ctx.imageSmoothingEnabled = true;
            picture.close();
          }
          break;
        }
        default:
          throw new Error(`frame ${frame.frame}: unknown operation ${op.kind}`);
      }
    }
  }

  /**
   * Copies `op`'s source rectangle to its place through the scratch canvas.
   * Drawing the canvas onto itself would be one call, but a software canvas
   * (Chromium without a GPU) then copies the whole canvas first: 6–8 ms for
   * 1920×1080 whatever the rectangle's size, against 0.03–2 ms this way
   * (bench/browser-viewer.mjs).
   */
  #copy(op) {
    const s = this.scratch;
    if (s.width < op.w || s.height < op.h) {
      // Resizing clears it, and its context keeps working.
      s.width = Math.max(s.width, op.w);
      s.height = Math.max(s.height, op.h);
    }
    this.sctx.drawImage(this.canvas, op.sx, op.sy, op.w, op.h, 0, 0, op.w, op.h);
    this.ctx.drawImage(s, 0, 0, op.w, op.h, op.x, op.y, op.w, op.h);
  }

  /** Decodes one H.264 access unit with WebCodecs; resolves to its VideoFrame. */
  async #decodeVideo(op) {
    const area = `${op.x},${op.y},${op.w},${op.h}`;
    if (op.fresh) {
      this.#closeVideo();
      if (typeof VideoDecoder !== 'function') throw new Error('this browser cannot decode video (no WebCodecs)');
      const video = { area, waiting: [], count: 0, failed: null };
      video.decoder = new VideoDecoder({
        output: (picture) => {
          const next = video.waiting.shift();
          if (next) next.resolve(picture);
          else picture.close();
        },
        error: (err) => {
          video.failed = err;
          for (const w of video.waiting.splice(0)) w.reject(err);
        },
      });
      video.decoder.configure({ codec: avcCodec(op.data), optimizeForLatency: true });
      this.video = video;
    }
    const video = this.video;
    if (!video || video.area !== area || video.failed) throw new Error('video continues a stream this viewer does not have');
    const picture = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('video picture not decoded in time')), VIDEO_TIMEOUT_MS);
      video.waiting.push({
        resolve: (p) => { clearTimeout(timer); resolve(p); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
    });
    video.decoder.decode(new EncodedVideoChunk({
      type: op.fresh ? 'key' : 'delta',
      timestamp: video.count * 33333,
      data: op.data,
    }));
    video.count += 1;
    return picture;
  }

  /** The operations and pixels of an update that continues (or, a keyframe, starts) the sender's stream. */
  async #inflatePiece(frame) {
    if (frame.keyframe) {
      this.#dropStream();
      this.inflater = new InflateStream();
    }
    if (!this.inflater) throw new Error('the update continues a compressed stream this viewer does not have');
    return this.inflater.piece(frame.compressed, frame.inflatedLength);
  }

  #dropStream() {
    this.inflater?.close();
    this.inflater = null;
  }

  #closeVideo() {
    const video = this.video;
    this.video = null;
    if (!video) return;
    for (const w of video.waiting.splice(0)) w.reject(new Error('video stream ended'));
    if (video.decoder.state !== 'closed') video.decoder.close();
  }

  #resize(width, height) {
    this.canvas.width = width;
    this.canvas.height = height;
    this.overlay.width = width;
    this.overlay.height = height;
    this.cursor.drawn = null;
    this.#drawCursor();
    this.#layout();
  }

  #layout() {
    const w = this.canvas.width;
    const h = this.canvas.height;
    let scale = 1;
    if (this.fit) {
      const box = this.element.getBoundingClientRect();
      if (box.width > 0 && box.height > 0) scale = Math.min(box.width / w, box.height / h);
    }
    this.shown = { width: Math.max(1, Math.floor(w * scale)), height: Math.max(1, Math.floor(h * scale)) };
    const cssW = `${this.shown.width}px`;
    const cssH = `${this.shown.height}px`;
    // Set through the CSSOM: the server's CSP forbids inline style attributes.
    for (const el of [this.stage, this.canvas, this.overlay]) {
      el.style.width = cssW;
      el.style.height = cssH;
    }
    this.#sendView();
  }

  /**
   * Tells the support app how large the picture is shown (device pixels),
   * once per grant and whenever that changes: video need not be coded
   * larger than it is drawn.
   */
  #sendView() {
    const shown = this.#shownDevice();
    if (!this.grant || !shown || this.canvas.width <= 1) return;
    const { width, height } = shown;
    const { epoch } = this.grant;
    const sent = this.sentView;
    if (sent && sent.epoch === epoch && sent.width === width && sent.height === height) return;
    if (this.send({ type: 'view', epoch, width, height })) this.sentView = { epoch, width, height };
  }

  /** The picture's size on the screen in device pixels, once laid out. */
  #shownDevice() {
    if (!this.shown) return null;
    const dpr = window.devicePixelRatio || 1;
    return {
      width: Math.max(1, Math.round(this.shown.width * dpr)),
      height: Math.max(1, Math.round(this.shown.height * dpr)),
    };
  }

  #askRefresh(force) {
    if (!this.grant) return;
    const now = performance.now();
    if (!force && now - this.lastRefreshAt < REFRESH_EVERY_MS) return;
    if (this.send({ type: 'refresh', epoch: this.grant.epoch })) this.lastRefreshAt = now;
  }

  #applyCursor(frame) {
    const c = this.cursor;
    if (frame.image) {
      const { w, h, hotX, hotY, rgba } = frame.image;
      if (w && h) {
        const bitmap = document.createElement('canvas');
        bitmap.width = w;
        bitmap.height = h;
        bitmap.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba), w, h), 0, 0);
        c.image = bitmap;
      } else {
        c.image = null;
      }
      c.hotX = hotX;
      c.hotY = hotY;
    }
    c.x = frame.x;
    c.y = frame.y;
    c.visible = frame.visible;
    this.overlay.dataset.x = String(c.x);
    this.overlay.dataset.y = String(c.y);
    this.overlay.dataset.visible = String(c.visible);
    this.#drawCursor();
  }

  #clearCursor() {
    this.octx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    this.cursor.drawn = null;
  }

  #drawCursor() {
    const c = this.cursor;
    if (c.drawn) {
      const d = c.drawn;
      this.octx.clearRect(d.x - 1, d.y - 1, d.w + 2, d.h + 2);
      c.drawn = null;
    }
    if (!c.visible) return;
    const x = c.x - c.hotX;
    const y = c.y - c.hotY;
    if (c.image) {
      this.octx.drawImage(c.image, x, y);
      c.drawn = { x, y, w: c.image.width, h: c.image.height };
    } else {
      // No shape sent yet: a small arrow so the technician sees where it is.
      const o = this.octx;
      o.beginPath();
      o.moveTo(c.x, c.y);
      o.lineTo(c.x, c.y + 16);
      o.lineTo(c.x + 4, c.y + 12);
      o.lineTo(c.x + 11, c.y + 12);
      o.closePath();
      o.fillStyle = '#fff';
      o.strokeStyle = '#000';
      o.fill();
      o.stroke();
      c.drawn = { x: c.x - 1, y: c.y - 1, w: 14, h: 19 };
    }
  }

  // -- input ------------------------------------------------------------------

  #wireInput() {
    const cv = this.canvas;
    cv.addEventListener('pointerdown', (e) => {
      cv.focus({ preventScroll: true });
      if (!this.control || e.pointerType !== 'mouse' && e.pointerType !== 'pen' && e.pointerType !== 'touch') return;
      e.preventDefault();
      try {
        cv.setPointerCapture(e.pointerId);
      } catch { /* the pointer is already gone */ }
      this.#moveTo(e);
      this.#button(e.button, true);
    });
    cv.addEventListener('pointermove', (e) => {
      if (!this.control) return;
      this.#queueMove(e);
      // A second button pressed or released while another is held comes as a move.
      if (e.button >= 0 && e.button < BUTTONS.length) {
        this.#moveTo(e);
        this.#button(e.button, (e.buttons & BUTTON_BITS[e.button]) !== 0);
      }
    });
    cv.addEventListener('pointerup', (e) => {
      if (!this.control) return;
      e.preventDefault();
      this.#moveTo(e);
      this.#button(e.button, false);
    });
    cv.addEventListener('lostpointercapture', () => {
      // Released outside the window, or the capture was taken away: let go.
      if (this.control && this.buttonsDown.size) for (const b of [...this.buttonsDown]) this.#button(b, false);
    });
    // Keep the browser from acting on the buttons itself: no context menu,
    // no middle-click autoscroll, no back/forward navigation.
    for (const type of ['contextmenu', 'mousedown', 'mouseup', 'auxclick']) {
      cv.addEventListener(type, (e) => {
        if (this.control || type === 'contextmenu') e.preventDefault();
      });
    }
    cv.addEventListener('wheel', (e) => {
      if (!this.control) return;
      e.preventDefault();
      const dy = Math.sign(e.deltaY);
      const dx = Math.sign(e.deltaX);
      if (!dx && !dy) return;
      this.#moveTo(e);
      this.#push({ t: 'wheel', dx, dy });
    }, { passive: false });
    cv.addEventListener('keydown', (e) => this.#key(e, true));
    cv.addEventListener('keyup', (e) => this.#key(e, false));
    cv.addEventListener('blur', () => this.#releaseAll());
  }

  /** Picture pixel under a mouse event, from the canvas's box on screen. */
  #toPicture(e) {
    const rect = this.canvas.getBoundingClientRect();
    const w = this.canvas.width;
    const h = this.canvas.height;
    const x = Math.floor(((e.clientX - rect.left) * w) / (rect.width || 1));
    const y = Math.floor(((e.clientY - rect.top) * h) / (rect.height || 1));
    return { x: Math.min(w - 1, Math.max(0, x)), y: Math.min(h - 1, Math.max(0, y)) };
  }

  #queueMove(e) {
    this.pendingMove = this.#toPicture(e);
    this.#schedule();
  }

  /** Moves to the event's position now, before the event that follows. */
  #moveTo(e) {
    this.pendingMove = this.#toPicture(e);
    this.#takeMove();
  }

  #takeMove() {
    const m = this.pendingMove;
    if (!m) return;
    this.pendingMove = null;
    if (this.lastMove && this.lastMove.x === m.x && this.lastMove.y === m.y) return;
    this.lastMove = m;
    this.queue.push({ t: 'move', x: m.x, y: m.y });
    this.#schedule();
  }

  #button(index, down) {
    const name = BUTTONS[index];
    if (!name) return;
    if (down === this.buttonsDown.has(index)) return;
    if (down) this.buttonsDown.add(index);
    else this.buttonsDown.delete(index);
    this.#push({ t: 'button', button: name, down });
  }

  #key(e, down) {
    if (!this.control || e.isComposing) return;
    e.preventDefault();
    e.stopPropagation();
    // AltGr only chooses the character on this keyboard; the character is sent.
    if (e.key === 'AltGraph') return;
    const altGr = e.getModifierState?.('AltGraph');
    const printable = [...e.key].length === 1 && !e.ctrlKey && !e.metaKey && (!e.altKey || altGr);
    if (down && printable && !this.keysDown.has(e.code)) {
      // Layout-independent: the character itself, whatever the customer's layout.
      this.#push({ t: 'text', text: e.key });
      return;
    }
    if (!e.code) return;
    if (down) {
      this.keysDown.add(e.code);
      this.#push({ t: 'key', code: e.code, down: true });
    } else if (this.keysDown.delete(e.code)) {
      this.#push({ t: 'key', code: e.code, down: false });
    }
  }

  /** Focus left the canvas: nothing may stay pressed on the customer's side. */
  #releaseAll() {
    if (!this.control) return;
    for (const code of this.keysDown) this.#push({ t: 'key', code, down: false });
    this.keysDown.clear();
    for (const b of [...this.buttonsDown]) this.#button(b, false);
    this.#flush();
  }

  /** Drops held keys and buttons without sending: the grant they belong to ended. */
  #forgetInput() {
    this.keysDown.clear();
    this.buttonsDown.clear();
    this.queue = [];
    this.pendingMove = null;
    this.lastMove = null;
  }

  /**
   * Queues `ev` after the pointer's latest position. Buttons and keys go out
   * at the end of the current task (half an animation frame sooner on
   * average, where typing and clicking feel it); wheel notches and pointer
   * moves wait for the next animation frame, which gathers them.
   */
  #push(ev) {
    if (!this.control) return;
    this.#takeMove();
    this.queue.push(ev);
    if (ev.t === 'wheel') {
      this.#schedule();
    } else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        this.#flush();
      });
    }
  }

  #schedule() {
    if (this.raf) return;
    if (document.hidden) {
      // No animation frames in a hidden page; do not hold input back.
      queueMicrotask(() => this.#flush());
      return;
    }
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.#flush();
    });
  }

  #flush() {
    this.#takeMove();
    if (!this.queue.length) return;
    const events = this.queue;
    this.queue = [];
    if (!this.control) return;
    this.send({ type: 'input', epoch: this.grant.epoch, events });
  }
}
