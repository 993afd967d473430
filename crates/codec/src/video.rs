//! The lossy path (feature `h264`): one area of the picture that changes
//! nearly every frame with rich colour is sent as an H.264 stream (OpenH264,
//! constrained baseline, no B-frames, so each access unit decodes to one
//! picture at once; the browser decodes it with WebCodecs).
//!
//! Which area: the bounding box of tiles that changed in most of the last
//! eight frames and last needed raw pixels (more colours than a palette, so
//! not text), if they are many and dense enough. The area is kept while it
//! still covers what is moving, so the stream is not restarted for every
//! wobble.

use std::time::Duration;

use openh264::OpenH264API;
use openh264::decoder::{Decoder, DecoderConfig};
use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, IntraFramePeriod, RateControlMode,
    UsageType,
};
use openh264::formats::YUVSource;

use crate::{Area, CodecError, Pixels};

/// Fewer video-like tiles than this stay lossless (a spinner, a blinking caret).
const MIN_TILES: usize = 12;

/// The area to send as video now, given the current one and the tiles.
pub(crate) fn choose_area(
    current: Option<Area>,
    cols: u32,
    rows: u32,
    busy: impl Fn(u32) -> bool,
    tile: impl Fn(u32) -> Area,
) -> Option<Area> {
    let mut n = 0;
    let (mut c0, mut r0, mut c1, mut r1) = (u32::MAX, u32::MAX, 0, 0);
    for t in 0..cols * rows {
        if busy(t) {
            n += 1;
            let (c, r) = (t % cols, t / cols);
            c0 = c0.min(c);
            r0 = r0.min(r);
            c1 = c1.max(c + 1);
            r1 = r1.max(r + 1);
        }
    }
    if n < MIN_TILES || n * 2 < ((c1 - c0) * (r1 - r0)) as usize {
        return None;
    }
    let first = tile(r0 * cols + c0);
    let last = tile((r1 - 1) * cols + c1 - 1);
    let mut area = Area {
        x: first.x,
        y: first.y,
        width: last.x + last.width - first.x,
        height: last.y + last.height - first.y,
    };
    // H.264 wants even sizes; the picture's odd last row or column stays lossless.
    area.width &= !1;
    area.height &= !1;
    if let Some(cur) = current
        && area.x >= cur.x
        && area.y >= cur.y
        && area.x + area.width <= cur.x + cur.width
        && area.y + area.height <= cur.y + cur.height
        && u64::from(area.width) * u64::from(area.height) * 2
            >= u64::from(cur.width) * u64::from(cur.height)
    {
        return Some(cur);
    }
    Some(area)
}

/// The coded picture is at most this many times smaller than its area, each way.
const MAX_SCALE: u32 = 4;
/// Pictures the stream may save up (see `VideoEncoder::tokens`).
const BURST: f64 = 2.0;
/// Pictures coded at one scale before a sharper one is tried.
const SETTLE: u32 = 90;

/// The sending side of the video stream.
///
/// When the rate control has to drop pictures to stay within the bit rate
/// (content too busy for it, such as noise), the picture is coded at half the
/// size each way, down to a quarter; the viewer scales it back up. Once
/// pictures come out small again for a while, it tries the sharper size.
pub(crate) struct VideoEncoder {
    bitrate: u32,
    /// The video area (whole tiles), see [`VideoEncoder::show`].
    area: Option<Area>,
    /// The rectangle the open stream codes (the area or a part of it).
    coding: Option<Area>,
    encoder: Option<Encoder>,
    /// Pictures the stream may still send now: one more every `interval`,
    /// at most [`BURST`] saved up, so a 30 Hz source seen through 60 Hz
    /// captures with jitter keeps all its pictures while the average stays
    /// within one picture an interval.
    tokens: f64,
    refilled: Option<Duration>,
    /// How many times smaller each way the rate control wants pictures coded.
    scale: u32,
    /// How many times smaller each way pictures are coded at least: the
    /// viewer shows them no larger (see [`VideoEncoder::set_least_scale`]).
    least: u32,
    /// The scale the open stream codes at.
    coded: u32,
    /// Bit 0: the latest picture was dropped by the rate control, bit 1 the one before, …
    skipped: u32,
    coded_at_scale: u32,
    /// Recent bytes a picture, smoothed.
    average: u32,
    /// The picture made smaller, when it is coded smaller.
    small: I420,
}

impl std::fmt::Debug for VideoEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoEncoder")
            .field("area", &self.area)
            .finish_non_exhaustive()
    }
}

impl VideoEncoder {
    pub(crate) fn new(bitrate: u32) -> Self {
        VideoEncoder {
            bitrate,
            area: None,
            coding: None,
            encoder: None,
            tokens: BURST,
            refilled: None,
            scale: 1,
            least: 1,
            coded: 1,
            skipped: 0,
            coded_at_scale: 0,
            average: 0,
            small: I420::default(),
        }
    }

    pub(crate) fn area(&self) -> Option<Area> {
        self.area
    }

    /// Ends the stream; the next one starts with a new decoder and an IDR picture.
    pub(crate) fn stop(&mut self) {
        self.area = None;
        self.coding = None;
        self.encoder = None;
        self.tokens = BURST;
        self.refilled = None;
    }

    /// The stream now shows `area` (whole tiles; the rectangle coded may
    /// be a part of it).
    pub(crate) fn show(&mut self, area: Area) {
        self.area = Some(area);
    }

    /// Apart coding: [`VideoEncoder::show`], and one picture's token is
    /// spent on it (the coder elsewhere does the coding).
    pub(crate) fn claim(&mut self, area: Area) {
        self.show(area);
        self.tokens = (self.tokens - 1.0).max(0.0);
    }

    /// Codes pictures at least `least` times smaller each way (1, 2 or 4;
    /// others are rounded down to one of those): the viewer shows the
    /// picture that much smaller, so the pixels coded beyond that would be
    /// thrown away there. A change starts a new stream.
    pub(crate) fn set_least_scale(&mut self, least: u32) {
        self.least = match least {
            0 | 1 => 1,
            2 | 3 => 2,
            _ => MAX_SCALE,
        };
    }

    /// The scale the next picture is coded at.
    fn scale(&self) -> u32 {
        self.scale.max(self.least).min(MAX_SCALE)
    }

    /// Whether a picture may be sent at `at`; adds what `interval` allows since the last call.
    pub(crate) fn due(&mut self, at: Duration, interval: Duration) -> bool {
        if let Some(before) = self.refilled
            && at > before
            && !interval.is_zero()
        {
            self.tokens =
                (self.tokens + (at - before).as_secs_f64() / interval.as_secs_f64()).min(BURST);
        }
        self.refilled = Some(at);
        self.encoder.is_none() || self.tokens >= 1.0
    }

    /// Encodes `picture`, the whole of `area` (which only names the
    /// stream: another area starts a new one); returns the access unit
    /// (Annex B) and whether it starts a new stream. Empty when the rate
    /// control skipped it.
    pub(crate) fn encode(
        &mut self,
        picture: &I420,
        area: Area,
        at: Duration,
    ) -> Result<(Vec<u8>, bool), CodecError> {
        // A picture too small to make smaller is coded as it is.
        let scale = match self.scale() as usize {
            s if picture.width >= 4 * s && picture.height >= 4 * s => s as u32,
            _ => 1,
        };
        let fresh = self.encoder.is_none() || self.coding != Some(area) || self.coded != scale;
        if fresh {
            let config = EncoderConfig::new()
                .usage_type(UsageType::CameraVideoRealTime)
                .scene_change_detect(false)
                .bitrate(BitRate::from_bps(self.bitrate))
                .max_frame_rate(FrameRate::from_hz(30.0))
                .rate_control_mode(RateControlMode::Bitrate)
                .skip_frames(true)
                .complexity(Complexity::Low)
                .intra_frame_period(IntraFramePeriod::from_num_frames(0));
            let api = OpenH264API::from_source();
            self.encoder = Some(
                Encoder::with_api_config(api, config)
                    .map_err(|e| CodecError::Video(e.to_string()))?,
            );
            self.coding = Some(area);
            self.coded = scale;
            self.coded_at_scale = 0;
        }
        let Some(encoder) = self.encoder.as_mut() else {
            return Err(CodecError::Video("no encoder".into()));
        };
        let coded = if scale == 1 {
            picture
        } else {
            picture.shrink_into(scale, &mut self.small);
            &self.small
        };
        if fresh {
            encoder.force_intra_frame();
        }
        let ts = openh264::Timestamp::from_millis(at.as_millis() as u64);
        let data = encoder
            .encode_at(coded, ts)
            .map_err(|e| CodecError::Video(e.to_string()))?
            .to_vec();
        self.tokens = (self.tokens - 1.0).max(0.0);
        self.adapt(data.len());
        Ok((data, fresh))
    }

    /// Chooses the scale of the next picture from how this one went.
    fn adapt(&mut self, len: usize) {
        let budget = self.bitrate / 8 / 30;
        self.skipped = (self.skipped << 1) | u32::from(len == 0);
        self.coded_at_scale += 1;
        if len > 0 {
            let len = u32::try_from(len).unwrap_or(u32::MAX);
            self.average = (self.average.saturating_mul(7) / 8).saturating_add(len / 8);
        }
        let (before, after) = (
            self.scale,
            if (self.skipped & 0x3ff).count_ones() >= 3 {
                (self.scale * 2).min(MAX_SCALE)
            } else if self.scale > 1
                && self.coded_at_scale >= SETTLE
                && self.skipped == 0
                && self.average < budget / 5
            {
                self.scale / 2
            } else {
                self.scale
            },
        );
        if after != before {
            // The next picture starts a new stream if this changes the size
            // it is coded at (see `encode`).
            self.scale = after;
            self.skipped = 0;
            self.average = 0;
        }
    }
}

/// A tightly packed I420 picture (Y, then U, then V at half size each way),
/// BT.601 limited range, as decoders assume without colour information.
/// Width and height are even (video areas are).
#[derive(Debug, Default)]
pub(crate) struct I420 {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl I420 {
    /// `area` of `pixels` (BGRA), converted in one pass over the source:
    /// each pair of rows gives two rows of luma and one of chroma (the
    /// average of each 2×2 block). Each source row is handed to `seen`
    /// (with its `y`) right after, while it is still in the cache.
    pub(crate) fn from_bgra(
        pixels: &Pixels<'_>,
        area: Area,
        mut seen: impl FnMut(u32, &[u8]),
    ) -> I420 {
        let (w, h) = (area.width as usize & !1, area.height as usize & !1);
        let mut data = vec![0; w * h * 3 / 2];
        let (y_plane, uv) = data.split_at_mut(w * h);
        let (u_plane, v_plane) = uv.split_at_mut(w * h / 4);
        // Pixels as little-endian words (0xAARRGGBB): the arithmetic below
        // then works on whole lanes, which the compiler turns into vector
        // code (twice as fast as picking bytes out of each pixel).
        let (mut p0, mut p1) = ([0u32; CHUNK], [0u32; CHUNK]);
        for row in 0..h / 2 {
            let y = area.y + 2 * row as u32;
            let (s0, s1) = (
                pixels.row(y, area.x, w as u32),
                pixels.row(y + 1, area.x, w as u32),
            );
            let (y0, y1) = y_plane[2 * row * w..(2 * row + 2) * w].split_at_mut(w);
            let u = &mut u_plane[row * w / 2..(row + 1) * w / 2];
            let v = &mut v_plane[row * w / 2..(row + 1) * w / 2];
            for x in (0..w).step_by(CHUNK) {
                let n = CHUNK.min(w - x);
                words(&s0[x * 4..(x + n) * 4], &mut p0[..n]);
                words(&s1[x * 4..(x + n) * 4], &mut p1[..n]);
                luma(&p0[..n], &mut y0[x..x + n]);
                luma(&p1[..n], &mut y1[x..x + n]);
                chroma(
                    (&p0[..n], &p1[..n]),
                    &mut u[x / 2..(x + n) / 2],
                    &mut v[x / 2..(x + n) / 2],
                );
            }
            seen(y, s0);
            seen(y + 1, s1);
        }
        I420 {
            width: w,
            height: h,
            data,
        }
    }

    fn planes(&self) -> (&[u8], &[u8], &[u8]) {
        let n = self.width * self.height;
        let (y, chroma) = self.data.split_at(n);
        let (u, v) = chroma.split_at(n / 4);
        (y, u, v)
    }

    /// This picture `scale` times smaller each way (even sizes), each
    /// sample the average of the block it stands for.
    fn shrink_into(&self, scale: u32, out: &mut I420) {
        let s = scale as usize;
        let (w, h) = ((self.width / s).max(2) & !1, (self.height / s).max(2) & !1);
        out.width = w;
        out.height = h;
        out.data.clear();
        out.data.resize(w * h * 3 / 2, 0);
        let (y_out, uv) = out.data.split_at_mut(w * h);
        let (u_out, v_out) = uv.split_at_mut(w * h / 4);
        let (y, u, v) = self.planes();
        average(y, self.width, s, y_out, w);
        average(u, self.width / 2, s, u_out, w / 2);
        average(v, self.width / 2, s, v_out, w / 2);
    }
}

/// Pixels converted to I420 at a time (the words fit in the L1 cache).
const CHUNK: usize = 128;

fn words(bgra: &[u8], out: &mut [u32]) {
    for (o, p) in out.iter_mut().zip(bgra.chunks_exact(4)) {
        *o = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
    }
}

fn luma(px: &[u32], out: &mut [u8]) {
    for (o, &p) in out.iter_mut().zip(px) {
        let (b, g, r) = (p & 0xff, (p >> 8) & 0xff, (p >> 16) & 0xff);
        *o = (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8;
    }
}

/// One row of U and V from two rows of pixels.
fn chroma((p0, p1): (&[u32], &[u32]), u: &mut [u8], v: &mut [u8]) {
    for (((u, v), p), q) in u
        .iter_mut()
        .zip(v.iter_mut())
        .zip(p0.chunks_exact(2))
        .zip(p1.chunks_exact(2))
    {
        let sum = |shift: u32| {
            let c = |w: u32| (w >> shift) & 0xff;
            ((c(p[0]) + c(p[1]) + c(q[0]) + c(q[1])) >> 2) as i32
        };
        let (b, g, r) = (sum(0), sum(8), sum(16));
        *u = (((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128) as u8;
        *v = (((112 * r - 94 * g - 18 * b + 128) >> 8) + 128) as u8;
    }
}

/// Averages `s`×`s` blocks of a plane `width` samples wide into one `w`
/// wide (`s` is 2 or 4: each is its own loop the compiler can vectorise).
fn average(plane: &[u8], width: usize, s: usize, out: &mut [u8], w: usize) {
    if s == 2 {
        average_by::<2>(plane, width, out, w);
    } else {
        average_by::<4>(plane, width, out, w);
    }
}

fn average_by<const S: usize>(plane: &[u8], width: usize, out: &mut [u8], w: usize) {
    let mut sums = vec![0u16; w];
    for (y, row) in out.chunks_exact_mut(w).enumerate() {
        sums.fill(0);
        for dy in 0..S {
            let src = &plane[(y * S + dy) * width..][..w * S];
            for (sum, block) in sums.iter_mut().zip(src.chunks_exact(S)) {
                *sum += block.iter().map(|&b| u16::from(b)).sum::<u16>();
            }
        }
        for (o, &sum) in row.iter_mut().zip(&sums) {
            *o = (sum / (S * S) as u16) as u8;
        }
    }
}

impl YUVSource for I420 {
    fn dimensions(&self) -> (usize, usize) {
        (self.width, self.height)
    }
    fn strides(&self) -> (usize, usize, usize) {
        (self.width, self.width / 2, self.width / 2)
    }
    fn y(&self) -> &[u8] {
        self.planes().0
    }
    fn u(&self) -> &[u8] {
        self.planes().1
    }
    fn v(&self) -> &[u8] {
        self.planes().2
    }
}

/// The receiving side: the reference decoder's H.264 stream.
#[derive(Default)]
pub(crate) struct VideoDecoder {
    decoder: Option<Decoder>,
    area: Option<Area>,
    coded: Vec<u8>,
    rgb: Vec<u8>,
}

impl std::fmt::Debug for VideoDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoDecoder")
            .field("area", &self.area)
            .finish_non_exhaustive()
    }
}

impl VideoDecoder {
    pub(crate) fn stop(&mut self) {
        self.decoder = None;
        self.area = None;
    }

    /// Decodes one access unit of `area`; `fresh` starts a new stream.
    /// Returns RGB, `area.width·3` bytes a row (a smaller coded picture is
    /// scaled up).
    pub(crate) fn decode(
        &mut self,
        area: Area,
        fresh: bool,
        data: &[u8],
    ) -> Result<&[u8], CodecError> {
        if fresh || self.area != Some(area) {
            if !fresh {
                return Err(CodecError::Malformed(
                    "video continues a stream never started",
                ));
            }
            let api = OpenH264API::from_source();
            self.decoder = Some(
                Decoder::with_api_config(api, DecoderConfig::new())
                    .map_err(|e| CodecError::Video(e.to_string()))?,
            );
            self.area = Some(area);
        }
        let Some(decoder) = self.decoder.as_mut() else {
            return Err(CodecError::Malformed(
                "video continues a stream never started",
            ));
        };
        let picture = decoder
            .decode(data)
            .map_err(|e| CodecError::Video(e.to_string()))?
            .ok_or(CodecError::Malformed("video access unit without a picture"))?;
        let (w, h) = picture.dimensions();
        let (aw, ah) = (area.width as usize, area.height as usize);
        if w == 0 || h == 0 || w > aw || h > ah {
            return Err(CodecError::Malformed("video picture larger than its area"));
        }
        self.coded.resize(w * h * 3, 0);
        picture.write_rgb8(&mut self.coded);
        if (w, h) == (aw, ah) {
            return Ok(&self.coded);
        }
        // Scaled up to the area, nearest neighbour.
        self.rgb.resize(aw * ah * 3, 0);
        for y in 0..ah {
            let src = &self.coded[(y * h / ah) * w * 3..][..w * 3];
            let row = &mut self.rgb[y * aw * 3..(y + 1) * aw * 3];
            for (x, d) in row.chunks_exact_mut(3).enumerate() {
                let at = (x * w / aw) * 3;
                d.copy_from_slice(&src[at..at + 3]);
            }
        }
        Ok(&self.rgb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 128×96 BGRA gradient: blue grows to the right, green downwards, red 128.
    fn gradient() -> (u32, u32, Vec<u8>) {
        let (w, h) = (128u32, 96u32);
        let data = (0..w * h)
            .flat_map(|i| {
                let (x, y) = (i % w, i / w);
                [(x * 2) as u8, (y * 2) as u8, 128, 0]
            })
            .collect();
        (w, h, data)
    }

    /// `data` as a whole `w`×`h` picture, and its whole area.
    fn whole(w: u32, h: u32, data: &[u8]) -> (I420, Area) {
        let pixels = Pixels {
            width: w,
            height: h,
            stride: w as usize * 4,
            data,
        };
        let area = Area {
            x: 0,
            y: 0,
            width: w,
            height: h,
        };
        (I420::from_bgra(&pixels, area, |_, _| {}), area)
    }

    /// BT.601 limited range for one pixel, written the plain way.
    fn yuv_of(b: u8, g: u8, r: u8) -> (u8, u8, u8) {
        let (b, g, r) = (i32::from(b), i32::from(g), i32::from(r));
        (
            (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8,
            (((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128) as u8,
            (((112 * r - 94 * g - 18 * b + 128) >> 8) + 128) as u8,
        )
    }

    #[test]
    fn an_area_converts_to_i420_like_the_plain_formula() {
        // An area of 300×6 (more than one chunk, and a part one) at (5, 3)
        // of a 400-wide picture with padded rows, made of pseudo-random bytes.
        let (width, height, stride) = (400u32, 12u32, 400 * 4 + 32);
        let mut seed = 0x2545_f491_u32;
        let data: Vec<u8> = (0..stride * height as usize)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect();
        let pixels = Pixels {
            width,
            height,
            stride,
            data: &data,
        };
        let area = Area {
            x: 5,
            y: 3,
            width: 300,
            height: 6,
        };
        let mut seen = Vec::new();
        let picture = I420::from_bgra(&pixels, area, |y, row| seen.push((y, row.to_vec())));
        let rows: Vec<_> = (3..9)
            .map(|y| (y, pixels.row(y, 5, 300).to_vec()))
            .collect();
        assert_eq!(seen, rows, "each row of the area handed on once, in order");
        let (y, u, v) = picture.planes();
        assert_eq!((y.len(), u.len(), v.len()), (1800, 450, 450));
        let px = |x: u32, row: u32| pixels.row(area.y + row, area.x + x, 1);
        for row in 0..6 {
            for x in 0..300 {
                let p = px(x, row);
                assert_eq!(y[(row * 300 + x) as usize], yuv_of(p[0], p[1], p[2]).0);
            }
        }
        for row in 0..3 {
            for x in 0..150 {
                let block = [
                    px(2 * x, 2 * row),
                    px(2 * x + 1, 2 * row),
                    px(2 * x, 2 * row + 1),
                    px(2 * x + 1, 2 * row + 1),
                ];
                let mean =
                    |c: usize| (block.iter().map(|p| u32::from(p[c])).sum::<u32>() / 4) as u8;
                let (_, eu, ev) = yuv_of(mean(0), mean(1), mean(2));
                let at = (row * 150 + x) as usize;
                assert_eq!((u[at], v[at]), (eu, ev), "chroma at {x},{row}");
            }
        }
    }

    #[test]
    fn a_picture_made_smaller_averages_its_blocks() {
        let mut picture = I420 {
            width: 8,
            height: 4,
            data: vec![0; 48],
        };
        // Luma: each 2×2 block holds 10, 20, 30, 40; chroma counts up.
        for (i, y) in picture.data[..32].iter_mut().enumerate() {
            *y = 10 * (1 + (i % 2) as u8 + 2 * ((i / 8) % 2) as u8);
        }
        for (i, c) in picture.data[32..].iter_mut().enumerate() {
            *c = 4 * i as u8;
        }
        let mut small = I420::default();
        picture.shrink_into(2, &mut small);
        assert_eq!((small.width, small.height), (4, 2));
        let (y, u, v) = small.planes();
        assert_eq!(y, [25; 8]);
        // U is 4×2 samples (0, 4, …, 28): blocks of 2×2 average to these (the
        // first block is 0, 4, 16, 20).
        assert_eq!(u, [(4 + 16 + 20) / 4, (8 + 12 + 24 + 28) / 4]);
        assert_eq!(v, [(32 + 36 + 48 + 52) / 4, (40 + 44 + 56 + 60) / 4]);
    }

    #[test]
    fn a_smaller_coded_picture_fills_its_area() {
        let (w, h, data) = gradient();
        let (picture, area) = whole(w, h, &data);
        let mut enc = VideoEncoder::new(3_000_000);
        enc.scale = 2;
        let (unit, fresh) = enc.encode(&picture, area, Duration::ZERO).expect("encodes");
        assert!(fresh && !unit.is_empty());
        let mut dec = VideoDecoder::default();
        let rgb = dec.decode(area, true, &unit).expect("decodes");
        assert_eq!(rgb.len(), (w * h * 3) as usize);
        // Roughly the gradient: red 128 everywhere, blue growing to the right.
        let at = |x: usize, y: usize| &rgb[(y * w as usize + x) * 3..][..3];
        assert!(at(10, 10)[0].abs_diff(128) < 12, "{:?}", at(10, 10));
        assert!(at(120, 10)[2] > at(10, 10)[2] + 150, "{:?}", at(120, 10));
        assert!(
            dec.decode(area, false, &[0, 0, 0, 1, 9]).is_err(),
            "garbage"
        );
    }

    #[test]
    fn the_least_scale_codes_smaller_and_a_change_starts_a_new_stream() {
        let (w, h, data) = gradient();
        let (picture, area) = whole(w, h, &data);
        let coded_width = |enc: &VideoEncoder| match enc.coded {
            1 => Some(picture.width),
            _ => Some(enc.small.width),
        };
        let mut enc = VideoEncoder::new(3_000_000);
        let mut dec = VideoDecoder::default();
        let mut at = Duration::ZERO;
        let mut next = |enc: &mut VideoEncoder| {
            at += Duration::from_millis(34);
            enc.encode(&picture, area, at).expect("encodes")
        };

        enc.set_least_scale(2);
        let (unit, fresh) = next(&mut enc);
        assert!(fresh);
        assert_eq!(coded_width(&enc), Some(64));
        let rgb = dec.decode(area, true, &unit).expect("decodes");
        assert_eq!(rgb.len(), (w * h * 3) as usize, "drawn over the whole area");
        assert!(!next(&mut enc).1, "the same scale goes on with the stream");

        enc.set_least_scale(1);
        assert!(next(&mut enc).1, "a new scale is a new stream");
        assert_eq!(coded_width(&enc), Some(128));

        enc.set_least_scale(3);
        assert!(next(&mut enc).1);
        assert_eq!(coded_width(&enc), Some(64), "3 is taken as 2");
        enc.set_least_scale(100);
        assert!(next(&mut enc).1);
        assert_eq!(coded_width(&enc), Some(32), "at most 4");
    }
}
