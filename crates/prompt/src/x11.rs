//! The X11 backend: two top-level windows on a pure-Rust X connection, drawn
//! by `PutImage` from the painted buffers, on a thread of its own.
//!
//! Two threads share the connection: a reader blocks in `wait_for_event` and
//! forwards every X event into the same channel that carries the app's
//! commands, so the UI thread waits on one channel and never polls. To stop,
//! the UI thread sends itself a client message that wakes the reader.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::thread::{self, JoinHandle};
use std::time::Instant;

use x11rb::connection::{Connection, RequestConnection};
use x11rb::errors::ConnectionError;
use x11rb::image::{BitsPerPixel, ColorComponent, Image, ImageOrder, PixelLayout, ScanlinePad};
use x11rb::properties::{WmHints, WmHintsState, WmSizeHints, WmSizeHintsSpecification};
use x11rb::protocol::Event;
use x11rb::protocol::randr::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{
    self, AtomEnum, ClientMessageEvent, ConfigureWindowAux, ConnectionExt as _, CreateGCAux,
    CreateWindowAux, EventMask, Gcontext, Gravity, KeyButMask, Mapping, PropMode, Screen,
    StackMode, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

use crate::canvas::Canvas;
use crate::interaction::{Interaction, Key, Outcome};
use crate::layout::Rect;
use crate::model::{Model, WindowKind};
use crate::paint::{app_icon, paint};
use crate::scene::Scene;
use crate::{Ui, UiCommand, UiError, UiEvent, UiOptions};

x11rb::atom_manager! {
    Atoms: AtomsCookie {
        WM_PROTOCOLS,
        WM_DELETE_WINDOW,
        UTF8_STRING,
        _NET_WM_NAME,
        _NET_WM_STATE,
        _NET_WM_STATE_ABOVE,
        _NET_WM_STATE_STICKY,
        _NET_WM_WINDOW_TYPE,
        _NET_WM_WINDOW_TYPE_DIALOG,
        _NET_WM_WINDOW_TYPE_NORMAL,
        _NET_WM_PID,
        _NET_WM_PING,
        _NET_WM_USER_TIME,
        _NET_WM_ICON,
        _NET_WORKAREA,
        _TETHER_WAKE,
    }
}

/// `WM_CLASS` of every window: instance and class, NUL-terminated.
const WM_CLASS: &[u8] = b"tether-support\0tether-support\0";
/// Distance of the status window from the work area's corner.
const MARGIN: i32 = 16;
const ICON_SIZE: usize = 48;

/// A running X11 UI. Dropping it closes the windows and stops the thread.
#[derive(Debug)]
pub struct X11Ui {
    input: Sender<Input>,
    thread: Option<JoinHandle<Result<(), UiError>>>,
}

impl Ui for X11Ui {
    fn send(&self, command: UiCommand) -> Result<(), UiError> {
        self.input
            .send(Input::Command(command))
            .map_err(|_| UiError::Stopped)
    }
}

impl X11Ui {
    /// Closes the windows, stops the UI thread and returns how it ended.
    ///
    /// # Errors
    ///
    /// The error that stopped the UI thread earlier, if any.
    pub fn shutdown(mut self) -> Result<(), UiError> {
        self.stop()
    }

    fn stop(&mut self) -> Result<(), UiError> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        // The thread may be gone already; then its result tells why.
        if self.input.send(Input::Command(UiCommand::Quit)).is_err() {
            tracing::debug!("the X11 UI thread had stopped before Quit");
        }
        thread.join().map_err(|_| UiError::Panicked)?
    }
}

impl Drop for X11Ui {
    fn drop(&mut self) {
        if let Err(error) = self.stop() {
            tracing::warn!(%error, "the X11 UI stopped with an error");
        }
    }
}

/// Starts the X11 UI; events arrive on the returned receiver.
///
/// # Errors
///
/// The display cannot be opened, or its pixel format is not a true-colour
/// one, or the thread cannot start.
pub fn spawn_x11(options: UiOptions) -> Result<(X11Ui, Receiver<UiEvent>), UiError> {
    let (events, receiver) = mpsc::channel();
    let ui = spawn_x11_with(options, move |event| {
        if events.send(event).is_err() {
            tracing::debug!("UI event dropped: nobody listens any more");
        }
    })?;
    Ok((ui, receiver))
}

/// Starts the X11 UI; `on_event` is called on the UI thread for every event
/// and must not block (forward into a channel).
///
/// # Errors
///
/// As [`spawn_x11`].
pub fn spawn_x11_with(
    options: UiOptions,
    on_event: impl FnMut(UiEvent) + Send + 'static,
) -> Result<X11Ui, UiError> {
    let display = options
        .display
        .clone()
        .or_else(|| std::env::var("DISPLAY").ok())
        .unwrap_or_default();
    let (conn, screen_number) =
        RustConnection::connect(options.display.as_deref()).map_err(|source| UiError::Connect {
            display: display.clone(),
            source: Box::new(source),
        })?;
    let backend = Backend::new(Arc::new(conn), screen_number, options, Box::new(on_event))?;
    let (input, commands) = mpsc::channel();
    let reader_input = input.clone();
    let thread = thread::Builder::new()
        .name("tether-ui-x11".into())
        .spawn(move || backend.run(commands, reader_input))
        .map_err(UiError::Thread)?;
    Ok(X11Ui {
        input,
        thread: Some(thread),
    })
}

/// What the UI thread waits for.
enum Input {
    Command(UiCommand),
    X(Event),
    /// The reader lost the connection.
    Lost(ConnectionError),
}

/// One of our windows.
#[derive(Debug)]
struct XWindow {
    id: Window,
    scene: Scene,
    generation: u64,
    interaction: Interaction,
    /// Where the pointer is, to restore hover when the scene changes.
    pointer: Option<(i32, i32)>,
    dirty: bool,
    /// Whether a guarded button was last painted as waiting.
    painted_waiting: bool,
}

type EventSink = Box<dyn FnMut(UiEvent) + Send>;

struct Backend {
    conn: Arc<RustConnection>,
    atoms: Atoms,
    screen: Screen,
    pixels: PixelLayout,
    gc: Gcontext,
    /// An unmapped window: the group leader, and where the wake-up goes.
    leader: Window,
    keymap: Keymap,
    icon: Vec<u32>,
    options: UiOptions,
    model: Model,
    windows: HashMap<WindowKind, XWindow>,
    on_event: EventSink,
}

fn x11<E>(context: &'static str) -> impl FnOnce(E) -> UiError
where
    E: std::error::Error + Send + Sync + 'static,
{
    move |source| UiError::Display {
        context,
        source: Box::new(source),
    }
}

/// The layout of our BGRA canvases as an X pixel: 0x00RRGGBB.
fn canvas_pixels() -> Result<PixelLayout, UiError> {
    let component = |shift| ColorComponent::new(8, shift).map_err(x11("describing BGRA pixels"));
    Ok(PixelLayout::new(
        component(16)?,
        component(8)?,
        component(0)?,
    ))
}

impl Backend {
    fn new(
        conn: Arc<RustConnection>,
        screen_number: usize,
        options: UiOptions,
        on_event: EventSink,
    ) -> Result<Backend, UiError> {
        let screen = conn
            .setup()
            .roots
            .get(screen_number)
            .cloned()
            .ok_or_else(|| UiError::PixelFormat(format!("no screen {screen_number}")))?;
        let atoms = Atoms::new(&*conn)
            .map_err(x11("interning atoms"))?
            .reply()
            .map_err(x11("interning atoms"))?;
        let visual = screen
            .allowed_depths
            .iter()
            .flat_map(|depth| depth.visuals.iter())
            .find(|visual| visual.visual_id == screen.root_visual)
            .copied()
            .ok_or_else(|| UiError::PixelFormat("the root visual is not listed".into()))?;
        let pixels = PixelLayout::from_visual_type(visual).map_err(|error| {
            UiError::PixelFormat(format!("root visual {:?}: {error}", visual.class))
        })?;
        let gc = conn.generate_id().map_err(x11("allocating a GC id"))?;
        conn.create_gc(gc, screen.root, &CreateGCAux::new().graphics_exposures(0))
            .map_err(x11("creating a GC"))?;
        let leader = conn.generate_id().map_err(x11("allocating a window id"))?;
        conn.create_window(
            0,
            leader,
            screen.root,
            -1,
            -1,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            x11rb::COPY_FROM_PARENT,
            &CreateWindowAux::new(),
        )
        .map_err(x11("creating the leader window"))?;
        conn.change_property8(
            PropMode::REPLACE,
            leader,
            AtomEnum::WM_CLASS,
            AtomEnum::STRING,
            WM_CLASS,
        )
        .map_err(x11("naming the leader window"))?;
        let keymap = Keymap::load(&conn)?;
        let icon = icon_property(ICON_SIZE, app_icon(ICON_SIZE));
        conn.flush().map_err(x11("flushing the setup"))?;
        Ok(Backend {
            model: Model::new(options.lang),
            conn,
            atoms,
            screen,
            pixels,
            gc,
            leader,
            keymap,
            icon,
            options,
            windows: HashMap::new(),
            on_event,
        })
    }

    fn run(
        mut self,
        commands: Receiver<Input>,
        reader_input: Sender<Input>,
    ) -> Result<(), UiError> {
        let reader = {
            let conn = Arc::clone(&self.conn);
            let (leader, wake) = (self.leader, self.atoms._TETHER_WAKE);
            thread::Builder::new()
                .name("tether-ui-x11-reader".into())
                .spawn(move || read_events(&conn, leader, wake, &reader_input))
                .map_err(UiError::Thread)
        };
        let result = match reader {
            Ok(reader) => {
                let result = self.event_loop(&commands);
                self.close_all();
                if self.wake_reader() {
                    if reader.join().is_err() {
                        tracing::warn!("the X11 reader thread panicked");
                    }
                } else {
                    // The connection is gone, so is the reader's wait.
                    drop(reader);
                }
                result
            }
            Err(error) => Err(error),
        };
        if let Err(error) = &result {
            (self.on_event)(UiEvent::Lost {
                reason: error.to_string(),
            });
        }
        result
    }

    fn event_loop(&mut self, inputs: &Receiver<Input>) -> Result<(), UiError> {
        loop {
            let now = Instant::now();
            let first = match self.next_deadline(now) {
                Some(deadline) => match inputs.recv_timeout(deadline - now) {
                    Ok(input) => Some(input),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return Ok(()),
                },
                None => match inputs.recv() {
                    Ok(input) => Some(input),
                    Err(_) => return Ok(()),
                },
            };
            let mut next = first;
            // Handle everything already queued before painting once. Each
            // input sees the windows as the model has them after the inputs
            // before it: a click right after a view change hits the new
            // view's buttons.
            while let Some(input) = next {
                if self.handle(input)? == Flow::Quit {
                    return Ok(());
                }
                self.reconcile(Instant::now())?;
                next = match inputs.try_recv() {
                    Ok(input) => Some(input),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Disconnected) => return Ok(()),
                };
            }
            self.paint_changed(Instant::now())?;
            self.conn.flush().map_err(x11("flushing"))?;
        }
    }

    /// When a guarded button is armed next: the window is painted again then.
    fn next_deadline(&self, now: Instant) -> Option<Instant> {
        self.windows
            .values()
            .filter_map(|w| w.interaction.arming_deadline(&w.scene, now))
            .min()
    }

    fn handle(&mut self, input: Input) -> Result<Flow, UiError> {
        match input {
            Input::Command(UiCommand::Quit) => return Ok(Flow::Quit),
            Input::Command(command) => self.model.apply(command),
            Input::X(event) => self.handle_event(event)?,
            Input::Lost(error) => return Err(x11("reading display events")(error)),
        }
        Ok(Flow::Continue)
    }

    fn handle_event(&mut self, event: Event) -> Result<(), UiError> {
        let now = Instant::now();
        match event {
            Event::Expose(e) if e.count == 0 => {
                if let Some((_, w)) = self.window(e.window) {
                    w.dirty = true;
                }
            }
            Event::MotionNotify(e) => {
                if let Some((_, w)) = self.window(e.event) {
                    let (x, y) = (i32::from(e.event_x), i32::from(e.event_y));
                    w.pointer = Some((x, y));
                    let outcome = w.interaction.pointer_moved(&w.scene, x, y);
                    w.dirty |= outcome.repaint;
                }
            }
            Event::LeaveNotify(e) => {
                if let Some((_, w)) = self.window(e.event) {
                    w.pointer = None;
                    let outcome = w.interaction.pointer_left();
                    w.dirty |= outcome.repaint;
                }
            }
            Event::ButtonPress(e) if e.detail == 1 => {
                if let Some((_, w)) = self.window(e.event) {
                    let (x, y) = (i32::from(e.event_x), i32::from(e.event_y));
                    let outcome = w.interaction.pressed(&w.scene, x, y, now);
                    w.dirty |= outcome.repaint;
                }
            }
            Event::ButtonRelease(e) if e.detail == 1 => {
                let (x, y) = (i32::from(e.event_x), i32::from(e.event_y));
                let outcome = self
                    .window(e.event)
                    .map(|(kind, w)| (kind, w.interaction.released(&w.scene, x, y, now)));
                self.apply_outcome(e.event, outcome);
            }
            Event::KeyPress(e) => {
                let shift = u16::from(e.state) & u16::from(KeyButMask::SHIFT) != 0;
                let Some(key) = self.keymap.key(e.detail, shift) else {
                    return Ok(());
                };
                let outcome = self
                    .window(e.event)
                    .map(|(kind, w)| (kind, w.interaction.key(&w.scene, key, now)));
                self.apply_outcome(e.event, outcome);
            }
            Event::ClientMessage(e) if e.type_ == self.atoms.WM_PROTOCOLS && e.format == 32 => {
                let [protocol, ..] = e.data.as_data32();
                if protocol == self.atoms.WM_DELETE_WINDOW {
                    if let Some((kind, _)) = self.window(e.window) {
                        let events = self.model.close_requested(kind);
                        self.emit(events);
                    }
                } else if protocol == self.atoms._NET_WM_PING {
                    // Answer the window manager's "are you alive?".
                    let mut pong = e;
                    pong.window = self.screen.root;
                    self.conn
                        .send_event(
                            false,
                            self.screen.root,
                            EventMask::SUBSTRUCTURE_NOTIFY | EventMask::SUBSTRUCTURE_REDIRECT,
                            pong,
                        )
                        .map_err(x11("answering _NET_WM_PING"))?;
                }
            }
            Event::MappingNotify(e) if e.request == Mapping::KEYBOARD => {
                self.keymap = Keymap::load(&self.conn)?;
            }
            Event::Error(error) => {
                // Asynchronous errors of our own requests, e.g. a window the
                // server already destroyed. Nothing to undo; worth a log.
                tracing::warn!(?error, "X11 error");
            }
            _ => {}
        }
        Ok(())
    }

    fn apply_outcome(&mut self, window: Window, outcome: Option<(WindowKind, Outcome)>) {
        let Some((kind, outcome)) = outcome else {
            return;
        };
        if let Some((_, w)) = self.window(window) {
            w.dirty |= outcome.repaint;
        }
        if let Some(action) = outcome.action {
            let events = self.model.act(kind, action);
            self.emit(events);
        }
    }

    fn emit(&mut self, events: Vec<UiEvent>) {
        for event in events {
            (self.on_event)(event);
        }
    }

    fn window(&mut self, id: Window) -> Option<(WindowKind, &mut XWindow)> {
        self.windows
            .iter_mut()
            .find(|(_, w)| w.id == id)
            .map(|(kind, w)| (*kind, w))
    }

    /// Makes the windows match the model: creates and closes them, and
    /// gives them the model's current scenes.
    fn reconcile(&mut self, now: Instant) -> Result<(), UiError> {
        for kind in [WindowKind::Status, WindowKind::Prompt] {
            let wanted = self.model.scene(kind);
            let existing = self.windows.remove(&kind);
            let window = match (existing, wanted) {
                (None, None) => None,
                (Some(w), None) => {
                    self.conn
                        .destroy_window(w.id)
                        .map_err(x11("closing a window"))?;
                    None
                }
                (None, Some((scene, generation))) => {
                    Some(self.create_window(kind, scene, generation, now)?)
                }
                (Some(mut w), Some((scene, generation))) => {
                    if scene.title != w.scene.title {
                        self.set_title(w.id, &scene.title)?;
                    }
                    if generation != w.generation {
                        w.interaction = Interaction::new(&scene, now, self.options.input_delay);
                        w.generation = generation;
                        if let Some((x, y)) = w.pointer {
                            w.interaction.pointer_moved(&scene, x, y);
                        }
                        w.dirty = true;
                        if kind == WindowKind::Prompt {
                            // A new request: bring it to the front again.
                            self.conn
                                .configure_window(
                                    w.id,
                                    &ConfigureWindowAux::new().stack_mode(StackMode::ABOVE),
                                )
                                .map_err(x11("raising the prompt"))?;
                        }
                    }
                    if scene != w.scene {
                        w.scene = scene;
                        w.dirty = true;
                    }
                    Some(w)
                }
            };
            if let Some(w) = window {
                self.windows.insert(kind, w);
            }
        }
        Ok(())
    }

    /// Paints the windows whose look changed, including guarded buttons
    /// whose delay just ended.
    fn paint_changed(&mut self, now: Instant) -> Result<(), UiError> {
        for w in self.windows.values_mut() {
            let waiting = w.interaction.arming_deadline(&w.scene, now).is_some();
            if w.dirty || waiting != w.painted_waiting {
                let canvas = paint(&w.scene, &w.interaction, now);
                put(&self.conn, self.gc, self.pixels, w.id, &canvas)?;
                w.dirty = false;
                w.painted_waiting = waiting;
            }
        }
        Ok(())
    }

    fn create_window(
        &mut self,
        kind: WindowKind,
        scene: Scene,
        generation: u64,
        now: Instant,
    ) -> Result<XWindow, UiError> {
        let conn = &*self.conn;
        let atoms = &self.atoms;
        let (width, height) = (scene.size.width, scene.size.height);
        let area = self.work_area();
        let (x, y, gravity) = match kind {
            WindowKind::Prompt => (
                area.x + (area.width - width) / 2,
                area.y + (area.height - height) / 2,
                Gravity::CENTER,
            ),
            WindowKind::Status => (
                area.x + area.width - width - MARGIN,
                area.y + MARGIN,
                Gravity::NORTH_EAST,
            ),
        };
        let id = conn.generate_id().map_err(x11("allocating a window id"))?;
        let events = EventMask::EXPOSURE
            | EventMask::KEY_PRESS
            | EventMask::BUTTON_PRESS
            | EventMask::BUTTON_RELEASE
            | EventMask::POINTER_MOTION
            | EventMask::LEAVE_WINDOW
            | EventMask::STRUCTURE_NOTIFY;
        conn.create_window(
            x11rb::COPY_DEPTH_FROM_PARENT,
            id,
            self.screen.root,
            clamp_i16(x),
            clamp_i16(y),
            clamp_u16(width),
            clamp_u16(height),
            0,
            WindowClass::INPUT_OUTPUT,
            x11rb::COPY_FROM_PARENT,
            &CreateWindowAux::new()
                .background_pixel(self.screen.white_pixel)
                .event_mask(events),
        )
        .map_err(x11("creating a window"))?;
        self.set_title(id, &scene.title)?;
        let set = "setting window properties";
        conn.change_property8(
            PropMode::REPLACE,
            id,
            AtomEnum::WM_CLASS,
            AtomEnum::STRING,
            WM_CLASS,
        )
        .map_err(x11(set))?;
        conn.change_property32(
            PropMode::REPLACE,
            id,
            atoms.WM_PROTOCOLS,
            AtomEnum::ATOM,
            &[atoms.WM_DELETE_WINDOW, atoms._NET_WM_PING],
        )
        .map_err(x11(set))?;
        let (window_type, states) = match kind {
            WindowKind::Prompt => (
                atoms._NET_WM_WINDOW_TYPE_DIALOG,
                vec![atoms._NET_WM_STATE_ABOVE],
            ),
            WindowKind::Status => (
                atoms._NET_WM_WINDOW_TYPE_NORMAL,
                vec![atoms._NET_WM_STATE_ABOVE, atoms._NET_WM_STATE_STICKY],
            ),
        };
        conn.change_property32(
            PropMode::REPLACE,
            id,
            atoms._NET_WM_WINDOW_TYPE,
            AtomEnum::ATOM,
            &[window_type],
        )
        .map_err(x11(set))?;
        conn.change_property32(
            PropMode::REPLACE,
            id,
            atoms._NET_WM_STATE,
            AtomEnum::ATOM,
            &states,
        )
        .map_err(x11(set))?;
        conn.change_property32(
            PropMode::REPLACE,
            id,
            atoms._NET_WM_PID,
            AtomEnum::CARDINAL,
            &[std::process::id()],
        )
        .map_err(x11(set))?;
        conn.change_property32(
            PropMode::REPLACE,
            id,
            atoms._NET_WM_ICON,
            AtomEnum::CARDINAL,
            &self.icon,
        )
        .map_err(x11(set))?;
        if kind == WindowKind::Status {
            // Appearing must not take the keyboard from what the customer
            // is typing (EWMH: user time 0 = do not focus on map).
            conn.change_property32(
                PropMode::REPLACE,
                id,
                atoms._NET_WM_USER_TIME,
                AtomEnum::CARDINAL,
                &[0],
            )
            .map_err(x11(set))?;
        }
        WmHints {
            input: Some(true),
            initial_state: Some(WmHintsState::Normal),
            window_group: Some(self.leader),
            ..WmHints::new()
        }
        .set(conn, id)
        .map_err(x11(set))?;
        WmSizeHints {
            position: Some((WmSizeHintsSpecification::ProgramSpecified, x, y)),
            size: Some((WmSizeHintsSpecification::ProgramSpecified, width, height)),
            min_size: Some((width, height)),
            max_size: Some((width, height)),
            win_gravity: Some(gravity),
            ..WmSizeHints::new()
        }
        .set_normal_hints(conn, id)
        .map_err(x11(set))?;
        conn.map_window(id).map_err(x11("showing a window"))?;
        let interaction = Interaction::new(&scene, now, self.options.input_delay);
        Ok(XWindow {
            id,
            scene,
            generation,
            interaction,
            pointer: None,
            dirty: true,
            painted_waiting: false,
        })
    }

    fn set_title(&self, id: Window, title: &str) -> Result<(), UiError> {
        // UTF-8 in both: WM_NAME as STRING would have to be Latin-1, and the
        // title has an en dash.
        for property in [AtomEnum::WM_NAME.into(), self.atoms._NET_WM_NAME] {
            self.conn
                .change_property8(
                    PropMode::REPLACE,
                    id,
                    property,
                    self.atoms.UTF8_STRING,
                    title.as_bytes(),
                )
                .map_err(x11("setting the window title"))?;
        }
        Ok(())
    }

    /// Where windows go: the primary monitor (RandR 1.5), less panels
    /// (`_NET_WORKAREA`); the whole screen if neither is known.
    fn work_area(&self) -> Rect {
        let screen = Rect {
            x: 0,
            y: 0,
            width: i32::from(self.screen.width_in_pixels),
            height: i32::from(self.screen.height_in_pixels),
        };
        let monitor = self.primary_monitor().unwrap_or(screen);
        match self
            .net_workarea()
            .and_then(|work| intersect(monitor, work))
        {
            Some(area) if area.width >= 200 && area.height >= 200 => area,
            _ => monitor,
        }
    }

    fn primary_monitor(&self) -> Option<Rect> {
        let conn = &*self.conn;
        conn.extension_information(randr::X11_EXTENSION_NAME)
            .ok()
            .flatten()?;
        let version = conn.randr_query_version(1, 5).ok()?.reply().ok()?;
        if (version.major_version, version.minor_version) < (1, 5) {
            return None;
        }
        let monitors = conn
            .randr_get_monitors(self.screen.root, true)
            .ok()?
            .reply()
            .ok()?
            .monitors;
        let monitor = monitors
            .iter()
            .find(|m| m.primary)
            .or_else(|| monitors.first())?;
        Some(Rect {
            x: i32::from(monitor.x),
            y: i32::from(monitor.y),
            width: i32::from(monitor.width),
            height: i32::from(monitor.height),
        })
    }

    fn net_workarea(&self) -> Option<Rect> {
        let reply = self
            .conn
            .get_property(
                false,
                self.screen.root,
                self.atoms._NET_WORKAREA,
                AtomEnum::CARDINAL,
                0,
                4,
            )
            .ok()?
            .reply()
            .ok()?;
        let values: Vec<u32> = reply.value32()?.collect();
        let [x, y, width, height] = values[..] else {
            return None;
        };
        let int = |v: u32| i32::try_from(v).ok();
        Some(Rect {
            x: int(x)?,
            y: int(y)?,
            width: int(width)?,
            height: int(height)?,
        })
    }

    fn close_all(&mut self) {
        for (_, w) in self.windows.drain() {
            if let Err(error) = self.conn.destroy_window(w.id) {
                tracing::debug!(%error, "closing a window on the way out");
            }
        }
        if let Err(error) = self.conn.flush() {
            tracing::debug!(%error, "flushing on the way out");
        }
    }

    /// Wakes the reader thread so that it ends; `false` if the connection
    /// is broken (then the reader has ended already).
    fn wake_reader(&self) -> bool {
        let wake = ClientMessageEvent::new(32, self.leader, self.atoms._TETHER_WAKE, [0u32; 5]);
        let sent = self
            .conn
            .send_event(false, self.leader, EventMask::NO_EVENT, wake)
            .and_then(|_| self.conn.flush());
        sent.is_ok()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Quit,
}

/// The reader thread: forwards X events until woken by `_TETHER_WAKE` on
/// `leader`, or until the connection fails.
fn read_events(conn: &RustConnection, leader: Window, wake: xproto::Atom, input: &Sender<Input>) {
    loop {
        match conn.wait_for_event() {
            Ok(Event::ClientMessage(e)) if e.window == leader && e.type_ == wake => return,
            Ok(event) => {
                if input.send(Input::X(event)).is_err() {
                    return;
                }
            }
            Err(error) => {
                if input.send(Input::Lost(error)).is_err() {
                    tracing::debug!("display connection lost after the UI stopped");
                }
                return;
            }
        }
    }
}

/// Keycode to the keys we use, from the server's core keyboard mapping.
#[derive(Debug)]
struct Keymap {
    min_keycode: u8,
    per_keycode: u8,
    keysyms: Vec<u32>,
}

impl Keymap {
    fn load(conn: &RustConnection) -> Result<Keymap, UiError> {
        let setup = conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let reply = conn
            .get_keyboard_mapping(min, max - min + 1)
            .map_err(x11("reading the keyboard mapping"))?
            .reply()
            .map_err(x11("reading the keyboard mapping"))?;
        Ok(Keymap {
            min_keycode: min,
            per_keycode: reply.keysyms_per_keycode,
            keysyms: reply.keysyms,
        })
    }

    fn keysym(&self, keycode: u8, column: usize) -> u32 {
        let per = usize::from(self.per_keycode);
        let Some(row) = usize::from(keycode).checked_sub(usize::from(self.min_keycode)) else {
            return 0;
        };
        if column >= per {
            return 0;
        }
        self.keysyms.get(row * per + column).copied().unwrap_or(0)
    }

    fn key(&self, keycode: u8, shift: bool) -> Option<Key> {
        const TAB: u32 = 0xff09;
        const ISO_LEFT_TAB: u32 = 0xfe20;
        const RETURN: u32 = 0xff0d;
        const KP_ENTER: u32 = 0xff8d;
        const SPACE: u32 = 0x0020;
        const ESCAPE: u32 = 0xff1b;
        const LEFT: u32 = 0xff51;
        const UP: u32 = 0xff52;
        const RIGHT: u32 = 0xff53;
        const DOWN: u32 = 0xff54;
        match self.keysym(keycode, 0) {
            TAB if shift => Some(Key::Previous),
            TAB => Some(Key::Next),
            ISO_LEFT_TAB | LEFT | UP => Some(Key::Previous),
            RIGHT | DOWN => Some(Key::Next),
            RETURN | KP_ENTER | SPACE => Some(Key::Activate),
            ESCAPE => Some(Key::Escape),
            _ => None,
        }
    }
}

/// Uploads `canvas` into window `id`, converted to the server's pixels.
fn put(
    conn: &RustConnection,
    gc: Gcontext,
    pixels: PixelLayout,
    id: Window,
    canvas: &Canvas,
) -> Result<(), UiError> {
    let image = Image::new(
        clamp_u16(canvas.width() as i32),
        clamp_u16(canvas.height() as i32),
        ScanlinePad::Pad32,
        24,
        BitsPerPixel::B32,
        ImageOrder::LsbFirst,
        Cow::Borrowed(canvas.bgra()),
    )
    .map_err(x11("wrapping the window image"))?;
    let native = image
        .reencode(canvas_pixels()?, pixels, conn.setup())
        .map_err(x11("converting the window image"))?;
    native
        .put(conn, id, gc, 0, 0)
        .map_err(x11("drawing a window"))?;
    Ok(())
}

/// `_NET_WM_ICON`: width, height, then ARGB pixels.
fn icon_property(size: usize, argb: Vec<u32>) -> Vec<u32> {
    let side = u32::try_from(size).unwrap_or(0);
    [side, side].into_iter().chain(argb).collect()
}

fn intersect(a: Rect, b: Rect) -> Option<Rect> {
    let x = a.x.max(b.x);
    let y = a.y.max(b.y);
    let right = (a.x + a.width).min(b.x + b.width);
    let bottom = (a.y + a.height).min(b.y + b.height);
    (right > x && bottom > y).then_some(Rect {
        x,
        y,
        width: right - x,
        height: bottom - y,
    })
}

fn clamp_i16(value: i32) -> i16 {
    value.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
}

fn clamp_u16(value: i32) -> u16 {
    value.clamp(1, i32::from(u16::MAX)) as u16
}
