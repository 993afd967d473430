//! The X server's core keyboard map, and the keysyms of [`Key`]s and characters.

use std::ops::Range;

use crate::Key;

pub(super) type Keysym = u32;

/// The keysyms the injector itself needs by name.
pub(super) mod sym {
    use super::Keysym;

    pub const NO_SYMBOL: Keysym = 0;
    pub const BACKSPACE: Keysym = 0xff08;
    pub const TAB: Keysym = 0xff09;
    pub const RETURN: Keysym = 0xff0d;
    pub const SHIFT_L: Keysym = 0xffe1;
}

/// A copy of the server's core keyboard map (`GetKeyboardMapping`): for each
/// key code, a row of keysyms. Column 0 is the unshifted symbol, column 1 the
/// shifted one; further columns hold other groups and levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Keymap {
    min_keycode: u8,
    per_keycode: usize,
    syms: Vec<Keysym>,
}

impl Keymap {
    pub(super) fn new(min_keycode: u8, per_keycode: u8, syms: Vec<Keysym>) -> Self {
        Self {
            min_keycode,
            per_keycode: usize::from(per_keycode).max(1),
            syms,
        }
    }

    fn keycodes(&self) -> impl DoubleEndedIterator<Item = u8> + '_ {
        let count = self.syms.len() / self.per_keycode;
        (0..count).filter_map(|i| u8::try_from(usize::from(self.min_keycode) + i).ok())
    }

    fn row_range(&self, keycode: u8) -> Option<Range<usize>> {
        let row = usize::from(keycode.checked_sub(self.min_keycode)?);
        let start = row * self.per_keycode;
        let end = start + self.per_keycode;
        (end <= self.syms.len()).then_some(start..end)
    }

    /// The keysyms of `keycode` (empty if it is out of range).
    pub(super) fn keysyms(&self, keycode: u8) -> &[Keysym] {
        self.row_range(keycode)
            .and_then(|range| self.syms.get(range))
            .unwrap_or_default()
    }

    /// The lowest key code with `keysym` in one of `columns`, searching column
    /// by column: a key that has the symbol unshifted wins over one that has it
    /// shifted.
    pub(super) fn find(&self, keysym: Keysym, columns: Range<usize>) -> Option<(u8, usize)> {
        columns
            .take_while(|&c| c < self.per_keycode)
            .find_map(|column| {
                self.keycodes()
                    .find(|&keycode| self.keysyms(keycode).get(column) == Some(&keysym))
                    .map(|keycode| (keycode, column))
            })
    }

    /// Key codes without any symbol (no physical key produces anything with
    /// them), highest first.
    pub(super) fn free_keycodes(&self) -> impl Iterator<Item = u8> + '_ {
        self.keycodes()
            .rev()
            .filter(|&keycode| self.keysyms(keycode).iter().all(|&s| s == sym::NO_SYMBOL))
    }

    /// Mirrors a `ChangeKeyboardMapping` of one key code: `syms` first, the
    /// rest of the row `NoSymbol`.
    pub(super) fn set(&mut self, keycode: u8, syms: &[Keysym]) {
        if let Some(row) = self
            .row_range(keycode)
            .and_then(|range| self.syms.get_mut(range))
        {
            row.fill(sym::NO_SYMBOL);
            for (slot, &keysym) in row.iter_mut().zip(syms) {
                *slot = keysym;
            }
        }
    }
}

/// The keysym that types `c`, or `None` for control characters other than
/// tab, newline and backspace.
pub(super) fn char_keysym(c: char) -> Option<Keysym> {
    match c {
        '\t' => Some(sym::TAB),
        '\n' | '\r' => Some(sym::RETURN),
        '\u{8}' => Some(sym::BACKSPACE),
        c if c.is_control() => None,
        // Latin-1 characters are their own keysyms; everything else uses the
        // Unicode keysym range.
        ' '..='~' | '\u{a0}'..='\u{ff}' => Some(u32::from(c)),
        c => Some(0x0100_0000 + u32::from(c)),
    }
}

/// The keysyms a key produces on a US layout, best first. The first one is
/// bound to a free key code if the map has none of them.
pub(super) fn key_keysyms(key: Key) -> &'static [Keysym] {
    use Key::*;
    match key {
        KeyA => &[0x61],
        KeyB => &[0x62],
        KeyC => &[0x63],
        KeyD => &[0x64],
        KeyE => &[0x65],
        KeyF => &[0x66],
        KeyG => &[0x67],
        KeyH => &[0x68],
        KeyI => &[0x69],
        KeyJ => &[0x6a],
        KeyK => &[0x6b],
        KeyL => &[0x6c],
        KeyM => &[0x6d],
        KeyN => &[0x6e],
        KeyO => &[0x6f],
        KeyP => &[0x70],
        KeyQ => &[0x71],
        KeyR => &[0x72],
        KeyS => &[0x73],
        KeyT => &[0x74],
        KeyU => &[0x75],
        KeyV => &[0x76],
        KeyW => &[0x77],
        KeyX => &[0x78],
        KeyY => &[0x79],
        KeyZ => &[0x7a],
        Digit0 => &[0x30],
        Digit1 => &[0x31],
        Digit2 => &[0x32],
        Digit3 => &[0x33],
        Digit4 => &[0x34],
        Digit5 => &[0x35],
        Digit6 => &[0x36],
        Digit7 => &[0x37],
        Digit8 => &[0x38],
        Digit9 => &[0x39],
        Minus => &[0x2d],
        Equal => &[0x3d],
        BracketLeft => &[0x5b],
        BracketRight => &[0x5d],
        Backslash => &[0x5c],
        Semicolon => &[0x3b],
        Quote => &[0x27],
        Backquote => &[0x60],
        Comma => &[0x2c],
        Period => &[0x2e],
        Slash => &[0x2f],
        IntlBackslash => &[0x3c],
        Space => &[0x20],
        Enter => &[sym::RETURN],
        Tab => &[sym::TAB],
        Backspace => &[sym::BACKSPACE],
        Escape => &[0xff1b],
        CapsLock => &[0xffe5],
        ShiftLeft => &[sym::SHIFT_L],
        ShiftRight => &[0xffe2],
        ControlLeft => &[0xffe3],
        ControlRight => &[0xffe4],
        AltLeft => &[0xffe9],
        // Alt_R on US layouts, AltGr (ISO_Level3_Shift) on most others.
        AltRight => &[0xffea, 0xfe03],
        MetaLeft => &[0xffeb],
        MetaRight => &[0xffec],
        ContextMenu => &[0xff67],
        F1 => &[0xffbe],
        F2 => &[0xffbf],
        F3 => &[0xffc0],
        F4 => &[0xffc1],
        F5 => &[0xffc2],
        F6 => &[0xffc3],
        F7 => &[0xffc4],
        F8 => &[0xffc5],
        F9 => &[0xffc6],
        F10 => &[0xffc7],
        F11 => &[0xffc8],
        F12 => &[0xffc9],
        PrintScreen => &[0xff61],
        ScrollLock => &[0xff14],
        Pause => &[0xff13],
        Insert => &[0xff63],
        Delete => &[0xffff],
        Home => &[0xff50],
        End => &[0xff57],
        PageUp => &[0xff55],
        PageDown => &[0xff56],
        ArrowUp => &[0xff52],
        ArrowDown => &[0xff54],
        ArrowLeft => &[0xff51],
        ArrowRight => &[0xff53],
        NumLock => &[0xff7f],
        // Keypad digits: the Num Lock symbol, then the navigation one.
        Numpad0 => &[0xffb0, 0xff9e],
        Numpad1 => &[0xffb1, 0xff9c],
        Numpad2 => &[0xffb2, 0xff99],
        Numpad3 => &[0xffb3, 0xff9b],
        Numpad4 => &[0xffb4, 0xff96],
        Numpad5 => &[0xffb5, 0xff9d],
        Numpad6 => &[0xffb6, 0xff98],
        Numpad7 => &[0xffb7, 0xff95],
        Numpad8 => &[0xffb8, 0xff97],
        Numpad9 => &[0xffb9, 0xff9a],
        NumpadAdd => &[0xffab],
        NumpadSubtract => &[0xffad],
        NumpadMultiply => &[0xffaa],
        NumpadDivide => &[0xffaf],
        NumpadDecimal => &[0xffae, 0xff9f],
        NumpadEnter => &[0xff8d],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_map_to_latin1_or_unicode_keysyms() {
        assert_eq!(char_keysym('a'), Some(0x61));
        assert_eq!(char_keysym('ü'), Some(0xfc));
        assert_eq!(char_keysym('ß'), Some(0xdf));
        assert_eq!(char_keysym('€'), Some(0x0100_20ac));
        assert_eq!(char_keysym('😀'), Some(0x0101_f600));
        assert_eq!(char_keysym('\n'), Some(sym::RETURN));
        assert_eq!(char_keysym('\u{1b}'), None);
        assert_eq!(char_keysym('\u{85}'), None);
    }

    #[test]
    fn every_key_has_a_keysym() {
        for &key in Key::ALL {
            assert!(!key_keysyms(key).is_empty(), "{key}");
        }
    }

    #[test]
    fn keymap_finds_unshifted_first_and_lists_free_codes() {
        // Key codes 8..=11: a/A, empty, 1/a (contrived), empty.
        let mut map = Keymap::new(8, 2, vec![0x61, 0x41, 0, 0, 0x31, 0x61, 0, 0]);
        assert_eq!(map.find(0x61, 0..2), Some((8, 0)));
        assert_eq!(map.find(0x41, 0..2), Some((8, 1)));
        assert_eq!(map.find(0x41, 0..1), None);
        assert_eq!(map.free_keycodes().collect::<Vec<_>>(), [11, 9]);
        map.set(11, &[0xfc]);
        assert_eq!(map.keysyms(11), [0xfc, 0]);
        assert_eq!(map.free_keycodes().collect::<Vec<_>>(), [9]);
        assert_eq!(map.keysyms(12), [] as [u32; 0]);
        assert_eq!(map.keysyms(7), [] as [u32; 0]);
    }
}
