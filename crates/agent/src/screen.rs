//! The capture thread: takes pictures of the chosen monitor while — and only
//! while — the app holds a grant, and hands encoded updates to the
//! connection. Capture is blocking platform work, so it runs on its own
//! thread; the connection's small channel paces it (a slow network slows
//! capture instead of queueing pictures). The capturer's damage report
//! decides whether a picture is taken at all and where the encoder looks for
//! changes.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use capture::{Capturer, Monitor, Rect};
use codec::{Area, CursorShape, Encoder, EncoderConfig, Pixels};

use crate::pace::{Look, Pace};
use crate::video::VideoThread;
use tokio::sync::mpsc;

/// How long the screen stands still before lossy areas are refined.
const STILL: Duration = Duration::from_millis(150);

/// How long after input a small new drawing is sent ahead of the rest.
const ANSWER_FIRST: Duration = Duration::from_millis(50);

/// A nap up to this long leaves the damage query sent before it standing.
const SHORT_NAP: Duration = Duration::from_millis(2);

/// A message for the viewer, tagged with the grant it was captured under.
#[derive(Debug)]
pub struct Update {
    pub epoch: u64,
    pub bytes: Vec<u8>,
}

/// The connection's queue of updates, shared by the capture loop and the
/// video thread. It numbers update messages as they enter the queue, so the
/// viewer sees consecutive frame numbers (a gap means a lost frame to it)
/// whichever thread made them.
#[derive(Debug)]
pub struct Outbox {
    queue: mpsc::Sender<Update>,
    next_frame: Mutex<u32>,
}

impl Outbox {
    pub fn new(queue: mpsc::Sender<Update>) -> Outbox {
        Outbox {
            queue,
            next_frame: Mutex::new(0),
        }
    }

    /// Queues `bytes`, captured under `epoch`, waiting while the queue is
    /// full; false once the connection's side is gone.
    pub fn send(&self, epoch: u64, mut bytes: Vec<u8>) -> bool {
        // Held while queueing: the numbers follow the queue's order.
        let mut next = self.next_frame.lock().unwrap_or_else(|p| p.into_inner());
        if codec::set_frame_number(&mut bytes, *next) {
            *next = next.wrapping_add(1);
        }
        self.queue.blocking_send(Update { epoch, bytes }).is_ok()
    }
}

/// What the connection and the capture thread share.
#[derive(Debug, Default)]
pub struct ShareControl {
    /// The grant's epoch while sharing is allowed; 0 stops capture at once.
    epoch: AtomicU64,
    keyframe: AtomicBool,
    monitor: AtomicU32,
    quit: AtomicBool,
    wake: (Mutex<()>, Condvar),
    /// Input batches injected so far, and when the latest one was: right
    /// after input the screen is looked at more often, so what it caused
    /// reaches the viewer without waiting for the next regular frame.
    inputs: AtomicU64,
    last_input: Mutex<Option<Instant>>,
    /// Top-left of the monitor being shown, for turning the viewer's
    /// coordinates into screen coordinates.
    origin: Mutex<(i32, i32)>,
    /// How large the technician's viewer shows the picture (device pixels),
    /// width in the high half; 0 until it said.
    view: AtomicU64,
}

impl ShareControl {
    pub fn start(&self, epoch: u64) {
        self.keyframe.store(true, Ordering::SeqCst);
        self.epoch.store(epoch, Ordering::SeqCst);
        self.notify();
    }

    pub fn stop(&self) {
        self.epoch.store(0, Ordering::SeqCst);
    }

    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    pub fn request_keyframe(&self) {
        self.keyframe.store(true, Ordering::SeqCst);
        self.notify();
    }

    pub fn select_monitor(&self, id: u32) {
        self.monitor.store(id, Ordering::SeqCst);
        self.request_keyframe();
    }

    /// The technician's viewer shows the picture `width` × `height` large.
    pub fn set_view(&self, width: u32, height: u32) {
        self.view
            .store(u64::from(width) << 32 | u64::from(height), Ordering::SeqCst);
    }

    fn view(&self) -> Option<(u32, u32)> {
        let v = self.view.load(Ordering::SeqCst);
        (v != 0).then_some(((v >> 32) as u32, v as u32))
    }

    pub fn origin(&self) -> (i32, i32) {
        *self.origin.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The input thread injected a batch: look at the screen soon.
    pub fn input_injected(&self) {
        *self.last_input.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        self.inputs.fetch_add(1, Ordering::SeqCst);
        self.notify();
    }

    fn since_input(&self) -> Option<Duration> {
        self.last_input
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|at| at.elapsed())
    }

    /// Sleeps up to `timeout`, less if input arrives (after `seen` batches) or on quit.
    fn nap(&self, timeout: Duration, seen: u64) {
        let guard = self.wake.0.lock().unwrap_or_else(|p| p.into_inner());
        if self.inputs.load(Ordering::SeqCst) == seen && !self.quit.load(Ordering::SeqCst) {
            let _ = self.wake.1.wait_timeout(guard, timeout);
        }
    }

    pub fn quit(&self) {
        self.stop();
        self.quit.store(true, Ordering::SeqCst);
        self.notify();
    }

    fn notify(&self) {
        let _guard = self.wake.0.lock().unwrap_or_else(|p| p.into_inner());
        self.wake.1.notify_all();
    }

    fn wait(&self, timeout: Duration) {
        let guard = self.wake.0.lock().unwrap_or_else(|p| p.into_inner());
        if self.epoch() == 0 && !self.quit.load(Ordering::SeqCst) {
            let _ = self.wake.1.wait_timeout(guard, timeout);
        }
    }
}

pub fn monitor_info(monitors: &[Monitor]) -> Vec<protocol::MonitorInfo> {
    monitors
        .iter()
        .map(|m| protocol::MonitorInfo {
            id: m.id,
            name: m.name.clone(),
            x: m.rect.x,
            y: m.rect.y,
            width: m.rect.width,
            height: m.rect.height,
            primary: m.primary,
        })
        .collect()
}

/// Runs the capture loop until `control.quit()`.
pub fn run(
    capturer: Box<dyn Capturer>,
    control: Arc<ShareControl>,
    out: mpsc::Sender<Update>,
    fps: u32,
) {
    let mut capture = CaptureLoop::new(capturer, control, Arc::new(Outbox::new(out)), fps);
    while !capture.control.quit.load(Ordering::SeqCst) {
        capture.turn();
    }
}

/// The capture loop's state from one look at the screen to the next.
struct CaptureLoop {
    capturer: Box<dyn Capturer>,
    control: Arc<ShareControl>,
    out: Arc<Outbox>,
    clock: Instant,
    pace: Pace,
    encoder: Encoder,
    video: Option<VideoThread>,
    /// The encoder starts from nothing: capture every row, not just the
    /// damaged ones.
    fresh: bool,
    /// When something was last drawn, so that lossy video is refined only
    /// once the screen has stood still (calls without damage in between
    /// would break the video's own detection of what keeps changing).
    last_drawn: Instant,
    damage: Vec<Area>,
    /// What the last whole look found drawn, what a look that sent an
    /// answer to input first left for the next one, and the batch of input
    /// that was answered so.
    steady: Vec<Area>,
    carried: Vec<Area>,
    answered: u64,
    monitors: Vec<Monitor>,
    last_cursor: Option<(i32, i32, u32)>,
    /// Whether the capturer asked what changed right after the last
    /// capture, and whether the loop slept since: the answer then misses
    /// the sleep.
    asked: bool,
    slept: bool,
}

/// How a picture went.
enum Turn {
    Sent,
    /// Start the next look at once (the grant changed, a capture failed).
    Again,
}

impl CaptureLoop {
    fn new(
        capturer: Box<dyn Capturer>,
        control: Arc<ShareControl>,
        out: Arc<Outbox>,
        fps: u32,
    ) -> CaptureLoop {
        let clock = Instant::now();
        // Video pictures are H.264-coded on a thread of their own, so the
        // rest of the screen never waits for them.
        let config = EncoderConfig {
            video_apart: true,
            ..EncoderConfig::default()
        };
        let (encoder, video) = match VideoThread::start(config, control.clone(), out.clone()) {
            Ok(video) => (Encoder::with_config(config), Some(video)),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the video thread; video areas go lossless");
                let lossless = EncoderConfig {
                    video: false,
                    ..config
                };
                (Encoder::with_config(lossless), None)
            }
        };
        CaptureLoop {
            capturer,
            control,
            out,
            clock,
            pace: Pace::new(fps, clock),
            encoder,
            video,
            fresh: true,
            last_drawn: clock,
            damage: Vec::new(),
            steady: Vec::new(),
            carried: Vec::new(),
            answered: 0,
            monitors: Vec::new(),
            last_cursor: None,
            asked: false,
            slept: false,
        }
    }

    /// One look at the screen: what changed, a picture of it, the pointer,
    /// then the wait until the next look.
    fn turn(&mut self) {
        let epoch = self.control.epoch();
        if epoch == 0 {
            self.encoder.reset();
            self.fresh = true;
            self.last_cursor = None;
            self.control.wait(Duration::from_secs(1));
            self.pace.restart(Instant::now());
            return;
        }
        let started = Instant::now();
        let inputs = self.control.inputs.load(Ordering::SeqCst);
        let Some(monitor) = self.monitor() else {
            self.control.wait(Duration::from_secs(1));
            return;
        };
        let keyframe = self.control.keyframe.swap(false, Ordering::SeqCst);
        if keyframe {
            self.last_cursor = None;
        }
        let known = self.read_damage(&monitor, keyframe, inputs);
        if !(known && self.damage.is_empty()) {
            self.last_drawn = started;
        }
        // Also encode with nothing drawn while the viewer's picture is not
        // yet exact, once the screen stood still for a moment: video that
        // stopped is then sent losslessly.
        let refine =
            started.duration_since(self.last_drawn) >= STILL && self.encoder.has_unfinished();
        let pictured = !(known && self.damage.is_empty()) || keyframe || refine;
        if pictured && let Turn::Again = self.picture(&monitor, epoch, known, keyframe, started) {
            return;
        }
        let pointer_moved = self.pointer(&monitor, epoch);
        self.wait(pictured, pointer_moved, inputs);
    }

    /// The monitor to show (the chosen one, else the primary, else any).
    fn monitor(&mut self) -> Option<Monitor> {
        if self.monitors.is_empty() {
            match self.capturer.monitors() {
                Ok(m) => self.monitors = m,
                Err(e) => {
                    tracing::error!(error = %e, "cannot list monitors");
                    return None;
                }
            }
        }
        let wanted = self.control.monitor.load(Ordering::SeqCst);
        let monitor = self
            .monitors
            .iter()
            .find(|m| m.id == wanted)
            .or_else(|| self.monitors.iter().find(|m| m.primary))
            .or(self.monitors.first())
            .cloned()?;
        *self
            .control
            .origin
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = (monitor.rect.x, monitor.rect.y);
        Some(monitor)
    }

    /// Fills `self.damage` with where to look on `monitor`; returns whether
    /// that is known (else the whole picture is compared).
    fn read_damage(&mut self, monitor: &Monitor, keyframe: bool, inputs: u64) -> bool {
        // `None`: the capturer cannot tell (or failed to); look everywhere.
        // An answer asked for before a sleep is topped up with a fresh one.
        let answer = match self.capturer.changed() {
            Ok(Some(mut rects)) if self.asked && self.slept => {
                self.capturer.changed().map(|fresh| {
                    fresh.map(|fresh| {
                        rects.extend(fresh);
                        rects
                    })
                })
            }
            answer => answer,
        };
        self.asked = false;
        self.slept = false;
        let known = match answer {
            Ok(Some(rects)) => {
                self.damage.clear();
                self.damage
                    .extend(rects.iter().filter_map(|r| area_in(r, &monitor.rect)));
                self.damage.append(&mut self.carried);
                true
            }
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read what changed; comparing everything");
                false
            }
        };
        self.carried.clear();
        // Right after input, a small drawing away from what keeps changing
        // (a button's answer beside a scrolling log) goes out on its own
        // first; the rest follows with the next look. Once per batch of
        // input, so that the rest never waits long.
        if known
            && !keyframe
            && !self.fresh
            && self.answered != inputs
            && self.control.since_input().is_some_and(|d| d < ANSWER_FIRST)
        {
            let whole = u64::from(monitor.rect.width) * u64::from(monitor.rect.height);
            if let Some((answer, rest)) = answer_first(&self.damage, &self.steady, whole) {
                self.carried = rest;
                self.damage = answer;
                self.answered = inputs;
            }
        }
        if known && self.carried.is_empty() {
            self.steady.clone_from(&self.damage);
        }
        known
    }

    /// Captures what `self.damage` covers (everything unless `known`),
    /// encodes it and sends it under `epoch`.
    fn picture(
        &mut self,
        monitor: &Monitor,
        epoch: u64,
        known: bool,
        keyframe: bool,
        started: Instant,
    ) -> Turn {
        // Only the rows something was drawn in need copying from the
        // display; the capturer keeps the rest from before.
        let rows = match (known, keyframe || self.fresh) {
            (true, false) => {
                let top = self.damage.iter().map(|a| a.y).min().unwrap_or(0);
                let bottom = self
                    .damage
                    .iter()
                    .map(|a| a.y + a.height)
                    .max()
                    .unwrap_or(0);
                top..bottom
            }
            _ => 0..monitor.rect.height,
        };
        // The next question goes out with the capture, so that its answer
        // travels while this picture is encoded.
        let frame = match self.capturer.capture_rows_then_ask(monitor.rect, rows) {
            Ok(frame) => frame,
            Err(e) => {
                tracing::warn!(error = %e, "capture failed; reading the monitors again");
                self.monitors.clear();
                self.encoder.reset();
                self.fresh = true;
                return Turn::Again;
            }
        };
        self.fresh = false;
        self.asked = true;
        let pixels = Pixels {
            width: frame.width(),
            height: frame.height(),
            stride: frame.stride(),
            data: frame.data(),
        };
        self.encoder
            .set_video_busy(self.video.as_ref().is_some_and(VideoThread::busy));
        self.encoder.set_video_least_scale(least_scale(
            (pixels.width, pixels.height),
            self.control.view(),
        ));
        let encoded = self.encoder.encode_damaged(
            u16::try_from(monitor.id % 65_536).unwrap_or(0),
            pixels,
            known.then_some(self.damage.as_slice()),
            keyframe,
            started.duration_since(self.clock),
        );
        if let Some(video) = &self.video {
            // A picture of a stream that just ended goes first.
            video.settle(self.encoder.video_stream());
            if let Some(job) = self.encoder.take_video_job() {
                video.submit(epoch, job);
            }
        }
        match encoded {
            Ok(Some(bytes)) => {
                // Re-check: the grant may have ended while we captured.
                if self.control.epoch() != epoch || !self.out.send(epoch, bytes) {
                    // The update continued the encoder's compressed stream
                    // and nobody got it: the next one starts afresh.
                    self.encoder.reset();
                    return Turn::Again;
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "cannot encode the picture"),
        }
        Turn::Sent
    }

    /// Sends the pointer's position (and shape, when it changed); returns
    /// whether it moved.
    fn pointer(&mut self, monitor: &Monitor, epoch: u64) -> bool {
        let Ok(cursor) = self.capturer.cursor() else {
            return false;
        };
        let (x, y) = (cursor.x - monitor.rect.x, cursor.y - monitor.rect.y);
        let shape_changed = self
            .last_cursor
            .is_none_or(|(_, _, serial)| serial != cursor.image.serial);
        if self
            .last_cursor
            .is_some_and(|(lx, ly, _)| (lx, ly) == (x, y))
            && !shape_changed
        {
            return false;
        }
        let rgba = shape_changed.then(|| rgba_of(&cursor.image.argb));
        let image = rgba.as_ref().map(|rgba| CursorShape {
            width: u16::try_from(cursor.image.width).unwrap_or(0),
            height: u16::try_from(cursor.image.height).unwrap_or(0),
            hot_x: u16::try_from(cursor.image.hotspot_x).unwrap_or(0),
            hot_y: u16::try_from(cursor.image.hotspot_y).unwrap_or(0),
            rgba,
        });
        let bytes = codec::encode_cursor(x, y, true, image);
        if self.control.epoch() != epoch || !self.out.send(epoch, bytes) {
            return false;
        }
        let moved = self.last_cursor.is_some();
        self.last_cursor = Some((x, y, cursor.image.serial));
        moved
    }

    /// Waits until the next look is due (see `pace.rs`).
    fn wait(&mut self, pictured: bool, pointer_moved: bool, inputs: u64) {
        let now = Instant::now();
        let next = self.pace.next(
            now,
            Look {
                pictured,
                pointer_moved,
                since_input: self.control.since_input(),
            },
        );
        let Some(rest) = next.checked_duration_since(now) else {
            return;
        };
        if self.pace.idle() {
            // A drawing wakes the loop at once; input that draws nothing
            // and requests (a keyframe, the end) wait at most `rest`.
            if let Err(e) = self.capturer.wait_for_drawing(rest) {
                tracing::warn!(error = %e, "cannot wait for the display");
                self.control.nap(rest, inputs);
            }
        } else {
            self.control.nap(rest, inputs);
        }
        // A short nap is not worth another round trip.
        self.slept = rest > SHORT_NAP;
    }
}

/// Splits `damage` into what touches none of `steady` (the last look's
/// drawing) and the rest, when both are there and the new part is small
/// (at most 1/16 of the `whole` picture's pixels).
fn answer_first(damage: &[Area], steady: &[Area], whole: u64) -> Option<(Vec<Area>, Vec<Area>)> {
    let touches = |a: &Area, b: &Area| {
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    };
    let (new, rest): (Vec<Area>, Vec<Area>) = damage
        .iter()
        .partition(|a| !steady.iter().any(|s| touches(a, s)));
    let size: u64 = new
        .iter()
        .map(|a| u64::from(a.width) * u64::from(a.height))
        .sum();
    (!new.is_empty() && !rest.is_empty() && size * 16 <= whole).then_some((new, rest))
}

/// How many times smaller each way (1, 2 or 4) video may be coded for a
/// viewer that shows a `picture`-sized picture at `view` (device pixels):
/// as small as still fills the view, stretched by at most an eighth (which
/// the eye does not see in moving pictures; the viewer's layout often
/// leaves it a few pixels over a half).
fn least_scale(picture: (u32, u32), view: Option<(u32, u32)>) -> u32 {
    let Some((vw, vh)) = view else { return 1 };
    let fits = |shown: u32, whole: u32, n: u32| {
        u64::from(shown) * u64::from(2 * n) * 8 <= u64::from(whole) * 9
    };
    let mut n = 1;
    while n < 4 && fits(vw, picture.0, n) && fits(vh, picture.1, n) {
        n *= 2;
    }
    n
}

/// The part of `r` (screen coordinates) on `monitor`, in the monitor's picture.
fn area_in(r: &Rect, monitor: &Rect) -> Option<Area> {
    let x0 = r.x.max(monitor.x);
    let y0 = r.y.max(monitor.y);
    let x1 =
        (i64::from(r.x) + i64::from(r.width)).min(i64::from(monitor.x) + i64::from(monitor.width));
    let y1 = (i64::from(r.y) + i64::from(r.height))
        .min(i64::from(monitor.y) + i64::from(monitor.height));
    if i64::from(x0) >= x1 || i64::from(y0) >= y1 {
        return None;
    }
    Some(Area {
        x: u32::try_from(x0 - monitor.x).ok()?,
        y: u32::try_from(y0 - monitor.y).ok()?,
        width: u32::try_from(x1 - i64::from(x0)).ok()?,
        height: u32::try_from(y1 - i64::from(y0)).ok()?,
    })
}

/// Premultiplied 0xAARRGGBB to straight RGBA, as the canvas wants it.
fn rgba_of(argb: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(argb.len() * 4);
    for &p in argb {
        let a = (p >> 24) as u8;
        let un = |c: u32| -> u8 {
            let c = (c & 0xff) as u16;
            if a == 0 {
                0
            } else {
                ((c * 255 + u16::from(a) / 2) / u16::from(a)).min(255) as u8
            }
        };
        out.extend_from_slice(&[un(p >> 16), un(p >> 8), un(p), a]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Area, Outbox, Rect, answer_first, area_in, least_scale, rgba_of};

    #[test]
    fn video_is_coded_as_small_as_still_fills_the_view() {
        let screen = (1920, 1080);
        assert_eq!(least_scale(screen, None), 1, "no size said yet");
        assert_eq!(least_scale(screen, Some((1920, 1080))), 1, "1:1");
        assert_eq!(
            least_scale(screen, Some((1300, 731))),
            1,
            "most of a window"
        );
        assert_eq!(least_scale(screen, Some((960, 540))), 2, "half each way");
        assert_eq!(
            least_scale(screen, Some((861, 484))),
            2,
            "fit into a small console"
        );
        assert_eq!(least_scale((3840, 2160), Some((960, 540))), 4);
        assert_eq!(
            least_scale((3840, 2160), Some((100, 50))),
            4,
            "never more than 4"
        );
        assert_eq!(
            least_scale(screen, Some((1080, 607))),
            2,
            "an eighth over a half"
        );
        assert_eq!(least_scale(screen, Some((1090, 613))), 1, "more than that");
        assert_eq!(
            least_scale(screen, Some((900, 700))),
            1,
            "both ways must fit"
        );
    }

    #[test]
    fn updates_are_numbered_in_queue_order_across_threads() {
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        let outbox = std::sync::Arc::new(Outbox::new(tx));
        let message = || {
            let mut enc = codec::Encoder::new();
            let pixels = vec![7u8; 16 * 16 * 4];
            enc.encode(
                0,
                codec::Pixels {
                    width: 16,
                    height: 16,
                    stride: 64,
                    data: &pixels,
                },
                true,
            )
            .expect("encodes")
            .expect("a keyframe")
        };
        let senders: Vec<_> = (0..2)
            .map(|_| {
                let (outbox, message) = (outbox.clone(), message());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        assert!(outbox.send(1, message.clone()));
                        // Cursor messages pass unnumbered.
                        assert!(outbox.send(1, codec::encode_cursor(0, 0, true, None)));
                    }
                })
            })
            .collect();
        let mut frames = Vec::new();
        while frames.len() < 100 {
            let update = rx.blocking_recv().expect("both threads send");
            if update.bytes[0] == codec::UPDATE {
                frames.push(u32::from_le_bytes(
                    update.bytes[12..16].try_into().expect("4 bytes"),
                ));
            }
        }
        for sender in senders {
            sender.join().expect("the sender ran");
        }
        assert_eq!(frames, (0..100).collect::<Vec<u32>>());
    }

    fn area(x: u32, y: u32, width: u32, height: u32) -> Area {
        Area {
            x,
            y,
            width,
            height,
        }
    }

    #[test]
    fn a_small_new_drawing_goes_first() {
        let whole = 1920 * 1080;
        let log = area(0, 0, 1800, 1040);
        let button = area(1824, 984, 96, 96);
        // The log keeps scrolling; the button answered a click.
        assert_eq!(
            answer_first(&[log, button], &[log], whole),
            Some((vec![button], vec![log]))
        );
        // Nothing else changing, or only the usual: one look as always.
        assert_eq!(answer_first(&[button], &[log], whole), None);
        assert_eq!(answer_first(&[log], &[log], whole), None);
        // A drawing that touches the steady area is part of it.
        assert_eq!(
            answer_first(&[log, area(1790, 10, 20, 20)], &[log], whole),
            None
        );
        // A large new drawing (a window opening) waits for the whole look.
        assert_eq!(
            answer_first(
                &[log, area(1000, 0, 920, 1080)],
                &[area(0, 0, 900, 1080)],
                whole
            ),
            None
        );
    }

    #[test]
    fn damage_is_clipped_to_the_monitor() {
        let monitor = Rect::new(1920, 0, 1280, 1024);
        assert_eq!(area_in(&Rect::new(0, 0, 100, 100), &monitor), None);
        assert_eq!(
            area_in(&Rect::new(1900, 1000, 100, 100), &monitor),
            Some(Area {
                x: 0,
                y: 1000,
                width: 80,
                height: 24
            })
        );
        assert_eq!(
            area_in(&Rect::new(2000, 10, 5, 5), &monitor),
            Some(Area {
                x: 80,
                y: 10,
                width: 5,
                height: 5
            })
        );
    }

    #[test]
    fn unpremultiplies_cursor_pixels() {
        assert_eq!(rgba_of(&[0xff11_2233]), vec![0x11, 0x22, 0x33, 0xff]);
        assert_eq!(rgba_of(&[0x8040_0000]), vec![0x80, 0, 0, 0x80]);
        assert_eq!(rgba_of(&[0]), vec![0, 0, 0, 0]);
    }
}
