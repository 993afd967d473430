//! The two X programs the benchmark draws with, run as hidden subcommands
//! of xtask on the benchmark's display: the **video** painter (full-motion
//! content: moving gradients, a moving disc and some grain, redrawn every
//! frame with `PutImage`) and the **probe** (a small square that switches
//! colour on every click, whose pixel the viewers watch to time input);
//! and the **damage watcher**, which counts the 1/60 s slots in which
//! anything was drawn: the most pictures a 60 Hz capturer can deliver.

use std::io::Write as _;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use x11rb::connection::{Connection, RequestConnection as _};
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ChangeGCAux, ConnectionExt as _, CreateGCAux, CreateWindowAux, EventMask, ImageFormat,
    Rectangle, WindowClass,
};

/// The probe's two colours (0xRRGGBB): it shows the first until clicked.
pub const PROBE_COLOURS: [u32; 2] = [0xE5_39_35, 0x1E_88_E5];

#[derive(Debug, Clone, Args)]
pub struct VideoArgs {
    #[arg(long, default_value_t = 30)]
    pub fps: u32,
    #[arg(long, default_value_t = 320)]
    pub x: i16,
    #[arg(long, default_value_t = 180)]
    pub y: i16,
    #[arg(long, default_value_t = 1280)]
    pub width: u16,
    #[arg(long, default_value_t = 720)]
    pub height: u16,
}

#[derive(Debug, Clone, Args)]
pub struct DamageArgs {
    /// Slots a second.
    #[arg(long, default_value_t = 60)]
    pub hz: u32,
}

#[derive(Debug, Clone, Args)]
pub struct ProbeArgs {
    #[arg(long)]
    pub x: i16,
    #[arg(long)]
    pub y: i16,
    #[arg(long, default_value_t = 96)]
    pub size: u16,
}

/// Creates an override-redirect window (no window manager places it) and
/// waits until it is on the screen.
fn mapped_window(
    conn: &impl Connection,
    screen: &x11rb::protocol::xproto::Screen,
    (x, y, width, height): (i16, i16, u16, u16),
    events: EventMask,
) -> anyhow::Result<u32> {
    let win = conn.generate_id().context("no X id for a window")?;
    conn.create_window(
        screen.root_depth,
        win,
        screen.root,
        x,
        y,
        width,
        height,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        &CreateWindowAux::new()
            .background_pixel(screen.black_pixel)
            .override_redirect(1)
            .event_mask(events | EventMask::STRUCTURE_NOTIFY),
    )
    .context("cannot create the window")?;
    conn.map_window(win).context("cannot map the window")?;
    conn.flush().context("cannot talk to the X server")?;
    loop {
        if let Event::MapNotify(_) = conn.wait_for_event().context("X connection lost")? {
            return Ok(win);
        }
    }
}

/// Paints `args.fps` frames a second until killed; prints `frames N` (the
/// frames drawn so far) after every frame.
pub fn video(args: VideoArgs) -> anyhow::Result<()> {
    let (conn, screen_num) = x11rb::connect(None).context("cannot connect to the X display")?;
    let screen = conn.setup().roots[screen_num].clone();
    let bits_per_pixel = conn
        .setup()
        .pixmap_formats
        .iter()
        .find(|f| f.depth == screen.root_depth)
        .map(|f| f.bits_per_pixel);
    if screen.root_depth != 24 || bits_per_pixel != Some(32) {
        bail!(
            "the video painter needs a 24-bit screen with 32 bits a pixel (depth {}, {bits_per_pixel:?} bits)",
            screen.root_depth
        );
    }
    let (w, h) = (args.width, args.height);
    let win = mapped_window(&conn, &screen, (args.x, args.y, w, h), EventMask::NO_EVENT)?;
    let gc = conn.generate_id().context("no X id for a GC")?;
    conn.create_gc(gc, win, &CreateGCAux::new())
        .context("cannot create a GC")?;
    let row_bytes = usize::from(w) * 4;
    // Strips that fit one request (the header is a few dozen bytes).
    let rows_per_request =
        ((conn.maximum_request_bytes() - 64) / row_bytes).clamp(1, usize::from(h));
    let period = Duration::from_secs(1) / args.fps.max(1);
    let mut frame = vec![0u8; row_bytes * usize::from(h)];
    let mut seed = 0x2545_f491_u32;
    let mut next = Instant::now();
    let mut out = std::io::stdout().lock();
    for t in 0u32.. {
        paint(&mut frame, u32::from(w), u32::from(h), t, &mut seed);
        for (i, strip) in frame.chunks(rows_per_request * row_bytes).enumerate() {
            let rows = u16::try_from(strip.len() / row_bytes).context("strip too tall")?;
            let y = i16::try_from(i * rows_per_request).context("picture too tall")?;
            conn.put_image(ImageFormat::Z_PIXMAP, win, gc, w, rows, 0, y, 0, 24, strip)
                .context("cannot draw")?;
        }
        // A round trip per frame: the X server has drawn it before the next.
        conn.get_input_focus()
            .context("X connection lost")?
            .reply()
            .context("X connection lost")?;
        writeln!(out, "frames {}", t + 1).context("stdout closed")?;
        out.flush().context("stdout closed")?;
        next += period;
        match next.checked_duration_since(Instant::now()) {
            Some(rest) => std::thread::sleep(rest),
            // Behind: drop the lost time instead of drawing in a burst.
            None => next = Instant::now(),
        }
    }
    Ok(())
}

/// One frame of moving content: three gradients sliding at different
/// speeds, a bright disc circling, and grain of up to 7 levels a channel.
/// BGRX, as a 24-bit X server takes it.
fn paint(frame: &mut [u8], w: u32, h: u32, t: u32, seed: &mut u32) {
    let (cx, cy) = {
        let a = f64::from(t) * 0.07;
        (
            f64::from(w) * (0.5 + 0.35 * a.cos()),
            f64::from(h) * (0.5 + 0.35 * (a * 1.3).sin()),
        )
    };
    let radius2 = (f64::from(h) / 6.0).powi(2);
    for (y, row) in frame.chunks_exact_mut(w as usize * 4).enumerate() {
        let y = y as u32;
        let dy2 = (f64::from(y) - cy).powi(2);
        for (x, px) in row.chunks_exact_mut(4).enumerate() {
            let x = x as u32;
            *seed ^= *seed << 13;
            *seed ^= *seed >> 17;
            *seed ^= *seed << 5;
            let grain = *seed;
            let inside = (f64::from(x) - cx).powi(2) + dy2 < radius2;
            let (r, g, b) = if inside {
                (250, 240, 200)
            } else {
                (
                    ((x + t * 5) / 5) & 0xff,
                    ((y + t * 3) / 3) & 0xff,
                    ((x + y + t * 7) / 7) & 0xff,
                )
            };
            px[0] = (b as u8).saturating_add((grain & 7) as u8);
            px[1] = (g as u8).saturating_add(((grain >> 3) & 7) as u8);
            px[2] = (r as u8).saturating_add(((grain >> 6) & 7) as u8);
            px[3] = 0;
        }
    }
}

/// Shows a `size`×`size` square at (x, y) that switches between the two
/// [`PROBE_COLOURS`] on every button press; prints `ready` once shown and
/// `click N` for every press.
pub fn probe(args: ProbeArgs) -> anyhow::Result<()> {
    let (conn, screen_num) = x11rb::connect(None).context("cannot connect to the X display")?;
    let screen = conn.setup().roots[screen_num].clone();
    let win = mapped_window(
        &conn,
        &screen,
        (args.x, args.y, args.size, args.size),
        EventMask::EXPOSURE | EventMask::BUTTON_PRESS,
    )?;
    let gc = conn.generate_id().context("no X id for a GC")?;
    conn.create_gc(gc, win, &CreateGCAux::new())
        .context("cannot create a GC")?;
    let mut clicks = 0usize;
    let fill = |colour: u32| -> anyhow::Result<()> {
        conn.change_gc(gc, &ChangeGCAux::new().foreground(colour))
            .context("cannot set the colour")?;
        let whole = Rectangle {
            x: 0,
            y: 0,
            width: args.size,
            height: args.size,
        };
        conn.poly_fill_rectangle(win, gc, &[whole])
            .context("cannot draw")?;
        conn.flush().context("X connection lost")
    };
    fill(PROBE_COLOURS[0])?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").context("stdout closed")?;
    out.flush().context("stdout closed")?;
    loop {
        match conn.wait_for_event().context("X connection lost")? {
            Event::Expose(_) => fill(PROBE_COLOURS[clicks % 2])?,
            Event::ButtonPress(_) => {
                clicks += 1;
                fill(PROBE_COLOURS[clicks % 2])?;
                writeln!(out, "click {clicks}").context("stdout closed")?;
                out.flush().context("stdout closed")?;
            }
            _ => {}
        }
    }
}

/// Watches the whole screen with DAMAGE and prints `frames N` each time
/// something is drawn in a new 1/`hz` s slot: N is how many pictures a
/// capturer looking `hz` times a second could have delivered so far.
pub fn damage(args: DamageArgs) -> anyhow::Result<()> {
    use x11rb::protocol::damage::{ConnectionExt as _, ReportLevel};
    let (conn, screen_num) = x11rb::connect(None).context("cannot connect to the X display")?;
    let root = conn.setup().roots[screen_num].root;
    conn.damage_query_version(1, 1)
        .context("no DAMAGE extension")?
        .reply()
        .context("no DAMAGE extension")?;
    let damage = conn.generate_id().context("no X id for a damage")?;
    conn.damage_create(damage, root, ReportLevel::NON_EMPTY)
        .context("cannot watch the screen")?;
    conn.damage_subtract(damage, x11rb::NONE, x11rb::NONE)
        .context("cannot watch the screen")?;
    conn.flush().context("X connection lost")?;
    let slot = Duration::from_secs(1) / args.hz.max(1);
    let start = Instant::now();
    let (mut last, mut slots) = (None, 0u64);
    let mut out = std::io::stdout().lock();
    loop {
        if let Event::DamageNotify(_) = conn.wait_for_event().context("X connection lost")? {
            let now = (start.elapsed().as_nanos() / slot.as_nanos().max(1)) as u64;
            if last != Some(now) {
                last = Some(now);
                slots += 1;
                writeln!(out, "frames {slots}").context("stdout closed")?;
                out.flush().context("stdout closed")?;
            }
            // Empty again, so that the next drawing sends the next event.
            conn.damage_subtract(damage, x11rb::NONE, x11rb::NONE)
                .context("X connection lost")?;
            conn.flush().context("X connection lost")?;
        }
    }
}
