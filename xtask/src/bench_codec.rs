//! `cargo xtask bench codec`: what the screen codec costs on synthetic 1080p
//! desktop content, the numbers behind its design (see ARCHITECTURE.md).
//! Frames are made in memory; no display is needed. Each workload hands the
//! encoder the damage an X server would report, as the capture thread does.

use std::time::{Duration, Instant};

use codec::{Area, Decoder, Encoder, Pixels};

const W: u32 = 1920;
const H: u32 = 1080;
/// The capture rate the byte rates are given for.
const FPS: f64 = 60.0;

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

/// A 6×13 terminal glyph cell of character `c`: a pseudo-random bitmap.
fn glyph_ink(c: u32, gx: u32, gy: u32) -> bool {
    if c == 0 || !(2..11).contains(&gy) || gx == 5 {
        return false;
    }
    let h = c.wrapping_mul(0x9E37_79B1) ^ (gy * 5 + gx).wrapping_mul(0x85EB_CA6B);
    (h >> 13).is_multiple_of(3)
}

/// The terminal's text at line `line` (of the whole output), column `col`.
fn terminal_char(line: u32, col: u32) -> u32 {
    // `ls -lR`-like lines: a fixed-width prefix, then names of varying length.
    let len = 40 + (line.wrapping_mul(2_654_435_761) >> 20) % 60;
    if col >= len {
        return 0;
    }
    if col < 10 {
        return 1 + (col + line % 3) % 4;
    }
    1 + (line.wrapping_mul(31) ^ col.wrapping_mul(17)).wrapping_mul(2_246_822_519) % 90
}

/// The xterm of the scroll workload: 300×80 cells of 6×13, black on white,
/// at (30, 20), showing output lines from `top` on.
const TERM: Area = Area {
    x: 30,
    y: 20,
    width: 1800,
    height: 1040,
};

fn terminal(base: &[u8], top: u32) -> Vec<u8> {
    let mut px = base.to_vec();
    for y in 0..TERM.height {
        let (line, gy) = (top + y / 13, y % 13);
        for x in 0..TERM.width {
            let ink = glyph_ink(terminal_char(line, x / 6), x % 6, gy);
            let i = (((TERM.y + y) * W + TERM.x + x) * 4) as usize;
            let v = if ink { 0 } else { 255 };
            px[i..i + 4].copy_from_slice(&[v, v, v, 0]);
        }
    }
    px
}

/// A 640×480 terminal window with a title bar at (`wx`, `wy`) on `base`.
fn window(base: &[u8], wx: u32, wy: u32) -> Vec<u8> {
    let mut px = base.to_vec();
    for y in 0..480 {
        for x in 0..640 {
            let (sx, sy) = (wx + x, wy + y);
            if sx >= W || sy >= H {
                continue;
            }
            let bgr = if y < 24 {
                [160, 90, 40]
            } else if !(2..638).contains(&x) || y >= 478 {
                [60, 60, 60]
            } else if glyph_ink(
                terminal_char((y - 24) / 13, (x - 2) / 6),
                (x - 2) % 6,
                (y - 24) % 13,
            ) {
                [220, 220, 220]
            } else {
                [30, 30, 30]
            };
            let i = ((sy * W + sx) * 4) as usize;
            px[i..i + 4].copy_from_slice(&[bgr[0], bgr[1], bgr[2], 0]);
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

/// Film-like motion: moving colour gradients with a few moving discs.
fn film(t: u32, px: &mut [u8], area: (u32, u32, u32, u32)) {
    let (x0, y0, w, h) = area;
    let discs: Vec<(i32, i32, i32)> = (0..5)
        .map(|k| {
            let t = t as i32;
            (
                (k * 260 + t * (3 + k)) % w as i32,
                (k * 150 + t * (2 + k)) % h as i32,
                40 + k * 15,
            )
        })
        .collect();
    for y in 0..h {
        for x in 0..w {
            let mut r = ((x + t * 4) % 512) as i32 / 2;
            let mut g = ((y + t * 3) % 512) as i32 / 2;
            let mut b = ((x + y + t * 5) % 1024) as i32 / 4;
            for &(cx, cy, rad) in &discs {
                let (dx, dy) = (x as i32 - cx, y as i32 - cy);
                if dx * dx + dy * dy < rad * rad {
                    r = 255 - r;
                    g = (g + 90) % 256;
                    b = 255 - b / 2;
                }
            }
            let i = (((y0 + y) * W + x0 + x) * 4) as usize;
            px[i..i + 4].copy_from_slice(&[b as u8, g as u8, r as u8, 0]);
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

/// One frame of a workload: the picture and what the X server says changed
/// (`None`: it cannot tell).
struct Frame {
    data: Vec<u8>,
    damage: Option<Vec<Area>>,
}

struct Row {
    name: &'static str,
    frames: usize,
    encode_ms: f64,
    encode_max_ms: f64,
    decode_ms: f64,
    bytes: usize,
    rate: f64,
    /// Update messages a second at `rate` frames offered a second.
    updates: f64,
}

/// Encodes and decodes `frames` at `fps`; the first `warm` frames are not
/// counted (the encoder is still learning that an area is video).
fn measure(
    name: &'static str,
    frames: &[Frame],
    (keyframe, warm): (bool, usize),
    fps: f64,
    enc: &mut Encoder,
    dec: &mut Decoder,
) -> anyhow::Result<Row> {
    let (mut e_ms, mut e_max, mut d_ms, mut bytes, mut updates) = (0.0, 0.0f64, 0.0, 0, 0);
    for (i, f) in frames.iter().enumerate() {
        if i == warm {
            (e_ms, e_max, d_ms, bytes, updates) = (0.0, 0.0, 0.0, 0, 0);
        }
        let at = clock();
        let t = Instant::now();
        let msg = enc.encode_damaged(0, pixels(&f.data), f.damage.as_deref(), keyframe, at)?;
        let took = t.elapsed().as_secs_f64() * 1e3;
        e_ms += took;
        e_max = e_max.max(took);
        if let Some(msg) = msg {
            bytes += msg.len();
            updates += 1;
            let t = Instant::now();
            dec.apply(&msg)?;
            d_ms += t.elapsed().as_secs_f64() * 1e3;
        }
    }
    let n = frames.len() - warm;
    Ok(Row {
        name,
        frames: n,
        encode_ms: e_ms / n as f64,
        encode_max_ms: e_max,
        decode_ms: d_ms / n as f64,
        bytes: bytes / n,
        rate: fps,
        updates: updates as f64 * fps / n as f64,
    })
}

/// The capture time of the next frame: frames are offered at [`FPS`].
fn clock() -> Duration {
    use std::sync::atomic::{AtomicU64, Ordering};
    static FRAMES: AtomicU64 = AtomicU64::new(0);
    Duration::from_secs_f64(FRAMES.fetch_add(1, Ordering::Relaxed) as f64 / FPS)
}

/// The bounding box of two areas.
fn union(a: Area, b: Area) -> Area {
    let (x, y) = (a.x.min(b.x), a.y.min(b.y));
    Area {
        x,
        y,
        width: (a.x + a.width).max(b.x + b.width) - x,
        height: (a.y + a.height).max(b.y + b.height) - y,
    }
}

pub fn run() -> anyhow::Result<()> {
    let mut rows = Vec::new();
    let mut enc = Encoder::new();
    let mut dec = Decoder::default();
    let base = desktop(0, 1);
    let whole = Area {
        x: 0,
        y: 0,
        width: W,
        height: H,
    };
    let still = |data: Vec<u8>, damage: Option<Vec<Area>>| Frame { data, damage };

    let keyframes: Vec<Frame> = (0..5).map(|_| still(base.clone(), None)).collect();
    rows.push(measure(
        "keyframe (whole desktop)",
        &keyframes,
        (true, 0),
        FPS,
        &mut enc,
        &mut dec,
    )?);
    let unchanged: Vec<Frame> = (0..20).map(|_| still(base.clone(), Some(vec![]))).collect();
    rows.push(measure(
        "unchanged (no damage)",
        &unchanged,
        (false, 0),
        FPS,
        &mut enc,
        &mut dec,
    )?);
    let unknown: Vec<Frame> = (0..20).map(|_| still(base.clone(), None)).collect();
    rows.push(measure(
        "unchanged (damage unknown)",
        &unknown,
        (false, 0),
        FPS,
        &mut enc,
        &mut dec,
    )?);
    let typing: Vec<Frame> = (0..20)
        .map(|i| {
            let mut f = base.clone();
            let x = 100 + i * 8;
            for y in 300..312 {
                let at = ((y * W + x) * 4) as usize;
                f[at..at + 32].fill(20);
            }
            still(
                f,
                Some(vec![Area {
                    x,
                    y: 300,
                    width: 8,
                    height: 12,
                }]),
            )
        })
        .collect();
    rows.push(measure(
        "typing (one glyph a frame)",
        &typing,
        (false, 0),
        FPS,
        &mut enc,
        &mut dec,
    )?);
    let scroll: Vec<Frame> = (1..=20)
        .map(|i| still(desktop(i * 18, 1), Some(vec![whole])))
        .collect();
    rows.push(measure(
        "scroll (desktop up one line)",
        &scroll,
        (false, 0),
        FPS,
        &mut enc,
        &mut dec,
    )?);

    let term: Vec<Frame> = (0..=40)
        .map(|i| still(terminal(&base, i * 3), Some(vec![TERM])))
        .collect();
    enc.encode_damaged(0, pixels(&term[0].data), None, true, clock())?
        .map(|m| dec.apply(&m))
        .transpose()?;
    rows.push(measure(
        "xterm scroll, 3 lines/frame",
        &term[1..],
        (false, 0),
        FPS,
        &mut enc,
        &mut dec,
    )?);

    let at = |i: u32| (200 + i * 6, 150 + i * 3);
    let moves: Vec<Frame> = (0..=40)
        .map(|i| {
            let (x, y) = at(i);
            let (px, py) = at(i.saturating_sub(1));
            let damage = union(
                Area {
                    x,
                    y,
                    width: 640,
                    height: 480,
                },
                Area {
                    x: px,
                    y: py,
                    width: 640,
                    height: 480,
                },
            );
            still(window(&base, x, y), Some(vec![damage]))
        })
        .collect();
    enc.encode_damaged(0, pixels(&moves[0].data), None, true, clock())?
        .map(|m| dec.apply(&m))
        .transpose()?;
    rows.push(measure(
        "window move (6,3)/frame",
        &moves[1..],
        (false, 0),
        FPS,
        &mut enc,
        &mut dec,
    )?);

    let video_area = (320, 180, 1280, 720);
    let video_damage = Some(vec![Area {
        x: 320,
        y: 180,
        width: 1280,
        height: 720,
    }]);
    let films: Vec<Frame> = (0..60)
        .map(|t| {
            let mut f = base.clone();
            film(t, &mut f, video_area);
            still(f, video_damage.clone())
        })
        .collect();
    rows.push(measure(
        "video 1280×720 (film-like)",
        &films,
        (false, 10),
        FPS,
        &mut enc,
        &mut dec,
    )?);
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let noisy: Vec<Frame> = (0..150)
        .map(|_| {
            let mut f = base.clone();
            noise(&mut seed, &mut f, video_area);
            still(f, video_damage.clone())
        })
        .collect();
    rows.push(measure(
        "video 1280×720 (noise)",
        &noisy,
        (false, 60),
        FPS,
        &mut enc,
        &mut dec,
    )?);

    println!(
        "Screen codec, {W}×{H}: copies, fill/palette/raw + DEFLATE level 6, H.264 video (release build)"
    );
    println!(
        "{:<30} {:>6} {:>10} {:>9} {:>10} {:>12} {:>10} {:>9}",
        "workload",
        "frames",
        "encode ms",
        "max ms",
        "decode ms",
        "bytes/frame",
        "Mbit/s",
        "updates/s"
    );
    for r in &rows {
        println!(
            "{:<30} {:>6} {:>10.2} {:>9.2} {:>10.2} {:>12} {:>10.2} {:>9.1}",
            r.name,
            r.frames,
            r.encode_ms,
            r.encode_max_ms,
            r.decode_ms,
            r.bytes,
            r.bytes as f64 * 8.0 * r.rate / 1e6,
            r.updates
        );
    }
    println!(
        "raw frame: {} bytes; frames are offered at {FPS} Hz",
        W * H * 4
    );
    Ok(())
}
