//! Window sizes and where each button is, in window pixels (origin at the
//! window's top-left corner, inside any frame the window manager adds).
//!
//! Sizes depend on the language only (German labels are longer); a long
//! technician name is shortened, never allowed to grow a window, so a button
//! is always where these functions say.

use crate::Lang;
use crate::strings::strings;
use crate::text::{Weight, fonts};

/// A rectangle in window pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rect {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub width: i32,
    /// Height.
    pub height: i32,
}

impl Rect {
    /// Whether the pixel (`x`, `y`) lies inside.
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.x && y >= self.y && x < self.x + self.width && y < self.y + self.height
    }

    /// The centre pixel, e.g. where a test clicks.
    pub fn center(&self) -> (i32, i32) {
        (self.x + self.width / 2, self.y + self.height / 2)
    }
}

/// A window's size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Size {
    /// Width.
    pub width: i32,
    /// Height.
    pub height: i32,
}

/// The consent prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptLayout {
    /// The window.
    pub size: Size,
    /// "Allow", the primary button, rightmost.
    pub allow: Rect,
    /// "Deny", left of Allow; focused when the prompt opens.
    pub deny: Rect,
}

/// The status window while connected and not sharing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusLayout {
    /// The window (the same for every state of the status window).
    pub size: Size,
    /// "End session" (asks for confirmation).
    pub end_session: Rect,
}

/// The status window while the screen is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeLayout {
    /// The window.
    pub size: Size,
    /// "Stop screen sharing".
    pub stop_sharing: Rect,
    /// "End session" (asks for confirmation), rightmost.
    pub end_session: Rect,
}

/// The status window asking to confirm "End session".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfirmLayout {
    /// The window.
    pub size: Size,
    /// "Cancel": focused when the question appears.
    pub cancel: Rect,
    /// "End session", which ends it for everyone.
    pub end_session: Rect,
}

/// The status window once the session is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndedLayout {
    /// The window.
    pub size: Size,
    /// "Close".
    pub close: Rect,
}

/// The prompt's layout in `lang`.
pub fn prompt_layout(lang: Lang) -> PromptLayout {
    let s = strings(lang);
    let size = Size {
        width: PROMPT_WIDTH,
        height: PROMPT_HEIGHT,
    };
    let [deny, allow] = button_row(size, [s.deny, s.allow]);
    PromptLayout { size, allow, deny }
}

/// The status window's layout while connected, in `lang`.
pub fn status_layout(lang: Lang) -> StatusLayout {
    let size = status_size(lang);
    let [end_session] = button_row(size, [strings(lang).end_session]);
    StatusLayout { size, end_session }
}

/// The notice's layout while the screen is shared, in `lang`.
pub fn notice_layout(lang: Lang) -> NoticeLayout {
    let s = strings(lang);
    let size = status_size(lang);
    let [stop_sharing, end_session] = button_row(size, [s.stop_sharing, s.end_session]);
    NoticeLayout {
        size,
        stop_sharing,
        end_session,
    }
}

/// The confirmation's layout, in `lang`.
pub fn confirm_layout(lang: Lang) -> ConfirmLayout {
    let s = strings(lang);
    let size = status_size(lang);
    let [cancel, end_session] = button_row(size, [s.cancel, s.end_session]);
    ConfirmLayout {
        size,
        cancel,
        end_session,
    }
}

/// The layout after the session ended, in `lang`.
pub fn ended_layout(lang: Lang) -> EndedLayout {
    let size = status_size(lang);
    let [close] = button_row(size, [strings(lang).close]);
    EndedLayout { size, close }
}

// Metrics shared by the layouts and the painter.
pub(crate) const PAD: i32 = 20;
pub(crate) const BAR_HEIGHT: i32 = 40;
pub(crate) const BUTTON_HEIGHT: i32 = 34;
/// Space above and below the buttons in the footer band.
pub(crate) const FOOTER_PAD: i32 = 14;
/// The grey band at the bottom that holds the buttons.
pub(crate) const FOOTER_HEIGHT: i32 = BUTTON_HEIGHT + 2 * FOOTER_PAD;
pub(crate) const BUTTON_GAP: i32 = 10;
pub(crate) const BUTTON_PAD_X: i32 = 18;
pub(crate) const BUTTON_MIN_WIDTH: i32 = 96;
pub(crate) const BUTTON_RADIUS: f32 = 6.0;
pub(crate) const LABEL_SIZE: f32 = 14.0;
pub(crate) const LABEL_WEIGHT: Weight = Weight::Bold;

const PROMPT_WIDTH: i32 = 480;
const PROMPT_HEIGHT: i32 = 250;
const STATUS_MIN_WIDTH: i32 = 420;
const STATUS_HEIGHT: i32 = 200;

/// The width a button needs for `label`.
fn button_width(label: &str) -> i32 {
    let text = fonts().measure(label, LABEL_WEIGHT, LABEL_SIZE).ceil() as i32;
    (text + 2 * BUTTON_PAD_X).max(BUTTON_MIN_WIDTH)
}

/// Buttons for `labels` (left to right) in one row at the bottom right.
fn button_row<const N: usize>(size: Size, labels: [&str; N]) -> [Rect; N] {
    let y = size.height - FOOTER_PAD - BUTTON_HEIGHT;
    let mut right = size.width - PAD;
    let mut rects = [Rect {
        x: 0,
        y,
        width: 0,
        height: BUTTON_HEIGHT,
    }; N];
    for (rect, label) in rects.iter_mut().zip(labels).rev() {
        rect.width = button_width(label);
        rect.x = right - rect.width;
        right = rect.x - BUTTON_GAP;
    }
    rects
}

/// One size for every state of the status window, wide enough for the
/// widest row of buttons, so the window never jumps.
fn status_size(lang: Lang) -> Size {
    let s = strings(lang);
    let rows: [&[&str]; 4] = [
        &[s.end_session],
        &[s.stop_sharing, s.end_session],
        &[s.cancel, s.end_session],
        &[s.close],
    ];
    let widest = rows
        .iter()
        .map(|row| {
            let buttons: i32 = row.iter().map(|label| button_width(label)).sum();
            buttons + BUTTON_GAP * (row.len() as i32 - 1)
        })
        .max()
        .unwrap_or(0);
    Size {
        width: (widest + 2 * PAD).max(STATUS_MIN_WIDTH),
        height: STATUS_HEIGHT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(rect: Rect, size: Size) -> bool {
        rect.x >= PAD
            && rect.y >= BAR_HEIGHT
            && rect.x + rect.width <= size.width - PAD
            && rect.y >= size.height - FOOTER_HEIGHT
            && rect.y + rect.height <= size.height - FOOTER_PAD
    }

    fn overlap(a: Rect, b: Rect) -> bool {
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    }

    #[test]
    fn buttons_fit_and_do_not_overlap() {
        for lang in [Lang::En, Lang::De] {
            let p = prompt_layout(lang);
            assert!(inside(p.allow, p.size) && inside(p.deny, p.size), "{p:?}");
            assert!(!overlap(p.allow, p.deny));
            assert!(
                p.deny.x < p.allow.x,
                "Allow is the rightmost, primary button"
            );
            let n = notice_layout(lang);
            assert!(
                inside(n.stop_sharing, n.size) && inside(n.end_session, n.size),
                "{n:?}"
            );
            assert!(!overlap(n.stop_sharing, n.end_session));
            let c = confirm_layout(lang);
            assert!(inside(c.cancel, c.size) && inside(c.end_session, c.size));
            assert!(!overlap(c.cancel, c.end_session));
            let e = ended_layout(lang);
            assert!(inside(e.close, e.size));
        }
    }

    #[test]
    fn the_status_window_keeps_its_size_across_states() {
        for lang in [Lang::En, Lang::De] {
            let size = status_layout(lang).size;
            assert_eq!(notice_layout(lang).size, size);
            assert_eq!(confirm_layout(lang).size, size);
            assert_eq!(ended_layout(lang).size, size);
        }
    }

    #[test]
    fn rect_contains_its_centre_and_not_its_far_edge() {
        let r = Rect {
            x: 10,
            y: 20,
            width: 30,
            height: 40,
        };
        assert!(r.contains(r.center().0, r.center().1));
        assert!(r.contains(10, 20));
        assert!(!r.contains(40, 20));
        assert!(!r.contains(10, 60));
    }
}
