//! The encoder: finds what changed since the picture the viewer has and
//! writes the operations that bring the viewer's picture up to date.

use std::io::Write as _;
use std::time::Duration;

use flate2::write::DeflateEncoder;
use flate2::{Compress, Compression, FlushCompress};

use crate::motion::{self, Motion};
use crate::{Area, CodecError, HEADER, KEYFRAME, MAX_PALETTE, Pixels, STREAM, TILE, UPDATE, op};

/// Tuning of the lossy video path.
#[derive(Debug, Clone, Copy)]
pub struct EncoderConfig {
    /// Send video at all. Without the `h264` feature there is none.
    pub video: bool,
    /// Video pictures at most one this often on average (the rest of the
    /// picture is not limited); a short burst absorbs capture jitter.
    pub video_interval: Duration,
    /// Target bits a second of the video stream.
    pub video_bitrate: u32,
    /// Code video pictures apart: instead of H.264-coding them inside
    /// [`Encoder::encode_damaged`], hand each out as a [`VideoJob`] for a
    /// [`VideoCoder`] on another thread, so the rest of the picture never
    /// waits for the video's coding.
    pub video_apart: bool,
}

impl Default for EncoderConfig {
    fn default() -> Self {
        EncoderConfig {
            video: cfg!(feature = "h264"),
            video_interval: Duration::from_millis(33),
            video_bitrate: 3_000_000,
            video_apart: false,
        }
    }
}

/// What the encoder remembers of one tile.
#[derive(Debug, Clone, Copy, Default)]
struct TileState {
    /// Bit 0: changed in the latest window of time (see
    /// `Encoder::history_at`), bit 1 in the one before, …
    history: u16,
    /// The tile needed more colours than a palette holds the last time it was sent.
    rich: bool,
    /// The viewer has this tile only from lossy video: send it losslessly once
    /// it leaves the video area.
    lossy: bool,
    /// Changed, but held back for the next video picture: look at it again
    /// whatever the next damage report says.
    pending: bool,
}

/// Turns successive pictures of one monitor into update messages.
#[derive(Debug)]
pub struct Encoder {
    #[cfg_attr(not(feature = "h264"), allow(dead_code))]
    config: EncoderConfig,
    /// BGRA, `width·4` bytes a row: the picture the viewer has (for lossy
    /// tiles, the picture it was made from).
    previous: Vec<u8>,
    width: u32,
    height: u32,
    cols: u32,
    rows: u32,
    frame: u32,
    /// One DEFLATE stream over all messages since the last keyframe: text
    /// drawn again (a scrolled line, a repeated word) refers back to what
    /// the viewer already inflated, about 40 % fewer bytes on a terminal.
    deflate: Compress,
    tiles: Vec<TileState>,
    /// When the tiles' histories last moved on by one window (of 1.5 video
    /// intervals): calls within a window add to its bit.
    history_at: Option<Duration>,
    /// Scratch, reused between frames.
    candidate: Vec<bool>,
    changed: Vec<u32>,
    ops: Vec<u8>,
    op_count: usize,
    payload: Vec<u8>,
    /// H.264 units, sent uncompressed after the DEFLATE stream.
    video_data: Vec<u8>,
    motion: Motion,
    #[cfg(feature = "h264")]
    video: crate::video::VideoEncoder,
    /// Apart video (see [`EncoderConfig::video_apart`]): the picture waiting
    /// to be taken, whether the coder is still at work on the one before,
    /// and the stream's number, new whenever the stream ends or moves.
    #[cfg(feature = "h264")]
    video_job: Option<VideoJob>,
    #[cfg(feature = "h264")]
    video_busy: bool,
    #[cfg(feature = "h264")]
    video_stream: u64,
    /// The part of the video area the stream codes (see `coded_rect`).
    #[cfg(feature = "h264")]
    video_rect: Option<Area>,
    /// Video is coded at least this many times smaller each way.
    #[cfg(feature = "h264")]
    video_least_scale: u32,
}

/// A video picture to be coded apart from the encoder (see
/// [`EncoderConfig::video_apart`]): the video area's pixels at capture time.
#[cfg(feature = "h264")]
#[derive(Debug)]
pub struct VideoJob {
    monitor: u16,
    width: u32,
    height: u32,
    area: Area,
    stream: u64,
    at: Duration,
    /// See [`Encoder::set_video_least_scale`].
    least_scale: u32,
    picture: crate::video::I420,
}

#[cfg(feature = "h264")]
impl VideoJob {
    /// The stream the picture belongs to (see [`Encoder::video_stream`]).
    pub fn stream(&self) -> u64 {
        self.stream
    }
}

/// Codes [`VideoJob`]s into update messages of one video operation each;
/// owns the H.264 stream. Jobs must be coded in the order they were taken.
#[cfg(feature = "h264")]
#[derive(Debug)]
pub struct VideoCoder {
    video: crate::video::VideoEncoder,
    stream: Option<u64>,
    level: Compression,
}

#[cfg(feature = "h264")]
impl VideoCoder {
    pub fn new(config: &EncoderConfig) -> VideoCoder {
        VideoCoder {
            video: crate::video::VideoEncoder::new(config.video_bitrate),
            stream: None,
            level: Compression::new(6),
        }
    }

    /// The update message for `job`, or `None` when the rate control
    /// skipped the picture (the encoder sends the area losslessly once it
    /// stands still, as always). Its frame number is 0: the sender numbers
    /// it among the encoder's messages with [`crate::set_frame_number`].
    pub fn code(&mut self, job: &VideoJob) -> Result<Option<Vec<u8>>, CodecError> {
        if self.stream != Some(job.stream) {
            // A new stream: a new decoder at the viewer, an IDR picture.
            self.video.stop();
            self.stream = Some(job.stream);
        }
        self.video.set_least_scale(job.least_scale);
        let (data, fresh) = self.video.encode(&job.picture, job.area, job.at)?;
        if data.is_empty() {
            return Ok(None);
        }
        let mut ops = Vec::with_capacity(14);
        video_op(&mut ops, job.area, fresh, data.len());
        message(
            Header {
                monitor: job.monitor,
                keyframe: false,
                width: job.width,
                height: job.height,
                frame: 0,
                op_count: 1,
            },
            &ops,
            &[],
            &data,
            Deflate::Alone(self.level),
        )
        .map(Some)
    }
}

/// The fixed part of an update message.
struct Header {
    monitor: u16,
    keyframe: bool,
    width: u32,
    height: u32,
    frame: u32,
    op_count: usize,
}

/// How an update's operations and pixels are compressed.
enum Deflate<'a> {
    /// On their own: the viewer inflates them alone (video pictures coded
    /// apart, whose messages go out between the encoder's).
    #[cfg_attr(not(feature = "h264"), allow(dead_code))]
    Alone(Compression),
    /// As the next piece of the encoder's stream (see [`STREAM`]).
    Stream(&'a mut Compress),
}

/// An update message: header, the operations and their pixels through
/// DEFLATE, then the video units as they are.
fn message(
    header: Header,
    ops: &[u8],
    payload: &[u8],
    video_data: &[u8],
    deflate: Deflate<'_>,
) -> Result<Vec<u8>, CodecError> {
    if header.op_count > usize::from(u16::MAX) {
        return Err(CodecError::TooLarge);
    }
    let mut out =
        Vec::with_capacity(HEADER + 8 + ops.len() + payload.len() / 4 + video_data.len() + 64);
    out.push(UPDATE);
    let stream = matches!(deflate, Deflate::Stream(_));
    out.push(if header.keyframe { KEYFRAME } else { 0 } | if stream { STREAM } else { 0 });
    out.extend_from_slice(&header.monitor.to_le_bytes());
    out.extend_from_slice(&header.width.to_le_bytes());
    out.extend_from_slice(&header.height.to_le_bytes());
    out.extend_from_slice(&header.frame.to_le_bytes());
    out.extend_from_slice(&(header.op_count as u16).to_le_bytes());
    // The operations compress as well as the pixels (repeated palettes,
    // neighbouring coordinates): both go through one DEFLATE stream.
    out.extend_from_slice(&[0; 4]);
    let start = match deflate {
        Deflate::Alone(level) => {
            let start = out.len();
            let mut z = DeflateEncoder::new(out, level);
            z.write_all(ops)
                .and_then(|()| z.write_all(payload))
                .map_err(|_| CodecError::Malformed("compression failed"))?;
            out = z
                .finish()
                .map_err(|_| CodecError::Malformed("compression failed"))?;
            start
        }
        Deflate::Stream(z) => {
            let inflated =
                u32::try_from(ops.len() + payload.len()).map_err(|_| CodecError::TooLarge)?;
            out.extend_from_slice(&inflated.to_le_bytes());
            let start = out.len();
            deflate_into(z, ops, &mut out, FlushCompress::None)?;
            // A sync flush ends the piece on a byte boundary with all of its
            // bytes inflatable now, and keeps the history for the next.
            deflate_into(z, payload, &mut out, FlushCompress::Sync)?;
            start
        }
    };
    let compressed = u32::try_from(out.len() - start).map_err(|_| CodecError::TooLarge)?;
    out[HEADER..HEADER + 4].copy_from_slice(&compressed.to_le_bytes());
    out.extend_from_slice(video_data);
    Ok(out)
}

/// Feeds `input` to the stream `z`, appending what comes out to `out`.
fn deflate_into(
    z: &mut Compress,
    mut input: &[u8],
    out: &mut Vec<u8>,
    flush: FlushCompress,
) -> Result<(), CodecError> {
    loop {
        out.reserve(input.len() / 2 + 256);
        let before = z.total_in();
        z.compress_vec(input, out, flush)
            .map_err(|_| CodecError::Malformed("compression failed"))?;
        let used = usize::try_from(z.total_in() - before).unwrap_or(input.len());
        input = &input[used.min(input.len())..];
        // Room left over: everything this call had to give is out.
        if input.is_empty() && out.len() < out.capacity() {
            return Ok(());
        }
    }
}

fn rect_op(ops: &mut Vec<u8>, kind: u8, a: Area) {
    ops.push(kind);
    for v in [a.x, a.y, a.width, a.height] {
        ops.extend_from_slice(&(v as u16).to_le_bytes());
    }
}

/// Appends a video operation: `area`, whether its unit starts a stream, and
/// the unit's length (the unit itself follows the DEFLATE stream).
#[cfg(feature = "h264")]
fn video_op(ops: &mut Vec<u8>, area: Area, fresh: bool, len: usize) {
    rect_op(ops, op::VIDEO, area);
    ops.push(u8::from(fresh));
    ops.extend_from_slice(&(len as u32).to_le_bytes());
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder::new()
    }
}

impl Encoder {
    pub fn new() -> Encoder {
        Encoder::with_config(EncoderConfig::default())
    }

    pub fn with_config(config: EncoderConfig) -> Encoder {
        Encoder {
            config,
            previous: Vec::new(),
            width: 0,
            height: 0,
            cols: 0,
            rows: 0,
            frame: 0,
            deflate: Compress::new(Compression::new(6), false),
            tiles: Vec::new(),
            history_at: None,
            candidate: Vec::new(),
            changed: Vec::new(),
            ops: Vec::new(),
            op_count: 0,
            payload: Vec::new(),
            video_data: Vec::new(),
            motion: Motion::default(),
            #[cfg(feature = "h264")]
            video: crate::video::VideoEncoder::new(config.video_bitrate),
            #[cfg(feature = "h264")]
            video_job: None,
            #[cfg(feature = "h264")]
            video_busy: false,
            #[cfg(feature = "h264")]
            video_stream: 0,
            #[cfg(feature = "h264")]
            video_rect: None,
            #[cfg(feature = "h264")]
            video_least_scale: 1,
        }
    }

    /// Forgets the previous picture: the next message is a keyframe.
    pub fn reset(&mut self) {
        self.previous.clear();
    }

    /// The update message for `pixels`, or `None` when nothing changed.
    /// `keyframe` sends every tile (a new viewer, or one that lost frames).
    /// Compares the whole picture; see [`Encoder::encode_damaged`].
    pub fn encode(
        &mut self,
        monitor: u16,
        pixels: Pixels<'_>,
        keyframe: bool,
    ) -> Result<Option<Vec<u8>>, CodecError> {
        let at = Duration::from_millis(u64::from(self.frame) * 16);
        self.encode_damaged(monitor, pixels, None, keyframe, at)
    }

    /// Whether the viewer's picture still differs from the last capture even
    /// though nothing new was drawn: tiles it has only from lossy video, or
    /// video tiles the rate control held back. The capture loop keeps
    /// encoding while this holds, so a still screen ends up lossless.
    pub fn has_unfinished(&self) -> bool {
        self.tiles.iter().any(|t| t.lossy || t.pending)
    }

    /// Apart video (see [`EncoderConfig::video_apart`]): whether the coder is
    /// still at work on the last job. Video pictures are then held back, so
    /// at most one is ever on its way.
    #[cfg(feature = "h264")]
    pub fn set_video_busy(&mut self, busy: bool) {
        self.video_busy = busy;
    }

    /// The viewer shows the picture `n` times smaller each way or more (1,
    /// 2 or 4): video is coded at least that much smaller, since the pixels
    /// beyond would be thrown away when it is drawn. Lossless pictures stay
    /// whole, so the still picture is exact at any size.
    #[cfg(feature = "h264")]
    pub fn set_video_least_scale(&mut self, n: u32) {
        self.video_least_scale = n;
    }

    /// Apart video: the picture the last call handed out, if any.
    #[cfg(feature = "h264")]
    pub fn take_video_job(&mut self) -> Option<VideoJob> {
        self.video_job.take()
    }

    /// The video stream's number; it changes whenever the stream ends or
    /// moves. A job of an older stream must reach the viewer before any
    /// message encoded after the change, which may cover its area losslessly.
    #[cfg(feature = "h264")]
    pub fn video_stream(&self) -> u64 {
        self.video_stream
    }

    /// Like [`Encoder::encode`], but looks for changes only inside `damage`
    /// (picture coordinates; `None`: anywhere). `at` is a monotonic time stamp
    /// of the capture, for pacing the video stream.
    pub fn encode_damaged(
        &mut self,
        monitor: u16,
        pixels: Pixels<'_>,
        damage: Option<&[Area]>,
        keyframe: bool,
        at: Duration,
    ) -> Result<Option<Vec<u8>>, CodecError> {
        let (w, h) = (pixels.width, pixels.height);
        if w > u32::from(u16::MAX) || h > u32::from(u16::MAX) {
            return Err(CodecError::TooLarge);
        }
        let needed = if h == 0 {
            0
        } else {
            pixels.stride * (h as usize - 1) + w as usize * 4
        };
        if pixels.data.len() < needed || pixels.stride < w as usize * 4 {
            return Err(CodecError::ShortBuffer);
        }
        let whole = keyframe
            || w != self.width
            || h != self.height
            || self.previous.len() != (w * h * 4) as usize;
        if whole {
            self.width = w;
            self.height = h;
            self.cols = w.div_ceil(TILE);
            self.rows = h.div_ceil(TILE);
            self.previous.clear();
            self.previous.resize((w * h * 4) as usize, 0);
            self.tiles.clear();
            self.tiles
                .resize((self.cols * self.rows) as usize, TileState::default());
            #[cfg(feature = "h264")]
            self.stop_video();
        }
        #[cfg(feature = "h264")]
        {
            self.video_job = None;
        }
        self.ops.clear();
        self.payload.clear();
        self.video_data.clear();
        self.op_count = 0;
        self.find_changed(&pixels, damage, whole);
        if !whole && self.changed.len() >= motion::MIN_TILES {
            self.copy_moved(&pixels);
        }
        // History counts windows of time, not calls: a capture loop that
        // looks more often (right after input, say) than a video draws must
        // not make the video's tiles look as if they paused.
        let window = self.config.video_interval * 3 / 2;
        if whole
            || self
                .history_at
                .is_none_or(|last| at.saturating_sub(last) >= window)
        {
            for t in &mut self.tiles {
                t.history <<= 1;
            }
            self.history_at = Some(at);
        }
        let changed = std::mem::take(&mut self.changed);
        for &t in &changed {
            // A tile sent again only to refine lossy video is not a change:
            // counting it would make the video area that just ended its own
            // reason to start again.
            let state = self.tiles[t as usize];
            if !state.lossy || self.in_video(t) {
                self.tiles[t as usize].history |= 1;
            }
        }
        #[cfg(feature = "h264")]
        let changed = self.send_video(monitor, &pixels, changed, at, whole)?;
        #[cfg(not(feature = "h264"))]
        let _ = at;
        self.send_tiles(&pixels, &changed, whole);
        self.changed = changed;
        if self.op_count == 0 {
            return Ok(None);
        }
        self.frame = self.frame.wrapping_add(1);
        if whole {
            self.deflate.reset();
        }
        message(
            Header {
                monitor,
                keyframe: whole,
                width: w,
                height: h,
                frame: self.frame,
                op_count: self.op_count,
            },
            &self.ops,
            &self.payload,
            &self.video_data,
            Deflate::Stream(&mut self.deflate),
        )
        .map(Some)
        // The stream may now be ahead of any viewer: start over.
        .inspect_err(|_| self.previous.clear())
    }

    fn tile_area(&self, t: u32) -> Area {
        let (c, r) = (t % self.cols, t / self.cols);
        let (x, y) = (c * TILE, r * TILE);
        Area {
            x,
            y,
            width: TILE.min(self.width - x),
            height: TILE.min(self.height - y),
        }
    }

    /// Fills `self.changed` with the tiles (in raster order) that differ from
    /// the viewer's picture, looking only at tiles `damage` touches, plus the
    /// lossy tiles that the video area has left.
    fn find_changed(&mut self, pixels: &Pixels<'_>, damage: Option<&[Area]>, whole: bool) {
        self.changed.clear();
        let n = (self.cols * self.rows) as usize;
        if whole {
            self.changed.extend(0..n as u32);
            return;
        }
        self.candidate.clear();
        self.candidate.resize(n, damage.is_none());
        for a in damage.unwrap_or_default() {
            if a.width == 0 || a.height == 0 || a.x >= self.width || a.y >= self.height {
                continue;
            }
            let (x1, y1) = (
                (a.x.saturating_add(a.width)).min(self.width),
                (a.y.saturating_add(a.height)).min(self.height),
            );
            for r in a.y / TILE..y1.div_ceil(TILE) {
                for c in a.x / TILE..x1.div_ceil(TILE) {
                    self.candidate[(r * self.cols + c) as usize] = true;
                }
            }
        }
        for t in 0..n as u32 {
            let state = self.tiles[t as usize];
            let refine = state.lossy && !self.in_video(t);
            let look = self.candidate[t as usize] || state.pending;
            self.tiles[t as usize].pending = false;
            if refine || (look && self.tile_changed(pixels, t)) {
                self.changed.push(t);
            }
        }
    }

    /// Whether tile `t` belongs to `area` (its top-left corner is inside;
    /// video areas are made of whole tiles).
    #[cfg(feature = "h264")]
    fn tile_in(&self, t: u32, area: Area) -> bool {
        let a = self.tile_area(t);
        a.x >= area.x && a.y >= area.y && a.x < area.x + area.width && a.y < area.y + area.height
    }

    #[cfg(feature = "h264")]
    fn in_video(&self, t: u32) -> bool {
        self.video.area().is_some_and(|v| self.tile_in(t, v))
    }

    #[cfg(not(feature = "h264"))]
    fn in_video(&self, _t: u32) -> bool {
        false
    }

    fn tile_changed(&self, pixels: &Pixels<'_>, t: u32) -> bool {
        let a = self.tile_area(t);
        (a.y..a.y + a.height).any(|y| pixels.row(y, a.x, a.width) != self.prev_row(y, a.x, a.width))
    }

    fn prev_row(&self, y: u32, x: u32, w: u32) -> &[u8] {
        let start = (y as usize * self.width as usize + x as usize) * 4;
        &self.previous[start..start + w as usize * 4]
    }

    /// Finds content that moved (scrolling, a dragged window), sends it as
    /// copies and drops the tiles they cover from `self.changed`.
    fn copy_moved(&mut self, pixels: &Pixels<'_>) {
        // Video is coded as a picture as a whole: searching it for moved
        // content costs more than the rest of the lossless work together.
        let movable: Vec<usize> = (0..self.changed.len())
            .filter(|&i| !self.in_video(self.changed[i]))
            .collect();
        if movable.len() < motion::MIN_TILES {
            return;
        }
        let areas: Vec<Area> = movable
            .iter()
            .map(|&i| self.tile_area(self.changed[i]))
            .collect();
        let vectors = self
            .motion
            .candidates(pixels, &self.previous, self.width, &areas);
        if vectors.is_empty() {
            return;
        }
        // Which vector, if any, each changed tile is a copy by (against the
        // picture before any copy of this frame).
        let mut by: Vec<Option<(i32, i32)>> = vec![None; areas.len()];
        for (i, &a) in areas.iter().enumerate() {
            by[i] = vectors.iter().copied().find(|&v| {
                self.source_usable(a, v)
                    && motion::matches(pixels, &self.previous, self.width, a, v)
            });
        }
        let rects = merge_copies(&areas, &by);
        // Copies all along one axis, ordered as `order_copies` does, never
        // overwrite each other's sources: each one copies what was checked
        // above. Otherwise each is checked again against the picture as the
        // copies before it left it.
        let one_axis = rects.windows(2).all(|w| w[0].1 == w[1].1)
            && rects
                .first()
                .is_some_and(|&(_, (dx, dy))| dx == 0 || dy == 0);
        let mut copied = vec![false; self.changed.len()];
        for (dst, v) in order_copies(rects) {
            if !one_axis
                && (!self.source_usable(dst, v)
                    || !motion::matches(pixels, &self.previous, self.width, dst, v))
            {
                continue;
            }
            self.apply_copy(dst, v);
            self.push_copy(dst, v);
            for (i, a) in areas.iter().enumerate() {
                if a.x >= dst.x
                    && a.y >= dst.y
                    && a.x + a.width <= dst.x + dst.width
                    && a.y + a.height <= dst.y + dst.height
                {
                    copied[movable[i]] = true;
                }
            }
        }
        let mut i = 0;
        self.changed.retain(|_| {
            i += 1;
            !copied[i - 1]
        });
    }

    /// The source of a copy lies in the picture and holds exact pixels.
    fn source_usable(&self, dst: Area, (dx, dy): (i32, i32)) -> bool {
        let (sx, sy) = (
            i64::from(dst.x) - i64::from(dx),
            i64::from(dst.y) - i64::from(dy),
        );
        if sx < 0
            || sy < 0
            || sx + i64::from(dst.width) > i64::from(self.width)
            || sy + i64::from(dst.height) > i64::from(self.height)
        {
            return false;
        }
        let (sx, sy) = (sx as u32, sy as u32);
        for r in sy / TILE..(sy + dst.height).div_ceil(TILE) {
            for c in sx / TILE..(sx + dst.width).div_ceil(TILE) {
                if self.tiles[(r * self.cols + c) as usize].lossy {
                    return false;
                }
            }
        }
        true
    }

    /// Copies as the viewer will: from the picture as it was before the copy.
    fn apply_copy(&mut self, dst: Area, (dx, dy): (i32, i32)) {
        let stride = self.width as usize * 4;
        let len = dst.width as usize * 4;
        let sx = (i64::from(dst.x) - i64::from(dx)) as usize;
        let sy = (i64::from(dst.y) - i64::from(dy)) as usize;
        let mut copy_row = |y: usize| {
            let from = (sy + y) * stride + sx * 4;
            let to = (dst.y as usize + y) * stride + dst.x as usize * 4;
            self.previous.copy_within(from..from + len, to);
        };
        if dy > 0 {
            (0..dst.height as usize).rev().for_each(&mut copy_row);
        } else {
            (0..dst.height as usize).for_each(&mut copy_row);
        }
    }

    fn push_rect(&mut self, kind: u8, a: Area) {
        self.op_count += 1;
        rect_op(&mut self.ops, kind, a);
    }

    fn push_copy(&mut self, dst: Area, (dx, dy): (i32, i32)) {
        self.push_rect(op::COPY, dst);
        let sx = (i64::from(dst.x) - i64::from(dx)) as u16;
        let sy = (i64::from(dst.y) - i64::from(dy)) as u16;
        self.ops.extend_from_slice(&sx.to_le_bytes());
        self.ops.extend_from_slice(&sy.to_le_bytes());
    }

    /// Sends the parts of `tiles` (raster order) that changed, losslessly,
    /// and remembers them. Neighbours in a tile row whose rectangles line up
    /// and whose colours fit the same palette width are sent as one operation.
    fn send_tiles(&mut self, pixels: &Pixels<'_>, tiles: &[u32], whole: bool) {
        let mut run: Option<Part> = None;
        for &t in tiles {
            let tile = self.tile_area(t);
            let state = self.tiles[t as usize];
            let a = if whole || state.lossy {
                Some(tile)
            } else {
                self.changed_part(pixels, tile)
            };
            self.tiles[t as usize].lossy = false;
            let Some(a) = a else { continue };
            let colours = classify(pixels, a);
            self.tiles[t as usize].rich = colours.is_none();
            for y in a.y..a.y + a.height {
                let start = (y as usize * self.width as usize + a.x as usize) * 4;
                self.previous[start..start + a.width as usize * 4]
                    .copy_from_slice(pixels.row(y, a.x, a.width));
            }
            let part = Part { area: a, colours };
            run = match run {
                Some(r) => match r.join(&part) {
                    Some(joined) => Some(joined),
                    None => {
                        self.send_part(pixels, &r);
                        Some(part)
                    }
                },
                None => Some(part),
            };
        }
        if let Some(r) = run {
            self.send_part(pixels, &r);
        }
    }

    /// The smallest rectangle inside `tile` holding every changed pixel.
    fn changed_part(&self, pixels: &Pixels<'_>, tile: Area) -> Option<Area> {
        let differs =
            |y: u32| pixels.row(y, tile.x, tile.width) != self.prev_row(y, tile.x, tile.width);
        let y0 = (tile.y..tile.y + tile.height).find(|&y| differs(y))?;
        let y1 = (y0..tile.y + tile.height).rev().find(|&y| differs(y))? + 1;
        let (mut x0, mut x1) = (tile.width, 0);
        for y in y0..y1 {
            let new = pixels.row(y, tile.x, tile.width);
            let old = self.prev_row(y, tile.x, tile.width);
            if new == old {
                continue;
            }
            let px = |i: u32| {
                new[i as usize * 4..i as usize * 4 + 4] != old[i as usize * 4..i as usize * 4 + 4]
            };
            if let Some(first) = (0..x0.min(tile.width)).find(|&i| px(i)) {
                x0 = first;
            }
            if let Some(last) = (x1..tile.width).rev().find(|&i| px(i)) {
                x1 = last + 1;
            }
        }
        (x1 > x0).then_some(Area {
            x: tile.x + x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
        })
    }

    /// Writes the fill, palette or raw operation of `part`.
    fn send_part(&mut self, pixels: &Pixels<'_>, part: &Part) {
        let a = part.area;
        let Some(palette) = &part.colours else {
            self.push_rect(op::RAW, a);
            self.payload
                .reserve(a.width as usize * a.height as usize * 3);
            for y in a.y..a.y + a.height {
                for px in pixels.row(y, a.x, a.width).chunks_exact(4) {
                    self.payload.extend_from_slice(&[px[2], px[1], px[0]]);
                }
            }
            return;
        };
        if palette.len() == 1 {
            self.push_rect(op::FILL, a);
            self.ops.extend_from_slice(&palette[0].to_be_bytes()[1..]);
            return;
        }
        self.push_rect(op::PALETTE, a);
        self.ops.push(palette.len() as u8);
        for c in palette {
            self.ops.extend_from_slice(&c.to_be_bytes()[1..]);
        }
        let bits = crate::palette_bits(palette.len());
        let per_byte = 8 / bits;
        for y in a.y..a.y + a.height {
            let mut byte = 0u8;
            let mut filled = 0;
            let mut last = (u32::MAX, 0u8);
            for px in pixels.row(y, a.x, a.width).chunks_exact(4) {
                let c = rgb(px);
                if c != last.0 {
                    let i = palette.iter().position(|&p| p == c).unwrap_or(0) as u8;
                    last = (c, i);
                }
                byte = (byte << bits) | last.1;
                filled += 1;
                if filled == per_byte {
                    self.payload.push(byte);
                    byte = 0;
                    filled = 0;
                }
            }
            if filled > 0 {
                self.payload.push(byte << (bits * (per_byte - filled)));
            }
        }
    }

    #[cfg(feature = "h264")]
    fn stop_video(&mut self) {
        self.video.stop();
        self.video_stream += 1;
        self.video_rect = None;
    }

    #[cfg(feature = "h264")]
    fn send_video(
        &mut self,
        monitor: u16,
        pixels: &Pixels<'_>,
        changed: Vec<u32>,
        at: Duration,
        whole: bool,
    ) -> Result<Vec<u32>, CodecError> {
        if !self.config.video || whole {
            return Ok(changed);
        }
        let area = crate::video::choose_area(
            self.video.area(),
            self.cols,
            self.rows,
            |t| {
                let s = self.tiles[t as usize];
                // Changed in both windows before the current one (which
                // may have only just begun).
                s.history & 0b110 == 0b110 && (s.rich || s.lossy)
            },
            |t| self.tile_area(t),
        );
        if area != self.video.area() {
            self.stop_video();
        }
        let Some(area) = area else {
            return Ok(changed);
        };
        let (video, rest): (Vec<u32>, Vec<u32>) =
            changed.into_iter().partition(|&t| self.tile_in(t, area));
        if video.is_empty()
            || !self.video.due(at, self.config.video_interval)
            || (self.config.video_apart && self.video_busy)
        {
            self.hold_back(&video);
            return Ok(rest);
        }
        let rect = self.coded_rect(pixels, area, &video);
        if self.video_rect.is_some_and(|r| r != rect) {
            // More of the area moves than before: a new stream for the
            // larger rectangle.
            self.stop_video();
        }
        self.video_rect = Some(rect);
        if self.config.video_apart {
            self.video.claim(area);
            self.video_job = Some(VideoJob {
                monitor,
                width: self.width,
                height: self.height,
                area: rect,
                stream: self.video_stream,
                at,
                least_scale: self.video_least_scale,
                picture: crate::video::I420::from_bgra(pixels, rect, |y, row| {
                    remember(&mut self.previous, self.width, rect.x, y, row);
                }),
            });
            self.mark_lossy(rect);
            return Ok(rest);
        }
        self.video.show(area);
        self.video.set_least_scale(self.video_least_scale);
        let picture = crate::video::I420::from_bgra(pixels, rect, |_, _| {});
        let (data, fresh) = self.video.encode(&picture, rect, at)?;
        if data.is_empty() {
            // The rate control skipped this picture.
            self.hold_back(&video);
        } else {
            self.op_count += 1;
            video_op(&mut self.ops, rect, fresh, data.len());
            self.video_data.extend_from_slice(&data);
            for y in rect.y..rect.y + rect.height {
                remember(
                    &mut self.previous,
                    self.width,
                    rect.x,
                    y,
                    pixels.row(y, rect.x, rect.width),
                );
            }
            self.mark_lossy(rect);
        }
        Ok(rest)
    }

    /// The rectangle of the video `area` (whole tiles) that the stream
    /// codes: what changed in its `video` tiles (to the pixel in the tiles
    /// on the area's edge, since a film rarely lines up with tiles), grown
    /// to hold the stream's rectangle so far, at even coordinates (H.264's
    /// chroma is half size). Everything that changed in the area is inside,
    /// so the pixels around stay exact. Only the parts of the edge tiles
    /// outside the rectangle so far can grow it, so only those are compared
    /// (a film's picture changes every frame; its still border does not).
    #[cfg(feature = "h264")]
    fn coded_rect(&self, pixels: &Pixels<'_>, area: Area, video: &[u32]) -> Area {
        let (right, bottom) = (area.x + area.width, area.y + area.height);
        let mut bounds = self
            .video_rect
            .map(|r| (r.x, r.y, r.x + r.width, r.y + r.height));
        let mut grow = |p: Area| {
            let (x1, y1) = (p.x + p.width, p.y + p.height);
            bounds = Some(match bounds {
                None => (p.x, p.y, x1, y1),
                Some((a, b, c, d)) => (a.min(p.x), b.min(p.y), c.max(x1), d.max(y1)),
            });
        };
        for &t in video {
            let tile = self.tile_area(t);
            let edge = tile.x == area.x
                || tile.y == area.y
                || tile.x + tile.width >= right
                || tile.y + tile.height >= bottom;
            if edge {
                outside(tile, self.video_rect)
                    .filter_map(|strip| self.changed_part(pixels, strip))
                    .for_each(&mut grow);
            } else {
                grow(tile);
            }
        }
        let Some((x0, y0, x1, y1)) = bounds else {
            return area;
        };
        let (x0, y0) = ((x0 & !1).max(area.x), (y0 & !1).max(area.y));
        let (x1, y1) = ((x1 + 1) & !1, (y1 + 1) & !1);
        let (x1, y1) = (x1.min(right), y1.min(bottom));
        Area {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
        }
    }

    /// Video tiles not sent now stay different from `previous` and are
    /// looked at again next frame.
    #[cfg(feature = "h264")]
    fn hold_back(&mut self, video: &[u32]) {
        for &t in video {
            self.tiles[t as usize].pending = true;
        }
    }

    /// The viewer gets `rect` from video (its pixels are remembered for
    /// comparing with [`remember`]): the tiles it touches are lossy.
    #[cfg(feature = "h264")]
    fn mark_lossy(&mut self, rect: Area) {
        for t in 0..self.cols * self.rows {
            let a = self.tile_area(t);
            if a.x < rect.x + rect.width
                && rect.x < a.x + a.width
                && a.y < rect.y + rect.height
                && rect.y < a.y + a.height
            {
                self.tiles[t as usize].lossy = true;
            }
        }
    }
}

/// The parts of `tile` outside `rect` (all of it without one): the strips
/// above and below it, and beside it in between; empty ones left out.
#[cfg(feature = "h264")]
pub(crate) fn outside(tile: Area, rect: Option<Area>) -> impl Iterator<Item = Area> {
    let (tx1, ty1) = (tile.x + tile.width, tile.y + tile.height);
    // A rectangle taking none of the tile leaves all of it in the first strip.
    let r = rect.unwrap_or(Area {
        x: tile.x,
        y: ty1,
        width: 0,
        height: 0,
    });
    let rows = (r.y.clamp(tile.y, ty1), (r.y + r.height).clamp(tile.y, ty1));
    let cols = (r.x.clamp(tile.x, tx1), (r.x + r.width).clamp(tile.x, tx1));
    [
        (tile.x, tile.y, tx1, rows.0),
        (tile.x, rows.1, tx1, ty1),
        (tile.x, rows.0, cols.0, rows.1),
        (cols.1, rows.0, tx1, rows.1),
    ]
    .into_iter()
    .filter(|&(x0, y0, x1, y1)| x1 > x0 && y1 > y0)
    .map(|(x0, y0, x1, y1)| Area {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
    })
}

/// Puts `row`, the pixels of row `y` from column `x`, into `previous`, a
/// picture `width` pixels wide.
#[cfg(feature = "h264")]
fn remember(previous: &mut [u8], width: u32, x: u32, y: u32, row: &[u8]) {
    let start = (y as usize * width as usize + x as usize) * 4;
    previous[start..start + row.len()].copy_from_slice(row);
}

/// `0x00RRGGBB` of a BGRA pixel.
fn rgb(px: &[u8]) -> u32 {
    u32::from_le_bytes([px[0], px[1], px[2], px[3]]) & 0x00ff_ffff
}

/// The colours of `a`, sorted, or `None` for more than a palette holds.
fn classify(pixels: &Pixels<'_>, a: Area) -> Option<Vec<u32>> {
    let mut palette: Vec<u32> = Vec::with_capacity(MAX_PALETTE);
    let mut last = u32::MAX;
    for y in a.y..a.y + a.height {
        for px in pixels.row(y, a.x, a.width).chunks_exact(4) {
            let c = rgb(px);
            if c == last {
                continue;
            }
            last = c;
            if !palette.contains(&c) {
                if palette.len() == MAX_PALETTE {
                    return None;
                }
                palette.push(c);
            }
        }
    }
    // In one order everywhere, so that the same two colours give the same
    // bits in every tile and DEFLATE finds repeats across tiles.
    palette.sort_unstable();
    Some(palette)
}

/// Pixels to send: a rectangle and its colours (`None`: raw).
#[derive(Debug)]
struct Part {
    area: Area,
    colours: Option<Vec<u32>>,
}

impl Part {
    /// `self` and `next` as one part, when `next` continues `self`'s rows to
    /// the right and joining costs no more bits a pixel than either needs.
    fn join(&self, next: &Part) -> Option<Part> {
        let (a, b) = (self.area, next.area);
        if a.y != b.y || a.height != b.height || a.x + a.width != b.x {
            return None;
        }
        let width = |colours: &Option<Vec<u32>>| match colours {
            None => 24,
            Some(p) if p.len() == 1 => 0,
            Some(p) => crate::palette_bits(p.len()),
        };
        let colours = match (&self.colours, &next.colours) {
            (None, None) => None,
            (Some(p), Some(q)) => {
                let mut union = p.clone();
                union.extend(q.iter().filter(|c| !p.contains(c)));
                union.sort_unstable();
                if union.len() > MAX_PALETTE
                    || width(&Some(union.clone())) > width(&self.colours).max(width(&next.colours))
                {
                    return None;
                }
                Some(union)
            }
            _ => return None,
        };
        Some(Part {
            area: Area {
                width: a.width + b.width,
                ..a
            },
            colours,
        })
    }
}

/// Joins tiles copied by the same vector into rectangles: runs along a tile
/// row, then equal runs in consecutive rows.
fn merge_copies(areas: &[Area], by: &[Option<(i32, i32)>]) -> Vec<(Area, (i32, i32))> {
    let mut runs: Vec<(Area, (i32, i32))> = Vec::new();
    for (a, v) in areas.iter().zip(by) {
        let Some(v) = *v else { continue };
        if let Some((last, lv)) = runs.last_mut()
            && *lv == v
            && last.y == a.y
            && last.height == a.height
            && last.x + last.width == a.x
        {
            last.width += a.width;
            continue;
        }
        runs.push((*a, v));
    }
    let mut rects: Vec<(Area, (i32, i32))> = Vec::new();
    for (a, v) in runs {
        if let Some((r, _)) = rects
            .iter_mut()
            .find(|(r, rv)| *rv == v && r.x == a.x && r.width == a.width && r.y + r.height == a.y)
        {
            r.height += a.height;
            continue;
        }
        rects.push((a, v));
    }
    rects
}

/// Orders copies so that none overwrites the source of a later one when all
/// move the same way (content moving up is copied top first, and so on).
fn order_copies(mut rects: Vec<(Area, (i32, i32))>) -> Vec<(Area, (i32, i32))> {
    rects.sort_by_key(|&(a, (dx, dy))| {
        let y = if dy > 0 {
            -i64::from(a.y)
        } else {
            i64::from(a.y)
        };
        let x = if dx > 0 {
            -i64::from(a.x)
        } else {
            i64::from(a.x)
        };
        (y, x)
    });
    rects
}
