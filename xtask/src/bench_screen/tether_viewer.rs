//! Tether as a customer and a technician use it, without a browser: the
//! release `tether serve`, the release support app joined with the support
//! key on the benchmark's display, remote control allowed in the app's own
//! consent window with real key presses (as the browser end-to-end test
//! does), and a headless viewer on the console's WebSocket that decodes
//! every frame with the `codec` crate's `Decoder`, as the browser does.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt as _, StreamExt as _};
use protocol::{
    AccessKind, AccessRequest, ClientFrame, CreateSessionRequest, InputEvent, ServerFrame,
    SessionView,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::children::Guarded;
use super::display::Display;
use super::measure::{Picture, Viewer, ViewerStats};
use crate::server_process::ServerProcess;
use crate::tether_api::{Api, console_socket};

const EMAIL: &str = "bench@example.test";
const PASSWORD: &str = "screen bench password";
const PROMPT_TITLE: &str = "Tether – Permission requested";
const SETUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Server, support app and viewer, running. Dropping it stops all three.
#[derive(Debug)]
pub struct Tether {
    pub viewer: TetherViewer,
    pub app: Guarded,
    pub server: ServerProcess,
}

impl Tether {
    /// Starts everything and returns once the viewer has decoded a picture.
    pub async fn start(
        server_bin: &Path,
        app_bin: &Path,
        display: &Display,
        log_dir: &Path,
        stats: Arc<ViewerStats>,
        probe: (u32, u32),
    ) -> anyhow::Result<Tether> {
        let mut server = ServerProcess::start(server_bin, EMAIL, PASSWORD)?;
        let base = format!("http://{}", server.address());
        let api = Api::sign_in(server.address(), EMAIL, PASSWORD).await?;
        let session: SessionView = api
            .post("/api/v1/sessions", &CreateSessionRequest::default())
            .await
            .context("cannot start a session")?;
        let key = session
            .key
            .clone()
            .context("the session came without a key")?;

        let mut command = display.command(app_bin);
        command
            .args(["join", &key, "--server", &base, "--name", "Bench"])
            .env("LANG", "en_US.UTF-8")
            .env(
                "TETHER_LOG",
                std::env::var("TETHER_LOG").unwrap_or_else(|_| "warn".into()),
            );
        let mut app = Guarded::spawn("tether-support", command, log_dir, false)?;

        let viewer =
            TetherViewer::connect(&server, &session.id, &api.token, stats.clone(), probe).await?;
        let path = format!("/api/v1/sessions/{}", session.id);
        let deadline = Instant::now() + SETUP_TIMEOUT;
        loop {
            let view: SessionView = api.get(&path).await?;
            if view.access.app_connected {
                break;
            }
            app.check_running()?;
            server.check_running()?;
            if Instant::now() > deadline {
                bail!(
                    "the support app did not connect within {SETUP_TIMEOUT:?}; its log ends with:\n{}",
                    app.log_tail(15)
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _: SessionView = api
            .post(
                &format!("{path}/access/request"),
                &AccessRequest {
                    access: AccessKind::Control,
                },
            )
            .await
            .context("cannot ask for remote control")?;
        let epoch = allow_in_app(display, &api, &path, &mut app).await?;
        viewer.epoch.store(epoch, Ordering::SeqCst);

        let deadline = Instant::now() + SETUP_TIMEOUT;
        while stats.snapshot().updates == 0 {
            app.check_running()?;
            if let Some(e) = viewer.failure() {
                bail!("the viewer stopped: {e}");
            }
            if Instant::now() > deadline {
                bail!(
                    "no picture within {SETUP_TIMEOUT:?} after the grant; the app's log ends with:\n{}",
                    app.log_tail(15)
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(Tether {
            viewer,
            app,
            server,
        })
    }

    pub fn check_running(&mut self) -> anyhow::Result<()> {
        self.server.check_running()?;
        self.app.check_running()?;
        match self.viewer.failure() {
            Some(e) => bail!("the Tether viewer stopped: {e}"),
            None => Ok(()),
        }
    }
}

/// Answers the consent window as a person would with the keyboard: Tab
/// (from Deny to Allow), then Return until it is taken — the window ignores
/// keys for its first 600 ms. Returns the grant's epoch.
async fn allow_in_app(
    display: &Display,
    api: &Api,
    path: &str,
    app: &mut Guarded,
) -> anyhow::Result<u64> {
    let window = display
        .wait_for_window(PROMPT_TITLE, SETUP_TIMEOUT)
        .await
        .with_context(|| {
            format!(
                "the consent window did not appear; the app's log ends with:\n{}",
                app.log_tail(15)
            )
        })?;
    let key = Duration::from_secs(10);
    display
        .xdotool(&["windowfocus", "--sync", &window, "key", "Tab"], key)
        .await?;
    let deadline = Instant::now() + SETUP_TIMEOUT;
    loop {
        display
            .xdotool(&["windowfocus", "--sync", &window, "key", "Return"], key)
            .await?;
        let until = Instant::now() + Duration::from_millis(300);
        while Instant::now() < until {
            let view: SessionView = api.get(path).await?;
            if let Some(grant) = view.access.grant {
                if grant.access != AccessKind::Control {
                    bail!("the grant is {:?}, not control", grant.access);
                }
                return Ok(grant.epoch);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        app.check_running()?;
        if Instant::now() > deadline {
            bail!("pressing Allow in the consent window did not grant access");
        }
    }
}

/// The technician's WebSocket, read and decoded on a task of its own.
#[derive(Debug)]
pub struct TetherViewer {
    outgoing: mpsc::UnboundedSender<Message>,
    /// The control grant's epoch, for input frames.
    epoch: Arc<std::sync::atomic::AtomicU64>,
    /// Why reading stopped, or the last error frame the server sent.
    problem: Arc<Mutex<Option<String>>>,
    /// Locked by the reading task while it applies a frame.
    decoder: Arc<Mutex<codec::Decoder>>,
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl TetherViewer {
    async fn connect(
        server: &ServerProcess,
        session_id: &str,
        token: &str,
        stats: Arc<ViewerStats>,
        (px, py): (u32, u32),
    ) -> anyhow::Result<TetherViewer> {
        let socket = console_socket(server.address(), session_id, token, None).await?;
        let (mut sink, mut stream) = socket.split();
        let (outgoing, mut queue) = mpsc::unbounded_channel::<Message>();
        let problem = Arc::new(Mutex::new(None));
        let report = {
            let problem = problem.clone();
            move |text: String| *problem.lock().unwrap_or_else(|p| p.into_inner()) = Some(text)
        };
        let writer = {
            let report = report.clone();
            tokio::spawn(async move {
                while let Some(message) = queue.recv().await {
                    if let Err(e) = sink.send(message).await {
                        report(format!("cannot write to the console WebSocket: {e}"));
                        return;
                    }
                }
            })
        };
        let refresh = outgoing.clone();
        let epoch = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let current_epoch = epoch.clone();
        let decoder = Arc::new(Mutex::new(codec::Decoder::default()));
        let shared_decoder = decoder.clone();
        let reader = tokio::spawn(async move {
            let mut pictures = 0u64;
            // As the browser's viewer: a frame number that does not follow
            // the last one is a lost frame; drop frames until a keyframe.
            let mut last_frame: Option<u32> = None;
            let mut waiting = false;
            // Asks for a whole picture, as the console does.
            let ask_refresh = || {
                let frame = ClientFrame::Refresh {
                    epoch: current_epoch.load(Ordering::SeqCst),
                };
                if let Ok(text) = serde_json::to_string(&frame) {
                    // The writer reports a closed socket itself.
                    let _ = refresh.send(Message::text(text));
                }
            };
            while let Some(message) = stream.next().await {
                let bytes = match message {
                    Ok(Message::Binary(bytes)) => bytes,
                    Ok(Message::Text(text)) => {
                        if let Ok(ServerFrame::Error { error, message, .. }) =
                            serde_json::from_str::<ServerFrame>(&text)
                        {
                            report(format!("the server refused a frame: {error}: {message}"));
                        }
                        continue;
                    }
                    Ok(Message::Close(frame)) => {
                        report(format!(
                            "the server closed the console WebSocket: {frame:?}"
                        ));
                        return;
                    }
                    Ok(_) => continue,
                    Err(e) => {
                        report(format!("the console WebSocket failed: {e}"));
                        return;
                    }
                };
                stats.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                if bytes.first() == Some(&codec::CURSOR) {
                    continue;
                }
                if bytes.first() == Some(&codec::UPDATE) && bytes.len() >= 16 {
                    let keyframe = bytes[1] & 1 != 0;
                    let frame = u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]);
                    let follows = last_frame.is_none_or(|last| frame == last.wrapping_add(1));
                    if keyframe {
                        waiting = false;
                    } else if waiting || !follows {
                        if !waiting {
                            stats.gaps.fetch_add(1, Ordering::Relaxed);
                            waiting = true;
                            ask_refresh();
                        }
                        continue;
                    }
                    last_frame = Some(frame);
                }
                let mut decoder = shared_decoder.lock().unwrap_or_else(|p| p.into_inner());
                match decoder.apply(&bytes) {
                    Ok(keyframe) => {
                        pictures += 1;
                        stats.updates.fetch_add(1, Ordering::Relaxed);
                        if keyframe && pictures > 1 {
                            stats.keyframes.fetch_add(1, Ordering::Relaxed);
                        }
                        if let Some([r, g, b, _]) = decoder.pixel(px, py) {
                            stats.saw_probe([r, g, b]);
                        }
                    }
                    Err(e) => {
                        // As the console does: ask for a whole picture and
                        // wait for it (what follows continues a compressed
                        // stream this viewer no longer has).
                        report(format!("a frame did not decode: {e}"));
                        waiting = true;
                        ask_refresh();
                    }
                }
            }
            report("the console WebSocket ended".into());
        });
        Ok(TetherViewer {
            outgoing,
            epoch,
            problem,
            decoder,
            reader,
            writer,
        })
    }

    /// Why the viewer stopped, if it did.
    fn failure(&self) -> Option<String> {
        if self.reader.is_finished() || self.writer.is_finished() {
            let problem = self
                .problem
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            return Some(problem.unwrap_or_else(|| "it stopped".into()));
        }
        None
    }

    /// The last problem the viewer noted (a refused frame, a decode error).
    pub fn last_problem(&self) -> Option<String> {
        self.problem
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Viewer for TetherViewer {
    fn picture(&self) -> Picture {
        let decoder = self.decoder.lock().unwrap_or_else(|p| p.into_inner());
        Picture {
            width: decoder.width,
            height: decoder.height,
            rgb: decoder
                .picture
                .chunks_exact(4)
                .flat_map(|rgba| [rgba[0], rgba[1], rgba[2]])
                .collect(),
        }
    }

    async fn click(&self, x: u32, y: u32) -> anyhow::Result<()> {
        let button = |down| InputEvent::Button {
            button: "left".into(),
            down,
        };
        let frame = ClientFrame::Input {
            epoch: self.epoch.load(Ordering::SeqCst),
            events: vec![
                InputEvent::Move {
                    x: i32::try_from(x).context("x too large")?,
                    y: i32::try_from(y).context("y too large")?,
                },
                button(true),
                button(false),
            ],
        };
        let text = serde_json::to_string(&frame).context("cannot encode the input frame")?;
        self.outgoing
            .send(Message::text(text))
            .map_err(|_| anyhow::anyhow!("the console WebSocket is closed"))
    }
}

impl Drop for TetherViewer {
    fn drop(&mut self) {
        self.reader.abort();
        self.writer.abort();
    }
}
