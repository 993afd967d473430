//! Screen frames on the wire (`docs/protocol.md`, "Screen frames").
//!
//! The encoder keeps the previous picture, splits the new one into 64×64
//! tiles, and sends only the tiles whose pixels changed, converted to RGBA
//! (what a browser canvas takes) and compressed together with DEFLATE. The
//! picture is lossless: text stays as sharp as on the customer's screen.
//! The browser inflates with the built-in `DecompressionStream('deflate-raw')`,
//! so no decoder has to be shipped to it.
//!
//! Architecture invariant: no I/O and no platform code; pixels come in as
//! plain BGRA rows and messages go out as bytes. [`Decoder`] is the reference
//! for viewers and is used by tests and benchmarks.

use std::io::Write as _;

use flate2::Compression;
use flate2::write::{DeflateDecoder, DeflateEncoder};

pub const TILE: u32 = 64;
pub const PICTURE: u8 = 1;
pub const CURSOR: u8 = 2;
const KEYFRAME: u8 = 1;
const HEADER: usize = 1 + 1 + 2 + 4 + 4 + 4 + 2;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("the frame's buffer is smaller than its size says")]
    ShortBuffer,
    #[error("the picture is larger than the format allows (65535 pixels a side)")]
    TooLarge,
    #[error("malformed message: {0}")]
    Malformed(&'static str),
}

/// BGRA pixels as captured: `height` rows, `stride` bytes apart.
#[derive(Debug, Clone, Copy)]
pub struct Pixels<'a> {
    pub width: u32,
    pub height: u32,
    pub stride: usize,
    pub data: &'a [u8],
}

impl Pixels<'_> {
    fn row(&self, y: u32, x: u32, w: u32) -> &[u8] {
        let start = y as usize * self.stride + x as usize * 4;
        &self.data[start..start + w as usize * 4]
    }
}

/// Turns successive pictures of one monitor into update messages.
#[derive(Debug)]
pub struct Encoder {
    previous: Vec<u8>,
    width: u32,
    height: u32,
    frame: u32,
    level: Compression,
    rects: Vec<[u16; 4]>,
    raw: Vec<u8>,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder::new()
    }
}

impl Encoder {
    pub fn new() -> Encoder {
        Encoder {
            previous: Vec::new(),
            width: 0,
            height: 0,
            frame: 0,
            level: Compression::fast(),
            rects: Vec::new(),
            raw: Vec::new(),
        }
    }

    /// Forgets the previous picture: the next message is a keyframe.
    pub fn reset(&mut self) {
        self.previous.clear();
    }

    /// The update message for `pixels`, or `None` when nothing changed.
    /// `keyframe` sends every tile (a new viewer, or one that lost frames).
    pub fn encode(
        &mut self,
        monitor: u16,
        pixels: Pixels<'_>,
        keyframe: bool,
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
            self.previous.clear();
            self.previous.resize((w * h * 4) as usize, 0);
        }
        self.rects.clear();
        self.raw.clear();
        for ty in (0..h).step_by(TILE as usize) {
            let th = TILE.min(h - ty);
            for tx in (0..w).step_by(TILE as usize) {
                let tw = TILE.min(w - tx);
                if !whole && !self.tile_changed(&pixels, tx, ty, tw, th) {
                    continue;
                }
                self.take_tile(&pixels, tx, ty, tw, th);
                self.rects
                    .push([tx as u16, ty as u16, tw as u16, th as u16]);
            }
        }
        if self.rects.is_empty() {
            return Ok(None);
        }
        self.frame = self.frame.wrapping_add(1);
        let mut out = Vec::with_capacity(HEADER + self.rects.len() * 8 + self.raw.len() / 4);
        out.push(PICTURE);
        out.push(if whole { KEYFRAME } else { 0 });
        out.extend_from_slice(&monitor.to_le_bytes());
        out.extend_from_slice(&w.to_le_bytes());
        out.extend_from_slice(&h.to_le_bytes());
        out.extend_from_slice(&self.frame.to_le_bytes());
        out.extend_from_slice(&(self.rects.len().min(usize::from(u16::MAX)) as u16).to_le_bytes());
        for r in &self.rects {
            for v in r {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        let mut z = DeflateEncoder::new(out, self.level);
        z.write_all(&self.raw)
            .map_err(|_| CodecError::Malformed("compression failed"))?;
        z.finish()
            .map(Some)
            .map_err(|_| CodecError::Malformed("compression failed"))
    }

    fn tile_changed(&self, pixels: &Pixels<'_>, x: u32, y: u32, w: u32, h: u32) -> bool {
        let width = self.width as usize;
        (y..y + h).any(|row| {
            let start = (row as usize * width + x as usize) * 4;
            pixels.row(row, x, w) != &self.previous[start..start + w as usize * 4]
        })
    }

    /// Appends the tile as RGBA to the message and remembers it as BGRA.
    fn take_tile(&mut self, pixels: &Pixels<'_>, x: u32, y: u32, w: u32, h: u32) {
        let width = self.width as usize;
        for row in y..y + h {
            let src = pixels.row(row, x, w);
            let start = (row as usize * width + x as usize) * 4;
            self.previous[start..start + src.len()].copy_from_slice(src);
            for px in src.chunks_exact(4) {
                // X pads the fourth byte with anything: the canvas needs opaque.
                self.raw.extend_from_slice(&[px[2], px[1], px[0], 255]);
            }
        }
    }
}

/// The pointer: position always, shape only when it changed.
pub fn encode_cursor(x: i32, y: i32, visible: bool, image: Option<CursorShape<'_>>) -> Vec<u8> {
    let mut out = Vec::with_capacity(10 + image.map_or(0, |i| 8 + i.rgba.len()));
    out.push(CURSOR);
    out.push(u8::from(visible) | if image.is_some() { 2 } else { 0 });
    out.extend_from_slice(&x.to_le_bytes());
    out.extend_from_slice(&y.to_le_bytes());
    if let Some(i) = image {
        for v in [i.width, i.height, i.hot_x, i.hot_y] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(i.rgba);
    }
    out
}

/// A cursor image, RGBA (not premultiplied).
#[derive(Debug, Clone, Copy)]
pub struct CursorShape<'a> {
    pub width: u16,
    pub height: u16,
    pub hot_x: u16,
    pub hot_y: u16,
    pub rgba: &'a [u8],
}

/// Rebuilds the picture from update messages, as a viewer does.
#[derive(Debug, Default)]
pub struct Decoder {
    pub width: u32,
    pub height: u32,
    /// RGBA.
    pub picture: Vec<u8>,
    pub last_frame: u32,
}

impl Decoder {
    /// Applies one picture update; returns whether it was a keyframe.
    pub fn apply(&mut self, message: &[u8]) -> Result<bool, CodecError> {
        let take = |at: usize, n: usize| {
            message
                .get(at..at + n)
                .ok_or(CodecError::Malformed("truncated header"))
        };
        if take(0, 1)?[0] != PICTURE {
            return Err(CodecError::Malformed("not a picture update"));
        }
        let keyframe = take(1, 1)?[0] & KEYFRAME != 0;
        let u32_at = |at: usize| -> Result<u32, CodecError> {
            Ok(u32::from_le_bytes(
                take(at, 4)?
                    .try_into()
                    .map_err(|_| CodecError::Malformed("header"))?,
            ))
        };
        let u16_at = |at: usize| -> Result<u16, CodecError> {
            Ok(u16::from_le_bytes(
                take(at, 2)?
                    .try_into()
                    .map_err(|_| CodecError::Malformed("header"))?,
            ))
        };
        let (w, h) = (u32_at(4)?, u32_at(8)?);
        self.last_frame = u32_at(12)?;
        let count = usize::from(u16_at(16)?);
        if keyframe || w != self.width || h != self.height {
            if !keyframe {
                return Err(CodecError::Malformed("size changed without a keyframe"));
            }
            self.width = w;
            self.height = h;
            self.picture = vec![0; (w * h * 4) as usize];
        }
        let mut rects = Vec::with_capacity(count);
        for i in 0..count {
            let at = HEADER + i * 8;
            rects.push([
                u16_at(at)?,
                u16_at(at + 2)?,
                u16_at(at + 4)?,
                u16_at(at + 6)?,
            ]);
        }
        let mut raw = DeflateDecoder::new(Vec::new());
        raw.write_all(message.get(HEADER + count * 8..).unwrap_or_default())
            .map_err(|_| CodecError::Malformed("bad compressed data"))?;
        let raw = raw
            .finish()
            .map_err(|_| CodecError::Malformed("bad compressed data"))?;
        let mut at = 0;
        for [x, y, tw, th] in rects {
            let (x, y, tw, th) = (u32::from(x), u32::from(y), u32::from(tw), u32::from(th));
            if x + tw > w || y + th > h {
                return Err(CodecError::Malformed("tile outside the picture"));
            }
            for row in y..y + th {
                let len = (tw * 4) as usize;
                let src = raw
                    .get(at..at + len)
                    .ok_or(CodecError::Malformed("too few pixels"))?;
                let dst = ((row * w + x) * 4) as usize;
                self.picture[dst..dst + len].copy_from_slice(src);
                at += len;
            }
        }
        Ok(keyframe)
    }

    /// RGBA of the pixel at (x, y).
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        let at = ((y * self.width + x) * 4) as usize;
        self.picture.get(at..at + 4)?.try_into().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(w: u32, h: u32, f: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
        let mut v = Vec::with_capacity((w * h * 4) as usize);
        for y in 0..h {
            for x in 0..w {
                v.extend_from_slice(&f(x, y));
            }
        }
        v
    }

    fn px(data: &[u8], w: u32, h: u32) -> Pixels<'_> {
        Pixels {
            width: w,
            height: h,
            stride: w as usize * 4,
            data,
        }
    }

    #[test]
    fn keyframe_then_only_changed_tiles_round_trip() {
        let (w, h) = (200, 130);
        let a = picture(w, h, |x, y| [x as u8, y as u8, 7, 0]);
        let mut enc = Encoder::new();
        let mut dec = Decoder::default();
        let first = enc
            .encode(3, px(&a, w, h), false)
            .expect("encodes")
            .expect("something");
        assert!(dec.apply(&first).expect("decodes"));
        assert_eq!(
            dec.pixel(10, 20),
            Some([7, 20, 10, 255]),
            "BGRA in, RGBA out, opaque"
        );
        assert!(
            enc.encode(3, px(&a, w, h), false)
                .expect("encodes")
                .is_none(),
            "no change, no message"
        );

        let mut b = a.clone();
        let at = ((100 * w + 150) * 4) as usize;
        b[at..at + 4].copy_from_slice(&[1, 2, 3, 0]);
        let update = enc
            .encode(3, px(&b, w, h), false)
            .expect("encodes")
            .expect("changed");
        let tiles = u16::from_le_bytes([update[16], update[17]]);
        assert_eq!(tiles, 1, "one pixel changes one tile");
        assert!(!dec.apply(&update).expect("decodes"));
        assert_eq!(dec.pixel(150, 100), Some([3, 2, 1, 255]));
        assert_eq!(dec.pixel(149, 100), Some([7, 100, 149, 255]));
    }

    #[test]
    fn padded_rows_and_size_changes() {
        let (w, h) = (70, 3);
        let stride = 300;
        let mut data = vec![0xEEu8; stride * 3];
        for y in 0..3 {
            for x in 0..70 {
                let i = y * stride + x * 4;
                data[i..i + 4].copy_from_slice(&[x as u8, 0, 0, 0]);
            }
        }
        let mut enc = Encoder::new();
        let mut dec = Decoder::default();
        let msg = enc
            .encode(
                0,
                Pixels {
                    width: w,
                    height: h,
                    stride,
                    data: &data,
                },
                false,
            )
            .expect("ok")
            .expect("msg");
        dec.apply(&msg).expect("decodes");
        assert_eq!(dec.pixel(69, 2), Some([0, 0, 69, 255]));
        let small = picture(10, 10, |_, _| [0, 0, 0, 0]);
        let msg = enc
            .encode(0, px(&small, 10, 10), false)
            .expect("ok")
            .expect("msg");
        assert!(
            dec.apply(&msg).expect("decodes"),
            "a new size is a keyframe"
        );
        assert_eq!(dec.width, 10);
    }

    #[test]
    fn bad_input_is_refused() {
        let mut enc = Encoder::new();
        assert_eq!(
            enc.encode(
                0,
                Pixels {
                    width: 10,
                    height: 10,
                    stride: 40,
                    data: &[0; 100]
                },
                false
            ),
            Err(CodecError::ShortBuffer)
        );
        let mut dec = Decoder::default();
        assert!(dec.apply(&[PICTURE, 0]).is_err());
        assert!(dec.apply(&[9; 40]).is_err());
        // A delta before any keyframe cannot be applied.
        let a = picture(8, 8, |_, _| [1, 1, 1, 1]);
        let mut other = Encoder::new();
        other.encode(0, px(&a, 8, 8), false).expect("ok");
        let b = picture(8, 8, |_, _| [2, 2, 2, 2]);
        let delta = other
            .encode(0, px(&b, 8, 8), false)
            .expect("ok")
            .expect("msg");
        assert!(dec.apply(&delta).is_err());
    }

    #[test]
    fn cursor_message_layout() {
        let rgba = [1u8, 2, 3, 4];
        let m = encode_cursor(
            -5,
            7,
            true,
            Some(CursorShape {
                width: 1,
                height: 1,
                hot_x: 0,
                hot_y: 0,
                rgba: &rgba,
            }),
        );
        assert_eq!(m[0], CURSOR);
        assert_eq!(m[1], 3);
        assert_eq!(i32::from_le_bytes([m[2], m[3], m[4], m[5]]), -5);
        assert_eq!(&m[m.len() - 4..], &rgba);
        assert_eq!(encode_cursor(0, 0, false, None).len(), 10);
    }
}
