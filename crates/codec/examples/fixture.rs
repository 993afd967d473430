//! Writes a run of update messages that uses every operation (copies of
//! scrolled and moved content, fills, palettes, raw pixels, H.264 video that
//! ends in a lossless refresh) for `tests/browser/codec.test.mjs`, which
//! checks that the browser's viewer shows exactly what [`codec::Decoder`] shows.
//!
//! Usage: `fixture <directory>`; writes `NNN.bin` (one message each),
//! `expected.rgba` (the decoder's final picture) and `meta.json`.

use std::path::PathBuf;
use std::time::Duration;

use codec::{Decoder, Encoder, Pixels, op};

const W: u32 = 640;
const H: u32 = 384;

/// The picture at step `t`: scrolling text, a window that moves, a photo-like
/// square that turns grey at step 44, and an area that plays a film until step 40.
fn picture(t: u32) -> Vec<u8> {
    let scroll = t.min(6) * 13;
    let (wx, wy) = (40 + t.clamp(6, 12) * 5 - 30, 150 + t.clamp(6, 12) * 3 - 18);
    let film = t.clamp(13, 40);
    let mut v = vec![0u8; (W * H * 4) as usize];
    for y in 0..H {
        for x in 0..W {
            let ty = y + scroll;
            let g = (x / 6).wrapping_mul(2_654_435_761) ^ (ty / 13).wrapping_mul(40_503);
            let mut bgr = if ty % 13 < 10
                && !(g >> 5).is_multiple_of(3)
                && (x + ty + (g >> 9)).is_multiple_of(3)
            {
                [20, 20, 20]
            } else {
                [250, 250, 250]
            };
            if (wx..wx + 120).contains(&x) && (wy..wy + 80).contains(&y) {
                let (lx, ly) = (x - wx, y - wy);
                bgr = match ((lx * 7 + ly * 3) % 11, ly < 12) {
                    (_, true) => [180, 90, 30],
                    (0..4, _) => [200, 50, 20],
                    _ => [20, 60, 90],
                };
            }
            if (400..464).contains(&x) && (10..74).contains(&y) {
                bgr = if t < 44 {
                    [(x * 3) as u8, (y * 5) as u8, (x + y) as u8]
                } else {
                    [128, 128, 128]
                };
            }
            if (256..512).contains(&x) && (128..320).contains(&y) {
                bgr = [
                    ((x + 3 * film) % 256) as u8,
                    ((y + 2 * film) % 256) as u8,
                    ((x + y + film) % 200) as u8,
                ];
            }
            let i = ((y * W + x) * 4) as usize;
            v[i..i + 3].copy_from_slice(&bgr);
        }
    }
    v
}

/// The kinds of the operations of an update message whose compressed part
/// continues `z`, the encoder's stream (a keyframe starts it afresh; see
/// docs/protocol.md).
fn kinds(m: &[u8], z: &mut flate2::Decompress) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let count = u16::from_le_bytes([m[16], m[17]]);
    let len = u32::from_le_bytes([m[18], m[19], m[20], m[21]]) as usize;
    let size = u32::from_le_bytes([m[22], m[23], m[24], m[25]]) as usize;
    if m[1] & 1 != 0 {
        z.reset(false);
    }
    let mut ops = Vec::with_capacity(size + 64);
    let mut input = &m[26..26 + len];
    while !input.is_empty() {
        let before = z.total_in();
        z.decompress_vec(input, &mut ops, flate2::FlushDecompress::Sync)?;
        let used = usize::try_from(z.total_in() - before)?;
        if used == 0 {
            return Err("an update's compressed part does not inflate".into());
        }
        input = &input[used..];
    }
    if ops.len() != size {
        return Err(format!("an update inflated to {} bytes, not {size}", ops.len()).into());
    }
    let mut at = 0;
    let mut out = Vec::new();
    for _ in 0..count {
        let k = ops[at];
        out.push(k);
        at += 9;
        at += match k {
            op::COPY => 4,
            op::FILL => 3,
            op::PALETTE => 1 + 3 * usize::from(ops[at]),
            op::VIDEO => 5,
            _ => 0,
        };
    }
    Ok(out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: fixture <directory>")?,
    );
    std::fs::create_dir_all(&dir)?;
    let mut enc = Encoder::new();
    let mut dec = Decoder::default();
    let mut z = flate2::Decompress::new(false);
    let mut counts = [0usize; 6];
    let mut n = 0;
    let mut last = Vec::new();
    for t in 0..56 {
        last = picture(t);
        let pixels = Pixels {
            width: W,
            height: H,
            stride: (W * 4) as usize,
            data: &last,
        };
        let at = Duration::from_millis(u64::from(t) * 17);
        if let Some(m) = enc.encode_damaged(0, pixels, None, t == 0, at)? {
            dec.apply(&m)?;
            for k in kinds(&m, &mut z)? {
                counts[usize::from(k).min(5)] += 1;
            }
            std::fs::write(dir.join(format!("{n:03}.bin")), &m)?;
            n += 1;
        }
    }
    // The film stopped long enough ago to have been sent losslessly.
    let exact = dec
        .picture
        .chunks_exact(4)
        .zip(last.chunks_exact(4))
        .all(|(d, s)| d == [s[2], s[1], s[0], 255]);
    if !exact {
        return Err("the decoder's final picture differs from the last one encoded".into());
    }
    std::fs::write(dir.join("expected.rgba"), &dec.picture)?;
    std::fs::write(
        dir.join("meta.json"),
        format!(
            r#"{{"width":{W},"height":{H},"frames":{n},"ops":{{"copy":{},"fill":{},"raw":{},"palette":{},"video":{}}}}}"#,
            counts[1], counts[2], counts[3], counts[4], counts[5]
        ),
    )?;
    println!("{n} messages in {}", dir.display());
    Ok(())
}
