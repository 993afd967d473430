//! X11Capturer against a real Xvfb: pixels, monitors, damage and cursor.

use std::error::Error;
use std::time::{Duration, Instant};

use capture::testing::Xvfb;
use capture::{CaptureError, Capturer, ImageTransfer, Rect, X11Capturer, X11Config};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::randr::{ConnectionExt as _, MonitorInfo};
use x11rb::protocol::xproto::{
    ChangeGCAux, ConnectionExt as _, CreateGCAux, CreateWindowAux, EventMask, Gcontext, Rectangle,
    Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;

type TestResult = Result<(), Box<dyn Error>>;

const RED: u32 = 0xff_0000;
const GREEN: u32 = 0x00_ff00;
const BLUE: u32 = 0x00_00ff;
const GREY: u32 = 0x80_8080;

/// A fresh server, a client connection for drawing, and a capturer.
struct Desk {
    // Dropped last: clients first, then the server.
    conn: RustConnection,
    root: Window,
    xvfb: Xvfb,
}

impl Desk {
    fn start() -> Result<Self, Box<dyn Error>> {
        let xvfb = Xvfb::start()?;
        let (conn, screen) = xvfb.connect()?;
        let root = conn.setup().roots[screen].root;
        Ok(Self { conn, root, xvfb })
    }

    fn capturer(&self, image_transfer: ImageTransfer) -> Result<X11Capturer, CaptureError> {
        X11Capturer::connect(&X11Config {
            display: Some(self.xvfb.display()),
            image_transfer,
        })
    }

    /// Maps an undecorated window at `rect` (root coordinates) and returns it
    /// once it is exposed, with a GC for drawing into it.
    fn window(
        &self,
        rect: Rect,
        cursor: Option<u32>,
    ) -> Result<(Window, Gcontext), Box<dyn Error>> {
        let window = self.conn.generate_id()?;
        let mut aux = CreateWindowAux::new()
            .override_redirect(1)
            .background_pixel(0)
            .event_mask(EventMask::EXPOSURE);
        if let Some(cursor) = cursor {
            aux = aux.cursor(cursor);
        }
        self.conn.create_window(
            24,
            window,
            self.root,
            i16::try_from(rect.x)?,
            i16::try_from(rect.y)?,
            u16::try_from(rect.width)?,
            u16::try_from(rect.height)?,
            0,
            WindowClass::INPUT_OUTPUT,
            x11rb::COPY_FROM_PARENT,
            &aux,
        )?;
        self.conn.map_window(window)?;
        // x11rb sends buffered requests only on a reply, a check or a flush.
        self.conn.flush()?;
        loop {
            if let Event::Expose(expose) = self.conn.wait_for_event()?
                && expose.window == window
                && expose.count == 0
            {
                break;
            }
        }
        let gc = self.conn.generate_id()?;
        self.conn
            .create_gc(gc, window, &CreateGCAux::new().foreground(0))?
            .check()?;
        Ok((window, gc))
    }

    /// Fills `rect` (window coordinates) and waits until the server has drawn it.
    fn fill(&self, window: Window, gc: Gcontext, colour: u32, rect: Rect) -> TestResult {
        self.conn
            .change_gc(gc, &ChangeGCAux::new().foreground(colour))?;
        self.conn.poly_fill_rectangle(
            window,
            gc,
            &[Rectangle {
                x: i16::try_from(rect.x)?,
                y: i16::try_from(rect.y)?,
                width: u16::try_from(rect.width)?,
                height: u16::try_from(rect.height)?,
            }],
        )?;
        self.sync()
    }

    /// A round trip: every request sent before has been processed.
    fn sync(&self) -> TestResult {
        self.conn.get_input_focus()?.reply()?;
        Ok(())
    }
}

/// `[b, g, r]` of an X pixel value `0xRRGGBB`.
fn bgr(colour: u32) -> [u8; 3] {
    let [b, g, r, _] = colour.to_le_bytes();
    [b, g, r]
}

fn bgr_at(frame: &capture::Frame<'_>, x: u32, y: u32) -> Option<[u8; 3]> {
    frame.pixel(x, y).map(|[b, g, r, _]| [b, g, r])
}

/// Window at (100, 50), 400×300: red top-left, green top-right, blue bottom.
fn draw_quadrants(desk: &Desk) -> Result<Window, Box<dyn Error>> {
    let (window, gc) = desk.window(Rect::new(100, 50, 400, 300), None)?;
    desk.fill(window, gc, RED, Rect::new(0, 0, 200, 150))?;
    desk.fill(window, gc, GREEN, Rect::new(200, 0, 200, 150))?;
    desk.fill(window, gc, BLUE, Rect::new(0, 150, 400, 150))?;
    Ok(window)
}

#[test]
fn shared_memory_capture_has_the_exact_pixels() -> TestResult {
    let desk = Desk::start()?;
    draw_quadrants(&desk)?;
    let mut capturer = desk.capturer(ImageTransfer::SharedMemory)?;
    assert_eq!(capturer.image_transfer(), ImageTransfer::SharedMemory);

    let frame = capturer.capture(Rect::new(100, 50, 400, 300))?;
    assert_eq!(
        (frame.width(), frame.height(), frame.stride()),
        (400, 300, 1600)
    );
    assert_eq!(frame.data().len(), 400 * 300 * 4);
    assert_eq!(bgr_at(&frame, 0, 0), Some(bgr(RED)));
    assert_eq!(bgr_at(&frame, 199, 149), Some(bgr(RED)));
    assert_eq!(bgr_at(&frame, 200, 0), Some(bgr(GREEN)));
    assert_eq!(bgr_at(&frame, 399, 149), Some(bgr(GREEN)));
    assert_eq!(bgr_at(&frame, 0, 150), Some(bgr(BLUE)));
    assert_eq!(bgr_at(&frame, 399, 299), Some(bgr(BLUE)));
    assert_eq!(bgr(RED), [0, 0, 255], "BGRA: blue byte first");

    // An area straddling the corner where the three colours meet.
    let frame = capturer.capture(Rect::new(299, 199, 2, 2))?;
    assert_eq!(bgr_at(&frame, 0, 0), Some(bgr(RED)));
    assert_eq!(bgr_at(&frame, 1, 0), Some(bgr(GREEN)));
    assert_eq!(bgr_at(&frame, 0, 1), Some(bgr(BLUE)));
    assert_eq!(bgr_at(&frame, 1, 1), Some(bgr(BLUE)));
    Ok(())
}

#[test]
fn capturing_rows_refreshes_only_those_rows() -> TestResult {
    let desk = Desk::start()?;
    let (window, gc) = desk.window(Rect::new(100, 50, 400, 300), None)?;
    desk.fill(window, gc, RED, Rect::new(0, 0, 400, 300))?;
    let area = Rect::new(100, 50, 400, 300);
    for transfer in [ImageTransfer::SharedMemory, ImageTransfer::GetImage] {
        let mut capturer = desk.capturer(transfer)?;
        capturer.capture(area)?;
        desk.fill(window, gc, GREEN, Rect::new(0, 10, 400, 5))?;
        desk.fill(window, gc, BLUE, Rect::new(0, 200, 400, 5))?;
        let frame = capturer.capture_rows(area, 10..15)?;
        assert_eq!((frame.width(), frame.height()), (400, 300));
        assert_eq!(bgr_at(&frame, 7, 10), Some(bgr(GREEN)), "{transfer:?}");
        assert_eq!(bgr_at(&frame, 7, 14), Some(bgr(GREEN)), "{transfer:?}");
        assert_eq!(bgr_at(&frame, 7, 15), Some(bgr(RED)), "{transfer:?}");
        if transfer == ImageTransfer::SharedMemory {
            assert_eq!(bgr_at(&frame, 7, 200), Some(bgr(RED)), "not refreshed");
        }
        let frame = capturer.capture_rows(area, 200..205)?;
        assert_eq!(bgr_at(&frame, 7, 200), Some(bgr(BLUE)));
        assert_eq!(bgr_at(&frame, 7, 12), Some(bgr(GREEN)), "kept from before");
        // Another area is captured whole, whatever rows are asked for.
        let other = Rect::new(100, 50, 200, 100);
        let frame = capturer.capture_rows(other, 0..1)?;
        assert_eq!(bgr_at(&frame, 5, 12), Some(bgr(GREEN)));
        assert_eq!(bgr_at(&frame, 5, 50), Some(bgr(RED)));
        desk.fill(window, gc, RED, Rect::new(0, 0, 400, 300))?;
    }
    Ok(())
}

#[test]
fn shared_memory_and_get_image_give_identical_pixels() -> TestResult {
    let desk = Desk::start()?;
    let (window, gc) = desk.window(Rect::new(0, 0, Xvfb::WIDTH, Xvfb::HEIGHT), None)?;
    // Stripes of many colours, so a stride or offset error cannot match.
    for i in 0..64u32 {
        let colour = i.wrapping_mul(0x0004_1f3b) & 0xff_ffff;
        desk.fill(
            window,
            gc,
            colour,
            Rect::new(i32::try_from(i * 20)?, 0, 20, 720),
        )?;
        desk.fill(
            window,
            gc,
            !colour & 0xff_ffff,
            Rect::new(0, i32::try_from(i * 11)?, 1280, 3),
        )?;
    }
    let screen = Rect::new(0, 0, Xvfb::WIDTH, Xvfb::HEIGHT);
    let mut shm = desk.capturer(ImageTransfer::SharedMemory)?;
    let mut plain = desk.capturer(ImageTransfer::GetImage)?;
    assert_eq!(plain.image_transfer(), ImageTransfer::GetImage);

    for area in [
        screen,
        Rect::new(13, 7, 333, 101),
        Rect::new(1279, 719, 1, 1),
    ] {
        let a = shm.capture(area)?;
        let a = (a.width(), a.height(), a.stride(), a.data().to_vec());
        let b = plain.capture(area)?;
        assert_eq!(
            a,
            (b.width(), b.height(), b.stride(), b.data().to_vec()),
            "{area}"
        );
    }

    let shm_time = time_captures(&mut shm, screen)?;
    let plain_time = time_captures(&mut plain, screen)?;
    println!(
        "full 1280x720 capture: MIT-SHM {:.3} ms, GetImage {:.3} ms (mean of 50)",
        shm_time.as_secs_f64() * 1e3,
        plain_time.as_secs_f64() * 1e3,
    );
    Ok(())
}

fn time_captures(capturer: &mut X11Capturer, area: Rect) -> Result<Duration, CaptureError> {
    capturer.capture(area)?;
    let start = Instant::now();
    for _ in 0..50 {
        capturer.capture(area)?;
    }
    Ok(start.elapsed() / 50)
}

#[test]
fn areas_outside_the_screen_are_refused() -> TestResult {
    let desk = Desk::start()?;
    let mut capturer = desk.capturer(ImageTransfer::Auto)?;
    for area in [
        Rect::new(1200, 0, 100, 10),
        Rect::new(-1, 0, 10, 10),
        Rect::new(0, 0, 0, 10),
    ] {
        match capturer.capture(area) {
            Err(CaptureError::OutOfBounds {
                area: refused,
                screen,
            }) => {
                assert_eq!((refused, screen), (area, Rect::new(0, 0, 1280, 720)));
            }
            other => panic!("{area}: expected OutOfBounds, got {other:?}"),
        }
    }
    Ok(())
}

#[test]
fn monitors_follow_randr_and_capture_per_monitor() -> TestResult {
    let desk = Desk::start()?;
    let mut capturer = desk.capturer(ImageTransfer::Auto)?;
    let monitors = capturer.monitors()?;
    assert_eq!(monitors.len(), 1, "{monitors:?}");
    assert_eq!(monitors[0].rect, Rect::new(0, 0, 1280, 720));
    assert!(monitors[0].primary);

    // Two virtual monitors side by side, as `xrandr --setmonitor NAME
    // 640/169x720/190+X+0 none` would make them.
    desk.conn.randr_query_version(1, 5)?.reply()?;
    for (name, x) in [("Left", 0), ("Right", 640)] {
        let atom = desk.conn.intern_atom(false, name.as_bytes())?.reply()?.atom;
        let info = MonitorInfo {
            name: atom,
            primary: name == "Right",
            automatic: false,
            x,
            y: 0,
            width: 640,
            height: 720,
            width_in_millimeters: 169,
            height_in_millimeters: 190,
            outputs: Vec::new(),
        };
        desk.conn.randr_set_monitor(desk.root, info)?.check()?;
    }
    let monitors = capturer.monitors()?;
    let find = |name: &str| monitors.iter().find(|m| m.name == name);
    let left = find("Left").ok_or("no monitor Left")?;
    let right = find("Right").ok_or("no monitor Right")?;
    assert_eq!(left.rect, Rect::new(0, 0, 640, 720));
    assert_eq!(right.rect, Rect::new(640, 0, 640, 720));
    assert!(right.primary && !left.primary);
    assert_ne!(left.id, right.id);
    assert_eq!(monitors.iter().filter(|m| m.primary).count(), 1);

    let (window, gc) = desk.window(Rect::new(0, 0, 1280, 720), None)?;
    desk.fill(window, gc, RED, Rect::new(0, 0, 640, 720))?;
    desk.fill(window, gc, BLUE, Rect::new(640, 0, 640, 720))?;
    desk.fill(window, gc, GREY, Rect::new(640, 0, 1, 1))?;
    let frame = capturer.capture(right.rect)?;
    assert_eq!((frame.width(), frame.height()), (640, 720));
    assert_eq!(bgr_at(&frame, 0, 0), Some(bgr(GREY)), "monitor's top-left");
    for y in (0..720).step_by(7) {
        for x in (1..640).step_by(7) {
            assert_eq!(bgr_at(&frame, x, y), Some(bgr(BLUE)), "({x}, {y})");
        }
    }
    Ok(())
}

#[test]
fn damage_reports_what_was_drawn() -> TestResult {
    let desk = Desk::start()?;
    let (window, gc) = desk.window(Rect::new(100, 50, 400, 300), None)?;
    let mut capturer = desk.capturer(ImageTransfer::Auto)?;

    let screen = Rect::new(0, 0, 1280, 720);
    assert_eq!(
        capturer.changed()?,
        Some(vec![screen]),
        "first call: everything"
    );
    assert_eq!(capturer.changed()?, Some(vec![]), "nothing drawn since");

    // Nothing drawn: the wait runs out.
    assert!(!capturer.wait_for_drawing(Duration::from_millis(50))?);

    // A drawing ends the wait (long before its limit) and is reported.
    desk.fill(window, gc, GREEN, Rect::new(20, 30, 50, 40))?;
    assert!(capturer.wait_for_drawing(Duration::from_secs(10))?);
    assert_eq!(capturer.changed()?, Some(vec![Rect::new(120, 80, 50, 40)]));
    assert_eq!(capturer.changed()?, Some(vec![]));

    // Two separate drawings between calls: both are reported.
    desk.fill(window, gc, RED, Rect::new(0, 0, 10, 10))?;
    desk.fill(window, gc, RED, Rect::new(300, 200, 10, 10))?;
    assert!(capturer.wait_for_drawing(Duration::from_secs(10))?);
    let mut rects = capturer.changed()?.ok_or("damage is available")?;
    rects.sort_by_key(|r| (r.y, r.x));
    assert_eq!(
        rects,
        vec![Rect::new(100, 50, 10, 10), Rect::new(400, 250, 10, 10)]
    );
    Ok(())
}

#[test]
fn asking_right_after_a_capture_loses_nothing() -> TestResult {
    let desk = Desk::start()?;
    let (window, gc) = desk.window(Rect::new(100, 50, 400, 300), None)?;
    let area = Rect::new(100, 50, 400, 300);
    for transfer in [ImageTransfer::SharedMemory, ImageTransfer::GetImage] {
        let mut capturer = desk.capturer(transfer)?;
        capturer.changed()?;
        desk.fill(window, gc, GREEN, Rect::new(20, 30, 50, 40))?;
        let frame = capturer.capture_rows_then_ask(area, 0..300)?;
        assert_eq!(bgr_at(&frame, 20, 30), Some(bgr(GREEN)), "{transfer:?}");
        // Drawn after the capture, maybe after the question reached the
        // server: reported by this answer or the next.
        desk.fill(window, gc, RED, Rect::new(0, 0, 10, 10))?;
        let answered = capturer.changed()?.ok_or("damage is available")?;
        assert!(
            answered.contains(&Rect::new(120, 80, 50, 40)),
            "{transfer:?}: drawn before the capture: {answered:?}"
        );
        let mut both = answered;
        if !both.contains(&Rect::new(100, 50, 10, 10)) {
            assert!(capturer.wait_for_drawing(Duration::from_secs(10))?);
            both.extend(capturer.changed()?.ok_or("damage is available")?);
        }
        assert!(
            both.contains(&Rect::new(100, 50, 10, 10)),
            "{transfer:?}: drawn after the capture: {both:?}"
        );
        assert_eq!(capturer.changed()?, Some(vec![]), "{transfer:?}");
        desk.fill(window, gc, RED, Rect::new(0, 0, 400, 300))?;
    }
    Ok(())
}

#[test]
fn cursor_reports_position_and_shape_changes() -> TestResult {
    let desk = Desk::start()?;
    let mut capturer = desk.capturer(ImageTransfer::Auto)?;
    desk.conn
        .warp_pointer(x11rb::NONE, desk.root, 0, 0, 0, 0, 300, 200)?;
    desk.sync()?;
    let root_cursor = capturer.cursor()?;
    assert_eq!((root_cursor.x, root_cursor.y), (300, 200));
    let image = &root_cursor.image;
    assert!(image.width > 0 && image.height > 0);
    assert_eq!(
        image.argb.len(),
        usize::try_from(image.width * image.height)?
    );
    assert!(image.hotspot_x < image.width && image.hotspot_y < image.height);
    assert!(
        image.argb.iter().any(|&pixel| pixel >> 24 == 0xff),
        "has opaque pixels"
    );
    assert_eq!(
        capturer.cursor()?.image.serial,
        image.serial,
        "unchanged shape"
    );

    // A window with the "hand2" cursor from the cursor font; pointing into it
    // changes the shape.
    let font = desk.conn.generate_id()?;
    desk.conn.open_font(font, b"cursor")?;
    let hand = desk.conn.generate_id()?;
    desk.conn
        .create_glyph_cursor(hand, font, font, 60, 61, 0, 0, 0, 0xffff, 0xffff, 0xffff)?;
    desk.window(Rect::new(500, 400, 100, 100), Some(hand))?;
    desk.conn
        .warp_pointer(x11rb::NONE, desk.root, 0, 0, 0, 0, 550, 450)?;
    desk.sync()?;
    let hand_cursor = capturer.cursor()?;
    assert_eq!((hand_cursor.x, hand_cursor.y), (550, 450));
    assert_ne!(hand_cursor.image.serial, image.serial);
    assert_ne!(hand_cursor.image.argb, image.argb);
    Ok(())
}
