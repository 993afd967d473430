//! [`X11Injector`]: input injection into an X server through XTEST.

mod keymap;

use x11rb::connection::{Connection, RequestConnection};
use x11rb::errors::ReplyError;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    BUTTON_PRESS_EVENT, BUTTON_RELEASE_EVENT, ConnectionExt as _, KEY_PRESS_EVENT,
    KEY_RELEASE_EVENT, MOTION_NOTIFY_EVENT, Mapping, Window,
};
use x11rb::protocol::xtest::{self, ConnectionExt as _};
use x11rb::rust_connection::RustConnection;

use crate::error::Context;
use crate::{Button, Injector, InputError, Key, MAX_WHEEL_NOTCHES};
use keymap::{Keymap, Keysym, char_keysym, key_keysyms, sym};

/// Injects input into one X display with XTEST `FakeInput`.
///
/// Keys are looked up by keysym in the server's keyboard map. A character or
/// key the map lacks is bound to a free key code (one with no symbols) with
/// `ChangeKeyboardMapping` and typed with it, as xdotool does. Bindings stay
/// until the injector is dropped, or until a free key code is needed for
/// another character (the least recently used binding is then replaced):
/// undoing a binding right after typing would race with applications that
/// look the key code up only when they get to the event, and a leftover
/// binding is harmless since no physical key has that code.
#[derive(Debug)]
pub struct X11Injector {
    conn: RustConnection,
    root: Window,
    keymap: Keymap,
    /// A `MappingNotify` came since `keymap` was read.
    keymap_stale: bool,
    bindings: Vec<Binding>,
    /// Counts uses, to find the least recently used binding.
    clock: u64,
    /// Keys pressed through [`Injector::key`] and not released, with the key
    /// code used, so the release goes to the same code even if the map changed.
    keys_down: Vec<(Key, u8)>,
    buttons_down: Vec<u8>,
}

/// A free key code we bound to a keysym.
#[derive(Debug, Clone, Copy)]
struct Binding {
    keycode: u8,
    keysym: Keysym,
    last_used: u64,
}

impl X11Injector {
    /// Connects to `display` (e.g. `":0"`; `None` uses `$DISPLAY`) and checks
    /// for XTEST.
    pub fn connect(display: Option<&str>) -> Result<Self, InputError> {
        let (conn, screen_index) =
            RustConnection::connect(display).map_err(|source| InputError::Connect {
                display: display
                    .map(str::to_owned)
                    .or_else(|| std::env::var("DISPLAY").ok())
                    .unwrap_or_else(|| "(DISPLAY is not set)".to_owned()),
                source: Box::new(source),
            })?;
        let root = conn
            .setup()
            .roots
            .get(screen_index)
            .ok_or_else(|| InputError::Unsupported(format!("a screen number {screen_index}")))?
            .root;
        if conn
            .extension_information(xtest::X11_EXTENSION_NAME)
            .during("X11 QueryExtension")?
            .is_none()
        {
            return Err(InputError::Unsupported("XTEST".to_owned()));
        }
        conn.xtest_get_version(2, 2)
            .during("X11 XTestGetVersion")?
            .reply()
            .during("X11 XTestGetVersion")?;
        let keymap = fetch_keymap(&conn)?;
        Ok(Self {
            conn,
            root,
            keymap,
            keymap_stale: false,
            bindings: Vec::new(),
            clock: 0,
            keys_down: Vec::new(),
            buttons_down: Vec::new(),
        })
    }

    /// Queues one XTEST event. Its cookie is dropped on purpose: an error for
    /// it then arrives as an event, which [`sync`](Self::sync) reports.
    fn fake(&self, kind: u8, detail: u8, x: i16, y: i16) -> Result<(), InputError> {
        self.conn
            .xtest_fake_input(kind, detail, x11rb::CURRENT_TIME, self.root, x, y, 0)
            .during("X11 XTestFakeInput")?;
        Ok(())
    }

    fn fake_key(&self, keycode: u8, down: bool) -> Result<(), InputError> {
        let kind = if down {
            KEY_PRESS_EVENT
        } else {
            KEY_RELEASE_EVENT
        };
        self.fake(kind, keycode, 0, 0)
    }

    fn fake_button(&self, button: u8, down: bool) -> Result<(), InputError> {
        let kind = if down {
            BUTTON_PRESS_EVENT
        } else {
            BUTTON_RELEASE_EVENT
        };
        self.fake(kind, button, 0, 0)
    }

    /// One round trip: when it returns, the server has processed (and
    /// delivered) everything sent before. Reports the first error the server
    /// sent for any of it, and notes keyboard map changes.
    fn sync(&mut self) -> Result<(), InputError> {
        self.conn
            .get_input_focus()
            .during("X11 GetInputFocus")?
            .reply()
            .during("X11 GetInputFocus")?;
        let mut first_error = None;
        while let Some(event) = self.conn.poll_for_event().during("X11 read events")? {
            match event {
                Event::Error(error) if first_error.is_none() => {
                    first_error = Some(InputError::Request {
                        request: error.request_name.unwrap_or("X11 request"),
                        source: Box::new(ReplyError::X11Error(error)),
                    });
                }
                Event::MappingNotify(notify) if notify.request == Mapping::KEYBOARD => {
                    self.keymap_stale = true;
                }
                // Nothing else is selected; later errors repeat the first.
                _ => {}
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Re-reads the keyboard map if someone (a layout switch, or we) changed
    /// it, and forgets bindings that were overwritten.
    fn refresh_keymap(&mut self) -> Result<(), InputError> {
        if !self.keymap_stale {
            return Ok(());
        }
        self.keymap = fetch_keymap(&self.conn)?;
        self.keymap_stale = false;
        let keymap = &self.keymap;
        self.bindings
            .retain(|binding| keymap.keysyms(binding.keycode).first() == Some(&binding.keysym));
        Ok(())
    }

    /// The key code to press for `key`: one that has one of its keysyms, or a
    /// free one bound to the first.
    fn keycode_for_key(&mut self, key: Key) -> Result<u8, InputError> {
        let keysyms = key_keysyms(key);
        let found = keysyms
            .iter()
            .find_map(|&keysym| self.keymap.find(keysym, 0..usize::MAX));
        match (found, keysyms.first()) {
            (Some((keycode, _)), _) => Ok(keycode),
            (None, Some(&keysym)) => self.bind(keysym, || format!("the key {key}")),
            (None, None) => Err(InputError::NoFreeKeycode(format!("the key {key}"))),
        }
    }

    /// The key code to press for character `c` with keysym `keysym`, and
    /// whether Shift must be held for it.
    fn keycode_for_char(
        &mut self,
        c: char,
        keysym: Keysym,
        shift: Option<u8>,
    ) -> Result<(u8, bool), InputError> {
        match self.keymap.find(keysym, 0..2) {
            Some((keycode, 0)) => Ok((keycode, false)),
            Some((keycode, _)) if shift.is_some() => Ok((keycode, true)),
            _ => Ok((self.bind(keysym, || format!("{c:?}"))?, false)),
        }
    }

    /// Binds `keysym` to a free key code (or reuses its binding) and returns
    /// the code. `what` names it for the error if no code is free.
    fn bind(&mut self, keysym: Keysym, what: impl FnOnce() -> String) -> Result<u8, InputError> {
        self.clock += 1;
        if let Some(binding) = self.bindings.iter_mut().find(|b| b.keysym == keysym) {
            binding.last_used = self.clock;
            return Ok(binding.keycode);
        }
        let keycode = match self.keymap.free_keycodes().next() {
            Some(keycode) => keycode,
            None => {
                // Reuse the least recently used binding whose key is not held.
                let keys_down = &self.keys_down;
                let oldest = self
                    .bindings
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| keys_down.iter().all(|&(_, code)| code != b.keycode))
                    .min_by_key(|(_, b)| b.last_used)
                    .map(|(index, _)| index)
                    .ok_or_else(|| InputError::NoFreeKeycode(what()))?;
                self.bindings.swap_remove(oldest).keycode
            }
        };
        // The same symbol unshifted and shifted, so Shift does not matter.
        let syms = [keysym, keysym];
        self.conn
            .change_keyboard_mapping(1, keycode, 2, &syms)
            .during("X11 ChangeKeyboardMapping")?;
        self.keymap.set(keycode, &syms);
        self.bindings.push(Binding {
            keycode,
            keysym,
            last_used: self.clock,
        });
        Ok(keycode)
    }

    /// Gives bound key codes their (empty) symbols back.
    fn unbind_all(&mut self) -> Result<(), InputError> {
        for binding in std::mem::take(&mut self.bindings) {
            let syms = [sym::NO_SYMBOL, sym::NO_SYMBOL];
            self.conn
                .change_keyboard_mapping(1, binding.keycode, 2, &syms)
                .during("X11 ChangeKeyboardMapping")?;
            self.keymap.set(binding.keycode, &syms);
        }
        self.sync()
    }
}

impl Injector for X11Injector {
    fn move_to(&mut self, x: i32, y: i32) -> Result<(), InputError> {
        let clamp = |v: i32| i16::try_from(v.clamp(0, i32::from(i16::MAX))).unwrap_or(i16::MAX);
        // Detail 0: absolute coordinates.
        self.fake(MOTION_NOTIFY_EVENT, 0, clamp(x), clamp(y))?;
        self.sync()
    }

    fn button(&mut self, button: Button, down: bool) -> Result<(), InputError> {
        let number = button_number(button);
        self.fake_button(number, down)?;
        self.buttons_down.retain(|&b| b != number);
        if down {
            self.buttons_down.push(number);
        }
        self.sync()
    }

    fn wheel(&mut self, dx: i32, dy: i32) -> Result<(), InputError> {
        // X reports wheels as clicks of buttons 4 (up), 5 (down), 6 (left)
        // and 7 (right).
        let notches = |delta: i32, negative: u8, positive: u8| {
            let button = if delta < 0 { negative } else { positive };
            let count = delta
                .clamp(-MAX_WHEEL_NOTCHES, MAX_WHEEL_NOTCHES)
                .unsigned_abs();
            (button, count)
        };
        for (button, count) in [notches(dy, 4, 5), notches(dx, 6, 7)] {
            for _ in 0..count {
                self.fake_button(button, true)?;
                self.fake_button(button, false)?;
            }
        }
        self.sync()
    }

    fn key(&mut self, key: Key, down: bool) -> Result<(), InputError> {
        self.refresh_keymap()?;
        let held = self.keys_down.iter().position(|&(k, _)| k == key);
        let keycode = match held {
            Some(index) => self.keys_down[index].1,
            None => self.keycode_for_key(key)?,
        };
        self.fake_key(keycode, down)?;
        match (down, held) {
            (true, None) => self.keys_down.push((key, keycode)),
            (false, Some(index)) => {
                self.keys_down.remove(index);
            }
            _ => {}
        }
        self.sync()
    }

    fn text(&mut self, text: &str) -> Result<(), InputError> {
        // Check everything before typing anything.
        let mut chars = Vec::with_capacity(text.len());
        let mut previous = None;
        for c in text.chars() {
            // "\r\n" is one line break.
            if !(c == '\n' && previous == Some('\r')) {
                chars.push((c, char_keysym(c).ok_or(InputError::Untypable(c))?));
            }
            previous = Some(c);
        }
        self.refresh_keymap()?;
        let shift = self
            .keymap
            .find(sym::SHIFT_L, 0..1)
            .map(|(keycode, _)| keycode);
        for (c, keysym) in chars {
            let (keycode, shifted) = self.keycode_for_char(c, keysym, shift)?;
            let shift = shift.filter(|_| shifted);
            if let Some(shift) = shift {
                self.fake_key(shift, true)?;
            }
            self.fake_key(keycode, true)?;
            self.fake_key(keycode, false)?;
            if let Some(shift) = shift {
                self.fake_key(shift, false)?;
            }
        }
        self.sync()
    }

    /// X has no secure attention sequence: this presses and releases
    /// Ctrl+Alt+Delete, which desktops bind to log-out or task-manager dialogs.
    fn ctrl_alt_del(&mut self) -> Result<(), InputError> {
        let keys = [Key::ControlLeft, Key::AltLeft, Key::Delete];
        for key in keys {
            self.key(key, true)?;
        }
        for key in keys.into_iter().rev() {
            self.key(key, false)?;
        }
        Ok(())
    }

    fn release_all(&mut self) -> Result<(), InputError> {
        for (_, keycode) in std::mem::take(&mut self.keys_down) {
            self.fake_key(keycode, false)?;
        }
        for button in std::mem::take(&mut self.buttons_down) {
            self.fake_button(button, false)?;
        }
        self.sync()
    }
}

impl Drop for X11Injector {
    fn drop(&mut self) {
        // Errors cannot be reported from `drop`, and they only happen when the
        // connection is already broken, when nothing can be undone anyway: the
        // bindings left behind sit on key codes no key produces.
        self.release_all().ok();
        self.unbind_all().ok();
    }
}

fn button_number(button: Button) -> u8 {
    match button {
        Button::Left => 1,
        Button::Middle => 2,
        Button::Right => 3,
        Button::Back => 8,
        Button::Forward => 9,
    }
}

fn fetch_keymap(conn: &RustConnection) -> Result<Keymap, InputError> {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let reply = conn
        .get_keyboard_mapping(min, max.saturating_sub(min).saturating_add(1))
        .during("X11 GetKeyboardMapping")?
        .reply()
        .during("X11 GetKeyboardMapping")?;
    Ok(Keymap::new(min, reply.keysyms_per_keycode, reply.keysyms))
}
