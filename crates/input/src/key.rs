//! [`Key`]: a physical key named as in the DOM's `KeyboardEvent.code`.

use std::fmt;
use std::str::FromStr;

/// A key name the browser sent that is not a known [`Key`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown key code {0:?}")]
pub struct KeyParseError(pub String);

macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        /// A key on the keyboard, named by its DOM `KeyboardEvent.code`
        /// (`"KeyA"`, `"ShiftLeft"`, `"Numpad0"`, …), which the technician's
        /// browser reports for every key press whatever its layout.
        ///
        /// The names follow the US layout's legends: `KeyA` is the key that
        /// types `a` on a US keyboard. Printable text should go through
        /// [`Injector::text`](crate::Injector::text), which types characters
        /// whatever the customer's layout; `Key` is for shortcuts, navigation,
        /// editing and modifier keys.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Key {
            $($key,)*
        }

        impl Key {
            /// Every key, in declaration order.
            pub const ALL: &'static [Key] = &[$(Key::$key,)*];

            /// Parses a DOM `KeyboardEvent.code`, e.g. `"KeyA"` or `"Enter"`.
            pub fn parse(code: &str) -> Result<Self, KeyParseError> {
                match code {
                    $(stringify!($key) => Ok(Key::$key),)*
                    _ => Err(KeyParseError(code.to_owned())),
                }
            }

            /// The DOM `KeyboardEvent.code` of this key.
            pub fn code(self) -> &'static str {
                match self {
                    $(Key::$key => stringify!($key),)*
                }
            }
        }
    };
}

keys! {
    KeyA, KeyB, KeyC, KeyD, KeyE, KeyF, KeyG, KeyH, KeyI, KeyJ, KeyK, KeyL, KeyM,
    KeyN, KeyO, KeyP, KeyQ, KeyR, KeyS, KeyT, KeyU, KeyV, KeyW, KeyX, KeyY, KeyZ,
    Digit0, Digit1, Digit2, Digit3, Digit4, Digit5, Digit6, Digit7, Digit8, Digit9,
    Minus, Equal, BracketLeft, BracketRight, Backslash, Semicolon, Quote, Backquote,
    Comma, Period, Slash, IntlBackslash, Space,
    Enter, Tab, Backspace, Escape, CapsLock,
    ShiftLeft, ShiftRight, ControlLeft, ControlRight, AltLeft, AltRight,
    MetaLeft, MetaRight, ContextMenu,
    F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12,
    PrintScreen, ScrollLock, Pause,
    Insert, Delete, Home, End, PageUp, PageDown,
    ArrowUp, ArrowDown, ArrowLeft, ArrowRight,
    NumLock, Numpad0, Numpad1, Numpad2, Numpad3, Numpad4, Numpad5, Numpad6,
    Numpad7, Numpad8, Numpad9, NumpadAdd, NumpadSubtract, NumpadMultiply,
    NumpadDivide, NumpadDecimal, NumpadEnter,
}

impl FromStr for Key {
    type Err = KeyParseError;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::parse(code)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_parses_from_its_own_code() {
        for &key in Key::ALL {
            assert_eq!(Key::parse(key.code()), Ok(key));
        }
        assert_eq!(Key::ALL.len(), 105);
    }

    #[test]
    fn dom_codes_parse_and_others_do_not() {
        assert_eq!("KeyA".parse(), Ok(Key::KeyA));
        assert_eq!(Key::parse("ControlLeft"), Ok(Key::ControlLeft));
        assert_eq!(Key::parse("F12"), Ok(Key::F12));
        assert_eq!(
            Key::parse("ArrowLeft").map(|k| k.to_string()),
            Ok("ArrowLeft".into())
        );
        for bad in ["keya", "A", "", "KeyA ", "Ctrl", "F13"] {
            assert_eq!(Key::parse(bad), Err(KeyParseError(bad.to_owned())));
        }
    }
}
