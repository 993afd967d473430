//! The support app (`tether-support`): what the customer runs so that the
//! technician can see, and with consent control, their screen.
//!
//! Layout:
//! - `config` — where to go: the session block the server appended to the
//!   downloaded file, or a support key from the command line.
//! - `session` — the connection: join, show requests in the app's own
//!   window, send screen updates, take input; reconnects when the network
//!   drops.
//! - `grant` — the app's own record of what the customer allowed.
//! - `screen` — the capture thread; `control` — the input thread.
//!
//! Architecture invariant: the app never captures or injects without a grant
//! it holds itself: one that answers an Allow the customer gave in this
//! app's window, for no more access than that window showed, under the epoch
//! the server announced. The server enforces the same rules on its side.

mod config;
mod control;
mod grant;
mod pace;
mod screen;
mod session;
pub mod transport;
mod video;

use std::sync::Arc;

pub use config::{ConfigError, Join, Launch, from_file};
pub use grant::{GrantRefused, LocalGrant};

/// The platform pieces the app runs on.
pub struct Platform {
    /// Certificates to trust besides the built-in roots (a private CA).
    pub ca_cert: Option<std::path::PathBuf>,
    pub capturer: Box<dyn capture::Capturer>,
    pub injector: Box<dyn input::Injector>,
    pub ui: prompt::UiOptions,
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Platform")
            .field("ui", &self.ui)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("cannot reach the Tether server at {0}: {1}")]
    Unreachable(String, String),
    #[error("{0}")]
    Refused(String),
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("cannot read the screen: {0}")]
    Capture(#[from] capture::CaptureError),
    #[error("cannot show the app's window: {0}")]
    Ui(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("cannot start a thread: {0}")]
    Thread(#[source] std::io::Error),
}

/// Frames per second the app captures at most.
pub const FPS: u32 = 60;

/// Joins the session and serves it until it ends or the customer closes the app.
pub async fn run(launch: Launch, platform: Platform) -> Result<(), AgentError> {
    let Platform {
        ca_cert,
        mut capturer,
        injector,
        ui: ui_options,
    } = platform;
    let transport = transport::Transport::new(ca_cert.as_deref())?;
    let (ui_tx, ui_events) = tokio::sync::mpsc::unbounded_channel();
    let ui = prompt::spawn_native(ui_options, move |event| {
        // The receiver lives as long as the app; a failed send means we are exiting.
        let _ = ui_tx.send(event);
    })
    .map_err(|e| AgentError::Ui(e.to_string()))?;
    let creds = match transport.credentials(&launch).await {
        Ok(c) => c,
        Err(e) => {
            if let Err(ui_error) = ui.send(prompt::UiCommand::Ended {
                text: Some(e.to_string()),
            }) {
                tracing::error!(error = %ui_error, "cannot show why joining failed");
            }
            return Err(e);
        }
    };
    tracing::info!(session = %creds.session_id, "joined");
    let monitors = screen::monitor_info(&capturer.monitors()?);
    let share = Arc::new(screen::ShareControl::default());
    let control = Arc::new(control::ControlGrant::default());
    let (update_tx, updates) = tokio::sync::mpsc::channel(2);
    let (input_tx, input_rx) = std::sync::mpsc::channel();
    let capture_share = share.clone();
    let capture_thread = std::thread::Builder::new()
        .name("capture".into())
        .spawn(move || screen::run(capturer, capture_share, update_tx, FPS))
        .map_err(AgentError::Thread)?;
    let (input_grant, input_share) = (control.clone(), share.clone());
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || control::run(injector, input_grant, input_share, input_rx))
        .map_err(AgentError::Thread)?;
    let parts = session::Parts {
        ui,
        ui_events,
        share: share.clone(),
        updates: Some(updates),
        control,
        input: input_tx,
        monitors,
        hostname: hostname(),
    };
    let result = session::run(&launch, &transport, &creds, parts).await;
    share.quit();
    if capture_thread.join().is_err() {
        tracing::error!("the capture thread panicked");
    }
    result
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".into())
}
