//! Round trips through [`Decoder`] for every operation, and malformed input.

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

/// A 512×384 BGRA picture: a film at (64, 64), 384×256, whose rich colours
/// move with `t` (the encoder's video case), and `outside(x, y)` around it.
#[cfg(feature = "h264")]
fn film(t: u32, outside: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
    picture(512, 384, |x, y| {
        if (64..448).contains(&x) && (64..320).contains(&y) {
            [
                ((x + 3 * t) % 256) as u8,
                ((y + 2 * t) % 256) as u8,
                ((x + y + t) % 200) as u8,
                0,
            ]
        } else {
            outside(x, y)
        }
    })
}

/// The decoder shows exactly the BGRA picture, as opaque RGBA.
fn assert_shows(dec: &Decoder, bgra: &[u8]) {
    assert_eq!(dec.picture.len(), bgra.len());
    for (i, (d, s)) in dec
        .picture
        .chunks_exact(4)
        .zip(bgra.chunks_exact(4))
        .enumerate()
    {
        assert_eq!(
            d,
            &[s[2], s[1], s[0], 255],
            "pixel {i} ({}, {})",
            i as u32 % dec.width,
            i as u32 / dec.width
        );
    }
}

/// Raw DEFLATE of `bytes`.
fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut z, bytes).expect("compresses");
    z.finish().expect("compresses")
}

/// Numbers messages in sending order, as the support app's outbox does
/// (the video coder's come out unnumbered).
#[cfg(feature = "h264")]
#[derive(Default)]
struct Sent(u32);

#[cfg(feature = "h264")]
impl Sent {
    fn number(&mut self, mut m: Vec<u8>) -> Vec<u8> {
        self.0 += 1;
        assert!(crate::set_frame_number(&mut m, self.0));
        m
    }
}

/// Applies update `m` to `dec`; returns its operation kinds, in order.
fn op_kinds(dec: &mut Decoder, m: &[u8]) -> Vec<u8> {
    op_list(dec, m).into_iter().map(|(k, _)| k).collect()
}

/// Applies update `m` to `dec`; returns its operations, in order: kind and
/// x, y, width, height (read from what the decoder inflated, since a piece
/// of the encoder's stream does not inflate alone).
fn op_list(dec: &mut Decoder, m: &[u8]) -> Vec<(u8, [u16; 4])> {
    assert_eq!(m[0], UPDATE);
    dec.apply(m).expect("decodes");
    let count = u16::from_le_bytes([m[16], m[17]]);
    let ops = &dec.inflated;
    let mut at = 0;
    let mut kinds = Vec::new();
    for _ in 0..count {
        let k = ops[at];
        let v = |i: usize| u16::from_le_bytes([ops[at + 1 + 2 * i], ops[at + 2 + 2 * i]]);
        kinds.push((k, [v(0), v(1), v(2), v(3)]));
        at += 9;
        at += match k {
            op::COPY => 4,
            op::FILL => 3,
            op::RAW => 0,
            op::PALETTE => 1 + 3 * usize::from(ops[at]),
            op::VIDEO => 5,
            _ => panic!("unknown op {k}"),
        };
    }
    kinds
}

/// Text-like lines: glyph blocks on a light background, `scroll` lines up.
fn text(w: u32, h: u32, scroll: u32) -> Vec<u8> {
    picture(w, h, |x, y| {
        let ty = y + scroll;
        let glyph = (x / 8).wrapping_mul(2_654_435_761) ^ (ty / 16).wrapping_mul(40_503);
        if ty % 16 < 11
            && !(glyph >> 5).is_multiple_of(4)
            && (x + ty + (glyph >> 9)).is_multiple_of(3)
        {
            [30, 20, 20, 0]
        } else {
            [248, 246, 245, 0]
        }
    })
}

fn encode(enc: &mut Encoder, data: &[u8], w: u32, h: u32) -> Vec<u8> {
    enc.encode(0, px(data, w, h), false)
        .expect("encodes")
        .expect("something changed")
}

#[test]
fn keyframe_then_only_the_changed_part() {
    let (w, h) = (200, 130);
    let a = picture(w, h, |x, y| [x as u8, y as u8, 7, 0]);
    let mut enc = Encoder::new();
    let mut dec = Decoder::default();
    let first = encode(&mut enc, &a, w, h);
    assert!(dec.apply(&first).expect("decodes"));
    assert_eq!(
        dec.pixel(10, 20),
        Some([7, 20, 10, 255]),
        "BGRA in, RGBA out, opaque"
    );
    assert_shows(&dec, &a);
    assert!(
        enc.encode(3, px(&a, w, h), false)
            .expect("encodes")
            .is_none(),
        "no change, no message"
    );

    let mut b = a.clone();
    let at = ((100 * w + 150) * 4) as usize;
    b[at..at + 4].copy_from_slice(&[1, 2, 3, 0]);
    let update = encode(&mut enc, &b, w, h);
    assert_eq!(
        op_kinds(&mut dec, &update),
        vec![op::FILL],
        "one pixel is one 1×1 fill"
    );
    assert_eq!(update[1] & 1, 0, "not a keyframe");
    assert_eq!(dec.pixel(150, 100), Some([3, 2, 1, 255]));
    assert_shows(&dec, &b);
}

#[test]
fn updates_continue_one_compressed_stream_from_each_keyframe() {
    let (w, h) = (320, 240);
    let mut enc = Encoder::new();
    let mut dec = Decoder::default();
    // Lines of the same few words typed one after another, as a terminal
    // shows them: what each new line says was said before.
    let typed = |lines: u32| {
        picture(w, h, |x, y| {
            let (line, col) = (y / 12, x / 6);
            let word = (line * 7 + col / 8) % 5;
            let ink = line < lines
                && y % 12 < 9
                && (word * 31 + (x % 6) * 7 + (y % 12) * 3).is_multiple_of(4)
                && col % 8 != 7;
            if ink {
                [20, 20, 20, 0]
            } else {
                [250, 250, 250, 0]
            }
        })
    };
    let first = encode(&mut enc, &typed(1), w, h);
    assert_eq!(first[1], KEYFRAME | STREAM, "a keyframe starts the stream");
    dec.apply(&first).expect("decodes");
    let (mut streamed, mut alone, mut updates) = (0, 0, Vec::new());
    for lines in 2..=12 {
        let m = encode(&mut enc, &typed(lines), w, h);
        assert_eq!(m[1], STREAM, "line {lines} continues it");
        dec.apply(&m).expect("decodes");
        assert_shows(&dec, &typed(lines));
        streamed += u32::from_le_bytes([m[18], m[19], m[20], m[21]]);
        alone += deflate(&dec.inflated).len() as u32;
        updates.push(m);
    }
    assert!(
        streamed * 10 < alone * 7,
        "{streamed} bytes in the stream against {alone} compressed alone"
    );

    // A viewer that missed one update is refused the next, and every one
    // after, until a keyframe; its picture stays as it was.
    let mut late = Decoder::default();
    late.apply(&first).expect("decodes");
    late.apply(&updates[0]).expect("decodes");
    let before = late.picture.clone();
    for (i, m) in updates[2..].iter().enumerate() {
        let err = late.apply(m).expect_err("a piece of the stream is missing");
        assert!(
            matches!(err, CodecError::Malformed(_)),
            "update {}: {err}",
            i + 2
        );
        assert_eq!(late.picture, before, "update {}", i + 2);
    }
    // Even numbered as if nothing were missing, a piece is refused: the
    // viewer let go of the stream at the first failure.
    let mut renumbered = updates[2].clone();
    assert!(crate::set_frame_number(
        &mut renumbered,
        late.last_frame + 1
    ));
    assert!(late.apply(&renumbered).is_err());
    let key = enc
        .encode(0, px(&typed(12), w, h), true)
        .expect("encodes")
        .expect("a keyframe");
    assert!(late.apply(&key).expect("decodes"));
    assert_shows(&late, &typed(12));
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
    let msg = encode(&mut enc, &small, 10, 10);
    assert!(
        dec.apply(&msg).expect("decodes"),
        "a new size is a keyframe"
    );
    assert_eq!(dec.width, 10);
}

#[test]
fn fill_palette_and_raw_pixels() {
    let (w, h) = (160, 100);
    let mut enc = Encoder::new();
    let mut dec = Decoder::default();
    let flat = picture(w, h, |_, _| [10, 20, 30, 0]);
    let m = encode(&mut enc, &flat, w, h);
    assert!(op_kinds(&mut dec, &m).iter().all(|&k| k == op::FILL));
    assert_shows(&dec, &flat);
    for colours in [2u32, 3, 4, 5, 16, 17, 300] {
        let p = picture(w, h, |x, y| {
            let c = ((x * 7 + y * 13) % colours) as u8;
            [c, c.wrapping_mul(3), 255 - c, 0]
        });
        let m = encode(&mut enc, &p, w, h);
        let kinds = op_kinds(&mut dec, &m);
        let expect = if colours <= 16 { op::PALETTE } else { op::RAW };
        assert!(kinds.contains(&expect), "{colours} colours: {kinds:?}");
        assert_shows(&dec, &p);
    }
}

#[test]
fn a_scroll_is_a_copy_and_the_new_lines() {
    let (w, h) = (640, 480);
    let mut enc = Encoder::new();
    let mut dec = Decoder::default();
    let first = text(w, h, 0);
    let key = encode(&mut enc, &first, w, h);
    dec.apply(&key).expect("decodes");
    for (i, scroll) in [16u32, 48, 64, 160].into_iter().enumerate() {
        let next = text(w, h, scroll);
        let m = encode(&mut enc, &next, w, h);
        assert!(op_kinds(&mut dec, &m).contains(&op::COPY), "scroll {i}");
        assert!(
            m.len() * 4 < key.len(),
            "scroll {i}: {} bytes vs key {}",
            m.len(),
            key.len()
        );
        assert_shows(&dec, &next);
    }
    // Scrolling back down copies the other way.
    let back = text(w, h, 100);
    let m = encode(&mut enc, &back, w, h);
    assert!(op_kinds(&mut dec, &m).contains(&op::COPY));
    assert_shows(&dec, &back);
}

#[test]
fn a_moved_window_is_a_copy() {
    let (w, h) = (800, 600);
    let window = |wx: u32, wy: u32| {
        let t = text(300, 200, 0);
        picture(w, h, move |x, y| {
            if x >= wx && x < wx + 300 && y >= wy && y < wy + 200 {
                let at = (((y - wy) * 300 + x - wx) * 4) as usize;
                [t[at], t[at + 1], t[at + 2], 0]
            } else {
                [90, 60, 40, 0]
            }
        })
    };
    let mut enc = Encoder::new();
    let mut dec = Decoder::default();
    dec.apply(&encode(&mut enc, &window(100, 100), w, h))
        .expect("decodes");
    let mut last = 0;
    for (i, (x, y)) in [(107u32, 104u32), (130, 90), (129, 150), (70, 150)]
        .into_iter()
        .enumerate()
    {
        let next = window(x, y);
        let m = encode(&mut enc, &next, w, h);
        assert!(op_kinds(&mut dec, &m).contains(&op::COPY), "move {i}");
        assert_shows(&dec, &next);
        last = m.len();
    }
    assert!(
        last < 30_000,
        "a moved window costs its edges: {last} bytes"
    );
}

#[test]
fn damage_limits_where_changes_are_looked_for() {
    let (w, h) = (256, 256);
    let a = picture(w, h, |_, _| [1, 1, 1, 0]);
    let mut b = a.clone();
    b[0..4].copy_from_slice(&[9, 9, 9, 0]);
    let at = ((200 * w + 200) * 4) as usize;
    b[at..at + 4].copy_from_slice(&[9, 9, 9, 0]);
    let mut enc = Encoder::new();
    let mut dec = Decoder::default();
    dec.apply(&encode(&mut enc, &a, w, h)).expect("decodes");
    let damage = [Area {
        x: 190,
        y: 190,
        width: 20,
        height: 20,
    }];
    let m = enc
        .encode_damaged(
            0,
            px(&b, w, h),
            Some(&damage),
            false,
            std::time::Duration::ZERO,
        )
        .expect("ok")
        .expect("msg");
    dec.apply(&m).expect("decodes");
    assert_eq!(dec.pixel(200, 200), Some([9, 9, 9, 255]));
    assert_eq!(
        dec.pixel(0, 0),
        Some([1, 1, 1, 255]),
        "not damaged, not looked at"
    );
    let none = enc
        .encode_damaged(0, px(&b, w, h), Some(&[]), false, std::time::Duration::ZERO)
        .expect("ok");
    assert!(none.is_none());
}

#[test]
fn random_edits_always_round_trip() {
    let (w, h) = (300, 200);
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut rand = move |n: u32| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % u64::from(n)) as u32
    };
    let mut cur = text(w, h, 0);
    let mut enc = Encoder::new();
    let mut dec = Decoder::default();
    dec.apply(&encode(&mut enc, &cur, w, h)).expect("decodes");
    for _ in 0..60 {
        match rand(3) {
            0 => {
                // A rectangle of noise or of one colour.
                let (x, y) = (rand(w - 1), rand(h - 1));
                let (rw, rh) = (1 + rand(w - x), 1 + rand(h - y));
                let flat = rand(2) == 0;
                let c = rand(255) as u8;
                for yy in y..y + rh {
                    for xx in x..x + rw {
                        let at = ((yy * w + xx) * 4) as usize;
                        let v = if flat { c } else { rand(4) as u8 * 60 };
                        cur[at..at + 3].copy_from_slice(&[v, c, v]);
                    }
                }
            }
            _ => {
                // Move a block of the picture somewhere else.
                let (bw, bh) = (10 + rand(150), 10 + rand(100));
                let (sx, sy) = (rand(w - bw), rand(h - bh));
                let (dx, dy) = (rand(w - bw), rand(h - bh));
                let old = cur.clone();
                for r in 0..bh {
                    let from = (((sy + r) * w + sx) * 4) as usize;
                    let to = (((dy + r) * w + dx) * 4) as usize;
                    cur[to..to + bw as usize * 4]
                        .copy_from_slice(&old[from..from + bw as usize * 4]);
                }
            }
        }
        if let Some(m) = enc.encode(0, px(&cur, w, h), false).expect("encodes") {
            dec.apply(&m).expect("decodes");
        }
        assert_shows(&dec, &cur);
    }
}

#[cfg(feature = "h264")]
#[test]
fn busy_rich_areas_become_video_then_lossless_again() {
    video_then_lossless(1);
}

#[cfg(feature = "h264")]
#[test]
fn video_coded_smaller_for_a_small_viewer_still_ends_lossless() {
    video_then_lossless(2);
}

/// A film becomes video (coded at least `least_scale` times smaller each
/// way), and the picture ends exact once it stops.
#[cfg(feature = "h264")]
fn video_then_lossless(least_scale: u32) {
    let (w, h) = (512, 384);
    let film = |t: u32| film(t, |_, _| [240, 240, 240, 0]);
    let mut enc = Encoder::new();
    enc.set_video_least_scale(least_scale);
    let mut dec = Decoder::default();
    let mut kinds = Vec::new();
    for t in 0..24 {
        let f = film(t);
        let at = std::time::Duration::from_millis(u64::from(t) * 34);
        if let Some(m) = enc
            .encode_damaged(0, px(&f, w, h), None, false, at)
            .expect("encodes")
        {
            kinds.extend(op_kinds(&mut dec, &m));
        }
        // Close to the picture everywhere, exact outside the video.
        let mut error = 0u64;
        for (d, s) in dec.picture.chunks_exact(4).zip(f.chunks_exact(4)) {
            error += (0..3)
                .map(|i| u64::from(d[i].abs_diff(s[2 - i])))
                .sum::<u64>();
        }
        assert!(
            error / u64::from(w * h) < 12,
            "frame {t}: mean error {}",
            error / u64::from(w * h)
        );
        assert_eq!(dec.pixel(10, 10), Some([240, 240, 240, 255]));
    }
    assert!(kinds.contains(&op::VIDEO), "{kinds:?}");
    // The film stops on one last picture, drawn once.
    let last = film(100);
    let whole = [Area {
        x: 0,
        y: 0,
        width: w,
        height: h,
    }];
    if let Some(m) = enc
        .encode_damaged(
            0,
            px(&last, w, h),
            Some(&whole),
            false,
            std::time::Duration::from_millis(24 * 34),
        )
        .expect("encodes")
    {
        dec.apply(&m).expect("decodes");
    }
    // Nothing more is drawn (no damage), yet the encoder says it is not done,
    // and the frames the capture loop then asks for end lossless.
    let mut t = 25u32;
    while enc.has_unfinished() {
        assert!(t < 40, "the picture never became lossless");
        let at = std::time::Duration::from_millis(u64::from(t) * 34);
        if let Some(m) = enc
            .encode_damaged(0, px(&last, w, h), Some(&[]), false, at)
            .expect("encodes")
        {
            dec.apply(&m).expect("decodes");
        }
        t += 1;
    }
    assert_shows(&dec, &last);
}

#[test]
fn the_first_format_still_decodes() {
    // type 1: one 2×1 tile at (1, 0) of a 4×2 keyframe, RGBA, DEFLATE.
    let mut m = vec![PICTURE, 1, 0, 0];
    m.extend_from_slice(&4u32.to_le_bytes());
    m.extend_from_slice(&2u32.to_le_bytes());
    m.extend_from_slice(&1u32.to_le_bytes());
    m.extend_from_slice(&1u16.to_le_bytes());
    for v in [1u16, 0, 2, 1] {
        m.extend_from_slice(&v.to_le_bytes());
    }
    let mut z = flate2::write::DeflateEncoder::new(m, flate2::Compression::fast());
    std::io::Write::write_all(&mut z, &[1, 2, 3, 255, 4, 5, 6, 255]).expect("compresses");
    let m = z.finish().expect("compresses");
    let mut dec = Decoder::default();
    assert!(dec.apply(&m).expect("decodes"));
    assert_eq!(dec.pixel(2, 0), Some([4, 5, 6, 255]));
    assert_eq!(dec.pixel(0, 0), Some([0, 0, 0, 0]));
}

/// A keyframe of a 4×4 picture holding `ops` (already encoded), `payload`
/// and, after the compressed part, `video`.
fn update_with(count: u16, ops: &[u8], payload: &[u8], video: &[u8]) -> Vec<u8> {
    let mut m = vec![UPDATE, 1, 0, 0];
    m.extend_from_slice(&4u32.to_le_bytes());
    m.extend_from_slice(&4u32.to_le_bytes());
    m.extend_from_slice(&1u32.to_le_bytes());
    m.extend_from_slice(&count.to_le_bytes());
    let z = deflate(&[ops, payload].concat());
    m.extend_from_slice(&(z.len() as u32).to_le_bytes());
    m.extend_from_slice(&z);
    m.extend_from_slice(video);
    m
}

fn update(count: u16, ops: &[u8], payload: &[u8]) -> Vec<u8> {
    update_with(count, ops, payload, &[])
}

fn rect(kind: u8, x: u16, y: u16, w: u16, h: u16) -> Vec<u8> {
    let mut v = vec![kind];
    for n in [x, y, w, h] {
        v.extend_from_slice(&n.to_le_bytes());
    }
    v
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
    assert!(dec.apply(&[UPDATE, 0]).is_err(), "truncated header");
    assert!(dec.apply(&[9; 40]).is_err(), "unknown message");
    assert!(
        dec.apply(&update(1, &rect(77, 0, 0, 1, 1), &[])).is_err(),
        "unknown op"
    );
    let mut fill = rect(op::FILL, 3, 3, 2, 1);
    fill.extend_from_slice(&[1, 2, 3]);
    assert!(
        dec.apply(&update(1, &fill, &[])).is_err(),
        "outside the picture"
    );
    assert!(
        dec.apply(&update(2, &fill, &[])).is_err(),
        "fewer ops than counted"
    );
    let mut copy = rect(op::COPY, 0, 0, 2, 2);
    copy.extend_from_slice(&3u16.to_le_bytes());
    copy.extend_from_slice(&0u16.to_le_bytes());
    assert!(
        dec.apply(&update(1, &copy, &[])).is_err(),
        "copy source outside"
    );
    let mut pal = rect(op::PALETTE, 0, 0, 4, 4);
    pal.push(17);
    pal.extend_from_slice(&[0; 51]);
    assert!(dec.apply(&update(1, &pal, &[0; 8])).is_err(), "17 colours");
    let mut pal = rect(op::PALETTE, 0, 0, 4, 4);
    pal.push(3);
    pal.extend_from_slice(&[0; 9]);
    assert!(
        dec.apply(&update(1, &pal, &[0xff; 8])).is_err(),
        "index 3 of 3 colours"
    );
    assert!(
        dec.apply(&update(1, &pal, &[0; 3])).is_err(),
        "too few pixels"
    );
    assert!(
        dec.apply(&update(1, &rect(op::RAW, 0, 0, 4, 4), &[0; 47]))
            .is_err()
    );
    assert!(
        dec.apply(&update(1, &rect(op::RAW, 0, 0, 4, 4), &[0; 48]))
            .is_ok()
    );
    let mut junk = update(1, &rect(op::RAW, 0, 0, 1, 1), &[]);
    junk.truncate(22);
    junk[18..22].copy_from_slice(&3u32.to_le_bytes());
    junk.extend_from_slice(&[0xff, 0xff, 0xff]);
    assert!(dec.apply(&junk).is_err(), "bad DEFLATE");
    let mut long = update(1, &rect(op::RAW, 0, 0, 1, 1), &[1, 2, 3]);
    long[18..22].copy_from_slice(&1000u32.to_le_bytes());
    assert!(
        dec.apply(&long).is_err(),
        "compressed part longer than the message"
    );
    let mut video = rect(op::VIDEO, 0, 0, 4, 4);
    video.push(1);
    video.extend_from_slice(&100u32.to_le_bytes());
    assert!(
        dec.apply(&update_with(1, &video, &[], &[0; 99])).is_err(),
        "video cut short"
    );
    assert!(
        dec.apply(&update_with(1, &video, &[], &[0; 100])).is_err(),
        "not H.264, or no H.264 decoder"
    );

    // A delta before any keyframe cannot be applied.
    let mut dec = Decoder::default();
    let a = picture(8, 8, |_, _| [1, 1, 1, 1]);
    let mut other = Encoder::new();
    other.encode(0, px(&a, 8, 8), false).expect("ok");
    let b = picture(8, 8, |_, _| [2, 2, 2, 2]);
    let delta = encode(&mut other, &b, 8, 8);
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

#[cfg(feature = "h264")]
#[test]
fn the_parts_of_a_tile_outside_a_rectangle_cover_the_rest_of_it() {
    let tile = Area {
        x: 64,
        y: 128,
        width: 64,
        height: 64,
    };
    let at = |x, y, width, height| Area {
        x,
        y,
        width,
        height,
    };
    let parts = |rect| crate::encoder::outside(tile, rect).collect::<Vec<_>>();
    assert_eq!(parts(None), vec![tile], "no rectangle yet");
    assert_eq!(parts(Some(at(0, 0, 40, 40))), vec![tile], "one elsewhere");
    assert_eq!(
        parts(Some(at(0, 0, 1000, 1000))),
        vec![],
        "one over all of it"
    );
    // A film whose top-left corner is inside the tile.
    assert_eq!(
        parts(Some(at(70, 150, 500, 500))),
        vec![at(64, 128, 64, 22), at(64, 150, 6, 42)]
    );
    // One through its middle: above, below, left and right of it.
    let each = parts(Some(at(80, 140, 10, 10)));
    assert_eq!(
        each,
        vec![
            at(64, 128, 64, 12),
            at(64, 150, 64, 42),
            at(64, 140, 16, 10),
            at(90, 140, 38, 10)
        ]
    );
    let covered: u32 = each.iter().map(|a| a.width * a.height).sum();
    assert_eq!(covered + 100, 64 * 64);
}

#[cfg(feature = "h264")]
#[test]
fn a_film_off_the_tile_grid_is_coded_to_its_edges() {
    for apart in [false, true] {
        film_off_the_grid(apart);
    }
}

/// A film at (71, 90), 370×210, in tiles it shares with a still, rich
/// picture: the video codes the film's rectangle (to even pixels), not
/// the tiles around it, and the still picture beside it stays exact.
#[cfg(feature = "h264")]
fn film_off_the_grid(apart: bool) {
    let (w, h) = (512, 384);
    let inside = |x: u32, y: u32| (71..441).contains(&x) && (90..300).contains(&y);
    let film = |t: u32| {
        picture(w, h, |x, y| {
            if inside(x, y) {
                [
                    ((x + 3 * t) % 256) as u8,
                    ((y + 2 * t) % 256) as u8,
                    ((x + y + t) % 200) as u8,
                    0,
                ]
            } else {
                [(x % 256) as u8, (y % 256) as u8, ((x ^ y) % 256) as u8, 0]
            }
        })
    };
    let config = EncoderConfig {
        video_apart: apart,
        ..EncoderConfig::default()
    };
    let mut enc = Encoder::with_config(config);
    let mut coder = VideoCoder::new(&config);
    let mut sent = Sent::default();
    let mut dec = Decoder::default();
    let mut rects = Vec::new();
    let mut streams = Vec::new();
    for t in 0..24 {
        let f = film(t);
        let at = std::time::Duration::from_millis(u64::from(t) * 34);
        let mut messages: Vec<Vec<u8>> = enc
            .encode_damaged(0, px(&f, w, h), None, false, at)
            .expect("encodes")
            .into_iter()
            .map(|m| sent.number(m))
            .collect();
        if let Some(job) = enc.take_video_job() {
            messages.extend(coder.code(&job).expect("codes").map(|m| sent.number(m)));
        }
        for m in &messages {
            for (kind, rect) in op_list(&mut dec, m) {
                if kind == op::VIDEO {
                    rects.push(rect);
                    streams.push(enc.video_stream());
                }
            }
        }
        for y in 0..h {
            for x in (0..w).filter(|&x| !(70..442).contains(&x) || !(90..300).contains(&y)) {
                let i = ((y * w + x) * 4) as usize;
                assert_eq!(
                    dec.pixel(x, y),
                    Some([f[i + 2], f[i + 1], f[i], 255]),
                    "apart {apart}, frame {t}: ({x}, {y}) beside the film"
                );
            }
        }
    }
    assert!(rects.len() > 5, "apart {apart}: {} pictures", rects.len());
    assert!(
        rects.iter().all(|r| *r == [70, 90, 372, 210]),
        "apart {apart}: {rects:?}"
    );
    streams.dedup();
    assert_eq!(streams.len(), 1, "apart {apart}: one stream");
    // The film stops: everything ends exact.
    let last = film(100);
    until_lossless(
        (&mut enc, &mut coder, &mut dec, &mut sent),
        &last,
        (w, h),
        24,
    );
    assert_shows(&dec, &last);
}

/// The film stops on `last`, drawn once at step `t` and then still: the
/// encoder's updates and any picture the coder still had go to `dec` until
/// the encoder says the viewer's picture is exact.
#[cfg(feature = "h264")]
fn until_lossless(
    (enc, coder, dec, sent): (&mut Encoder, &mut VideoCoder, &mut Decoder, &mut Sent),
    last: &[u8],
    (w, h): (u32, u32),
    mut t: u32,
) {
    let first = t;
    loop {
        let at = std::time::Duration::from_millis(u64::from(t) * 34);
        let damage: &[Area] = if t == first {
            &[Area {
                x: 0,
                y: 0,
                width: w,
                height: h,
            }]
        } else {
            &[]
        };
        if let Some(m) = enc
            .encode_damaged(0, px(last, w, h), Some(damage), false, at)
            .expect("encodes")
        {
            dec.apply(&sent.number(m)).expect("decodes");
        }
        // A picture held back before the film stopped may still go.
        if let Some(job) = enc.take_video_job()
            && let Some(m) = coder.code(&job).expect("codes")
        {
            dec.apply(&sent.number(m)).expect("decodes");
        }
        t += 1;
        if !enc.has_unfinished() {
            break;
        }
        assert!(t < first + 16, "the picture never became lossless");
    }
}

#[cfg(feature = "h264")]
#[test]
fn video_coded_apart_arrives_in_order_and_ends_lossless() {
    let (w, h) = (512, 384);
    // A clock outside the video, changing every frame.
    let film = |t: u32| {
        film(t, |_, y| {
            if y < 8 {
                [(t * 40 % 256) as u8, 0, 0, 0]
            } else {
                [240, 240, 240, 0]
            }
        })
    };
    let config = EncoderConfig {
        video_apart: true,
        ..EncoderConfig::default()
    };
    let mut enc = Encoder::with_config(config);
    let mut coder = VideoCoder::new(&config);
    let mut sent = Sent::default();
    let mut dec = Decoder::default();
    let (mut jobs, mut held_back) = (0, 0);
    let mut stream = None;
    for t in 0..24 {
        let f = film(t);
        let at = std::time::Duration::from_millis(u64::from(t) * 34);
        // Every third frame the coder is still at work: no picture then.
        let busy = t % 3 == 2;
        enc.set_video_busy(busy);
        let message = enc
            .encode_damaged(0, px(&f, w, h), None, false, at)
            .expect("encodes");
        let job = enc.take_video_job();
        if busy {
            assert!(
                job.is_none(),
                "frame {t}: a picture while the coder is busy"
            );
            held_back += 1;
        }
        // The lossless rest goes first; it never touches the video area.
        if let Some(m) = message.map(|m| sent.number(m)) {
            assert!(!op_kinds(&mut dec, &m).contains(&op::VIDEO), "frame {t}");
        }
        assert_eq!(dec.pixel(10, 3), Some([0, 0, (t * 40 % 256) as u8, 255]));
        if let Some(job) = job {
            jobs += 1;
            stream = Some(job.stream());
            if let Some(m) = coder.code(&job).expect("codes").map(|m| sent.number(m)) {
                assert_eq!(op_kinds(&mut dec, &m), vec![op::VIDEO]);
            }
        }
    }
    assert!(jobs > 5 && held_back > 0, "{jobs} pictures");
    assert_eq!(stream, Some(enc.video_stream()), "one stream all along");
    // The film stops: the stream ends, and what follows is lossless.
    let last = film(100);
    enc.set_video_busy(false);
    until_lossless(
        (&mut enc, &mut coder, &mut dec, &mut sent),
        &last,
        (w, h),
        24,
    );
    assert_ne!(stream, Some(enc.video_stream()), "the stream ended");
    assert_shows(&dec, &last);
}

#[cfg(feature = "h264")]
#[test]
fn video_survives_looks_more_frequent_than_its_pictures() {
    // A 30 Hz film, looked at every 5.5 ms (as right after input), with the
    // damage of a small change elsewhere in between: the film stays one
    // video stream instead of ending and being sent losslessly again.
    let (w, h) = (512, 384);
    let film_area = Area {
        x: 64,
        y: 64,
        width: 384,
        height: 256,
    };
    let film = |t: u32, blink: bool| {
        film(t, |x, y| {
            if y < 8 && x < 8 && blink {
                [0, 0, 0, 0]
            } else {
                [240, 240, 240, 0]
            }
        })
    };
    let mut enc = Encoder::new();
    let mut dec = Decoder::default();
    let mut streams = Vec::new();
    for look in 0..200u32 {
        let at_ms = look * 11 / 2;
        let picture_no = at_ms / 33;
        let f = film(picture_no, look % 2 == 1);
        let new_picture = look == 0 || (look - 1) * 11 / 2 / 33 != picture_no;
        let blink = Area {
            x: 0,
            y: 0,
            width: 8,
            height: 8,
        };
        let damage = if new_picture {
            vec![film_area, blink]
        } else {
            vec![blink]
        };
        let at = std::time::Duration::from_millis(u64::from(at_ms));
        if let Some(m) = enc
            .encode_damaged(0, px(&f, w, h), Some(&damage), look == 0, at)
            .expect("encodes")
        {
            if look > 60 {
                assert!(m.len() < 60_000, "look {look}: {} bytes", m.len());
            }
            dec.apply(&m).expect("decodes");
        }
        if look > 60 {
            streams.push(enc.video_stream());
        }
    }
    streams.dedup();
    assert_eq!(streams.len(), 1, "the stream restarted: {streams:?}");
}

#[test]
fn frame_numbers_can_be_set_in_sending_order() {
    let (w, h) = (64, 64);
    let f = picture(w, h, |x, y| [x as u8, y as u8, 0, 0]);
    let mut enc = Encoder::new();
    let mut m = enc
        .encode(0, px(&f, w, h), true)
        .expect("encodes")
        .expect("a keyframe");
    assert!(set_frame_number(&mut m, 41));
    let mut dec = Decoder::default();
    dec.apply(&m).expect("decodes");
    assert_eq!(dec.last_frame, 41);
    // Cursor messages carry no number; short input is left alone.
    let mut cursor = encode_cursor(1, 2, true, None);
    assert!(!set_frame_number(&mut cursor, 1));
    assert!(!set_frame_number(&mut [UPDATE, 0, 0], 1));
}
