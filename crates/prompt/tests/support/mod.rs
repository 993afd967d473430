//! Test helpers: a private Xvfb per test, an X client that watches the
//! screen (windows appearing and disappearing, pixels changing), real input
//! through xdotool (XTEST), and PNG screenshots.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{
    AtomEnum, ChangeWindowAttributesAux, ClientMessageEvent, ConnectionExt as _, EventMask,
    ImageFormat, MapState, Window,
};
use x11rb::rust_connection::RustConnection;

/// How long any awaited thing may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// An Xvfb server on a display of its own, killed on drop.
pub struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// Starts `Xvfb -screen 0 1280x720x24 -nolisten tcp` on a free display.
    /// Xvfb picks the display itself (`-displayfd`, atomically through its
    /// lock file, so parallel tests and other users never collide) and
    /// writes its number once it accepts connections: no polling.
    pub fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x720x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb (apt-get install xvfb)");
        let stdout = child.stdout.take().expect("Xvfb stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read Xvfb's display number");
        let number: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb did not start (printed {line:?})"));
        Xvfb {
            child,
            display: format!(":{number}"),
        }
    }

    pub fn display(&self) -> &str {
        &self.display
    }

    /// Runs xdotool on this display; panics if it fails.
    pub fn xdotool(&self, args: &[&str]) {
        let status = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .status()
            .expect("run xdotool (apt-get install xdotool)");
        assert!(status.success(), "xdotool {args:?} failed: {status}");
    }

    /// A real click (XTEST) at (`x`, `y`) inside `window`.
    pub fn click(&self, window: Window, (x, y): (i32, i32)) {
        let (window, x, y) = (window.to_string(), x.to_string(), y.to_string());
        self.xdotool(&["mousemove", "--window", &window, &x, &y, "click", "1"]);
    }

    /// Gives `window` the keyboard focus and types `keys` (XTEST), in one
    /// xdotool run so that the focus is set before the first key.
    pub fn keys(&self, window: Window, keys: &[&str]) {
        let window = window.to_string();
        let mut args = vec!["windowfocus", window.as_str(), "key"];
        args.extend_from_slice(keys);
        self.xdotool(&args);
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        if let Err(error) = self.child.kill() {
            eprintln!("killing Xvfb {}: {error}", self.display);
        }
        if let Err(error) = self.child.wait() {
            eprintln!("waiting for Xvfb {}: {error}", self.display);
        }
    }
}

/// A test's own X client: finds our windows, waits for them to appear,
/// change or go, and reads their pixels.
pub struct Screen {
    conn: Arc<RustConnection>,
    root: Window,
    events: Receiver<Event>,
}

impl Screen {
    pub fn connect(xvfb: &Xvfb) -> Screen {
        let (conn, screen) = RustConnection::connect(Some(xvfb.display())).expect("connect");
        let conn = Arc::new(conn);
        let root = conn.setup().roots[screen].root;
        conn.change_window_attributes(
            root,
            &ChangeWindowAttributesAux::new().event_mask(EventMask::SUBSTRUCTURE_NOTIFY),
        )
        .expect("select root events")
        .check()
        .expect("select root events");
        conn.damage_query_version(1, 1)
            .expect("DAMAGE")
            .reply()
            .expect("DAMAGE");
        let (sender, events) = mpsc::channel();
        let reader = Arc::clone(&conn);
        // Ends when Xvfb goes away at the end of the test.
        thread::spawn(move || {
            while let Ok(event) = reader.wait_for_event() {
                if sender.send(event).is_err() {
                    break;
                }
            }
        });
        Screen { conn, root, events }
    }

    /// The title (`_NET_WM_NAME`) of `window`.
    pub fn title(&self, window: Window) -> Option<String> {
        let atom = self.atom("_NET_WM_NAME");
        let utf8 = self.atom("UTF8_STRING");
        let reply = self
            .conn
            .get_property(false, window, atom, utf8, 0, 1024)
            .ok()?
            .reply()
            .ok()?;
        (!reply.value.is_empty()).then(|| String::from_utf8_lossy(&reply.value).into_owned())
    }

    /// A property's raw bytes.
    pub fn property(&self, window: Window, name: &str) -> Vec<u8> {
        let atom = self.atom(name);
        self.conn
            .get_property(false, window, atom, AtomEnum::ANY, 0, 4096)
            .expect("get_property")
            .reply()
            .expect("get_property")
            .value
    }

    /// The atoms in an ATOM[] property, by name.
    pub fn atom_list(&self, window: Window, name: &str) -> Vec<String> {
        let atom = self.atom(name);
        let reply = self
            .conn
            .get_property(false, window, atom, AtomEnum::ATOM, 0, 64)
            .expect("get_property")
            .reply()
            .expect("get_property");
        reply
            .value32()
            .into_iter()
            .flatten()
            .map(|atom| {
                let name = self
                    .conn
                    .get_atom_name(atom)
                    .expect("atom")
                    .reply()
                    .expect("atom");
                String::from_utf8_lossy(&name.name).into_owned()
            })
            .collect()
    }

    pub fn atom(&self, name: &str) -> u32 {
        self.conn
            .intern_atom(false, name.as_bytes())
            .expect("intern")
            .reply()
            .expect("intern")
            .atom
    }

    /// Waits until a viewable top-level window titled `title` exists.
    pub fn wait_for_window(&self, title: &str) -> Window {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(window) = self.find_window(title) {
                return window;
            }
            // Windows appear by MapNotify on the root.
            self.next_event(deadline, &format!("window {title:?}"));
        }
    }

    fn find_window(&self, title: &str) -> Option<Window> {
        let tree = self.conn.query_tree(self.root).ok()?.reply().ok()?;
        tree.children.into_iter().find(|&window| {
            let viewable = self
                .conn
                .get_window_attributes(window)
                .ok()
                .and_then(|c| c.reply().ok())
                .is_some_and(|a| a.map_state == MapState::VIEWABLE);
            viewable && self.title(window).as_deref() == Some(title)
        })
    }

    /// Waits until `window` is destroyed.
    pub fn wait_until_gone(&self, window: Window) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let alive = self
                .conn
                .get_window_attributes(window)
                .ok()
                .and_then(|c| c.reply().ok())
                .is_some();
            if !alive {
                return;
            }
            self.next_event(deadline, &format!("window {window} to go"));
        }
    }

    /// (x, y, width, height) of `window` on the screen.
    pub fn geometry(&self, window: Window) -> (i32, i32, i32, i32) {
        let g = self
            .conn
            .get_geometry(window)
            .expect("geometry")
            .reply()
            .expect("geometry");
        let t = self
            .conn
            .translate_coordinates(window, self.root, 0, 0)
            .expect("translate")
            .reply()
            .expect("translate");
        (
            i32::from(t.dst_x),
            i32::from(t.dst_y),
            i32::from(g.width),
            i32::from(g.height),
        )
    }

    /// The colour 0xRRGGBB at (`x`, `y`) of `window`.
    pub fn pixel(&self, window: Window, x: i32, y: i32) -> u32 {
        let (data, _, _) = self.capture_bgrx(window, x, y, 1, 1);
        u32::from_le_bytes([data[0], data[1], data[2], 0])
    }

    /// Waits until the pixel at (`x`, `y`) of `window` is `rgb`, woken by
    /// DAMAGE events whenever the window's content changes.
    pub fn wait_for_pixel(&self, window: Window, (x, y): (i32, i32), rgb: u32) {
        let damage = self.conn.generate_id().expect("id");
        self.conn
            .damage_create(damage, window, damage::ReportLevel::RAW_RECTANGLES)
            .expect("damage")
            .check()
            .expect("damage");
        let deadline = Instant::now() + TIMEOUT;
        while self.pixel(window, x, y) != rgb {
            self.next_event(
                deadline,
                &format!("pixel ({x}, {y}) of {window} to become {rgb:06x}"),
            );
        }
        self.conn
            .damage_destroy(damage)
            .expect("damage")
            .check()
            .expect("damage");
    }

    /// Sends WM_DELETE_WINDOW to `window`, as a window manager's close
    /// button does.
    pub fn close(&self, window: Window) {
        let protocols = self.atom("WM_PROTOCOLS");
        let delete = self.atom("WM_DELETE_WINDOW");
        let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
        self.conn
            .send_event(false, window, EventMask::NO_EVENT, event)
            .expect("send_event")
            .check()
            .expect("send_event");
    }

    /// Saves `window` (or the root window) as a PNG.
    pub fn screenshot(&self, window: Option<Window>, name: &str) -> PathBuf {
        let window = window.unwrap_or(self.root);
        let (_, _, width, height) = self.geometry(window);
        let (bgrx, width, height) = self.capture_bgrx(window, 0, 0, width, height);
        let rgb: Vec<u8> = bgrx
            .chunks_exact(4)
            .flat_map(|p| [p[2], p[1], p[0]])
            .collect();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target-screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let path = dir.join(format!("{name}.png"));
        write_png(&path, width, height, &rgb);
        path
    }

    fn capture_bgrx(
        &self,
        window: Window,
        x: i32,
        y: i32,
        width: i32,
        height: i32,
    ) -> (Vec<u8>, u32, u32) {
        let reply = self
            .conn
            .get_image(
                ImageFormat::Z_PIXMAP,
                window,
                x as i16,
                y as i16,
                width as u16,
                height as u16,
                !0,
            )
            .expect("get_image")
            .reply()
            .expect("get_image");
        assert_eq!(reply.depth, 24, "Xvfb runs at depth 24");
        (reply.data, width as u32, height as u32)
    }

    fn next_event(&self, deadline: Instant, what: &str) -> Event {
        let left = deadline.saturating_duration_since(Instant::now());
        self.events
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
    }
}

pub fn write_png(path: &Path, width: u32, height: u32, rgb: &[u8]) {
    let file = std::fs::File::create(path).expect("create png");
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("png header");
    writer.write_image_data(rgb).expect("png data");
}
