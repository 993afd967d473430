//! The reference viewer: rebuilds the picture from update messages exactly
//! as the browser does, refusing anything malformed.

use std::io::Write as _;

use flate2::write::DeflateDecoder;
use flate2::{Decompress, FlushDecompress};

use crate::{Area, CodecError, HEADER, KEYFRAME, MAX_PALETTE, PICTURE, STREAM, UPDATE, op};

/// Raw DEFLATE (RFC 1951) of `bytes`, whole.
fn inflate(bytes: &[u8]) -> Result<Vec<u8>, CodecError> {
    let mut z = DeflateDecoder::new(Vec::new());
    z.write_all(bytes)
        .map_err(|_| CodecError::Malformed("bad compressed data"))?;
    z.finish()
        .map_err(|_| CodecError::Malformed("bad compressed data"))
}

/// Rebuilds the picture from update messages, as a viewer does.
#[derive(Debug, Default)]
pub struct Decoder {
    pub width: u32,
    pub height: u32,
    /// RGBA.
    pub picture: Vec<u8>,
    pub last_frame: u32,
    /// The sender's DEFLATE stream since its last keyframe (see
    /// [`crate::STREAM`]); gone after anything failed, until a keyframe.
    stream: Option<Decompress>,
    /// The operations and pixels of the last update, inflated (tests read
    /// the operations from here).
    #[cfg(test)]
    pub(crate) inflated: Vec<u8>,
    #[cfg(feature = "h264")]
    video: crate::video::VideoDecoder,
}

/// Reads a message front to back.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let s = self
            .bytes
            .get(
                self.at
                    ..self
                        .at
                        .checked_add(n)
                        .ok_or(CodecError::Malformed("length"))?,
            )
            .ok_or(CodecError::Malformed("truncated message"))?;
        self.at += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, CodecError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, CodecError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn area(&mut self) -> Result<Area, CodecError> {
        Ok(Area {
            x: u32::from(self.u16()?),
            y: u32::from(self.u16()?),
            width: u32::from(self.u16()?),
            height: u32::from(self.u16()?),
        })
    }
}

/// One operation of an update, with its pixels still to come from the payload.
enum Op<'a> {
    Copy(Area, u32, u32),
    Fill(Area, [u8; 3]),
    Raw(Area),
    Palette(Area, Vec<[u8; 3]>),
    #[cfg_attr(not(feature = "h264"), allow(dead_code))]
    Video(Area, bool, &'a [u8]),
}

impl Decoder {
    /// Inflates the next piece of the sender's stream (a new stream when
    /// `fresh`), which must come to `size` bytes.
    fn inflate_piece(
        &mut self,
        fresh: bool,
        bytes: &[u8],
        size: usize,
    ) -> Result<Vec<u8>, CodecError> {
        let mut z = match self.stream.take() {
            _ if fresh => Decompress::new(false),
            Some(z) => z,
            None => {
                return Err(CodecError::Malformed(
                    "continues a compressed stream this viewer does not have",
                ));
            }
        };
        let bad = CodecError::Malformed("bad compressed data");
        // Room for a little more than said, so that a piece that inflates
        // to more shows as such instead of stopping short.
        let mut out = Vec::with_capacity(size + 64);
        let start = z.total_in();
        loop {
            let used = usize::try_from(z.total_in() - start).map_err(|_| bad.clone())?;
            if used >= bytes.len() {
                break;
            }
            let (before_in, before_out) = (z.total_in(), out.len());
            z.decompress_vec(&bytes[used..], &mut out, FlushDecompress::Sync)
                .map_err(|_| bad.clone())?;
            if out.len() > size {
                return Err(CodecError::Malformed("inflates to more than it says"));
            }
            if z.total_in() == before_in && out.len() == before_out {
                return Err(bad);
            }
        }
        if out.len() != size {
            return Err(CodecError::Malformed("inflates to less than it says"));
        }
        self.stream = Some(z);
        Ok(out)
    }

    /// Applies one picture message (an update, or the first format's
    /// picture); returns whether it was a keyframe. A message that fails
    /// leaves the picture partly updated: ask for a keyframe.
    pub fn apply(&mut self, message: &[u8]) -> Result<bool, CodecError> {
        let applied = self.apply_message(message);
        if applied.is_err() {
            self.stream = None;
        }
        applied
    }

    fn apply_message(&mut self, message: &[u8]) -> Result<bool, CodecError> {
        let mut r = Reader {
            bytes: message,
            at: 0,
        };
        let kind = r.u8()?;
        if kind != PICTURE && kind != UPDATE {
            return Err(CodecError::Malformed("not a picture update"));
        }
        let flags = r.u8()?;
        let keyframe = flags & KEYFRAME != 0;
        let _monitor = r.u16()?;
        let (w, h) = (r.u32()?, r.u32()?);
        let frame = r.u32()?;
        let count = usize::from(r.u16()?);
        if w > u32::from(u16::MAX) || h > u32::from(u16::MAX) {
            return Err(CodecError::TooLarge);
        }
        if keyframe || w != self.width || h != self.height {
            if !keyframe {
                return Err(CodecError::Malformed("size changed without a keyframe"));
            }
            self.width = w;
            self.height = h;
            self.picture = vec![0; (w * h * 4) as usize];
            #[cfg(feature = "h264")]
            self.video.stop();
        }
        debug_assert_eq!(r.at, HEADER);
        // The first format lists its rectangles in the clear, then DEFLATE of
        // the pixels; an update compresses its operations with its pixels and
        // puts the video units after that stream.
        let (inflated, mut o, mut video) = if kind == PICTURE {
            (Vec::new(), r, None)
        } else {
            let len = r.u32()? as usize;
            let inflated = if kind == UPDATE && flags & STREAM != 0 {
                let size = r.u32()? as usize;
                // Operations (at most 12 bytes and a palette each) and
                // pixels (at most 3 bytes each) of one picture.
                let most = count * (12 + 3 * MAX_PALETTE) + (w * h * 3) as usize;
                if size > most {
                    return Err(CodecError::Malformed(
                        "inflates to more than a picture holds",
                    ));
                }
                // Pieces must come in order: one inflated against the wrong
                // history would make wrong pixels, not an error.
                if !keyframe && frame != self.last_frame.wrapping_add(1) {
                    return Err(CodecError::Malformed(
                        "a frame before this one is missing from the compressed stream",
                    ));
                }
                self.inflate_piece(keyframe, r.take(len)?, size)?
            } else {
                inflate(r.take(len)?)?
            };
            let video = Reader {
                bytes: message,
                at: r.at,
            };
            (inflated, Reader { bytes: &[], at: 0 }, Some(video))
        };
        #[cfg(test)]
        {
            self.inflated.clone_from(&inflated);
        }
        if kind == UPDATE {
            o = Reader {
                bytes: &inflated,
                at: 0,
            };
        }
        let mut ops = Vec::with_capacity(count);
        let mut wanted = 0usize;
        for _ in 0..count {
            let op = match video.as_mut() {
                None => Op::Raw(o.area()?),
                Some(video) => {
                    let code = o.u8()?;
                    let a = o.area()?;
                    match code {
                        op::COPY => Op::Copy(a, u32::from(o.u16()?), u32::from(o.u16()?)),
                        op::FILL => {
                            let c = o.take(3)?;
                            Op::Fill(a, [c[0], c[1], c[2]])
                        }
                        op::RAW => Op::Raw(a),
                        op::PALETTE => {
                            let n = usize::from(o.u8()?);
                            if !(2..=MAX_PALETTE).contains(&n) {
                                return Err(CodecError::Malformed("palette size"));
                            }
                            let c = o.take(n * 3)?;
                            Op::Palette(a, c.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect())
                        }
                        op::VIDEO => {
                            let fresh = o.u8()? & 1 != 0;
                            let len = o.u32()? as usize;
                            Op::Video(a, fresh, video.take(len)?)
                        }
                        _ => return Err(CodecError::Malformed("unknown operation")),
                    }
                }
            };
            let a = match &op {
                Op::Copy(a, ..)
                | Op::Fill(a, _)
                | Op::Raw(a)
                | Op::Palette(a, _)
                | Op::Video(a, ..) => *a,
            };
            if a.x + a.width > w || a.y + a.height > h {
                return Err(CodecError::Malformed("operation outside the picture"));
            }
            let (pw, ph) = (a.width as usize, a.height as usize);
            wanted += match &op {
                Op::Raw(_) if kind == PICTURE => pw * ph * 4,
                Op::Raw(_) => pw * ph * 3,
                Op::Palette(_, p) => (pw * crate::palette_bits(p.len())).div_ceil(8) * ph,
                _ => 0,
            };
            ops.push(op);
        }
        let legacy;
        let payload: &[u8] = if kind == PICTURE {
            legacy = if wanted > 0 {
                inflate(&message[o.at..])?
            } else {
                Vec::new()
            };
            &legacy
        } else {
            &inflated[o.at..]
        };
        if payload.len() < wanted {
            return Err(CodecError::Malformed("too few pixels"));
        }
        let mut at = 0;
        for o in ops {
            match o {
                Op::Copy(a, sx, sy) => self.copy(a, sx, sy)?,
                Op::Fill(a, c) => self.put(a, |_, _| [c[0], c[1], c[2], 255]),
                Op::Raw(a) => {
                    let n = if kind == PICTURE { 4 } else { 3 };
                    let data = &payload[at..];
                    self.put(a, |i, _| {
                        let p = &data[i * n..i * n + 3];
                        [p[0], p[1], p[2], 255]
                    });
                    at += a.width as usize * a.height as usize * n;
                }
                Op::Palette(a, colours) => {
                    let bits = crate::palette_bits(colours.len());
                    let row_bytes = (a.width as usize * bits).div_ceil(8);
                    let data = &payload[at..];
                    let mut bad = false;
                    self.put(a, |i, w| {
                        let (y, x) = (i / w, i % w);
                        let bit = x * bits;
                        let byte = data[y * row_bytes + bit / 8];
                        let index = (byte >> (8 - bits - bit % 8)) & ((1 << bits) - 1);
                        match colours.get(usize::from(index)) {
                            Some(c) => [c[0], c[1], c[2], 255],
                            None => {
                                bad = true;
                                [0, 0, 0, 255]
                            }
                        }
                    });
                    if bad {
                        return Err(CodecError::Malformed("palette index out of range"));
                    }
                    at += row_bytes * a.height as usize;
                }
                Op::Video(a, fresh, data) => self.video(a, fresh, data)?,
            }
        }
        self.last_frame = frame;
        Ok(keyframe)
    }

    /// RGBA of the pixel at (x, y).
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width {
            return None;
        }
        let at = ((y * self.width + x) * 4) as usize;
        self.picture.get(at..at + 4)?.try_into().ok()
    }

    /// Sets every pixel of `a` to `f(index within a, a's width)`.
    fn put(&mut self, a: Area, mut f: impl FnMut(usize, usize) -> [u8; 4]) {
        let w = a.width as usize;
        for row in 0..a.height as usize {
            let start = ((a.y as usize + row) * self.width as usize + a.x as usize) * 4;
            for (col, px) in self.picture[start..start + w * 4]
                .chunks_exact_mut(4)
                .enumerate()
            {
                px.copy_from_slice(&f(row * w + col, w));
            }
        }
    }

    fn copy(&mut self, a: Area, sx: u32, sy: u32) -> Result<(), CodecError> {
        if sx + a.width > self.width || sy + a.height > self.height {
            return Err(CodecError::Malformed("copy from outside the picture"));
        }
        let stride = self.width as usize * 4;
        let len = a.width as usize * 4;
        let mut row = |r: usize| {
            let from = (sy as usize + r) * stride + sx as usize * 4;
            let to = (a.y as usize + r) * stride + a.x as usize * 4;
            self.picture.copy_within(from..from + len, to);
        };
        // As if the source were read whole before anything is written.
        if a.y > sy {
            (0..a.height as usize).rev().for_each(&mut row);
        } else {
            (0..a.height as usize).for_each(&mut row);
        }
        Ok(())
    }

    #[cfg(feature = "h264")]
    fn video(&mut self, a: Area, fresh: bool, data: &[u8]) -> Result<(), CodecError> {
        let rgb = self.video.decode(a, fresh, data)?;
        let (w, stride) = (a.width as usize, self.width as usize * 4);
        for (row, src) in rgb.chunks_exact(w * 3).enumerate() {
            let at = (a.y as usize + row) * stride + a.x as usize * 4;
            for (d, s) in self.picture[at..at + w * 4]
                .chunks_exact_mut(4)
                .zip(src.chunks_exact(3))
            {
                d.copy_from_slice(&[s[0], s[1], s[2], 255]);
            }
        }
        Ok(())
    }

    #[cfg(not(feature = "h264"))]
    fn video(&mut self, _a: Area, _fresh: bool, _data: &[u8]) -> Result<(), CodecError> {
        Err(CodecError::Video("built without the h264 feature".into()))
    }
}
