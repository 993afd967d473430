//! Screen capture for the support app: the [`Capturer`] trait and its X11 implementation.
//!
//! # Capture
//!
//! The support app (the program the customer runs) asks a [`Capturer`] for the
//! screen's [`Monitor`]s, then, once per frame, whether anything
//! [`changed`](Capturer::changed), a [`Frame`] of a monitor's [`Rect`] and the
//! [`Cursor`]. Everything platform-specific stays behind the trait, so the
//! encoder and the session code never see an X11, Windows or macOS type.
//!
//! ```no_run
//! # fn main() -> Result<(), capture::CaptureError> {
//! use capture::{Capturer, X11Capturer, X11Config};
//!
//! let mut capturer = X11Capturer::connect(&X11Config::default())?;
//! let monitor = capturer.monitors()?.remove(0);
//! let mut cursor_serial = None;
//! loop {
//!     // `None` means "cannot tell": capture anyway.
//!     if capturer.changed()?.is_none_or(|rects| !rects.is_empty()) {
//!         let frame = capturer.capture(monitor.rect)?;
//!         // Encode `frame.data()`: BGRA rows of `frame.stride()` bytes.
//!         # let _ = frame;
//!     }
//!     let cursor = capturer.cursor()?;
//!     if cursor_serial != Some(cursor.image.serial) {
//!         cursor_serial = Some(cursor.image.serial);
//!         // Send the cursor image; otherwise send only the position.
//!     }
//!     # break;
//! }
//! # Ok(())
//! # }
//! ```
//!
//! ## Layout
//! - `lib.rs` — the platform-neutral types and the [`Capturer`] trait.
//! - `error.rs` — [`CaptureError`].
//! - `x11/` — [`X11Capturer`]: x11rb over a pure-Rust connection (no libxcb).
//!   MIT-SHM `ShmGetImage` into one SysV segment (`x11/shm.rs`, the only
//!   `unsafe` code), with a plain `GetImage` fallback; RandR 1.5 monitors;
//!   DAMAGE for [`Capturer::changed`]; XFixes for the cursor.
//! - `testing.rs` (feature `testing`) — a throw-away Xvfb server for tests,
//!   also used by the `input` crate's tests.
//!
//! **Architecture invariant:** this crate captures pixels and nothing else. It
//! knows nothing of sessions, grants or encoders; the caller decides whether it
//! may capture (the agent checks its own grant first) and what to do with a
//! frame.
//!
//! ## Pixels
//! A [`Frame`] is BGRA, 4 bytes a pixel (blue first in memory), rows `stride`
//! bytes apart, top-down; this is X's native 32-bit ZPixmap on little-endian
//! machines and the native format of DXGI and ScreenCaptureKit too, so no
//! implementation converts. The fourth byte is padding on depth-24 screens
//! (Xvfb and Xorg leave it 0); treat it as undefined, not as alpha. A frame
//! borrows the capturer's buffer: it is valid until the next call on the
//! capturer, and no pixel is copied to hand it out.
//!
//! ## Other platforms (not written yet)
//! Each would be one more module chosen by `#[cfg]`, implementing the same trait.
//!
//! **Windows — DXGI Desktop Duplication.** `IDXGIOutput1::DuplicateOutput`
//! per monitor (one `IDXGIOutputDuplication` per output, enumerated through
//! `IDXGIFactory1::EnumAdapters1`/`EnumOutputs`; `DXGI_OUTPUT_DESC` gives the
//! name and desktop rectangle, `MONITORINFOF_PRIMARY` the primary);
//! `AcquireNextFrame` gives a GPU texture plus `DXGI_OUTDUPL_FRAME_INFO`, whose
//! dirty and move rectangles (`GetFrameDirtyRects`/`GetFrameMoveRects`) are
//! [`Capturer::changed`] and whose pointer fields (`PointerPosition`,
//! `LastMouseUpdateTime`, `GetFramePointerShape`) are [`Capturer::cursor`];
//! the texture is copied into one reusable `D3D11_USAGE_STAGING` texture and
//! `Map`ped, and [`Frame`] borrows the mapped memory (`RowPitch` is the stride)
//! until the next call. It needs the `windows` crate (D3D11, DXGI), a
//! per-monitor DPI-aware process, must run in the interactive user's session
//! (a service uses a helper process there) and must recreate the duplication
//! on `DXGI_ERROR_ACCESS_LOST` (desktop switch, UAC prompt, resolution
//! change). The secure desktop (UAC, Ctrl+Alt+Del) is only capturable from
//! a process running as SYSTEM on that desktop.
//!
//! **macOS — ScreenCaptureKit.** `SCShareableContent` lists the
//! `SCDisplay`s (id, frame; `CGMainDisplayID` is the primary; the name comes
//! from `NSScreen.localizedName`); an `SCStream` per display with an
//! `SCStreamConfiguration` of `kCVPixelFormatType_32BGRA` delivers
//! `CMSampleBuffer`s on a dispatch queue, so the implementation keeps the latest
//! `CVPixelBuffer`, locks its base address and lends it as [`Frame`]
//! (`CVPixelBufferGetBytesPerRow` is the stride). The frame's attachments carry
//! `SCStreamFrameInfo.dirtyRects` ([`Capturer::changed`]) and a status of
//! `idle` when nothing changed. `showsCursor = false` plus
//! `NSCursor.currentSystemCursor` (image, hot spot) and `CGEventGetLocation`
//! give [`Capturer::cursor`]. It needs macOS 12.3+, the user's Screen
//! Recording permission (TCC; `CGPreflightScreenCaptureAccess` /
//! `CGRequestScreenCaptureAccess`, granted per signed app), and an
//! Objective-C bridge crate (`objc2-screen-capture-kit`).

mod error;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(all(unix, not(target_os = "macos")))]
mod x11;

use std::fmt;

pub use error::CaptureError;
#[cfg(all(unix, not(target_os = "macos")))]
pub use x11::{ImageTransfer, X11Capturer, X11Config};

/// A rectangle in screen coordinates (pixels; the origin is the top-left of the
/// virtual screen that spans all monitors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    pub const fn new(x: i32, y: i32, width: u32, height: u32) -> Self {
        Self {
            x,
            y,
            width,
            height,
        }
    }

    pub const fn is_empty(&self) -> bool {
        self.width == 0 || self.height == 0
    }

    /// Whether `other` lies entirely inside `self`.
    pub fn contains(&self, other: &Rect) -> bool {
        let (x0, y0) = (i64::from(self.x), i64::from(self.y));
        let (x1, y1) = (x0 + i64::from(self.width), y0 + i64::from(self.height));
        let (ox0, oy0) = (i64::from(other.x), i64::from(other.y));
        let (ox1, oy1) = (ox0 + i64::from(other.width), oy0 + i64::from(other.height));
        x0 <= ox0 && y0 <= oy0 && ox1 <= x1 && oy1 <= y1
    }
}

impl fmt::Display for Rect {
    /// X geometry notation: `WIDTHxHEIGHT+X+Y`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}{:+}{:+}", self.width, self.height, self.x, self.y)
    }
}

/// One monitor: the part of the screen a technician picks to watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitor {
    /// Stable for as long as the capturer's connection lives, and unique among
    /// the monitors returned together. On X11 it is the atom of the monitor's
    /// RandR name; the whole-screen fallback uses 0.
    pub id: u32,
    /// What the system calls it, e.g. `DP-1` or `HDMI-A-0`.
    pub name: String,
    pub rect: Rect,
    /// The monitor the desktop treats as main. Exactly one monitor in a list is
    /// primary: if the system marks none, the first one is.
    pub primary: bool,
}

/// Captured pixels, borrowed from the capturer's buffer until its next call.
///
/// BGRA, 4 bytes a pixel, top-down rows `stride` bytes apart (see the
/// crate documentation for the fourth byte).
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    width: u32,
    height: u32,
    stride: usize,
    data: &'a [u8],
}

impl<'a> Frame<'a> {
    /// `None` unless `data` holds `height` rows of `stride ≥ width·4` bytes
    /// (the last row may stop after its pixels).
    pub fn new(width: u32, height: u32, stride: usize, data: &'a [u8]) -> Option<Self> {
        let row = usize::try_from(width).ok()?.checked_mul(4)?;
        let rows = usize::try_from(height).ok()?;
        let needed = match rows {
            0 => 0,
            n => stride.checked_mul(n - 1)?.checked_add(row)?,
        };
        (stride >= row && data.len() >= needed).then_some(Self {
            width,
            height,
            stride,
            data,
        })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes from the start of one row to the start of the next.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// All rows, `stride` bytes apart.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The `width·4` pixel bytes of row `y`, without the row's padding.
    pub fn row(&self, y: u32) -> Option<&'a [u8]> {
        if y >= self.height {
            return None;
        }
        let start = usize::try_from(y).ok()?.checked_mul(self.stride)?;
        let len = usize::try_from(self.width).ok()?.checked_mul(4)?;
        self.data.get(start..start.checked_add(len)?)
    }

    /// The `[b, g, r, x]` bytes of the pixel at (`x`, `y`), relative to the frame.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width {
            return None;
        }
        let row = self.row(y)?;
        let at = usize::try_from(x).ok()?.checked_mul(4)?;
        row.get(at..at + 4)?.try_into().ok()
    }
}

/// Where the pointer is and what it looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The pointer's hot spot in screen coordinates.
    pub x: i32,
    pub y: i32,
    pub image: CursorImage,
}

/// The pointer's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorImage {
    /// Changes whenever the shape changes; send the image again only then.
    pub serial: u32,
    pub width: u32,
    pub height: u32,
    /// The hot spot's position inside the image.
    pub hotspot_x: u32,
    pub hotspot_y: u32,
    /// `width·height` pixels, row by row, as `0xAARRGGBB` with premultiplied
    /// alpha (the X Render convention; on little-endian memory that is BGRA).
    pub argb: Vec<u32>,
}

/// A source of screen pixels. One per display connection; not shared between
/// threads (`&mut self` everywhere) but movable to the capture thread.
pub trait Capturer: Send {
    /// The monitors as they are now. Call again after a resolution or layout
    /// change (for example when [`capture`](Capturer::capture) reports
    /// [`CaptureError::OutOfBounds`]).
    fn monitors(&mut self) -> Result<Vec<Monitor>, CaptureError>;

    /// The pixels of `area`, which must be non-empty and inside the screen
    /// (usually a [`Monitor::rect`]). The frame borrows the capturer's buffer.
    fn capture(&mut self, area: Rect) -> Result<Frame<'_>, CaptureError>;

    /// Like [`capture`](Capturer::capture), but only rows `rows` (of the
    /// frame, `0..area.height` at most) must be fresh: the others may hold the
    /// pixels of the previous capture of the same `area`. A caller that knows
    /// from [`changed`](Capturer::changed) where the screen was drawn spares the
    /// copying of everything else. The default captures everything.
    fn capture_rows(
        &mut self,
        area: Rect,
        rows: std::ops::Range<u32>,
    ) -> Result<Frame<'_>, CaptureError> {
        let _ = rows;
        self.capture(area)
    }

    /// [`capture_rows`](Capturer::capture_rows), then ask the display at once
    /// what changed since, so that the next [`changed`](Capturer::changed)
    /// finds its answer waiting instead of making a round trip to a server
    /// that may be busy drawing. For a caller that comes straight back: what
    /// is drawn between this call and that `changed()` is reported only by
    /// the `changed()` after it (call `changed()` twice to catch it sooner).
    fn capture_rows_then_ask(
        &mut self,
        area: Rect,
        rows: std::ops::Range<u32>,
    ) -> Result<Frame<'_>, CaptureError> {
        self.capture_rows(area, rows)
    }

    /// What changed on screen since the previous call, so a caller can skip
    /// capturing and encoding an unchanged screen.
    ///
    /// - `Ok(None)`: this capturer cannot tell; treat everything as changed.
    /// - `Ok(Some(rects))` with `rects` empty: nothing changed since the
    ///   previous call.
    /// - `Ok(Some(rects))` otherwise: the union of `rects` (screen coordinates,
    ///   not clipped to any monitor, possibly overlapping) covers everything
    ///   drawn since the previous call. It may cover more than was really
    ///   changed (drawing the same pixels again still counts). The first call
    ///   reports the whole screen, since nothing is known about before it.
    ///
    /// Changes made before the call returns are reported by this call or the
    /// next one, never lost: call `changed()` first, then `capture()`.
    fn changed(&mut self) -> Result<Option<Vec<Rect>>, CaptureError> {
        Ok(None)
    }

    /// Waits until the display reports a drawing, but at most `timeout`;
    /// returns whether one was reported (then [`changed`](Capturer::changed)
    /// has something to say). For a caller with nothing else to do: a still
    /// screen then costs no round trips, and a drawing is seen at once. The
    /// default, for capturers that cannot tell, sleeps out the timeout.
    fn wait_for_drawing(&mut self, timeout: std::time::Duration) -> Result<bool, CaptureError> {
        std::thread::sleep(timeout);
        Ok(true)
    }

    /// The pointer's position and shape. Captured frames never contain the
    /// pointer: the viewer draws it from this.
    fn cursor(&mut self) -> Result<Cursor, CaptureError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rect_contains_and_displays() {
        let screen = Rect::new(0, 0, 1280, 720);
        assert!(screen.contains(&Rect::new(640, 0, 640, 720)));
        assert!(!screen.contains(&Rect::new(641, 0, 640, 720)));
        assert!(!screen.contains(&Rect::new(-1, 0, 10, 10)));
        assert_eq!(Rect::new(-5, 3, 640, 480).to_string(), "640x480-5+3");
    }

    #[test]
    fn frame_checks_its_buffer_and_indexes_pixels() {
        // 2×2 pixels, rows padded to 12 bytes.
        let data: Vec<u8> = (0..20).collect();
        let frame = Frame::new(2, 2, 12, &data).expect("buffer is large enough");
        assert_eq!(frame.pixel(0, 0), Some([0, 1, 2, 3]));
        assert_eq!(frame.pixel(1, 1), Some([16, 17, 18, 19]));
        assert_eq!(frame.pixel(2, 0), None);
        assert_eq!(frame.row(1), Some(&data[12..20]));
        assert!(Frame::new(2, 2, 12, &data[..19]).is_none());
        assert!(Frame::new(2, 2, 7, &data).is_none());
        assert!(Frame::new(0, 0, 0, &[]).is_some());
    }
}
