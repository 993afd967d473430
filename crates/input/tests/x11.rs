//! X11Injector against a real Xvfb: a test window receives what was injected.

use std::error::Error;

use capture::testing::Xvfb;
use input::{Button, Injector, InputError, Key, X11Injector};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ConnectionExt as _, CreateWindowAux, EventMask, InputFocus, KeyButMask, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;

type TestResult = Result<(), Box<dyn Error>>;

const SHIFT_L: u32 = 0xffe1;
const CONTROL_L: u32 = 0xffe3;
const ALT_L: u32 = 0xffe9;
const DELETE: u32 = 0xffff;

/// A fresh server with a focused 400×300 window at (100, 100) that listens
/// to pointer and keyboard events.
struct Desk {
    conn: RustConnection,
    window: Window,
    xvfb: Xvfb,
}

/// What the window saw, in a shape that is easy to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Motion {
        x: i16,
        y: i16,
        root_x: i16,
        root_y: i16,
    },
    Button {
        down: bool,
        button: u8,
        x: i16,
        y: i16,
    },
    Key {
        down: bool,
        keycode: u8,
        shift: bool,
    },
}

impl Desk {
    fn start() -> Result<Self, Box<dyn Error>> {
        let xvfb = Xvfb::start()?;
        let (conn, screen) = xvfb.connect()?;
        let root = conn.setup().roots[screen].root;
        let window = conn.generate_id()?;
        let events = EventMask::EXPOSURE
            | EventMask::POINTER_MOTION
            | EventMask::BUTTON_PRESS
            | EventMask::BUTTON_RELEASE
            | EventMask::KEY_PRESS
            | EventMask::KEY_RELEASE;
        conn.create_window(
            x11rb::COPY_DEPTH_FROM_PARENT,
            window,
            root,
            100,
            100,
            400,
            300,
            0,
            WindowClass::INPUT_OUTPUT,
            x11rb::COPY_FROM_PARENT,
            &CreateWindowAux::new()
                .override_redirect(1)
                .background_pixel(0)
                .event_mask(events),
        )?;
        conn.map_window(window)?;
        conn.flush()?;
        loop {
            if let Event::Expose(expose) = conn.wait_for_event()?
                && expose.window == window
                && expose.count == 0
            {
                break;
            }
        }
        conn.set_input_focus(InputFocus::POINTER_ROOT, window, x11rb::CURRENT_TIME)?
            .check()?;
        Ok(Self { conn, window, xvfb })
    }

    fn injector(&self) -> Result<X11Injector, InputError> {
        X11Injector::connect(Some(&self.xvfb.display()))
    }

    /// Everything the window received so far. The injector's calls return
    /// only after the server processed them, so after one more round trip
    /// here every resulting event has arrived: no waiting, no sleeping.
    fn seen(&self) -> Result<Vec<Seen>, Box<dyn Error>> {
        self.conn.get_input_focus()?.reply()?;
        let mut seen = Vec::new();
        while let Some(event) = self.conn.poll_for_event()? {
            match event {
                Event::MotionNotify(e) if e.event == self.window => seen.push(Seen::Motion {
                    x: e.event_x,
                    y: e.event_y,
                    root_x: e.root_x,
                    root_y: e.root_y,
                }),
                Event::ButtonPress(e) | Event::ButtonRelease(e) if e.event == self.window => seen
                    .push(Seen::Button {
                        down: e.response_type == x11rb::protocol::xproto::BUTTON_PRESS_EVENT,
                        button: e.detail,
                        x: e.event_x,
                        y: e.event_y,
                    }),
                Event::KeyPress(e) | Event::KeyRelease(e) if e.event == self.window => {
                    seen.push(Seen::Key {
                        down: e.response_type == x11rb::protocol::xproto::KEY_PRESS_EVENT,
                        keycode: e.detail,
                        shift: e.state.contains(KeyButMask::SHIFT),
                    })
                }
                Event::Error(error) => return Err(format!("X error: {error:?}").into()),
                _ => {}
            }
        }
        Ok(seen)
    }

    /// The server's keyboard map now: the keysyms of each key code.
    fn keymap(&self) -> Result<Keymap, Box<dyn Error>> {
        let setup = self.conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let reply = self
            .conn
            .get_keyboard_mapping(min, max - min + 1)?
            .reply()?;
        Ok(Keymap {
            min,
            per: usize::from(reply.keysyms_per_keycode),
            syms: reply.keysyms,
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Keymap {
    min: u8,
    per: usize,
    syms: Vec<u32>,
}

impl Keymap {
    fn keysyms(&self, keycode: u8) -> &[u32] {
        let start = usize::from(keycode - self.min) * self.per;
        &self.syms[start..start + self.per]
    }

    /// The keysym a key press produces, as an application would decode it
    /// (no Caps Lock, no other group).
    fn keysym(&self, keycode: u8, shift: bool) -> u32 {
        let syms = self.keysyms(keycode);
        match (shift, syms[1]) {
            (true, 0) | (false, _) => syms[0],
            (true, shifted) => shifted,
        }
    }
}

/// The character a keysym types, for the keysyms `text()` may use.
fn keysym_char(keysym: u32) -> Option<char> {
    match keysym {
        0x20..=0x7e | 0xa0..=0xff => char::from_u32(keysym),
        0x0100_0100..=0x0110_ffff => char::from_u32(keysym - 0x0100_0000),
        0x20ac => Some('€'),
        0xff0d => Some('\n'),
        0xff09 => Some('\t'),
        _ => None,
    }
}

fn key(down: bool, keycode: u8) -> Seen {
    Seen::Key {
        down,
        keycode,
        shift: false,
    }
}

#[test]
fn pointer_moves_and_clicks_land_in_the_window() -> TestResult {
    let desk = Desk::start()?;
    let mut injector = desk.injector()?;
    injector.move_to(150, 200)?;
    assert_eq!(
        desk.seen()?,
        [Seen::Motion {
            x: 50,
            y: 100,
            root_x: 150,
            root_y: 200
        }]
    );

    let buttons = [
        (Button::Left, 1),
        (Button::Middle, 2),
        (Button::Right, 3),
        (Button::Back, 8),
        (Button::Forward, 9),
    ];
    for (button, number) in buttons {
        injector.button(button, true)?;
        injector.button(button, false)?;
        let at = |down| Seen::Button {
            down,
            button: number,
            x: 50,
            y: 100,
        };
        assert_eq!(desk.seen()?, [at(true), at(false)], "{button:?}");
    }
    Ok(())
}

#[test]
fn wheel_clicks_buttons_4_to_7() -> TestResult {
    let desk = Desk::start()?;
    let mut injector = desk.injector()?;
    injector.move_to(300, 300)?;
    desk.seen()?;

    let clicks = |button: u8, count: usize| {
        let at = |down| Seen::Button {
            down,
            button,
            x: 200,
            y: 200,
        };
        [at(true), at(false)].repeat(count)
    };
    injector.wheel(0, 2)?;
    assert_eq!(desk.seen()?, clicks(5, 2), "down");
    injector.wheel(0, -1)?;
    assert_eq!(desk.seen()?, clicks(4, 1), "up");
    injector.wheel(1, 0)?;
    assert_eq!(desk.seen()?, clicks(7, 1), "right");
    injector.wheel(-3, 0)?;
    assert_eq!(desk.seen()?, clicks(6, 3), "left");
    injector.wheel(0, 1_000_000)?;
    assert_eq!(desk.seen()?, clicks(5, 64), "clipped");
    Ok(())
}

#[test]
fn keys_press_the_key_codes_of_their_keysyms() -> TestResult {
    let desk = Desk::start()?;
    let mut injector = desk.injector()?;
    let keymap = desk.keymap()?;
    let cases = [
        ("KeyA", 0x61),
        ("KeyZ", 0x7a),
        ("Digit1", 0x31),
        ("Enter", 0xff0d),
        ("Escape", 0xff1b),
        ("ShiftLeft", SHIFT_L),
        ("ControlRight", 0xffe4),
        ("MetaLeft", 0xffeb),
        ("AltRight", 0xffea),
        ("F1", 0xffbe),
        ("F12", 0xffc9),
        ("ArrowLeft", 0xff51),
        ("Home", 0xff50),
        ("PageUp", 0xff55),
        ("Delete", DELETE),
        ("Backspace", 0xff08),
        ("Tab", 0xff09),
        ("Backquote", 0x60),
        ("Slash", 0x2f),
        ("IntlBackslash", 0x3c),
        ("Numpad0", 0xffb0),
        ("NumpadEnter", 0xff8d),
    ];
    for (code, keysym) in cases {
        let key = Key::parse(code)?;
        injector.key(key, true)?;
        injector.key(key, false)?;
        let seen = desk.seen()?;
        let [
            Seen::Key {
                down: true,
                keycode,
                ..
            },
            Seen::Key {
                down: false,
                keycode: released,
                ..
            },
        ] = seen[..]
        else {
            panic!("{code}: expected a press and a release, saw {seen:?}");
        };
        assert_eq!(keycode, released, "{code}");
        assert!(
            keymap.keysyms(keycode).contains(&keysym),
            "{code}: key code {keycode} has {:x?}, not {keysym:#x}",
            keymap.keysyms(keycode)
        );
    }
    assert_eq!(desk.keymap()?, keymap, "no key needed a binding");
    Ok(())
}

#[test]
fn text_types_any_unicode_and_restores_the_keymap() -> TestResult {
    let desk = Desk::start()?;
    let original = desk.keymap()?;
    let mut injector = desk.injector()?;

    let text = "Grüße €";
    injector.text(text)?;
    let seen = desk.seen()?;
    // Bindings stay until the injector is dropped, so this is the map the
    // window had when it received the presses.
    let keymap = desk.keymap()?;
    let typed: String = seen
        .iter()
        .filter_map(|seen| match *seen {
            Seen::Key {
                down: true,
                keycode,
                shift,
            } => Some(keymap.keysym(keycode, shift)),
            _ => None,
        })
        .filter(|&keysym| keysym != SHIFT_L)
        .map(|keysym| keysym_char(keysym).ok_or(format!("untyped keysym {keysym:#x}")))
        .collect::<Result<_, _>>()?;
    assert_eq!(typed, text);
    assert_ne!(keymap, original, "ü, ß and € were bound to free key codes");
    let presses = seen
        .iter()
        .filter(|s| matches!(s, Seen::Key { down: true, .. }))
        .count();
    let releases = seen
        .iter()
        .filter(|s| matches!(s, Seen::Key { down: false, .. }))
        .count();
    assert_eq!(
        (presses, releases),
        (8, 8),
        "7 characters and Shift for the G"
    );

    // A control character is refused before anything is typed.
    assert!(matches!(
        injector.text("a\u{1b}b"),
        Err(InputError::Untypable('\u{1b}'))
    ));
    assert_eq!(desk.seen()?, []);

    drop(injector);
    assert_eq!(desk.keymap()?, original, "bindings undone on drop");
    Ok(())
}

#[test]
fn text_reuses_free_key_codes_when_they_run_out() -> TestResult {
    let desk = Desk::start()?;
    let original = desk.keymap()?;
    let mut injector = desk.injector()?;
    // More distinct missing characters than Xvfb's map has free key codes.
    let text: String = ('α'..='ω').chain('А'..='Я').collect();
    let mut typed = String::new();
    // One call per character, as a browser sends them, so each is decoded
    // with the map of its own moment.
    for c in text.chars() {
        injector.text(&c.to_string())?;
        let keymap = desk.keymap()?;
        for seen in desk.seen()? {
            if let Seen::Key {
                down: true,
                keycode,
                shift,
            } = seen
            {
                typed.extend(keysym_char(keymap.keysym(keycode, shift)));
            }
        }
    }
    assert_eq!(typed, text);
    drop(injector);
    assert_eq!(desk.keymap()?, original);
    Ok(())
}

#[test]
fn ctrl_alt_del_presses_and_releases_in_order() -> TestResult {
    let desk = Desk::start()?;
    let keymap = desk.keymap()?;
    let mut injector = desk.injector()?;
    injector.ctrl_alt_del()?;
    let seen: Vec<(bool, u32)> = desk
        .seen()?
        .into_iter()
        .filter_map(|seen| match seen {
            Seen::Key { down, keycode, .. } => Some((down, keymap.keysyms(keycode)[0])),
            _ => None,
        })
        .collect();
    assert_eq!(
        seen,
        [
            (true, CONTROL_L),
            (true, ALT_L),
            (true, DELETE),
            (false, DELETE),
            (false, ALT_L),
            (false, CONTROL_L),
        ]
    );
    Ok(())
}

#[test]
fn held_keys_and_buttons_are_released_on_request_and_on_drop() -> TestResult {
    let desk = Desk::start()?;
    let keymap = desk.keymap()?;
    let shift = keymap_code(&keymap, SHIFT_L);
    let control = keymap_code(&keymap, CONTROL_L);
    let mut injector = desk.injector()?;
    injector.move_to(150, 200)?;
    injector.key(Key::ShiftLeft, true)?;
    injector.button(Button::Left, true)?;
    desk.seen()?;

    injector.release_all()?;
    let seen = desk.seen()?;
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(matches!(seen[0], Seen::Key { down: false, keycode, .. } if keycode == shift));
    assert!(matches!(
        seen[1],
        Seen::Button {
            down: false,
            button: 1,
            ..
        }
    ));
    injector.release_all()?;
    assert_eq!(desk.seen()?, [], "nothing left to release");

    injector.key(Key::ControlLeft, true)?;
    assert_eq!(desk.seen()?, [key(true, control)]);
    drop(injector);
    assert_eq!(desk.seen()?, [key(false, control)]);
    Ok(())
}

fn keymap_code(keymap: &Keymap, keysym: u32) -> u8 {
    (keymap.min..=u8::MAX)
        .find(|&code| keymap.keysyms(code).first() == Some(&keysym))
        .unwrap_or_else(|| panic!("no key code for {keysym:#x}"))
}
