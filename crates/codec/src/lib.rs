//! Screen frames on the wire (`docs/protocol.md`, "Screen frames").
//!
//! The [`Encoder`] keeps the picture the viewer has and turns each new
//! capture into one update message, a list of operations applied in order:
//! - **copy** a rectangle the viewer already has to a new place: scrolled text
//!   and dragged windows cost a few bytes instead of their pixels
//!   (`motion.rs` finds the displacement);
//! - **fill** a rectangle with one colour;
//! - **palette** pixels (2–16 colours, 1–4 bits a pixel) and **raw** RGB pixels,
//!   compressed together with the list of operations in one DEFLATE stream
//!   (level 6);
//! - **video** (feature `h264`): an H.264 access unit for one area that changes
//!   nearly every frame with rich colour (a video, an animation), the only lossy
//!   operation. When the area stops changing it is sent again losslessly.
//!
//! Only the 64×64 tiles that changed (and, within a tile, only the rows and
//! columns that changed) are sent; the caller's damage report limits the
//! comparison to where something was drawn. Text stays exactly as sharp as on
//! the customer's screen. The browser inflates with the built-in
//! `DecompressionStream('deflate-raw')` and decodes H.264 with WebCodecs.
//!
//! Architecture invariant: no I/O and no platform code; pixels come in as
//! plain BGRA rows and messages go out as bytes. [`Decoder`] is the reference
//! for viewers and is used by tests and benchmarks.
//!
//! Layout: `encoder.rs` (the [`Encoder`]), `motion.rs` (copy detection),
//! `decoder.rs` (the [`Decoder`]), `video.rs` (H.264 both ways, feature `h264`).

mod decoder;
mod encoder;
mod motion;
#[cfg(feature = "h264")]
mod video;

pub use decoder::Decoder;
pub use encoder::{Encoder, EncoderConfig};
#[cfg(feature = "h264")]
pub use encoder::{VideoCoder, VideoJob};

pub const TILE: u32 = 64;
/// The first picture format: changed tiles, RGBA, one DEFLATE stream. Still
/// understood by [`Decoder`]; the encoder sends [`UPDATE`].
pub const PICTURE: u8 = 1;
pub const CURSOR: u8 = 2;
/// A picture update made of operations (see the module documentation).
pub const UPDATE: u8 = 3;

/// Operation kinds inside an [`UPDATE`] message.
pub mod op {
    pub const COPY: u8 = 1;
    pub const FILL: u8 = 2;
    pub const RAW: u8 = 3;
    pub const PALETTE: u8 = 4;
    pub const VIDEO: u8 = 5;
}

pub(crate) const KEYFRAME: u8 = 1;
/// An update's compressed part is the next piece of its sender's one DEFLATE
/// stream (a keyframe starts it afresh), and says how long it inflates to.
pub(crate) const STREAM: u8 = 2;
pub(crate) const HEADER: usize = 1 + 1 + 2 + 4 + 4 + 4 + 2;
/// A palette op has at most this many colours; more makes the pixels raw.
pub(crate) const MAX_PALETTE: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("the frame's buffer is smaller than its size says")]
    ShortBuffer,
    #[error("the picture is larger than the format allows (65535 pixels a side)")]
    TooLarge,
    #[error("malformed message: {0}")]
    Malformed(&'static str),
    #[error("video coding failed: {0}")]
    Video(String),
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
    /// The bytes of `w` pixels of row `y` from column `x`.
    pub(crate) fn row(&self, y: u32, x: u32, w: u32) -> &[u8] {
        let start = y as usize * self.stride + x as usize * 4;
        &self.data[start..start + w as usize * 4]
    }
}

/// A rectangle of the picture, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// Sets the frame number of an [`UPDATE`] message; returns whether `message`
/// is one. Viewers expect consecutive numbers (a gap means a lost frame), so
/// a sender whose messages come from more than one encoder (the video coded
/// apart) numbers them in the order they are sent.
pub fn set_frame_number(message: &mut [u8], frame: u32) -> bool {
    if message.len() < HEADER || message[0] != UPDATE {
        return false;
    }
    message[12..16].copy_from_slice(&frame.to_le_bytes());
    true
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

/// Bits a pixel for a palette of `n` colours (1, 2 or 4).
pub(crate) fn palette_bits(n: usize) -> usize {
    match n {
        0..=2 => 1,
        3..=4 => 2,
        _ => 4,
    }
}

#[cfg(test)]
mod tests;
