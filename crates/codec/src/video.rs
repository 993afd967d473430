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
    area: Option<Area>,
    encoder: Option<Encoder>,
    yuv: Option<I420>,
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
    small: Vec<u8>,
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
            encoder: None,
            yuv: None,
            tokens: BURST,
            refilled: None,
            scale: 1,
            least: 1,
            coded: 1,
            skipped: 0,
            coded_at_scale: 0,
            average: 0,
            small: Vec::new(),
        }
    }

    pub(crate) fn area(&self) -> Option<Area> {
        self.area
    }

    /// Ends the stream; the next one starts with a new decoder and an IDR picture.
    pub(crate) fn stop(&mut self) {
        self.area = None;
        self.encoder = None;
        self.tokens = BURST;
        self.refilled = None;
    }

    /// Apart coding: the stream now shows `area`, and one picture's token is
    /// spent on it (the coder elsewhere does the coding).
    pub(crate) fn claim(&mut self, area: Area) {
        self.area = Some(area);
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

    /// Encodes `area` of `pixels`; returns the access unit (Annex B) and
    /// whether it starts a new stream. Empty when the rate control skipped it.
    pub(crate) fn encode(
        &mut self,
        pixels: &Pixels<'_>,
        area: Area,
        at: Duration,
    ) -> Result<(Vec<u8>, bool), CodecError> {
        let scale = self.scale();
        let fresh = self.encoder.is_none() || self.area != Some(area) || self.coded != scale;
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
            let (w, h) = coded_size(area, scale);
            self.yuv = Some(I420::new(w as usize, h as usize));
            self.area = Some(area);
            self.coded = scale;
            self.coded_at_scale = 0;
        }
        let (Some(encoder), Some(yuv)) = (self.encoder.as_mut(), self.yuv.as_mut()) else {
            return Err(CodecError::Video("no encoder".into()));
        };
        if scale == 1 {
            bgra_to_i420(pixels, area, yuv);
        } else {
            let (w, h) = coded_size(area, scale);
            shrink(pixels, area, scale, (w, h), &mut self.small);
            let small = Pixels {
                width: w,
                height: h,
                stride: w as usize * 4,
                data: &self.small,
            };
            let all = Area {
                x: 0,
                y: 0,
                width: w,
                height: h,
            };
            bgra_to_i420(&small, all, yuv);
        }
        if fresh {
            encoder.force_intra_frame();
        }
        let ts = openh264::Timestamp::from_millis(at.as_millis() as u64);
        let data = encoder
            .encode_at(&*yuv, ts)
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

/// The size a picture of `area` is coded at: `scale` times smaller, even.
fn coded_size(area: Area, scale: u32) -> (u32, u32) {
    (
        (area.width / scale).max(2) & !1,
        (area.height / scale).max(2) & !1,
    )
}

/// Averages `scale`×`scale` blocks of `area` into `out`, BGRA, `w·4` bytes a row.
fn shrink(pixels: &Pixels<'_>, area: Area, scale: u32, (w, h): (u32, u32), out: &mut Vec<u8>) {
    out.clear();
    out.resize(w as usize * h as usize * 4, 0);
    let s = scale as usize;
    let n = (s * s) as u32;
    for y in 0..h as usize {
        let rows: Vec<&[u8]> = (0..s)
            .map(|dy| pixels.row(area.y + (y * s + dy) as u32, area.x, w * scale))
            .collect();
        for x in 0..w as usize {
            let mut sum = [0u32; 3];
            for row in &rows {
                for p in row[x * s * 4..(x + 1) * s * 4].chunks_exact(4) {
                    sum[0] += u32::from(p[0]);
                    sum[1] += u32::from(p[1]);
                    sum[2] += u32::from(p[2]);
                }
            }
            let at = (y * w as usize + x) * 4;
            out[at..at + 3].copy_from_slice(&[
                (sum[0] / n) as u8,
                (sum[1] / n) as u8,
                (sum[2] / n) as u8,
            ]);
        }
    }
}

/// A tightly packed I420 picture (Y, then U, then V at half size).
struct I420 {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl I420 {
    fn new(width: usize, height: usize) -> Self {
        I420 {
            width,
            height,
            data: vec![0; width * height * 3 / 2],
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
        &self.data[..self.width * self.height]
    }
    fn u(&self) -> &[u8] {
        let n = self.width * self.height;
        &self.data[n..n + n / 4]
    }
    fn v(&self) -> &[u8] {
        let n = self.width * self.height;
        &self.data[n + n / 4..]
    }
}

/// BT.601 limited range, as decoders assume without colour information.
/// One pass over the source: each pair of rows gives two rows of luma and
/// one of chroma (the average of each 2×2 block).
fn bgra_to_i420(pixels: &Pixels<'_>, a: Area, yuv: &mut I420) {
    let (w, h) = (a.width as usize, a.height as usize);
    let cw = w / 2;
    let (y_plane, chroma) = yuv.data.split_at_mut(w * h);
    let (u_plane, v_plane) = chroma.split_at_mut(cw * (h / 2));
    let luma = |d: &mut [u8], src: &[u8]| {
        for (d, p) in d.iter_mut().zip(src.chunks_exact(4)) {
            let (b, g, r) = (u32::from(p[0]), u32::from(p[1]), u32::from(p[2]));
            *d = (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8;
        }
    };
    for row in 0..h / 2 {
        let s0 = pixels.row(a.y + 2 * row as u32, a.x, a.width);
        let s1 = pixels.row(a.y + 2 * row as u32 + 1, a.x, a.width);
        let (y0, y1) = y_plane[2 * row * w..(2 * row + 2) * w].split_at_mut(w);
        luma(y0, s0);
        luma(y1, s1);
        let u = &mut u_plane[row * cw..(row + 1) * cw];
        let v = &mut v_plane[row * cw..(row + 1) * cw];
        for (((u, v), p), q) in u
            .iter_mut()
            .zip(v.iter_mut())
            .zip(s0.chunks_exact(8))
            .zip(s1.chunks_exact(8))
        {
            let sum = |i: usize| {
                (u32::from(p[i]) + u32::from(p[i + 4]) + u32::from(q[i]) + u32::from(q[i + 4]))
                    as i32
                    >> 2
            };
            let (b, g, r) = (sum(0), sum(1), sum(2));
            *u = (((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128) as u8;
            *v = (((112 * r - 94 * g - 18 * b + 128) >> 8) + 128) as u8;
        }
    }
    if h % 2 == 1 {
        let last = pixels.row(a.y + h as u32 - 1, a.x, a.width);
        luma(&mut y_plane[(h - 1) * w..h * w], last);
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
    fn whole(w: u32, h: u32, data: &[u8]) -> (Pixels<'_>, Area) {
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
        (pixels, area)
    }

    #[test]
    fn a_smaller_coded_picture_fills_its_area() {
        let (w, h, data) = gradient();
        let (pixels, area) = whole(w, h, &data);
        let mut enc = VideoEncoder::new(3_000_000);
        enc.scale = 2;
        let (unit, fresh) = enc.encode(&pixels, area, Duration::ZERO).expect("encodes");
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
        let (pixels, area) = whole(w, h, &data);
        let coded_width = |enc: &VideoEncoder| enc.yuv.as_ref().map(|y| y.width);
        let mut enc = VideoEncoder::new(3_000_000);
        let mut dec = VideoDecoder::default();
        let mut at = Duration::ZERO;
        let mut next = |enc: &mut VideoEncoder| {
            at += Duration::from_millis(34);
            enc.encode(&pixels, area, at).expect("encodes")
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
