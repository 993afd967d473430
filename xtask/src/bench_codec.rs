//! `cargo xtask bench codec`: what the screen codec costs on synthetic 1080p
//! desktop content, the numbers behind its design (see ARCHITECTURE.md).
//! Frames are made in memory; no display is needed.

use std::time::Instant;

use codec::{Decoder, Encoder, Pixels};

const W: u32 = 1920;
const H: u32 = 1080;

/// A desktop-like picture: a light background, "text" lines of small dark
/// glyph-like blocks, a coloured title bar; `scroll` shifts the text up.
fn desktop(scroll: u32, seed: u32) -> Vec<u8> {
    let mut px = vec![0u8; (W * H * 4) as usize];
    for y in 0..H {
        for x in 0..W {
            let i = ((y * W + x) * 4) as usize;
            let (r, g, b) = if y < 40 {
                (30, 80, 200)
            } else {
                let ty = y + scroll;
                let line = ty / 18;
                let in_glyph_row = ty % 18 < 12;
                let glyph = (x / 8)
                    .wrapping_mul(2_654_435_761)
                    .wrapping_add(line.wrapping_mul(40_503))
                    .wrapping_add(seed);
                let ink = in_glyph_row
                    && x > 40
                    && x < 1500
                    && (glyph >> 7) % 5 != 0
                    && ((x % 8) + (ty % 18) + (glyph >> 3)).is_multiple_of(3);
                if ink { (20, 20, 30) } else { (245, 246, 248) }
            };
            px[i..i + 4].copy_from_slice(&[b, g, r, 0]);
        }
    }
    px
}

fn noise(seed: &mut u64, px: &mut [u8], area: (u32, u32, u32, u32)) {
    let (x0, y0, w, h) = area;
    for y in y0..y0 + h {
        for x in x0..x0 + w {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            let i = ((y * W + x) * 4) as usize;
            let v = (*seed & 0xff) as u8;
            px[i..i + 4].copy_from_slice(&[v, v / 2, 255 - v, 0]);
        }
    }
}

fn pixels(data: &[u8]) -> Pixels<'_> {
    Pixels {
        width: W,
        height: H,
        stride: (W * 4) as usize,
        data,
    }
}

struct Row {
    name: &'static str,
    frames: usize,
    encode_ms: f64,
    decode_ms: f64,
    bytes: usize,
}

pub fn run() -> anyhow::Result<()> {
    let mut rows = Vec::new();
    let mut enc = Encoder::new();
    let mut dec = Decoder::default();
    let base = desktop(0, 1);

    let measure = |name,
                   frames: Vec<Vec<u8>>,
                   keyframe: bool,
                   enc: &mut Encoder,
                   dec: &mut Decoder|
     -> anyhow::Result<Row> {
        let (mut e_ms, mut d_ms, mut bytes) = (0.0, 0.0, 0);
        for f in &frames {
            let t = Instant::now();
            let msg = enc.encode(0, pixels(f), keyframe)?;
            e_ms += t.elapsed().as_secs_f64() * 1e3;
            if let Some(msg) = msg {
                bytes += msg.len();
                let t = Instant::now();
                dec.apply(&msg)?;
                d_ms += t.elapsed().as_secs_f64() * 1e3;
            }
        }
        let n = frames.len();
        Ok(Row {
            name,
            frames: n,
            encode_ms: e_ms / n as f64,
            decode_ms: d_ms / n as f64,
            bytes: bytes / n,
        })
    };

    rows.push(measure(
        "keyframe (whole desktop)",
        vec![base.clone(); 5],
        true,
        &mut enc,
        &mut dec,
    )?);
    rows.push(measure(
        "unchanged screen",
        vec![base.clone(); 20],
        false,
        &mut enc,
        &mut dec,
    )?);
    let typing: Vec<Vec<u8>> = (0..20)
        .map(|i| {
            let mut f = base.clone();
            let x = 100 + i * 8;
            for y in 300..312 {
                let at = ((y * W + x) * 4) as usize;
                f[at..at + 32].fill(20);
            }
            f
        })
        .collect();
    rows.push(measure(
        "typing (one glyph a frame)",
        typing,
        false,
        &mut enc,
        &mut dec,
    )?);
    let scroll: Vec<Vec<u8>> = (1..=20).map(|i| desktop(i * 18, 1)).collect();
    rows.push(measure(
        "scroll (text up one line)",
        scroll,
        false,
        &mut enc,
        &mut dec,
    )?);
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let video: Vec<Vec<u8>> = (0..10)
        .map(|_| {
            let mut f = base.clone();
            noise(&mut seed, &mut f, (320, 180, 1280, 720));
            f
        })
        .collect();
    rows.push(measure(
        "video area 1280×720 (noise)",
        video,
        false,
        &mut enc,
        &mut dec,
    )?);

    println!("Screen codec, 1920×1080, lossless 64×64 tiles + DEFLATE level 1 (release build)");
    println!(
        "{:<30} {:>7} {:>12} {:>12} {:>14}",
        "workload", "frames", "encode ms", "decode ms", "bytes/frame"
    );
    for r in &rows {
        println!(
            "{:<30} {:>7} {:>12.2} {:>12.2} {:>14}",
            r.name, r.frames, r.encode_ms, r.decode_ms, r.bytes
        );
    }
    println!("raw frame: {} bytes", W * H * 4);
    Ok(())
}
