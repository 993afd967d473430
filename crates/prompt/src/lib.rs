//! The support app's own windows: the consent prompt, and the always-on-top
//! session notice whose "End session" button the customer can always reach.
//!
//! # Shape
//!
//! A UI runs on a thread of its own with its own display connection. The rest
//! of the support app (async, tokio) talks to it only through channels, so it
//! never waits on the UI:
//!
//! - commands in: [`Ui::send`] queues a [`UiCommand`] and returns at once;
//! - events out: every [`UiEvent`] (an answer, "Stop screen sharing", a
//!   confirmed "End session") goes to a [`std::sync::mpsc::Receiver`] or to a
//!   callback given at start. A tokio program passes a callback that forwards
//!   into a `tokio::sync::mpsc::UnboundedSender` (whose `send` never blocks):
//!
//! ```no_run
//! # fn demo() -> Result<(), prompt::UiError> {
//! use prompt::{Lang, Ui, UiCommand, UiOptions};
//! let (ui, events) = prompt::spawn_x11(UiOptions::new(Lang::from_env()))?;
//! ui.send(UiCommand::Connected { technician: "Zoë Ørsted".into() })?;
//! ui.send(UiCommand::Ask { id: 1, technician: "Zoë Ørsted".into(), access: prompt::Access::View })?;
//! let answer = events.recv();
//! # Ok(()) }
//! ```
//!
//! # Code map
//!
//! Everything but the backend is platform-neutral and pure, so that a Windows
//! or macOS backend reuses it and tests run without a display:
//!
//! - `model` — which windows exist and what they show, given the commands so
//!   far; turns button presses into [`UiEvent`]s. The one place that decides.
//! - `scene` — a window's content (texts, buttons) for one state of the model.
//! - [`layout`] — window sizes and button rectangles, public so tests and
//!   docs know where each button is.
//! - `interaction` — hover, press, keyboard focus, and the input guard on
//!   buttons that grant or end something.
//! - `paint`, `canvas`, `text` — render a scene into a BGRA pixel buffer with
//!   the embedded DejaVu Sans fonts (any Unicode the font has).
//! - `strings` — English and German texts.
//! - `x11` — the X11 backend: windows, properties, events, `PutImage`.
//!
//! **Architecture invariant:** this crate knows nothing of sessions, servers
//! or other Tether crates. It shows what it is told and reports what the
//! customer chose. It never grants anything itself: "Allow" is only an
//! [`UiEvent::Answered`] for the app (and then the server) to act on.
//!
//! # Other platforms
//!
//! A backend implements [`Ui`] and feeds platform input into the shared
//! `model`/`interaction` code, then blits the painted buffer:
//!
//! - **Windows:** two top-level Win32 windows (`WS_EX_TOPMOST`,
//!   `WS_EX_TOOLWINDOW` for the notice) on a thread with its own message loop;
//!   commands arrive through `PostThreadMessageW` (or a channel plus a posted
//!   wake message); the buffer goes to the window with `StretchDIBits` on
//!   `WM_PAINT`; `WM_CLOSE` maps to the same close request as X11's
//!   `WM_DELETE_WINDOW`. A notification-area icon (`Shell_NotifyIconW`) with
//!   "End session" keeps it reachable when the notice is covered.
//! - **macOS:** an `NSPanel` (non-activating, `NSFloatingWindowLevel`, joins
//!   all spaces) for the notice and a regular `NSPanel` for the prompt, driven
//!   on the main thread (AppKit requires it), commands delivered with
//!   `dispatch_async` onto the main queue; the buffer is drawn as a `CGImage`
//!   in the view's `drawRect:`; a menu-bar `NSStatusItem` carries
//!   "End session".

mod canvas;
mod interaction;
pub mod layout;
mod model;
mod paint;
mod scene;
mod strings;
mod text;
#[cfg(all(unix, not(target_os = "macos")))]
mod x11;

use std::time::Duration;

#[cfg(all(unix, not(target_os = "macos")))]
pub use x11::{X11Ui, spawn_x11, spawn_x11_with};

/// The language of everything the windows show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// German.
    De,
}

impl Lang {
    /// The language of the customer's desktop session: the first set of
    /// `LC_ALL`, `LC_MESSAGES` and `LANG` (the POSIX order) decides; German
    /// if it starts with `de`, English otherwise.
    pub fn from_env() -> Lang {
        let var = |name| std::env::var(name).ok();
        Lang::from_locale_vars(var("LC_ALL"), var("LC_MESSAGES"), var("LANG"))
    }

    /// [`Lang::from_env`] with the variables passed in. Empty values count as
    /// unset, as in POSIX.
    pub fn from_locale_vars(
        lc_all: Option<String>,
        lc_messages: Option<String>,
        lang: Option<String>,
    ) -> Lang {
        let locale = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|value| !value.is_empty());
        match locale {
            Some(locale) if locale.starts_with("de") => Lang::De,
            _ => Lang::En,
        }
    }
}

/// What the technician asks to do with the customer's screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// See the screen only.
    View,
    /// See the screen and drive mouse and keyboard.
    Control,
}

/// What the app tells the UI to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UiCommand {
    /// Connected to a session: show the status window ("Connected to the
    /// support session with {technician}") with an "End session" button.
    /// Clears any status line.
    Connected {
        /// The technician's display name; shortened with "…" if very long.
        technician: String,
    },
    /// Ask the customer. Replaces any earlier unanswered prompt (whose answer
    /// then never comes); the Allow button accepts input only after
    /// [`UiOptions::input_delay`].
    Ask {
        /// Chosen by the app; comes back in [`UiEvent::Answered`].
        id: u64,
        /// The technician's display name.
        technician: String,
        /// What the technician asks for.
        access: Access,
    },
    /// The request was withdrawn or the session ended: close the prompt
    /// `id` without an answer. Ignored if that prompt is no longer shown.
    CancelAsk {
        /// The id of the [`UiCommand::Ask`] to withdraw.
        id: u64,
    },
    /// The screen is now shared: the status window becomes the notice
    /// ("{technician} can see your screen") with "Stop screen sharing" and
    /// "End session".
    Sharing {
        /// What the technician was granted.
        access: Access,
    },
    /// Sharing stopped (either side): back to the plain status window.
    NotSharing,
    /// Show a line of status text in the status window (e.g.
    /// "Reconnecting…"); an empty text removes it. Opens the status window
    /// if none is shown yet (without an "End session" button until
    /// [`UiCommand::Connected`]).
    Status {
        /// One line; wrapped if long.
        text: String,
    },
    /// The session is over: close any prompt, and show `text` (or "The
    /// session has ended.") with a "Close" button instead of "End session".
    /// Closing the window then reports [`UiEvent::Closed`].
    Ended {
        /// Why it ended, already in the customer's language; `None` for the
        /// default sentence.
        text: Option<String>,
    },
    /// Close every window and stop the UI thread.
    Quit,
}

/// What the customer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UiEvent {
    /// The customer answered prompt `id` (closing the prompt through the
    /// window manager or pressing Escape counts as a denial).
    Answered {
        /// The id from [`UiCommand::Ask`].
        id: u64,
        /// `true` only for a click (or Enter/Space) on Allow.
        allow: bool,
    },
    /// "Stop screen sharing": revoke screen access now. The notice already
    /// shows the plain status window again.
    StopSharing,
    /// "End session", confirmed by the customer: end it now, for everyone.
    /// Any open prompt was answered with a denial just before.
    EndSession,
    /// The customer closed the status window while no session was running
    /// (after [`UiCommand::Ended`], or before [`UiCommand::Connected`]).
    Closed,
    /// The UI can no longer show anything (the display connection failed).
    /// The app must stop sharing: the customer can no longer see the notice
    /// nor reach "End session".
    Lost {
        /// What failed, for the log.
        reason: String,
    },
}

/// A running UI, whatever the platform.
pub trait Ui: Send {
    /// Queue `command` for the UI thread. Never blocks.
    ///
    /// # Errors
    ///
    /// [`UiError::Stopped`] if the UI thread is no longer running.
    fn send(&self, command: UiCommand) -> Result<(), UiError>;
}

/// How a UI starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiOptions {
    /// The language of all texts.
    pub lang: Lang,
    /// The X11 display (`":0"`); `None` reads `$DISPLAY`. Other platforms
    /// ignore it.
    pub display: Option<String>,
    /// How long a new prompt's Allow button, and the button that confirms
    /// "End session", ignore input after they appear. Guards against a
    /// double click or a click meant for something else landing on them
    /// (the same guard browsers put on permission dialogs).
    pub input_delay: Duration,
}

impl UiOptions {
    /// The default input guard: long enough to catch a double click.
    pub const DEFAULT_INPUT_DELAY: Duration = Duration::from_millis(600);

    /// Options for `lang` on the default display.
    pub fn new(lang: Lang) -> UiOptions {
        UiOptions {
            lang,
            display: None,
            input_delay: UiOptions::DEFAULT_INPUT_DELAY,
        }
    }
}

/// Why a UI could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    /// The display could not be opened.
    #[error("cannot open the display {display}: {source}")]
    Connect {
        /// The display asked for, or `$DISPLAY`.
        display: String,
        /// The platform's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A request to the display failed.
    #[error("display error while {context}: {source}")]
    Display {
        /// What the UI was doing.
        context: &'static str,
        /// The platform's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The screen's pixel format is one the UI cannot draw into.
    #[error("unsupported screen pixel format: {0}")]
    PixelFormat(String),
    /// The UI thread could not be started.
    #[error("cannot start the UI thread: {0}")]
    Thread(#[source] std::io::Error),
    /// The UI thread has stopped (after [`UiCommand::Quit`] or an error).
    #[error("the UI has stopped")]
    Stopped,
    /// The UI thread panicked.
    #[error("the UI thread panicked")]
    Panicked,
    /// This platform has no UI backend yet.
    #[error("no native UI on this platform yet")]
    Unsupported,
}

/// Start the platform's UI. Events go to `on_event`, on the UI thread: it must
/// not block (forward into a channel).
///
/// # Errors
///
/// [`UiError::Unsupported`] where no backend exists yet; otherwise whatever
/// the backend's start returns.
pub fn spawn_native(
    options: UiOptions,
    on_event: impl FnMut(UiEvent) + Send + 'static,
) -> Result<Box<dyn Ui>, UiError> {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        Ok(Box::new(spawn_x11_with(options, on_event)?))
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        let _ = (options, on_event);
        Err(UiError::Unsupported)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(value: &str) -> Option<String> {
        Some(value.to_owned())
    }

    #[test]
    fn german_locales_choose_german() {
        assert_eq!(
            Lang::from_locale_vars(None, None, some("de_DE.UTF-8")),
            Lang::De
        );
        assert_eq!(
            Lang::from_locale_vars(None, some("de_AT"), some("en_US")),
            Lang::De
        );
        assert_eq!(
            Lang::from_locale_vars(some("de_CH.UTF-8"), some("en_US"), None),
            Lang::De
        );
    }

    #[test]
    fn other_or_missing_locales_choose_english() {
        assert_eq!(Lang::from_locale_vars(None, None, None), Lang::En);
        assert_eq!(
            Lang::from_locale_vars(some("C"), None, some("de_DE")),
            Lang::En
        );
        assert_eq!(
            Lang::from_locale_vars(some(""), None, some("de_DE")),
            Lang::De
        );
        assert_eq!(Lang::from_locale_vars(None, None, some("fr_FR")), Lang::En);
    }
}
