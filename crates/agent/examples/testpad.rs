//! A test fixture for the end-to-end tests; not part of the product.
//!
//! `testpad`: a 1280×720 window at (0,0) with a known picture (four coloured
//! quadrants and a white square in the middle) that reports on stdout, as
//! JSON lines, every character typed into it and every click on it.
//!
//! `testpad --film WxH+X+Y [--fps N]`: full-motion content for the video
//! path, in a window of its own at that place, over testpad's picture:
//! gradients sliding at different speeds under fresh grain every frame, drawn
//! N times a second (default 30) with `PutImage`, so that the support app
//! codes the area as H.264. It prints `{"event":"ready"}` once the window
//! shows the first frame and `{"event":"film","frame":N}` after every frame
//! the X server has drawn. The line `still` on stdin stops the drawing: the
//! picture stays as it is, and the painter prints `{"event":"still",...}`
//! with the area's pixels as the X server has them (an FNV-1a hash of their
//! RGB bytes, row by row, and an 8×8 grid of samples), so that a test can
//! check that a viewer ends on exactly that picture. The end of stdin ends
//! the painter.

use std::io::{BufRead as _, Write as _};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use x11rb::connection::{Connection, RequestConnection as _};
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ChangeGCAux, ConnectionExt as _, CreateGCAux, CreateWindowAux, EventMask, ImageFormat,
    ImageOrder, InputFocus, ModMask, Rectangle, Screen, WindowClass,
};

type Error = Box<dyn std::error::Error>;

const USAGE: &str = "usage: testpad [--film WxH+X+Y [--fps N]]";
const W: u16 = 1280;
const H: u16 = 720;
const QUADRANTS: [(i16, i16, u32); 4] = [
    (0, 0, 0xE53935),
    (640, 0, 0x1E88E5),
    (0, 360, 0x43A047),
    (640, 360, 0xFDD835),
];

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => pad(),
        Some("--film") => film(&FilmArgs::parse(&args[1..])?),
        Some(other) => Err(format!("unknown argument {other}; {USAGE}").into()),
    }
}

/// The known picture, reporting keys and clicks.
fn pad() -> Result<(), Error> {
    let (conn, screen_num) = x11rb::connect(None)?;
    let screen = &conn.setup().roots[screen_num];
    let win = conn.generate_id()?;
    conn.create_window(
        screen.root_depth,
        win,
        screen.root,
        0,
        0,
        W,
        H,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        &CreateWindowAux::new()
            .background_pixel(screen.black_pixel)
            .override_redirect(1)
            .event_mask(
                EventMask::EXPOSURE
                    | EventMask::KEY_PRESS
                    | EventMask::BUTTON_PRESS
                    | EventMask::STRUCTURE_NOTIFY,
            ),
    )?;
    let gc = conn.generate_id()?;
    conn.create_gc(gc, win, &CreateGCAux::new())?;
    conn.map_window(win)?;
    conn.flush()?;
    let mut out = std::io::stdout().lock();
    loop {
        match conn.wait_for_event()? {
            Event::MapNotify(_) => {
                draw(&conn, win, gc)?;
                conn.set_input_focus(InputFocus::POINTER_ROOT, win, x11rb::CURRENT_TIME)?;
                conn.get_input_focus()?.reply()?;
                writeln!(out, r#"{{"event":"ready"}}"#)?;
                out.flush()?;
            }
            Event::Expose(_) => draw(&conn, win, gc)?,
            Event::KeyPress(k) => {
                // Ask for the mapping now: the injector may have bound a spare
                // keycode to this character just for this key press.
                let map = conn.get_keyboard_mapping(k.detail, 1)?.reply()?;
                let per = usize::from(map.keysyms_per_keycode);
                let shift = u16::from(k.state) & u16::from(ModMask::SHIFT) != 0;
                let syms = &map.keysyms[..per.min(map.keysyms.len())];
                let sym = match (shift, syms.get(1).copied()) {
                    (true, Some(s)) if s != 0 => s,
                    _ => syms.first().copied().unwrap_or(0),
                };
                if let Some(c) = keysym_char(sym) {
                    let text = serde_json_escape(c);
                    writeln!(out, r#"{{"event":"key","text":"{text}"}}"#)?;
                    out.flush()?;
                }
            }
            Event::ButtonPress(b) => {
                writeln!(
                    out,
                    r#"{{"event":"button","button":{},"x":{},"y":{}}}"#,
                    b.detail, b.event_x, b.event_y
                )?;
                out.flush()?;
            }
            _ => {}
        }
    }
}

fn draw(conn: &impl Connection, win: u32, gc: u32) -> Result<(), Error> {
    for (x, y, colour) in QUADRANTS {
        conn.change_gc(gc, &ChangeGCAux::new().foreground(colour))?;
        conn.poly_fill_rectangle(
            win,
            gc,
            &[Rectangle {
                x,
                y,
                width: 640,
                height: 360,
            }],
        )?;
    }
    conn.change_gc(gc, &ChangeGCAux::new().foreground(0xFFFFFF))?;
    conn.poly_fill_rectangle(
        win,
        gc,
        &[Rectangle {
            x: 590,
            y: 310,
            width: 100,
            height: 100,
        }],
    )?;
    conn.flush()?;
    Ok(())
}

/// The character a keysym types, for printable keysyms.
fn keysym_char(sym: u32) -> Option<char> {
    match sym {
        0x20..=0x7e | 0xa0..=0xff => char::from_u32(sym),
        0x0100_0100..=0x0110_ffff => char::from_u32(sym - 0x0100_0000),
        0x20ac => Some('€'),
        _ => None,
    }
}

fn serde_json_escape(c: char) -> String {
    match c {
        '"' => "\\\"".into(),
        '\\' => "\\\\".into(),
        c => c.to_string(),
    }
}

/// Where the film plays and how fast.
struct FilmArgs {
    x: i16,
    y: i16,
    width: u16,
    height: u16,
    fps: u32,
}

impl FilmArgs {
    /// `WxH+X+Y [--fps N]`.
    fn parse(args: &[String]) -> Result<FilmArgs, Error> {
        let (geometry, rest) = args.split_first().ok_or(USAGE)?;
        let bad = || format!("not a geometry WxH+X+Y: {geometry}; {USAGE}");
        let (size, place) = geometry.split_once('+').ok_or_else(bad)?;
        let (width, height) = size.split_once('x').ok_or_else(bad)?;
        let (x, y) = place.split_once('+').ok_or_else(bad)?;
        let fps = match rest {
            [] => 30,
            [flag, n] if flag == "--fps" => n.parse()?,
            _ => return Err(USAGE.into()),
        };
        if fps == 0 {
            return Err("--fps must be at least 1".into());
        }
        Ok(FilmArgs {
            x: x.parse()?,
            y: y.parse()?,
            width: width.parse()?,
            height: height.parse()?,
            fps,
        })
    }
}

/// Plays the film until `still` arrives on stdin, then keeps the last frame
/// on the screen until stdin ends.
fn film(args: &FilmArgs) -> Result<(), Error> {
    let (conn, screen_num) = x11rb::connect(None)?;
    let screen = conn.setup().roots[screen_num].clone();
    let bits_per_pixel = conn
        .setup()
        .pixmap_formats
        .iter()
        .find(|f| f.depth == screen.root_depth)
        .map(|f| f.bits_per_pixel);
    if screen.root_depth != 24
        || bits_per_pixel != Some(32)
        || conn.setup().image_byte_order != ImageOrder::LSB_FIRST
    {
        return Err(format!(
            "the film needs a 24-bit screen with 32 bits a pixel, BGRX (depth {}, {bits_per_pixel:?} bits)",
            screen.root_depth
        )
        .into());
    }
    let commands = stdin_lines();
    let (w, h) = (args.width, args.height);
    let win = film_window(&conn, &screen, args)?;
    let gc = conn.generate_id()?;
    conn.create_gc(gc, win, &CreateGCAux::new())?;
    let row_bytes = usize::from(w) * 4;
    // Strips that fit one request (the header is a few dozen bytes).
    let rows_per_request =
        ((conn.maximum_request_bytes() - 64) / row_bytes).clamp(1, usize::from(h));
    let put = |frame: &[u8]| -> Result<(), Error> {
        for (i, strip) in frame.chunks(rows_per_request * row_bytes).enumerate() {
            let rows = u16::try_from(strip.len() / row_bytes)?;
            let y = i16::try_from(i * rows_per_request)?;
            conn.put_image(ImageFormat::Z_PIXMAP, win, gc, w, rows, 0, y, 0, 24, strip)?;
        }
        // A round trip: the X server has drawn the frame when this returns.
        conn.get_input_focus()?.reply()?;
        Ok(())
    };

    let mut out = std::io::stdout().lock();
    let mut frame = vec![0u8; row_bytes * usize::from(h)];
    let mut seed = 0x2545_f491_u32;
    let period = Duration::from_secs(1) / args.fps;
    let mut next = Instant::now();
    let mut drawn = 0u32;
    loop {
        paint(&mut frame, u32::from(w), drawn, &mut seed);
        put(&frame)?;
        drawn += 1;
        if drawn == 1 {
            writeln!(out, r#"{{"event":"ready"}}"#)?;
        }
        writeln!(out, r#"{{"event":"film","frame":{drawn}}}"#)?;
        out.flush()?;
        // Exposures while playing are painted over by the next frame anyway.
        while conn.poll_for_event()?.is_some() {}
        if commands.try_recv().is_ok_and(|line| line.trim() == "still") {
            break;
        }
        next += period;
        match next.checked_duration_since(Instant::now()) {
            Some(rest) => std::thread::sleep(rest),
            // Behind: drop the lost time instead of drawing in a burst.
            None => next = Instant::now(),
        }
    }

    let still = still_report(&conn, &screen, args, drawn)?;
    writeln!(out, "{still}")?;
    out.flush()?;
    loop {
        if let Event::Expose(e) = conn.wait_for_event()?
            && e.count == 0
        {
            put(&frame)?;
        }
    }
}

/// The lines of stdin as they come; the painter ends with the end of stdin.
fn stdin_lines() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
        std::process::exit(0);
    });
    rx
}

/// An override-redirect window (no window manager places it) at the film's
/// place, once it is on the screen.
fn film_window(conn: &impl Connection, screen: &Screen, args: &FilmArgs) -> Result<u32, Error> {
    let win = conn.generate_id()?;
    conn.create_window(
        screen.root_depth,
        win,
        screen.root,
        args.x,
        args.y,
        args.width,
        args.height,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        &CreateWindowAux::new()
            .background_pixel(screen.black_pixel)
            .override_redirect(1)
            .event_mask(EventMask::EXPOSURE | EventMask::STRUCTURE_NOTIFY),
    )?;
    conn.map_window(win)?;
    conn.flush()?;
    loop {
        if let Event::MapNotify(_) = conn.wait_for_event()? {
            return Ok(win);
        }
    }
}

/// Frame `t`: three gradients sliding at different speeds and directions,
/// each channel with fresh grain of up to 7 levels (so that no tile repeats
/// an earlier one and none fits a palette). BGRX, as a 24-bit X server
/// takes it.
fn paint(frame: &mut [u8], w: u32, t: u32, seed: &mut u32) {
    for (y, row) in (0u32..).zip(frame.chunks_exact_mut(w as usize * 4)) {
        for (x, px) in (0u32..).zip(row.chunks_exact_mut(4)) {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 17;
            *seed ^= *seed << 5;
            let grain = *seed;
            let r = ((x + t * 5) / 3) & 0xff;
            let g = ((y + 1000 - (t * 3) % 1000) / 2) & 0xff;
            let b = ((x + y + t * 7) / 5) & 0xff;
            px[0] = (b as u8).saturating_add((grain & 7) as u8);
            px[1] = (g as u8).saturating_add(((grain >> 3) & 7) as u8);
            px[2] = (r as u8).saturating_add(((grain >> 6) & 7) as u8);
            px[3] = 0;
        }
    }
}

/// The `still` line: the film's area as the X server shows it now.
fn still_report(
    conn: &impl Connection,
    screen: &Screen,
    args: &FilmArgs,
    frame: u32,
) -> Result<String, Error> {
    let image = conn
        .get_image(
            ImageFormat::Z_PIXMAP,
            screen.root,
            args.x,
            args.y,
            args.width,
            args.height,
            !0,
        )?
        .reply()?;
    let (w, h) = (usize::from(args.width), usize::from(args.height));
    let rgb = |x: usize, y: usize| {
        let px = &image.data[(y * w + x) * 4..][..4];
        [px[2], px[1], px[0]]
    };
    let mut fnv = 0x811c_9dc5_u32;
    for y in 0..h {
        for x in 0..w {
            for byte in rgb(x, y) {
                fnv = (fnv ^ u32::from(byte)).wrapping_mul(0x0100_0193);
            }
        }
    }
    let mut samples = Vec::new();
    for j in 0..8 {
        for i in 0..8 {
            let (x, y) = ((2 * i + 1) * w / 16, (2 * j + 1) * h / 16);
            let [r, g, b] = rgb(x, y);
            let (sx, sy) = (usize::try_from(args.x)? + x, usize::try_from(args.y)? + y);
            samples.push(format!("[{sx},{sy},{r},{g},{b}]"));
        }
    }
    Ok(format!(
        r#"{{"event":"still","frame":{frame},"x":{},"y":{},"width":{w},"height":{h},"fnv":{fnv},"samples":[{}]}}"#,
        args.x,
        args.y,
        samples.join(",")
    ))
}
