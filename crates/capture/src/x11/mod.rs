//! [`X11Capturer`]: screen capture from an X server through x11rb.

mod shm;

use std::time::{Duration, Instant};

use x11rb::connection::{Connection, RequestConnection, SequenceNumber};
use x11rb::cookie::{Cookie, VoidCookie};
use x11rb::errors::ReplyError;
use x11rb::protocol::Event;
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::randr::{self, ConnectionExt as _};
use x11rb::protocol::shm::{self as xshm, ConnectionExt as _};
use x11rb::protocol::xfixes::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat, ImageOrder, Screen, Setup, Window};
use x11rb::rust_connection::RustConnection;

use crate::error::Context;
use crate::{CaptureError, Capturer, Cursor, CursorImage, Frame, Monitor, Rect};
use shm::Segment;

/// How pixels travel from the X server to us.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImageTransfer {
    /// Shared memory if the server offers it and can attach our segment (it
    /// cannot over TCP or from another IPC namespace), else `GetImage`.
    #[default]
    Auto,
    /// MIT-SHM `ShmGetImage` into a SysV segment: the server writes the pixels
    /// straight into our memory (≈0.5 ms for 1080p). Fails to connect if the
    /// server cannot attach the segment.
    SharedMemory,
    /// Plain `GetImage`: the pixels come through the socket (13–26 ms for
    /// 1080p). Works everywhere, including remote displays.
    GetImage,
}

/// How to connect an [`X11Capturer`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct X11Config {
    /// An X display name such as `:0`; `None` uses `$DISPLAY`.
    pub display: Option<String>,
    pub image_transfer: ImageTransfer,
}

/// Captures the screen of one X display.
///
/// It owns its own connection, so capturing never waits behind another part
/// of the program. The root window is captured, i.e. what is on screen without
/// the pointer (see [`Capturer::cursor`]).
#[derive(Debug)]
pub struct X11Capturer {
    conn: RustConnection,
    root: Window,
    /// The root window's size, refreshed when a caller's area does not fit.
    screen: Rect,
    transfer: Transfer,
    damage: Damage,
    /// RandR 1.5 (`RRGetMonitors`) is available.
    randr_monitors: bool,
    /// XFixes is available (cursor image, regions).
    xfixes: bool,
    /// Why [`ImageTransfer::Auto`] fell back to `GetImage`.
    shm_fallback: Option<CaptureError>,
    /// A cursor request sent along with the damage query, so that the
    /// caller's `cursor()` finds its answer waiting instead of making one
    /// more round trip to a server that may be busy drawing.
    pending_cursor: Option<SequenceNumber>,
    /// A damage query sent right after a capture (see
    /// [`Capturer::capture_rows_then_ask`]): its DamageSubtract and
    /// XFixesFetchRegion, whose answers the next `changed()` reads.
    pending_damage: Option<(SequenceNumber, SequenceNumber)>,
    /// A DamageNotify arrived since the last DamageSubtract was sent: the
    /// damage region is not empty. Without it `changed()` needs no round
    /// trip (the region only ever empties when we subtract it, and its
    /// first drawing after that sends the event).
    damaged: bool,
}

#[derive(Debug)]
enum Transfer {
    Shm {
        segment: Segment,
        seg: xshm::Seg,
        /// The area whose whole picture the segment holds, if any: a later
        /// capture of it may refresh only some rows.
        holds: Option<Rect>,
    },
    /// Holds the last reply's pixels so the frame can borrow them.
    GetImage { pixels: Vec<u8> },
}

#[derive(Debug)]
enum Damage {
    /// The server lacks DAMAGE or XFixes 2 (regions).
    Unavailable,
    /// Tracking starts with the first [`Capturer::changed`] call, so a caller
    /// that never asks costs the server nothing.
    NotStarted,
    Tracking {
        damage: damage::Damage,
        region: xfixes::Region,
    },
}

impl X11Capturer {
    /// Connects to the display and checks that its pixels are 32-bit BGRA.
    pub fn connect(config: &X11Config) -> Result<Self, CaptureError> {
        let (conn, screen_index) =
            RustConnection::connect(config.display.as_deref()).map_err(|source| {
                CaptureError::Connect {
                    display: config
                        .display
                        .clone()
                        .or_else(|| std::env::var("DISPLAY").ok())
                        .unwrap_or_else(|| "(DISPLAY is not set)".to_owned()),
                    source: Box::new(source),
                }
            })?;
        let setup = conn.setup();
        let screen = setup
            .roots
            .get(screen_index)
            .ok_or_else(|| CaptureError::Unsupported(format!("a screen number {screen_index}")))?;
        check_pixel_format(setup, screen)?;
        let root = screen.root;
        let screen_rect = Rect::new(
            0,
            0,
            screen.width_in_pixels.into(),
            screen.height_in_pixels.into(),
        );

        let randr_monitors = has_extension(&conn, randr::X11_EXTENSION_NAME)? && {
            let version = conn
                .randr_query_version(1, 5)
                .during("X11 RRQueryVersion")?
                .reply()
                .during("X11 RRQueryVersion")?;
            (version.major_version, version.minor_version) >= (1, 5)
        };
        // XFixes must be told our version before any other XFixes request.
        let xfixes_version = if has_extension(&conn, xfixes::X11_EXTENSION_NAME)? {
            let version = conn
                .xfixes_query_version(5, 0)
                .during("X11 XFixesQueryVersion")?
                .reply()
                .during("X11 XFixesQueryVersion")?;
            Some(version.major_version)
        } else {
            None
        };
        let damage =
            if xfixes_version >= Some(2) && has_extension(&conn, damage::X11_EXTENSION_NAME)? {
                Damage::NotStarted
            } else {
                Damage::Unavailable
            };

        let get_image = || Transfer::GetImage { pixels: Vec::new() };
        let mut shm_fallback = None;
        let transfer = match config.image_transfer {
            ImageTransfer::GetImage => get_image(),
            ImageTransfer::SharedMemory => {
                let (segment, seg) = attach_shm(&conn, frame_len(&screen_rect))?;
                Transfer::Shm {
                    segment,
                    seg,
                    holds: None,
                }
            }
            ImageTransfer::Auto => match attach_shm(&conn, frame_len(&screen_rect)) {
                Ok((segment, seg)) => Transfer::Shm {
                    segment,
                    seg,
                    holds: None,
                },
                // Remote displays, other IPC namespaces and servers without
                // MIT-SHM land here; GetImage is slower but always works.
                Err(error) => {
                    shm_fallback = Some(error);
                    get_image()
                }
            },
        };

        Ok(Self {
            conn,
            root,
            screen: screen_rect,
            transfer,
            damage,
            randr_monitors,
            xfixes: xfixes_version.is_some(),
            shm_fallback,
            pending_cursor: None,
            pending_damage: None,
            damaged: false,
        })
    }

    /// The transfer in use: [`ImageTransfer::SharedMemory`] or
    /// [`ImageTransfer::GetImage`].
    pub fn image_transfer(&self) -> ImageTransfer {
        match self.transfer {
            Transfer::Shm { .. } => ImageTransfer::SharedMemory,
            Transfer::GetImage { .. } => ImageTransfer::GetImage,
        }
    }

    /// Why shared memory is not in use although [`ImageTransfer::Auto`] asked
    /// for it, for the caller to log.
    pub fn shm_fallback_reason(&self) -> Option<&CaptureError> {
        self.shm_fallback.as_ref()
    }

    fn refresh_screen(&mut self) -> Result<(), CaptureError> {
        let geometry = self
            .conn
            .get_geometry(self.root)
            .during("X11 GetGeometry")?
            .reply()
            .during("X11 GetGeometry")?;
        self.screen = Rect::new(0, 0, geometry.width.into(), geometry.height.into());
        Ok(())
    }

    /// `area` in X's coordinate types, once it is known to lie on the screen.
    fn checked_area(&mut self, area: Rect) -> Result<(i16, i16, u16, u16), CaptureError> {
        if area.is_empty() || !self.screen.contains(&area) {
            // The screen may have been resized since we last looked.
            self.refresh_screen()?;
        }
        let out_of_bounds = || CaptureError::OutOfBounds {
            area,
            screen: self.screen,
        };
        if area.is_empty() || !self.screen.contains(&area) {
            return Err(out_of_bounds());
        }
        // The screen itself fits X's 16-bit coordinates, so anything inside does.
        Ok((
            i16::try_from(area.x).map_err(|_| out_of_bounds())?,
            i16::try_from(area.y).map_err(|_| out_of_bounds())?,
            u16::try_from(area.width).map_err(|_| out_of_bounds())?,
            u16::try_from(area.height).map_err(|_| out_of_bounds())?,
        ))
    }

    /// Starts DAMAGE tracking on the root window (and so on everything drawn
    /// on screen).
    fn start_damage(&mut self) -> Result<(), CaptureError> {
        // DAMAGE, too, must be told our version first.
        self.conn
            .damage_query_version(1, 1)
            .during("X11 DamageQueryVersion")?
            .reply()
            .during("X11 DamageQueryVersion")?;
        let damage = self.conn.generate_id().during("X11 allocate an id")?;
        let region = self.conn.generate_id().during("X11 allocate an id")?;
        // NonEmpty sends one event when the damage becomes non-empty, not one
        // per drawing request: we fetch the region ourselves anyway.
        let create = self
            .conn
            .damage_create(damage, self.root, damage::ReportLevel::NON_EMPTY)
            .during("X11 DamageCreate")?;
        let region_cookie = self
            .conn
            .xfixes_create_region(region, &[])
            .during("X11 XFixesCreateRegion")?;
        // A new damage object starts out covering the whole window. The first
        // `changed()` reports the whole screen anyway, so drop that.
        let clear = self
            .conn
            .damage_subtract(damage, x11rb::NONE, x11rb::NONE)
            .during("X11 DamageSubtract")?;
        create.check().during("X11 DamageCreate")?;
        region_cookie.check().during("X11 XFixesCreateRegion")?;
        clear.check().during("X11 DamageSubtract")?;
        self.damage = Damage::Tracking { damage, region };
        Ok(())
    }

    /// Captures `rows` of `area`; with `ask`, sends a damage query right
    /// after the pixels arrived (see [`Capturer::capture_rows_then_ask`]).
    fn capture_rows_asking(
        &mut self,
        area: Rect,
        rows: std::ops::Range<u32>,
        ask: bool,
    ) -> Result<Frame<'_>, CaptureError> {
        self.transfer_rows(area, rows)?;
        if ask {
            self.ask_after_capture()?;
        }
        let len = frame_len(&area);
        let pixels: &[u8] = match &self.transfer {
            Transfer::Shm { segment, .. } => segment.bytes().get(..len).unwrap_or_default(),
            Transfer::GetImage { pixels } => pixels,
        };
        Frame::new(area.width, area.height, area.width as usize * 4, pixels).ok_or_else(|| {
            CaptureError::Unsupported(format!(
                "an image of {} bytes for {area} (expected {len})",
                pixels.len()
            ))
        })
    }

    /// Brings `rows` of `area` (all of it unless the buffer holds the rest
    /// from before) into the buffer the frame borrows.
    fn transfer_rows(
        &mut self,
        area: Rect,
        rows: std::ops::Range<u32>,
    ) -> Result<(), CaptureError> {
        let (x, y, width, height) = self.checked_area(area)?;
        let len = frame_len(&area);
        let format = ImageFormat::Z_PIXMAP;
        let partial = matches!(&self.transfer, Transfer::Shm { holds, .. } if *holds == Some(area))
            && rows.start < rows.end
            && rows.end <= area.height;
        match &mut self.transfer {
            Transfer::Shm {
                segment,
                seg,
                holds,
            } => {
                if partial {
                    // Rows are whole lines of the frame, so a band of them lands
                    // at its place in the segment.
                    let (top, count) = (
                        u16::try_from(rows.start).unwrap_or(0),
                        u16::try_from(rows.end - rows.start).unwrap_or(height),
                    );
                    let offset = u32::from(top) * u32::from(width) * 4;
                    let band_y = y.saturating_add_unsigned(top);
                    self.conn
                        .shm_get_image(
                            self.root,
                            x,
                            band_y,
                            width,
                            count,
                            !0,
                            format.into(),
                            *seg,
                            offset,
                        )
                        .during("X11 ShmGetImage")?
                        .reply()
                        .during("X11 ShmGetImage")?;
                    return Ok(());
                }
                *holds = None;
                if segment.len() < len {
                    // The screen grew: attach a bigger segment, then let the
                    // old one go.
                    let (bigger, bigger_seg) = attach_shm(&self.conn, len)?;
                    self.conn
                        .shm_detach(*seg)
                        .during("X11 ShmDetach")?
                        .check()
                        .during("X11 ShmDetach")?;
                    *segment = bigger;
                    *seg = bigger_seg;
                }
                let reply = self
                    .conn
                    .shm_get_image(self.root, x, y, width, height, !0, format.into(), *seg, 0)
                    .during("X11 ShmGetImage")?
                    .reply()
                    .during("X11 ShmGetImage")?;
                let size = usize::try_from(reply.size).unwrap_or(usize::MAX);
                if size != len {
                    return Err(CaptureError::Unsupported(format!(
                        "ShmGetImage returning {size} bytes for {area} (expected {len})"
                    )));
                }
                *holds = Some(area);
            }
            Transfer::GetImage { pixels } => {
                let reply = self
                    .conn
                    .get_image(format, self.root, x, y, width, height, !0)
                    .during("X11 GetImage")?
                    .reply()
                    .during("X11 GetImage")?;
                *pixels = reply.data;
            }
        }
        Ok(())
    }

    /// Sends the next damage query right after a capture (see
    /// [`Capturer::capture_rows_then_ask`]), unless damage is not tracked or
    /// a query is already on its way.
    fn ask_after_capture(&mut self) -> Result<(), CaptureError> {
        if let Damage::Tracking { damage, region } = self.damage
            && self.pending_damage.is_none()
        {
            take_events(&self.conn, &mut self.damaged)?;
            self.pending_damage = Some(ask_damage(
                &self.conn,
                (damage, region),
                self.xfixes,
                &mut self.pending_cursor,
                &mut self.damaged,
            )?);
        }
        Ok(())
    }
}

impl Capturer for X11Capturer {
    fn monitors(&mut self) -> Result<Vec<Monitor>, CaptureError> {
        self.refresh_screen()?;
        let mut monitors = Vec::new();
        if self.randr_monitors {
            let reply = self
                .conn
                .randr_get_monitors(self.root, true)
                .during("X11 RRGetMonitors")?
                .reply()
                .during("X11 RRGetMonitors")?;
            // Ask for every name before waiting for the first: one round trip.
            let names = reply
                .monitors
                .iter()
                .map(|info| self.conn.get_atom_name(info.name))
                .collect::<Result<Vec<_>, _>>()
                .during("X11 GetAtomName")?;
            for (info, name) in reply.monitors.iter().zip(names) {
                let name = name.reply().during("X11 GetAtomName")?.name;
                let rect = Rect::new(
                    info.x.into(),
                    info.y.into(),
                    info.width.into(),
                    info.height.into(),
                );
                if rect.is_empty() {
                    continue;
                }
                monitors.push(Monitor {
                    id: info.name,
                    name: String::from_utf8_lossy(&name).into_owned(),
                    rect,
                    primary: info.primary,
                });
            }
        }
        if monitors.is_empty() {
            // No RandR 1.5, or no active output: the whole screen is one monitor.
            monitors.push(Monitor {
                id: 0,
                name: "screen".to_owned(),
                rect: self.screen,
                primary: true,
            });
        }
        if !monitors.iter().any(|monitor| monitor.primary)
            && let Some(first) = monitors.first_mut()
        {
            first.primary = true;
        }
        Ok(monitors)
    }

    fn capture(&mut self, area: Rect) -> Result<Frame<'_>, CaptureError> {
        self.capture_rows(area, 0..area.height)
    }

    fn capture_rows(
        &mut self,
        area: Rect,
        rows: std::ops::Range<u32>,
    ) -> Result<Frame<'_>, CaptureError> {
        self.capture_rows_asking(area, rows, false)
    }

    fn capture_rows_then_ask(
        &mut self,
        area: Rect,
        rows: std::ops::Range<u32>,
    ) -> Result<Frame<'_>, CaptureError> {
        self.capture_rows_asking(area, rows, true)
    }

    fn changed(&mut self) -> Result<Option<Vec<Rect>>, CaptureError> {
        let (damage, region) = match self.damage {
            Damage::Unavailable => return Ok(None),
            Damage::NotStarted => {
                self.start_damage()?;
                self.refresh_screen()?;
                return Ok(Some(vec![self.screen]));
            }
            Damage::Tracking { damage, region } => (damage, region),
        };
        let (subtract, fetch) = match self.pending_damage.take() {
            Some(sent) => sent,
            None => {
                take_events(&self.conn, &mut self.damaged)?;
                if !self.damaged {
                    return Ok(Some(Vec::new()));
                }
                ask_damage(
                    &self.conn,
                    (damage, region),
                    self.xfixes,
                    &mut self.pending_cursor,
                    &mut self.damaged,
                )?
            }
        };
        let fetch = Cookie::<_, xfixes::FetchRegionReply>::new(&self.conn, fetch);
        let subtract = VoidCookie::new(&self.conn, subtract);
        let reply = fetch.reply().during("X11 XFixesFetchRegion")?;
        subtract.check().during("X11 DamageSubtract")?;
        Ok(Some(
            reply
                .rectangles
                .iter()
                .map(|r| Rect::new(r.x.into(), r.y.into(), r.width.into(), r.height.into()))
                .filter(|rect| !rect.is_empty())
                .collect(),
        ))
    }

    /// After [`changed`](Capturer::changed), answers as of that call: the
    /// request went with the damage query.
    fn wait_for_drawing(&mut self, timeout: Duration) -> Result<bool, CaptureError> {
        if !matches!(self.damage, Damage::Tracking { .. }) {
            std::thread::sleep(timeout);
            return Ok(true);
        }
        let deadline = Instant::now() + timeout;
        loop {
            take_events(&self.conn, &mut self.damaged)?;
            if self.damaged || self.pending_damage.is_some() {
                return Ok(true);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            let left = rustix::event::Timespec::try_from(left).unwrap_or(rustix::event::Timespec {
                tv_sec: 1,
                tv_nsec: 0,
            });
            let mut fds = [rustix::event::PollFd::new(
                self.conn.stream(),
                rustix::event::PollFlags::IN,
            )];
            match rustix::event::poll(&mut fds, Some(&left)) {
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e).during("waiting for the X server"),
            }
        }
    }

    fn cursor(&mut self) -> Result<Cursor, CaptureError> {
        if !self.xfixes {
            // Without XFixes the shape is unknown; the viewer draws its own
            // arrow at the position.
            let pointer = self
                .conn
                .query_pointer(self.root)
                .during("X11 QueryPointer")?
                .reply()
                .during("X11 QueryPointer")?;
            return Ok(Cursor {
                x: pointer.root_x.into(),
                y: pointer.root_y.into(),
                image: CursorImage {
                    serial: 0,
                    width: 0,
                    height: 0,
                    hotspot_x: 0,
                    hotspot_y: 0,
                    argb: Vec::new(),
                },
            });
        }
        let reply = match self.pending_cursor.take() {
            Some(sent) => Cookie::<_, xfixes::GetCursorImageReply>::new(&self.conn, sent).reply(),
            None => self
                .conn
                .xfixes_get_cursor_image()
                .during("X11 XFixesGetCursorImage")?
                .reply(),
        }
        .during("X11 XFixesGetCursorImage")?;
        Ok(Cursor {
            x: reply.x.into(),
            y: reply.y.into(),
            image: CursorImage {
                serial: reply.cursor_serial,
                width: reply.width.into(),
                height: reply.height.into(),
                hotspot_x: reply.xhot.into(),
                hotspot_y: reply.yhot.into(),
                argb: reply.cursor_image,
            },
        })
    }
}

/// Sends DamageSubtract (moving what was drawn into `region`) and
/// XFixesFetchRegion, and a cursor query to ride along; returns the first
/// two's sequence numbers for reading the answers later.
fn ask_damage(
    conn: &RustConnection,
    (damage, region): (damage::Damage, xfixes::Region),
    xfixes: bool,
    pending_cursor: &mut Option<SequenceNumber>,
    damaged: &mut bool,
) -> Result<(SequenceNumber, SequenceNumber), CaptureError> {
    // The caller took the queued events: the subtract covers every drawing
    // they told of, and the next one sends an event.
    *damaged = false;
    let subtract = conn
        .damage_subtract(damage, x11rb::NONE, region)
        .during("X11 DamageSubtract")?;
    let fetch = conn
        .xfixes_fetch_region(region)
        .during("X11 XFixesFetchRegion")?;
    if xfixes {
        // An answer nobody asked for is dropped: its cookie discards it.
        if let Some(stale) = pending_cursor.take() {
            drop(Cookie::<_, xfixes::GetCursorImageReply>::new(conn, stale));
        }
        let cursor = conn
            .xfixes_get_cursor_image()
            .during("X11 XFixesGetCursorImage")?;
        *pending_cursor = Some(cursor.sequence_number());
        // Kept for `cursor()`: a dropped cookie would discard the answer.
        std::mem::forget(cursor);
    }
    let sent = (subtract.sequence_number(), fetch.sequence_number());
    // Read by `changed()`, which rebuilds the cookies from these numbers.
    std::mem::forget(subtract);
    std::mem::forget(fetch);
    Ok(sent)
}

/// Takes the queued events: DamageNotify sets `damaged`; any other event
/// is an error reply to a request nobody checked.
fn take_events(conn: &RustConnection, damaged: &mut bool) -> Result<(), CaptureError> {
    while let Some(event) = conn.poll_for_event().during("X11 read events")? {
        match event {
            Event::DamageNotify(_) => *damaged = true,
            Event::Error(error) => {
                return Err(ReplyError::X11Error(error)).during("X11 unchecked request");
            }
            _ => {}
        }
    }
    Ok(())
}

fn has_extension(conn: &RustConnection, name: &'static str) -> Result<bool, CaptureError> {
    Ok(conn
        .extension_information(name)
        .during("X11 QueryExtension")?
        .is_some())
}

/// Bytes of a BGRA frame of `area`.
fn frame_len(area: &Rect) -> usize {
    // u32 × u32 × 4 fits in u64; usize is 64 bits wherever X11 runs.
    usize::try_from(u64::from(area.width) * u64::from(area.height) * 4).unwrap_or(usize::MAX)
}

/// Creates a segment of `len` bytes and has the server attach it.
fn attach_shm(conn: &RustConnection, len: usize) -> Result<(Segment, xshm::Seg), CaptureError> {
    if !has_extension(conn, xshm::X11_EXTENSION_NAME)? {
        return Err(CaptureError::Unsupported("MIT-SHM".to_owned()));
    }
    conn.shm_query_version()
        .during("X11 ShmQueryVersion")?
        .reply()
        .during("X11 ShmQueryVersion")?;
    let mut segment = Segment::create(len).map_err(|source| CaptureError::SharedMemory {
        call: "shmget/shmat",
        source,
    })?;
    let seg = conn.generate_id().during("X11 allocate an id")?;
    conn.shm_attach(seg, segment.id(), false)
        .during("X11 ShmAttach")?
        .check()
        .during("X11 ShmAttach")?;
    // Both sides are attached: from now on the kernel frees the segment when
    // both detach, crash or not.
    segment
        .mark_for_removal()
        .map_err(|source| CaptureError::SharedMemory {
            call: "shmctl(IPC_RMID)",
            source,
        })?;
    Ok((segment, seg))
}

/// Accepts only what [`Frame`] promises: 32-bit pixels, blue in the low byte,
/// little-endian.
fn check_pixel_format(setup: &Setup, screen: &Screen) -> Result<(), CaptureError> {
    if setup.image_byte_order != ImageOrder::LSB_FIRST {
        return Err(CaptureError::Unsupported(
            "little-endian (LSBFirst) images".to_owned(),
        ));
    }
    let depth = screen.root_depth;
    let bits_per_pixel = setup
        .pixmap_formats
        .iter()
        .find(|format| format.depth == depth)
        .map(|format| format.bits_per_pixel);
    if bits_per_pixel != Some(32) {
        return Err(CaptureError::Unsupported(format!(
            "32-bit pixels (the root window has depth {depth} at {bits_per_pixel:?} bits a pixel)"
        )));
    }
    let visual = screen
        .allowed_depths
        .iter()
        .flat_map(|allowed| &allowed.visuals)
        .find(|visual| visual.visual_id == screen.root_visual);
    match visual {
        Some(v) if (v.red_mask, v.green_mask, v.blue_mask) == (0xff_0000, 0xff00, 0xff) => Ok(()),
        _ => Err(CaptureError::Unsupported(
            "a root visual with 8-bit red, green and blue in that order".to_owned(),
        )),
    }
}
