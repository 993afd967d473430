//! An RFB (VNC) 3.8 client for the benchmark, as a VNC viewer reads a
//! server: security type None, 32-bit true colour, Tight or ZRLE (plus
//! CopyRect, the cursor and size pseudo-encodings), and one outstanding
//! incremental update request at a time. The next request goes out as soon
//! as an update starts to arrive, as TigerVNC's viewer does.
//!
//! Every rectangle is decoded into a framebuffer (the zlib streams kept per
//! the spec: one for ZRLE, four for Tight), except Tight's JPEG rectangles,
//! whose bytes are read and counted but not decoded (a JPEG decoder is a
//! crate of its own for one function).
//!
//! Reference: the RFB protocol (RFC 6143) and the community spec of the
//! Tight encoding and pseudo-encodings.

use std::io::{BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use flate2::{Decompress, FlushDecompress, Status};

use super::measure::{Picture, Viewer, ViewerStats};

const RAW: i32 = 0;
const COPY_RECT: i32 = 1;
const TIGHT: i32 = 7;
const ZRLE: i32 = 16;
const DESKTOP_SIZE: i32 = -223;
const LAST_RECT: i32 = -224;
const POINTER_POS: i32 = -232;
const RICH_CURSOR: i32 = -239;
const X_CURSOR: i32 = -240;
/// Compression level 2 (`-256 + level`), as TigerVNC's viewer asks by default.
const COMPRESS_LEVEL_2: i32 = -254;
/// JPEG quality 8 (`-32 + level`), as TigerVNC's viewer asks by default.
const JPEG_QUALITY_8: i32 = -24;

/// What the viewer asks the server to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RfbEncoding {
    /// Tight without JPEG (lossless, like Tether's tiles).
    Tight,
    /// ZRLE (lossless).
    Zrle,
    /// Tight with JPEG at quality 8, TigerVNC viewer's default (lossy).
    TightJpeg,
}

impl RfbEncoding {
    pub fn name(self) -> &'static str {
        match self {
            RfbEncoding::Tight => "tight",
            RfbEncoding::Zrle => "zrle",
            RfbEncoding::TightJpeg => "tight-jpeg",
        }
    }

    /// The SetEncodings list, most preferred first.
    fn list(self) -> Vec<i32> {
        let first = match self {
            RfbEncoding::Tight | RfbEncoding::TightJpeg => TIGHT,
            RfbEncoding::Zrle => ZRLE,
        };
        let mut list = vec![
            first,
            COPY_RECT,
            RICH_CURSOR,
            LAST_RECT,
            DESKTOP_SIZE,
            COMPRESS_LEVEL_2,
        ];
        if self == RfbEncoding::TightJpeg {
            list.push(JPEG_QUALITY_8);
        }
        list
    }
}

/// The decoded screen: 0x00RRGGBB a pixel, row after row.
#[derive(Debug, Clone, Default)]
pub struct Framebuffer {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u32>,
}

impl Framebuffer {
    fn new(width: u32, height: u32) -> Framebuffer {
        Framebuffer {
            width,
            height,
            pixels: vec![0; width as usize * height as usize],
        }
    }

    pub fn rgb(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let p = self.pixels[(y * self.width + x) as usize];
        Some([(p >> 16) as u8, (p >> 8) as u8, p as u8])
    }

    fn set(&mut self, x: u32, y: u32, pixel: u32) {
        let at = (y * self.width + x) as usize;
        self.pixels[at] = pixel;
    }

    fn fill(&mut self, r: &Rect, pixel: u32) {
        for y in r.y..r.y + r.h {
            let at = (y * self.width + r.x) as usize;
            self.pixels[at..at + r.w as usize].fill(pixel);
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Rect {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
}

/// What one FramebufferUpdate held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpdateSummary {
    /// Rectangles with pixels (not cursor or size pseudo-rectangles).
    pub pixel_rects: usize,
    /// Tight JPEG rectangles, read but not decoded.
    pub undecoded: usize,
}

/// A persistent zlib stream, as the encodings keep them.
#[derive(Debug)]
struct Inflater(Decompress);

impl Inflater {
    fn new() -> Inflater {
        Inflater(Decompress::new(true))
    }

    /// Inflates `input` (which ends with a sync flush, as the encodings send
    /// it) into `out`, replacing its contents.
    fn inflate(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> anyhow::Result<()> {
        out.clear();
        loop {
            if out.capacity() - out.len() < 32 * 1024 {
                out.reserve((input.len() * 4).max(64 * 1024));
            }
            let (in_before, out_before) = (self.0.total_in(), self.0.total_out());
            let status = self
                .0
                .decompress_vec(input, out, FlushDecompress::Sync)
                .context("corrupt zlib data")?;
            let used = usize::try_from(self.0.total_in() - in_before).context("zlib count")?;
            let made = self.0.total_out() - out_before;
            input = &input[used..];
            let room_left = out.len() < out.capacity();
            if status == Status::StreamEnd || (input.is_empty() && room_left) {
                return Ok(());
            }
            ensure!(
                used > 0 || made > 0 || !room_left,
                "the zlib stream stopped with {} bytes left",
                input.len()
            );
        }
    }
}

/// Reads bytes out of a decompressed buffer.
struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> anyhow::Result<&'a [u8]> {
        let bytes = self
            .data
            .get(self.at..self.at + n)
            .context("the decompressed data ends too early")?;
        self.at += n;
        Ok(bytes)
    }

    fn u8(&mut self) -> anyhow::Result<u8> {
        Ok(self.take(1)?[0])
    }

    /// A ZRLE CPIXEL: the three low bytes of our little-endian pixel (B, G, R).
    fn cpixel(&mut self) -> anyhow::Result<u32> {
        let b = self.take(3)?;
        Ok(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
    }

    /// A ZRLE run length: bytes of 255 continue it; the total plus one.
    fn run_length(&mut self) -> anyhow::Result<usize> {
        let mut len = 1;
        loop {
            let b = self.u8()?;
            len += usize::from(b);
            if b != 255 {
                return Ok(len);
            }
        }
    }
}

/// A Tight TPIXEL (R, G, B) as our pixel.
fn tpixel(b: &[u8]) -> u32 {
    u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2])
}

fn read_u8(r: &mut impl Read) -> anyhow::Result<u8> {
    let mut b = [0; 1];
    r.read_exact(&mut b).context("connection closed")?;
    Ok(b[0])
}

fn read_u16(r: &mut impl Read) -> anyhow::Result<u16> {
    let mut b = [0; 2];
    r.read_exact(&mut b).context("connection closed")?;
    Ok(u16::from_be_bytes(b))
}

fn read_u32(r: &mut impl Read) -> anyhow::Result<u32> {
    let mut b = [0; 4];
    r.read_exact(&mut b).context("connection closed")?;
    Ok(u32::from_be_bytes(b))
}

fn read_vec(r: &mut impl Read, buf: &mut Vec<u8>, n: usize) -> anyhow::Result<()> {
    buf.clear();
    buf.resize(n, 0);
    r.read_exact(buf).context("connection closed")
}

fn skip(r: &mut impl Read, n: u64) -> anyhow::Result<()> {
    let skipped =
        std::io::copy(&mut r.take(n), &mut std::io::sink()).context("connection closed")?;
    ensure!(skipped == n, "connection closed");
    Ok(())
}

/// Tight's compact length: 7 bits a byte, up to three bytes.
fn compact_length(r: &mut impl Read) -> anyhow::Result<usize> {
    let mut len = 0usize;
    for i in 0..3 {
        let b = read_u8(r)?;
        if i == 2 {
            return Ok(len | usize::from(b) << 14);
        }
        len |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            break;
        }
    }
    Ok(len)
}

/// Turns FramebufferUpdate messages into pixels.
#[derive(Debug)]
pub struct Decoder {
    pub fb: Framebuffer,
    zrle: Inflater,
    tight: [Inflater; 4],
    compressed: Vec<u8>,
    inflated: Vec<u8>,
}

impl Decoder {
    pub fn new(width: u32, height: u32) -> Decoder {
        Decoder {
            fb: Framebuffer::new(width, height),
            zrle: Inflater::new(),
            tight: [
                Inflater::new(),
                Inflater::new(),
                Inflater::new(),
                Inflater::new(),
            ],
            compressed: Vec::new(),
            inflated: Vec::new(),
        }
    }

    /// Reads the rest of a FramebufferUpdate (after its type byte).
    /// `started` is called once the rectangle count is read.
    pub fn read_update(
        &mut self,
        r: &mut impl Read,
        started: impl FnOnce() -> anyhow::Result<()>,
    ) -> anyhow::Result<UpdateSummary> {
        read_u8(r)?;
        let count = read_u16(r)?;
        started()?;
        let mut summary = UpdateSummary::default();
        // 0xFFFF: as many as come until a LastRect.
        let mut i = 0;
        while count == 0xFFFF || i < count {
            i = i.saturating_add(1);
            let rect = Rect {
                x: u32::from(read_u16(r)?),
                y: u32::from(read_u16(r)?),
                w: u32::from(read_u16(r)?),
                h: u32::from(read_u16(r)?),
            };
            let encoding = read_u32(r)? as i32;
            match encoding {
                LAST_RECT => break,
                DESKTOP_SIZE => self.fb = Framebuffer::new(rect.w, rect.h),
                POINTER_POS => {}
                RICH_CURSOR => {
                    let mask = u64::from(rect.w.div_ceil(8) * rect.h);
                    skip(r, u64::from(rect.w * rect.h) * 4 + mask)?;
                }
                X_CURSOR => {
                    if rect.w * rect.h > 0 {
                        skip(r, 6 + 2 * u64::from(rect.w.div_ceil(8) * rect.h))?;
                    }
                }
                _ => {
                    ensure!(
                        rect.x + rect.w <= self.fb.width && rect.y + rect.h <= self.fb.height,
                        "rectangle {rect:?} is outside the {}×{} screen",
                        self.fb.width,
                        self.fb.height
                    );
                    summary.pixel_rects += 1;
                    match encoding {
                        RAW => self.raw(r, &rect)?,
                        COPY_RECT => self.copy_rect(r, &rect)?,
                        ZRLE => self.zrle(r, &rect)?,
                        TIGHT => {
                            if !self.tight(r, &rect)? {
                                summary.undecoded += 1;
                            }
                        }
                        other => bail!("the server sent encoding {other}, which was not asked for"),
                    }
                }
            }
        }
        Ok(summary)
    }

    fn raw(&mut self, r: &mut impl Read, rect: &Rect) -> anyhow::Result<()> {
        read_vec(r, &mut self.compressed, (rect.w * rect.h * 4) as usize)?;
        let mut px = self.compressed.chunks_exact(4);
        for y in rect.y..rect.y + rect.h {
            for x in rect.x..rect.x + rect.w {
                let p = px.next().context("raw rectangle too short")?;
                self.fb.set(x, y, u32::from_le_bytes([p[0], p[1], p[2], 0]));
            }
        }
        Ok(())
    }

    fn copy_rect(&mut self, r: &mut impl Read, rect: &Rect) -> anyhow::Result<()> {
        let (sx, sy) = (u32::from(read_u16(r)?), u32::from(read_u16(r)?));
        ensure!(
            sx + rect.w <= self.fb.width && sy + rect.h <= self.fb.height,
            "CopyRect source outside the screen"
        );
        let w = self.fb.width as usize;
        let rows: Vec<u32> = (sy..sy + rect.h)
            .flat_map(|y| {
                let at = y as usize * w + sx as usize;
                self.fb.pixels[at..at + rect.w as usize].iter().copied()
            })
            .collect();
        for (i, row) in rows.chunks_exact(rect.w.max(1) as usize).enumerate() {
            let at = (rect.y as usize + i) * w + rect.x as usize;
            self.fb.pixels[at..at + row.len()].copy_from_slice(row);
        }
        Ok(())
    }

    fn zrle(&mut self, r: &mut impl Read, rect: &Rect) -> anyhow::Result<()> {
        let len = read_u32(r)? as usize;
        read_vec(r, &mut self.compressed, len)?;
        self.zrle.inflate(&self.compressed, &mut self.inflated)?;
        let mut c = Cursor {
            data: &self.inflated,
            at: 0,
        };
        for ty in (rect.y..rect.y + rect.h).step_by(64) {
            for tx in (rect.x..rect.x + rect.w).step_by(64) {
                let tile = Rect {
                    x: tx,
                    y: ty,
                    w: 64.min(rect.x + rect.w - tx),
                    h: 64.min(rect.y + rect.h - ty),
                };
                zrle_tile(&mut self.fb, &mut c, &tile)?;
            }
        }
        Ok(())
    }

    /// Returns false for a JPEG rectangle (counted, not decoded).
    fn tight(&mut self, r: &mut impl Read, rect: &Rect) -> anyhow::Result<bool> {
        let control = read_u8(r)?;
        for (i, stream) in self.tight.iter_mut().enumerate() {
            if control & (1 << i) != 0 {
                stream.0.reset(true);
            }
        }
        let kind = control >> 4;
        match kind {
            0x08 => {
                let mut p = [0; 3];
                r.read_exact(&mut p).context("connection closed")?;
                self.fb.fill(rect, tpixel(&p));
                return Ok(true);
            }
            0x09 => {
                let len = compact_length(r)?;
                skip(r, len as u64)?;
                return Ok(false);
            }
            k if k > 0x09 => bail!("unknown Tight compression type {k:#x}"),
            _ => {}
        }
        let stream = usize::from(kind & 0x03);
        let filter = if kind & 0x04 != 0 { read_u8(r)? } else { 0 };
        let (w, h) = (rect.w as usize, rect.h as usize);
        let mut palette = Vec::new();
        let size = match filter {
            0 | 2 => w * h * 3,
            1 => {
                let colours = usize::from(read_u8(r)?) + 1;
                let mut p = vec![0; colours * 3];
                r.read_exact(&mut p).context("connection closed")?;
                palette = p.chunks_exact(3).map(tpixel).collect();
                if colours == 2 {
                    w.div_ceil(8) * h
                } else {
                    w * h
                }
            }
            other => bail!("unknown Tight filter {other}"),
        };
        // Fewer than 12 bytes come as they are, without zlib.
        if size < 12 {
            read_vec(r, &mut self.inflated, size)?;
        } else {
            let len = compact_length(r)?;
            read_vec(r, &mut self.compressed, len)?;
            self.tight[stream].inflate(&self.compressed, &mut self.inflated)?;
            ensure!(
                self.inflated.len() == size,
                "Tight rectangle inflated to {} bytes, not {size}",
                self.inflated.len()
            );
        }
        let data = &self.inflated;
        match filter {
            0 => {
                for (i, p) in data.chunks_exact(3).enumerate() {
                    self.fb
                        .set(rect.x + (i % w) as u32, rect.y + (i / w) as u32, tpixel(p));
                }
            }
            1 if palette.len() == 2 => {
                let row_bytes = w.div_ceil(8);
                for y in 0..h {
                    for x in 0..w {
                        let bit = data[y * row_bytes + x / 8] >> (7 - x % 8) & 1;
                        self.fb.set(
                            rect.x + x as u32,
                            rect.y + y as u32,
                            palette[usize::from(bit)],
                        );
                    }
                }
            }
            1 => {
                for (i, &index) in data.iter().enumerate() {
                    let p = *palette
                        .get(usize::from(index))
                        .context("Tight palette index out of range")?;
                    self.fb
                        .set(rect.x + (i % w) as u32, rect.y + (i / w) as u32, p);
                }
            }
            _ => {
                // Gradient: each component is predicted from left + above −
                // above-left (clamped to 0..=255) and sent as the difference.
                let mut above = vec![0u8; w * 3];
                let mut row = vec![0u8; w * 3];
                for y in 0..h {
                    for x in 0..w {
                        for c in 0..3 {
                            let left = if x > 0 {
                                i32::from(row[(x - 1) * 3 + c])
                            } else {
                                0
                            };
                            let up = i32::from(above[x * 3 + c]);
                            let up_left = if x > 0 {
                                i32::from(above[(x - 1) * 3 + c])
                            } else {
                                0
                            };
                            let predicted = (left + up - up_left).clamp(0, 255) as u8;
                            row[x * 3 + c] = predicted.wrapping_add(data[(y * w + x) * 3 + c]);
                        }
                        self.fb.set(
                            rect.x + x as u32,
                            rect.y + y as u32,
                            tpixel(&row[x * 3..x * 3 + 3]),
                        );
                    }
                    std::mem::swap(&mut above, &mut row);
                }
            }
        }
        Ok(true)
    }
}

fn zrle_tile(fb: &mut Framebuffer, c: &mut Cursor<'_>, t: &Rect) -> anyhow::Result<()> {
    let (w, h) = (t.w as usize, t.h as usize);
    let put = |fb: &mut Framebuffer, i: usize, p: u32| {
        fb.set(t.x + (i % w) as u32, t.y + (i / w) as u32, p)
    };
    let sub = c.u8()?;
    match sub {
        0 => {
            for i in 0..w * h {
                let p = c.cpixel()?;
                put(fb, i, p);
            }
        }
        1 => {
            let p = c.cpixel()?;
            fb.fill(t, p);
        }
        2..=16 => {
            let palette = (0..sub)
                .map(|_| c.cpixel())
                .collect::<anyhow::Result<Vec<_>>>()?;
            let bits = match sub {
                2 => 1,
                3..=4 => 2,
                _ => 4,
            };
            let row_bytes = (w * bits).div_ceil(8);
            let packed = c.take(row_bytes * h)?;
            for y in 0..h {
                for x in 0..w {
                    let bit = x * bits;
                    let byte = packed[y * row_bytes + bit / 8];
                    let index = (byte >> (8 - bits - bit % 8)) & ((1 << bits) - 1);
                    let p = *palette
                        .get(usize::from(index))
                        .context("ZRLE palette index out of range")?;
                    put(fb, y * w + x, p);
                }
            }
        }
        128 => {
            let mut i = 0;
            while i < w * h {
                let p = c.cpixel()?;
                let run = c.run_length()?;
                ensure!(i + run <= w * h, "ZRLE run past the tile");
                for j in i..i + run {
                    put(fb, j, p);
                }
                i += run;
            }
        }
        130..=255 => {
            let palette = (0..sub - 128)
                .map(|_| c.cpixel())
                .collect::<anyhow::Result<Vec<_>>>()?;
            let mut i = 0;
            while i < w * h {
                let b = c.u8()?;
                let p = *palette
                    .get(usize::from(b & 0x7f))
                    .context("ZRLE palette index out of range")?;
                let run = if b & 0x80 != 0 { c.run_length()? } else { 1 };
                ensure!(i + run <= w * h, "ZRLE run past the tile");
                for j in i..i + run {
                    put(fb, j, p);
                }
                i += run;
            }
        }
        other => bail!("unknown ZRLE tile type {other}"),
    }
    Ok(())
}

/// Counts every byte read from the server.
struct Counting {
    inner: TcpStream,
    stats: Arc<ViewerStats>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.stats.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn update_request(incremental: bool, width: u32, height: u32) -> [u8; 10] {
    let mut m = [0u8; 10];
    m[0] = 3;
    m[1] = u8::from(incremental);
    m[6..8].copy_from_slice(&(width as u16).to_be_bytes());
    m[8..10].copy_from_slice(&(height as u16).to_be_bytes());
    m
}

fn pointer_event(buttons: u8, x: u32, y: u32) -> [u8; 6] {
    let mut m = [5, buttons, 0, 0, 0, 0];
    m[2..4].copy_from_slice(&(x as u16).to_be_bytes());
    m[4..6].copy_from_slice(&(y as u16).to_be_bytes());
    m
}

/// Version, security (None) and init; returns the screen's size.
fn handshake(s: &mut TcpStream) -> anyhow::Result<(u32, u32)> {
    let mut version = [0u8; 12];
    s.read_exact(&mut version).context("no RFB greeting")?;
    let text = String::from_utf8_lossy(&version).into_owned();
    let minor: u32 = text
        .strip_prefix("RFB 003.")
        .and_then(|v| v.trim_end().parse().ok())
        .with_context(|| format!("not an RFB 3.x server: {text:?}"))?;
    let minor = match minor {
        8.. => 8,
        7 => 7,
        _ => 3,
    };
    s.write_all(format!("RFB 003.{minor:03}\n").as_bytes())
        .context("cannot send the version")?;
    if minor >= 7 {
        let n = read_u8(s)?;
        if n == 0 {
            bail!("the server refused: {}", read_reason(s)?);
        }
        let mut types = vec![0; usize::from(n)];
        s.read_exact(&mut types).context("connection closed")?;
        ensure!(
            types.contains(&1),
            "the server offers no security type None, only {types:?}"
        );
        s.write_all(&[1])
            .context("cannot choose security type None")?;
    } else {
        let kind = read_u32(s)?;
        ensure!(kind == 1, "the server wants security type {kind}, not None");
    }
    if minor >= 8 && read_u32(s)? != 0 {
        bail!("security handshake failed: {}", read_reason(s)?);
    }
    s.write_all(&[1]).context("cannot send ClientInit")?; // shared
    let (width, height) = (u32::from(read_u16(s)?), u32::from(read_u16(s)?));
    let mut format = [0u8; 16];
    s.read_exact(&mut format).context("connection closed")?;
    let name_len = read_u32(s)?;
    skip(s, u64::from(name_len))?;
    Ok((width, height))
}

fn read_reason(s: &mut TcpStream) -> anyhow::Result<String> {
    let len = read_u32(s)?;
    let mut reason = vec![0; len.min(4096) as usize];
    s.read_exact(&mut reason).context("connection closed")?;
    Ok(String::from_utf8_lossy(&reason).into_owned())
}

/// SetPixelFormat: 32 bits, depth 24, little-endian, true colour, 0x00RRGGBB.
fn set_pixel_format() -> [u8; 20] {
    let mut m = [0u8; 20];
    m[4..20].copy_from_slice(&[32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
    m
}

fn set_encodings(list: &[i32]) -> Vec<u8> {
    let mut m = vec![2, 0];
    m.extend_from_slice(&(list.len() as u16).to_be_bytes());
    for e in list {
        m.extend_from_slice(&e.to_be_bytes());
    }
    m
}

/// A connected viewer reading on a thread of its own. Dropping it closes the
/// connection.
#[derive(Debug)]
pub struct RfbViewer {
    writer: Arc<Mutex<TcpStream>>,
    /// Locked by the reading thread while it decodes an update.
    decoder: Arc<Mutex<Decoder>>,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<anyhow::Result<()>>>,
}

impl RfbViewer {
    /// Connects, asks for `encoding` and starts reading; `probe` is the
    /// pixel reported to `stats` after every update.
    pub fn connect(
        address: SocketAddr,
        encoding: RfbEncoding,
        stats: Arc<ViewerStats>,
        probe: (u32, u32),
    ) -> anyhow::Result<RfbViewer> {
        let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))
            .with_context(|| format!("cannot connect to the VNC server at {address}"))?;
        stream.set_nodelay(true).context("cannot set TCP_NODELAY")?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .context("cannot set a read timeout")?;
        let (width, height) = handshake(&mut stream).context("RFB handshake failed")?;
        stream
            .set_read_timeout(None)
            .context("cannot clear the read timeout")?;
        let mut setup = set_pixel_format().to_vec();
        setup.extend(set_encodings(&encoding.list()));
        setup.extend(update_request(false, width, height));
        stream
            .write_all(&setup)
            .context("cannot send the viewer's settings")?;
        let writer = Arc::new(Mutex::new(
            stream.try_clone().context("cannot share the socket")?,
        ));
        let stopping = Arc::new(AtomicBool::new(false));
        let decoder = Arc::new(Mutex::new(Decoder::new(width, height)));
        let thread = {
            let (writer, stopping, decoder) = (writer.clone(), stopping.clone(), decoder.clone());
            std::thread::Builder::new()
                .name("rfb-viewer".into())
                .spawn(move || {
                    let reader = Counting {
                        inner: stream,
                        stats: stats.clone(),
                    };
                    let result = read_loop(
                        BufReader::with_capacity(256 * 1024, reader),
                        &writer,
                        &decoder,
                        &stats,
                        probe,
                    );
                    if stopping.load(Ordering::SeqCst) {
                        Ok(())
                    } else {
                        result
                    }
                })
                .context("cannot start the viewer thread")?
        };
        Ok(RfbViewer {
            writer,
            decoder,
            stopping,
            thread: Some(thread),
        })
    }

    /// Fails with the viewer's error if it stopped reading.
    pub fn check_running(&mut self) -> anyhow::Result<()> {
        if self.thread.as_ref().is_some_and(|t| t.is_finished())
            && let Some(thread) = self.thread.take()
        {
            return match thread.join() {
                Ok(Ok(())) => bail!("the VNC server closed the connection"),
                Ok(Err(e)) => Err(e.context("the VNC viewer stopped")),
                Err(_) => bail!("the VNC viewer thread panicked"),
            };
        }
        Ok(())
    }

    fn send(&self, bytes: &[u8]) -> anyhow::Result<()> {
        self.writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .write_all(bytes)
            .context("cannot write to the VNC server")
    }
}

impl Viewer for RfbViewer {
    async fn click(&self, x: u32, y: u32) -> anyhow::Result<()> {
        let mut m = Vec::with_capacity(18);
        m.extend(pointer_event(0, x, y));
        m.extend(pointer_event(1, x, y));
        m.extend(pointer_event(0, x, y));
        self.send(&m)
    }

    fn picture(&self) -> Picture {
        let decoder = self.decoder.lock().unwrap_or_else(|p| p.into_inner());
        let fb = &decoder.fb;
        Picture {
            width: fb.width,
            height: fb.height,
            rgb: fb
                .pixels
                .iter()
                .flat_map(|&p| [(p >> 16) as u8, (p >> 8) as u8, p as u8])
                .collect(),
        }
    }
}

impl Drop for RfbViewer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Unblocks the reading thread; already closed is fine.
        let _ = self
            .writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .shutdown(Shutdown::Both);
        if let Some(thread) = self.thread.take() {
            // Its outcome no longer matters: we are closing it.
            let _ = thread.join();
        }
    }
}

fn read_loop(
    mut r: impl Read,
    writer: &Mutex<TcpStream>,
    decoder: &Mutex<Decoder>,
    stats: &ViewerStats,
    (px, py): (u32, u32),
) -> anyhow::Result<()> {
    loop {
        match read_u8(&mut r)? {
            0 => {
                let mut decoder = decoder.lock().unwrap_or_else(|p| p.into_inner());
                let (w, h) = (decoder.fb.width, decoder.fb.height);
                let summary = decoder.read_update(&mut r, || {
                    writer
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .write_all(&update_request(true, w, h))
                        .context("cannot ask for the next update")
                })?;
                if summary.pixel_rects > 0 {
                    stats.updates.fetch_add(1, Ordering::Relaxed);
                }
                stats
                    .undecoded
                    .fetch_add(summary.undecoded as u64, Ordering::Relaxed);
                if let Some(rgb) = decoder.fb.rgb(px, py) {
                    stats.saw_probe(rgb);
                }
            }
            1 => {
                // SetColourMapEntries: not used in true colour, but legal.
                skip(&mut r, 3)?;
                let n = read_u16(&mut r)?;
                skip(&mut r, u64::from(n) * 6)?;
            }
            2 => {} // Bell
            3 => {
                skip(&mut r, 3)?;
                let len = read_u32(&mut r)?;
                skip(&mut r, u64::from(len))?;
            }
            other => bail!("unknown server message type {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::ZlibEncoder;

    /// A zlib stream the way a server keeps one: each piece ends with a sync flush.
    struct Stream(ZlibEncoder<Vec<u8>>);

    impl Stream {
        fn new() -> Stream {
            Stream(ZlibEncoder::new(Vec::new(), Compression::default()))
        }

        fn piece(&mut self, data: &[u8]) -> Vec<u8> {
            self.0.write_all(data).expect("compress");
            self.0.flush().expect("flush");
            std::mem::take(self.0.get_mut())
        }
    }

    fn rect(x: u16, y: u16, w: u16, h: u16, encoding: i32, body: &[u8]) -> Vec<u8> {
        let mut m = Vec::new();
        for v in [x, y, w, h] {
            m.extend(v.to_be_bytes());
        }
        m.extend(encoding.to_be_bytes());
        m.extend(body);
        m
    }

    fn zrle_rect(x: u16, y: u16, w: u16, h: u16, z: &mut Stream, tiles: &[u8]) -> Vec<u8> {
        let piece = z.piece(tiles);
        let mut body = (piece.len() as u32).to_be_bytes().to_vec();
        body.extend(piece);
        rect(x, y, w, h, ZRLE, &body)
    }

    fn update(rects: &[Vec<u8>]) -> Vec<u8> {
        let mut m = vec![0];
        m.extend((rects.len() as u16).to_be_bytes());
        for r in rects {
            m.extend(r);
        }
        m
    }

    fn decode(decoder: &mut Decoder, message: &[u8]) -> UpdateSummary {
        let mut r = message;
        let summary = decoder.read_update(&mut r, || Ok(())).expect("decodes");
        assert!(r.is_empty(), "{} bytes left over", r.len());
        summary
    }

    fn cpixel(p: u32) -> [u8; 3] {
        [p as u8, (p >> 8) as u8, (p >> 16) as u8]
    }

    fn tp(p: u32) -> [u8; 3] {
        [(p >> 16) as u8, (p >> 8) as u8, p as u8]
    }

    fn row(fb: &Framebuffer, y: u32, x0: u32, x1: u32) -> Vec<u32> {
        (x0..x1)
            .map(|x| fb.pixels[(y * fb.width + x) as usize])
            .collect()
    }

    fn compact(len: usize) -> Vec<u8> {
        let mut out = vec![(len & 0x7f) as u8];
        if len > 0x7f {
            out[0] |= 0x80;
            out.push((len >> 7 & 0x7f) as u8);
            if len > 0x3fff {
                out[1] |= 0x80;
                out.push((len >> 14) as u8);
            }
        }
        out
    }

    const A: u32 = 0x11_22_33;
    const B: u32 = 0xAA_BB_CC;
    const C: u32 = 0x40_50_60;

    #[test]
    fn zrle_solid_packed_raw_and_run_tiles_from_one_stream() {
        let mut z = Stream::new();
        let mut d = Decoder::new(80, 8);
        // 70×2 is two tiles: 64×2 solid, then 6×2 with a two-colour packed
        // palette (1 bit a pixel, each row padded to a byte).
        let mut tiles = vec![1];
        tiles.extend(cpixel(A));
        tiles.push(2);
        tiles.extend(cpixel(A));
        tiles.extend(cpixel(B));
        tiles.extend([0b0101_0100, 0b1010_1000]);
        let summary = decode(&mut d, &update(&[zrle_rect(0, 0, 70, 2, &mut z, &tiles)]));
        assert_eq!(
            summary,
            UpdateSummary {
                pixel_rects: 1,
                undecoded: 0
            }
        );
        assert!(row(&d.fb, 1, 0, 64).iter().all(|&p| p == A));
        assert_eq!(row(&d.fb, 0, 64, 70), [A, B, A, B, A, B]);
        assert_eq!(row(&d.fb, 1, 64, 70), [B, A, B, A, B, A]);

        // Later rectangles continue the same zlib stream.
        let mut plain_rle = vec![128];
        plain_rle.extend(cpixel(A));
        plain_rle.push(2); // a run of 3
        plain_rle.extend(cpixel(B));
        plain_rle.push(4); // a run of 5
        let mut palette_rle = vec![130];
        palette_rle.extend(cpixel(B));
        palette_rle.extend(cpixel(C));
        palette_rle.extend([0, 0x81, 5, 1]); // B, C×6, C
        let mut raw = vec![0];
        for p in [C, A, B] {
            raw.extend(cpixel(p));
        }
        let mut packed4 = vec![3]; // three colours: 2 bits a pixel
        for p in [A, B, C] {
            packed4.extend(cpixel(p));
        }
        packed4.extend([0b0001_1000, 0b1001_0000]);
        let message = update(&[
            zrle_rect(0, 4, 4, 2, &mut z, &plain_rle),
            zrle_rect(8, 4, 4, 2, &mut z, &palette_rle),
            zrle_rect(16, 4, 3, 1, &mut z, &raw),
            zrle_rect(20, 4, 3, 2, &mut z, &packed4),
        ]);
        assert_eq!(decode(&mut d, &message).pixel_rects, 4);
        assert_eq!(row(&d.fb, 4, 0, 4), [A, A, A, B]);
        assert_eq!(row(&d.fb, 5, 0, 4), [B, B, B, B]);
        assert_eq!(row(&d.fb, 4, 8, 12), [B, C, C, C]);
        assert_eq!(row(&d.fb, 5, 8, 12), [C, C, C, C]);
        assert_eq!(row(&d.fb, 4, 16, 19), [C, A, B]);
        assert_eq!(row(&d.fb, 4, 20, 23), [A, B, C]);
        assert_eq!(row(&d.fb, 5, 20, 23), [C, B, A]);
    }

    /// Encodes pixels with Tight's gradient filter, the inverse of the decoder.
    fn gradient(pixels: &[u32], w: usize) -> Vec<u8> {
        let rgb: Vec<[u8; 3]> = pixels.iter().map(|&p| tp(p)).collect();
        let mut out = Vec::new();
        for (i, px) in rgb.iter().enumerate() {
            let (x, y) = (i % w, i / w);
            for c in 0..3 {
                let at = |x: usize, y: usize| i32::from(rgb[y * w + x][c]);
                let left = if x > 0 { at(x - 1, y) } else { 0 };
                let up = if y > 0 { at(x, y - 1) } else { 0 };
                let up_left = if x > 0 && y > 0 { at(x - 1, y - 1) } else { 0 };
                let predicted = (left + up - up_left).clamp(0, 255) as u8;
                out.push(px[c].wrapping_sub(predicted));
            }
        }
        out
    }

    #[test]
    fn tight_fill_basic_palette_gradient_reset_and_jpeg() {
        let mut streams = [Stream::new(), Stream::new(), Stream::new(), Stream::new()];
        let mut d = Decoder::new(16, 16);
        let mut rects = Vec::new();
        // Fill.
        let mut body = vec![0x80];
        body.extend(tp(A));
        rects.push(rect(0, 0, 4, 4, TIGHT, &body));
        // Basic, no filter (copy), stream 1: 24 bytes, so compressed.
        let copy: Vec<u8> = [A, B, C, A, B, C, A, B]
            .iter()
            .flat_map(|&p| tp(p))
            .collect();
        let piece = streams[1].piece(&copy);
        let mut body = vec![0x10];
        body.extend(compact(piece.len()));
        body.extend(piece);
        rects.push(rect(4, 0, 4, 2, TIGHT, &body));
        // Two-colour palette on stream 0: 2 rows of 10 bits = 4 bytes, sent as they are.
        let mut body = vec![0x40, 1, 1];
        body.extend(tp(A));
        body.extend(tp(B));
        body.extend([0b0101_0101, 0b0100_0000, 0xff, 0xc0]);
        rects.push(rect(0, 4, 10, 2, TIGHT, &body));
        // Three-colour palette on stream 2: one byte a pixel, 12 bytes, compressed.
        let piece = streams[2].piece(&[0, 1, 2, 0, 1, 2, 0, 1, 2, 2, 2, 2]);
        let mut body = vec![0x60, 1, 2];
        for p in [A, B, C] {
            body.extend(tp(p));
        }
        body.extend(compact(piece.len()));
        body.extend(piece);
        rects.push(rect(0, 6, 4, 3, TIGHT, &body));
        // Gradient on stream 3.
        let grad = [A, B, C, 0x10_20_30, 0xF0_E0_D0, 0x00_FF_00];
        let piece = streams[3].piece(&gradient(&grad, 3));
        let mut body = vec![0x70, 2];
        body.extend(compact(piece.len()));
        body.extend(piece);
        rects.push(rect(8, 0, 3, 2, TIGHT, &body));
        // JPEG: read and counted, not decoded.
        let mut body = vec![0x90];
        body.extend(compact(200));
        body.extend([0u8; 200]);
        rects.push(rect(12, 12, 4, 4, TIGHT, &body));
        let summary = decode(&mut d, &update(&rects));
        assert_eq!(
            summary,
            UpdateSummary {
                pixel_rects: 6,
                undecoded: 1
            }
        );
        assert_eq!(row(&d.fb, 3, 0, 4), [A, A, A, A]);
        assert_eq!(row(&d.fb, 0, 4, 8), [A, B, C, A]);
        assert_eq!(row(&d.fb, 1, 4, 8), [B, C, A, B]);
        assert_eq!(row(&d.fb, 4, 0, 10), [A, B, A, B, A, B, A, B, A, B]);
        assert_eq!(row(&d.fb, 5, 0, 10), [B; 10]);
        assert_eq!(row(&d.fb, 6, 0, 4), [A, B, C, A]);
        assert_eq!(row(&d.fb, 8, 0, 4), [C, C, C, C]);
        assert_eq!(row(&d.fb, 0, 8, 11), grad[..3]);
        assert_eq!(row(&d.fb, 1, 8, 11), grad[3..]);

        // Reset stream 1 (bit 1 of the control byte): a fresh zlib stream follows.
        streams[1] = Stream::new();
        let piece = streams[1].piece(&[0xC0; 24]);
        let mut body = vec![0x12];
        body.extend(compact(piece.len()));
        body.extend(piece);
        decode(&mut d, &update(&[rect(4, 8, 8, 1, TIGHT, &body)]));
        assert_eq!(row(&d.fb, 8, 4, 12), [0xC0_C0_C0; 8]);
    }

    #[test]
    fn compact_lengths_of_one_two_and_three_bytes() {
        for len in [0, 5, 127, 128, 10_000, 16_383, 16_384, 4_194_303] {
            let bytes = compact(len);
            assert_eq!(compact_length(&mut bytes.as_slice()).expect("reads"), len);
        }
        assert_eq!(compact(10_000), [0x90, 0x4E]);
    }

    #[test]
    fn raw_copy_rect_cursor_and_last_rect() {
        let mut d = Decoder::new(8, 2);
        let mut raw = Vec::new();
        for p in [A, B] {
            raw.extend(p.to_le_bytes());
        }
        let mut m = vec![0, 0xff, 0xff]; // "until LastRect"
        m.extend(rect(0, 0, 2, 1, RAW, &raw));
        m.extend(rect(2, 1, 2, 1, COPY_RECT, &[0, 0, 0, 0]));
        m.extend(rect(0, 0, 2, 2, RICH_CURSOR, &[7; 2 * 2 * 4 + 2]));
        m.extend(rect(0, 0, 0, 0, LAST_RECT, &[]));
        let summary = decode(&mut d, &m);
        assert_eq!(
            summary,
            UpdateSummary {
                pixel_rects: 2,
                undecoded: 0
            }
        );
        assert_eq!(row(&d.fb, 0, 0, 2), [A, B]);
        assert_eq!(row(&d.fb, 1, 2, 4), [A, B]);
    }

    #[test]
    fn rectangles_outside_the_screen_are_refused() {
        let mut d = Decoder::new(4, 4);
        let message = update(&[rect(2, 2, 4, 4, RAW, &[0; 64])]);
        assert!(d.read_update(&mut &message[..], || Ok(())).is_err());
    }

    /// The whole viewer against a scripted server: handshake, settings, and
    /// one incremental request per update.
    #[test]
    fn viewer_handshakes_and_keeps_one_request_outstanding() {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let address = listener.local_addr().expect("address");
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            s.write_all(b"RFB 003.008\n").expect("greet");
            let mut version = [0; 12];
            s.read_exact(&mut version).expect("version");
            assert_eq!(&version, b"RFB 003.008\n");
            s.write_all(&[2, 2, 1]).expect("security types");
            assert_eq!(read_u8(&mut s).expect("choice"), 1);
            s.write_all(&0u32.to_be_bytes()).expect("result");
            assert_eq!(read_u8(&mut s).expect("client init"), 1);
            let mut init = vec![0, 4, 0, 2];
            init.extend([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
            init.extend(4u32.to_be_bytes());
            init.extend(b"test");
            s.write_all(&init).expect("server init");
            let mut format = [0; 20];
            s.read_exact(&mut format).expect("pixel format");
            assert_eq!(format[0], 0);
            let mut head = [0; 4];
            s.read_exact(&mut head).expect("encodings");
            assert_eq!(head[0], 2);
            let n = u16::from_be_bytes([head[2], head[3]]);
            let mut list = vec![0; usize::from(n) * 4];
            s.read_exact(&mut list).expect("encodings");
            assert_eq!(
                i32::from_be_bytes([list[0], list[1], list[2], list[3]]),
                ZRLE
            );
            let mut request = [0; 10];
            s.read_exact(&mut request).expect("first request");
            assert_eq!(request, update_request(false, 4, 2));
            let mut z = Stream::new();
            for colour in [A, B] {
                let mut tile = vec![1];
                tile.extend(cpixel(colour));
                let mut message = vec![0]; // FramebufferUpdate
                message.extend(update(&[zrle_rect(0, 0, 4, 2, &mut z, &tile)]));
                s.write_all(&message).expect("update");
                s.read_exact(&mut request).expect("next request");
                assert_eq!(request, update_request(true, 4, 2));
            }
            s
        });
        let stats = ViewerStats::new();
        let mut seen = stats.probe.subscribe();
        let mut viewer = RfbViewer::connect(address, RfbEncoding::Zrle, stats.clone(), (3, 1))
            .expect("connects");
        let _socket = server.join().expect("server script");
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while seen.borrow_and_update().rgb != tp(B) {
            assert!(
                std::time::Instant::now() < deadline,
                "the second update was not decoded"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(stats.snapshot().updates, 2);
        viewer.check_running().expect("still reading");
    }
}
