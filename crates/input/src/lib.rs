//! Input injection for the support app: the [`Injector`] trait and its X11 implementation.
//!
//! # Input
//!
//! The technician's browser sends pointer moves, button and wheel events, key
//! presses named by DOM `KeyboardEvent.code` and typed text; the support app
//! parses them once ([`Key::parse`], [`Button::from_dom`]) and replays them on
//! the customer's desktop through an [`Injector`].
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use input::{Button, Injector, Key, X11Injector};
//!
//! let mut injector = X11Injector::connect(None)?;
//! injector.move_to(640, 360)?;
//! injector.button(Button::Left, true)?;
//! injector.button(Button::Left, false)?;
//! injector.key(Key::parse("ControlLeft")?, true)?;
//! injector.key(Key::parse("KeyS")?, true)?;
//! injector.key(Key::parse("KeyS")?, false)?;
//! injector.key(Key::parse("ControlLeft")?, false)?;
//! injector.text("Grüße €")?;
//! // Nothing stays pressed when the technician's connection drops.
//! injector.release_all()?;
//! # Ok(())
//! # }
//! ```
//!
//! ## Layout
//! - `lib.rs` — [`Injector`], [`Button`].
//! - `key.rs` — [`Key`], one variant per DOM `KeyboardEvent.code`.
//! - `error.rs` — [`InputError`].
//! - `x11/` — [`X11Injector`]: XTEST `FakeInput` over x11rb's pure-Rust
//!   connection; keys go keysym → key code through the server's keyboard map
//!   (`x11/keymap.rs`), and characters the layout lacks are typed by binding
//!   them to a free key code for a while, as xdotool does.
//!
//! **Architecture invariant:** this crate injects what it is told, and
//! nothing else: whether input is allowed at all (the customer's grant) is
//! decided before, by the caller. It keeps only the state needed to undo its
//! own effects: which keys and buttons it holds down, which key codes it bound.
//!
//! ## Coordinates and units
//! Pointer positions are screen pixels, as in the `capture` crate's `Rect`s
//! (origin at the top-left of the virtual screen spanning all monitors). Wheel
//! steps are notches with the DOM's signs: `dy > 0` scrolls down,
//! `dx > 0` scrolls right.
//!
//! ## Other platforms (not written yet)
//! Each would be one more module chosen by `#[cfg]`, implementing the same trait.
//!
//! **Windows — `SendInput`.** `MOUSEINPUT` with `MOUSEEVENTF_ABSOLUTE |
//! MOUSEEVENTF_VIRTUALDESK` (coordinates normalised to 0–65535 over the
//! virtual screen), `MOUSEEVENTF_XDOWN` with `XBUTTON1`/`XBUTTON2` for
//! back/forward, `MOUSEEVENTF_WHEEL`/`HWHEEL` with `WHEEL_DELTA` (120) a notch
//! (the vertical sign is inverted: positive is up). Keys as
//! `KEYEVENTF_SCANCODE` with the PS/2 scan code of the DOM code (plus
//! `KEYEVENTF_EXTENDEDKEY` for the E0 keys: arrows, Insert/Delete/Home/End/
//! PageUp/PageDown, right Ctrl/Alt, NumpadEnter/Divide, Meta), so the
//! customer's layout applies; text as `KEYEVENTF_UNICODE` with UTF-16 code
//! units (surrogate pairs as two events), which needs no key code at all.
//! `SendInput` cannot reach windows of a higher integrity level (UIPI): the
//! agent must run elevated, or as a service that starts a helper in the user's
//! session, and must follow desktop switches (`OpenInputDesktop`/
//! `SetThreadDesktop`) to type on the UAC and lock screens.
//! [`Injector::ctrl_alt_del`] cannot be faked with `SendInput`; it calls
//! `SendSAS(FALSE)` (sas.dll), which works only from a service running as
//! LocalSystem and only when the policy `SoftwareSASGeneration` allows
//! services to generate the secure attention sequence.
//!
//! **macOS — `CGEvent`.** `CGEventCreateMouseEvent` (`kCGEventMouseMoved`,
//! `…Dragged` while a button is down, `kCGEventOtherMouseDown` with button
//! numbers 3/4 for back/forward; double clicks need `kCGMouseEventClickState`
//! set by the injector), `CGEventCreateScrollWheelEvent2` in line units,
//! `CGEventCreateKeyboardEvent` with the ANSI virtual key code of the DOM code
//! (`kVK_ANSI_A` …) and the modifier flags kept by the injector; text via
//! `CGEventKeyboardSetUnicodeString`. Posting events needs the user's
//! Accessibility permission (TCC: `AXIsProcessTrustedWithOptions` prompts;
//! granted per signed app, and lost when the binary's signature changes). Points are in global display coordinates (points,
//! not pixels, on Retina screens: divide by the backing scale factor). There
//! is no Ctrl+Alt+Del: [`Injector::ctrl_alt_del`] returns
//! [`InputError::Unsupported`].

mod error;
mod key;
#[cfg(all(unix, not(target_os = "macos")))]
mod x11;

pub use error::InputError;
pub use key::{Key, KeyParseError};
#[cfg(all(unix, not(target_os = "macos")))]
pub use x11::X11Injector;

/// A pointer button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Button {
    Left,
    Middle,
    Right,
    /// The "back" side button (X button 8).
    Back,
    /// The "forward" side button (X button 9).
    Forward,
}

impl Button {
    /// The button of a DOM `MouseEvent.button` number (0 left, 1 middle,
    /// 2 right, 3 back, 4 forward).
    pub fn from_dom(button: i16) -> Option<Self> {
        match button {
            0 => Some(Self::Left),
            1 => Some(Self::Middle),
            2 => Some(Self::Right),
            3 => Some(Self::Back),
            4 => Some(Self::Forward),
            _ => None,
        }
    }
}

/// Replays a technician's input on this machine's desktop.
///
/// Every call has taken effect when it returns: the events are queued at the
/// display server in call order, and any error the server reports for them is
/// returned by that call. Dropping an injector releases what it still holds
/// (like [`release_all`](Injector::release_all)).
pub trait Injector: Send {
    /// Moves the pointer to (`x`, `y`) in screen pixels.
    fn move_to(&mut self, x: i32, y: i32) -> Result<(), InputError>;

    /// Presses (`down`) or releases a button where the pointer is.
    fn button(&mut self, button: Button, down: bool) -> Result<(), InputError>;

    /// Scrolls `dx` notches right (negative: left) and `dy` notches down
    /// (negative: up). At most [`MAX_WHEEL_NOTCHES`] per axis and call; more
    /// is clipped, so a bad message cannot flood the desktop.
    fn wheel(&mut self, dx: i32, dy: i32) -> Result<(), InputError>;

    /// Presses (`down`) or releases a physical key. Modifiers are keys like any
    /// other: send `ControlLeft` down, `KeyC` down and up, `ControlLeft` up.
    fn key(&mut self, key: Key, down: bool) -> Result<(), InputError>;

    /// Types `text` as if on a keyboard that had every character on it,
    /// whatever the layout. Tab, newline (`\n` or `\r`) and backspace are the
    /// only control characters accepted; with any other, nothing is typed. It
    /// assumes no modifier is held, and Caps Lock off.
    fn text(&mut self, text: &str) -> Result<(), InputError>;

    /// The secure attention sequence where the platform has one; otherwise
    /// Ctrl+Alt+Delete pressed and released as keys.
    fn ctrl_alt_del(&mut self) -> Result<(), InputError>;

    /// Releases every key and button this injector pressed and has not
    /// released. Call it when the technician's connection drops or control is
    /// revoked, so no Ctrl or mouse button stays stuck on the customer's side.
    fn release_all(&mut self) -> Result<(), InputError>;
}

/// The most wheel notches [`Injector::wheel`] sends per axis and call.
pub const MAX_WHEEL_NOTCHES: i32 = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dom_buttons_map_to_buttons() {
        assert_eq!(Button::from_dom(0), Some(Button::Left));
        assert_eq!(Button::from_dom(1), Some(Button::Middle));
        assert_eq!(Button::from_dom(2), Some(Button::Right));
        assert_eq!(Button::from_dom(3), Some(Button::Back));
        assert_eq!(Button::from_dom(4), Some(Button::Forward));
        assert_eq!(Button::from_dom(5), None);
        assert_eq!(Button::from_dom(-1), None);
    }
}
