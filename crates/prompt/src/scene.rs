//! What a window shows in one state: its title, texts and buttons. Pure
//! data, built from the strings and the layout; the painter draws it and the
//! interaction code hit-tests its buttons.

use crate::layout::{
    Rect, Size, confirm_layout, ended_layout, notice_layout, prompt_layout, status_layout,
};
use crate::strings::{split_name, strings};
use crate::text::{Span, Weight, fonts};
use crate::{Access, Lang};

/// What pressing a button (or an equivalent key) asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Action {
    Allow,
    Deny,
    StopSharing,
    /// Show the "End session?" question.
    AskEnd,
    /// Back from the question.
    CancelEnd,
    /// End the session (answered the question).
    ConfirmEnd,
    /// Close the status window after the session.
    Close,
}

/// A button's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ButtonStyle {
    /// Blue: the main choice.
    Primary,
    /// White with a border: the safe or secondary choice.
    Neutral,
    /// Red: ends something.
    Danger,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Button {
    pub rect: Rect,
    pub label: &'static str,
    pub style: ButtonStyle,
    pub action: Action,
    /// Ignores input for the input delay after the scene appears.
    pub guarded: bool,
}

/// The colour role of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Tone {
    Primary,
    Secondary,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Paragraph {
    pub spans: Vec<Span>,
    pub size: f32,
    pub line_height: f32,
    pub tone: Tone,
    /// Space above the paragraph.
    pub gap_before: f32,
    /// More lines are cut, the last one ending in "…".
    pub max_lines: usize,
}

/// The small label at the right of the header bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Badge {
    pub text: &'static str,
    pub live: bool,
}

/// The picture left of the prompt's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Icon {
    Screen(Access),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scene {
    pub size: Size,
    /// The window title.
    pub title: String,
    pub badge: Option<Badge>,
    pub icon: Option<Icon>,
    /// Where the text column starts and how wide it is.
    pub text_x: i32,
    pub text_width: i32,
    pub paragraphs: Vec<Paragraph>,
    /// Centre the text between the header and the footer (short notices),
    /// rather than start it at the top (the prompt, beside its icon).
    pub center_text: bool,
    pub buttons: Vec<Button>,
    /// The button with keyboard focus when the scene appears.
    pub initial_focus: Option<usize>,
    /// What Escape does.
    pub escape: Option<Action>,
    /// What closing the window through the window manager does.
    pub close: Option<Action>,
}

/// What the status window is showing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StatusView<'a> {
    /// Before a session: only a status line.
    Idle {
        line: Option<&'a str>,
    },
    Connected {
        technician: &'a str,
        line: Option<&'a str>,
    },
    Sharing {
        technician: &'a str,
        access: Access,
        line: Option<&'a str>,
    },
    /// "End the session for everyone?"
    Confirm,
    /// Confirmed; waiting for the app to end it.
    Ending,
    Ended {
        text: Option<&'a str>,
    },
}

const HEADING_SIZE: f32 = 17.0;
const STATUS_HEADING_SIZE: f32 = 15.0;
const BODY_SIZE: f32 = 14.0;
const HINT_SIZE: f32 = 13.0;
const ICON_SIZE: i32 = 44;
/// Longest technician name, in pixels of bold body text, before "…".
const NAME_MAX_WIDTH: f32 = 230.0;

/// The consent prompt asking for `access` on behalf of `technician`.
pub(crate) fn prompt_scene(lang: Lang, technician: &str, access: Access) -> Scene {
    let s = strings(lang);
    let layout = prompt_layout(lang);
    let template = match access {
        Access::View => s.ask_view,
        Access::Control => s.ask_control,
    };
    let text_x = crate::layout::PAD + ICON_SIZE + 16;
    Scene {
        size: layout.size,
        title: s.prompt_title.to_owned(),
        badge: None,
        icon: Some(Icon::Screen(access)),
        text_x,
        text_width: layout.size.width - text_x - crate::layout::PAD,
        paragraphs: vec![
            paragraph(
                vec![Span::bold(s.prompt_heading)],
                HEADING_SIZE,
                Tone::Primary,
                0.0,
                1,
            ),
            paragraph(
                named(template, technician, BODY_SIZE),
                BODY_SIZE,
                Tone::Primary,
                10.0,
                3,
            ),
            paragraph(
                vec![Span::regular(s.can_stop)],
                HINT_SIZE,
                Tone::Secondary,
                8.0,
                1,
            ),
        ],
        center_text: false,
        buttons: vec![
            Button {
                rect: layout.deny,
                label: s.deny,
                style: ButtonStyle::Neutral,
                action: Action::Deny,
                guarded: false,
            },
            Button {
                rect: layout.allow,
                label: s.allow,
                style: ButtonStyle::Primary,
                action: Action::Allow,
                guarded: true,
            },
        ],
        initial_focus: Some(0),
        escape: Some(Action::Deny),
        close: Some(Action::Deny),
    }
}

/// The status window in `view`.
pub(crate) fn status_scene(lang: Lang, view: &StatusView<'_>) -> Scene {
    let s = strings(lang);
    let size = status_layout(lang).size;
    let mut scene = Scene {
        size,
        title: s.app_name.to_owned(),
        badge: None,
        icon: None,
        text_x: crate::layout::PAD,
        text_width: size.width - 2 * crate::layout::PAD,
        paragraphs: Vec::new(),
        center_text: true,
        buttons: Vec::new(),
        initial_focus: None,
        escape: None,
        close: None,
    };
    let heading = |spans| paragraph(spans, STATUS_HEADING_SIZE, Tone::Primary, 0.0, 2);
    let status_line = |text: &str| {
        paragraph(
            vec![Span::regular(text)],
            HINT_SIZE,
            Tone::Secondary,
            8.0,
            1,
        )
    };
    match *view {
        StatusView::Idle { line } => {
            scene
                .paragraphs
                .push(heading(vec![Span::regular(line.unwrap_or(s.app_name))]));
            scene.close = Some(Action::Close);
        }
        StatusView::Connected { technician, line } => {
            let layout = status_layout(lang);
            scene.badge = Some(Badge {
                text: s.connected_badge,
                live: false,
            });
            scene
                .paragraphs
                .push(heading(named(s.connected, technician, STATUS_HEADING_SIZE)));
            if let Some(line) = line {
                scene.paragraphs.push(status_line(line));
            }
            scene.buttons.push(Button {
                rect: layout.end_session,
                label: s.end_session,
                style: ButtonStyle::Danger,
                action: Action::AskEnd,
                guarded: false,
            });
            scene.close = Some(Action::AskEnd);
        }
        StatusView::Sharing {
            technician,
            access,
            line,
        } => {
            let layout = notice_layout(lang);
            let (template, badge) = match access {
                Access::View => (s.sharing_view, s.sharing_view_badge),
                Access::Control => (s.sharing_control, s.sharing_control_badge),
            };
            scene.badge = Some(Badge {
                text: badge,
                live: true,
            });
            scene
                .paragraphs
                .push(heading(named(template, technician, STATUS_HEADING_SIZE)));
            scene
                .paragraphs
                .push(status_line(line.unwrap_or(s.can_stop)));
            scene.buttons.push(Button {
                rect: layout.stop_sharing,
                label: s.stop_sharing,
                style: ButtonStyle::Neutral,
                action: Action::StopSharing,
                guarded: false,
            });
            scene.buttons.push(Button {
                rect: layout.end_session,
                label: s.end_session,
                style: ButtonStyle::Danger,
                action: Action::AskEnd,
                guarded: false,
            });
            scene.close = Some(Action::AskEnd);
        }
        StatusView::Confirm => {
            let layout = confirm_layout(lang);
            scene
                .paragraphs
                .push(heading(vec![Span::bold(s.confirm_heading)]));
            scene.paragraphs.push(paragraph(
                vec![Span::regular(s.confirm_body)],
                BODY_SIZE,
                Tone::Secondary,
                6.0,
                3,
            ));
            scene.buttons.push(Button {
                rect: layout.cancel,
                label: s.cancel,
                style: ButtonStyle::Neutral,
                action: Action::CancelEnd,
                guarded: false,
            });
            scene.buttons.push(Button {
                rect: layout.end_session,
                label: s.end_session,
                style: ButtonStyle::Danger,
                action: Action::ConfirmEnd,
                guarded: true,
            });
            scene.initial_focus = Some(0);
            scene.escape = Some(Action::CancelEnd);
            scene.close = Some(Action::CancelEnd);
        }
        StatusView::Ending => {
            scene
                .paragraphs
                .push(heading(vec![Span::regular(s.ending)]));
        }
        StatusView::Ended { text } => {
            let layout = ended_layout(lang);
            scene
                .paragraphs
                .push(heading(vec![Span::regular(text.unwrap_or(s.ended))]));
            scene.buttons.push(Button {
                rect: layout.close,
                label: s.close,
                style: ButtonStyle::Primary,
                action: Action::Close,
                guarded: false,
            });
            scene.initial_focus = Some(0);
            scene.escape = Some(Action::Close);
            scene.close = Some(Action::Close);
        }
    }
    scene
}

fn paragraph(
    spans: Vec<Span>,
    size: f32,
    tone: Tone,
    gap_before: f32,
    max_lines: usize,
) -> Paragraph {
    Paragraph {
        spans,
        size,
        line_height: (size * 1.45).round(),
        tone,
        gap_before,
        max_lines,
    }
}

/// `template` with `{name}` replaced by the (shortened) name in bold.
fn named(template: &'static str, name: &str, size: f32) -> Vec<Span> {
    let name = name.trim();
    let name = fonts().ellipsize(name, Weight::Bold, size, NAME_MAX_WIDTH);
    let (before, after) = split_name(template);
    let mut spans = Vec::new();
    if !before.is_empty() {
        spans.push(Span::regular(before));
    }
    spans.push(Span::bold(name));
    if !after.is_empty() {
        spans.push(Span::regular(after));
    }
    spans
}

impl Scene {
    /// Every text of the scene, title first.
    #[cfg(test)]
    pub fn texts(&self) -> Vec<String> {
        let mut texts = vec![self.title.clone()];
        texts.extend(self.badge.iter().map(|badge| badge.text.to_owned()));
        texts.extend(
            self.paragraphs
                .iter()
                .map(|p| p.spans.iter().map(|span| span.text.as_str()).collect()),
        );
        texts.extend(self.buttons.iter().map(|button| button.label.to_owned()));
        texts
    }

    /// The index of the button at (`x`, `y`).
    pub fn button_at(&self, x: i32, y: i32) -> Option<usize> {
        self.buttons.iter().position(|b| b.rect.contains(x, y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_names_the_technician_and_the_access() {
        let scene = prompt_scene(Lang::En, "Zoë Ørsted", Access::Control);
        assert_eq!(
            scene.texts(),
            [
                "Tether – Permission requested",
                "Permission requested",
                "Zoë Ørsted (technician) asks to see and control your screen (mouse and keyboard).",
                "You can stop this at any time.",
                "Deny",
                "Allow",
            ]
        );
        assert_eq!(
            scene.buttons[scene.initial_focus.expect("focus")].action,
            Action::Deny
        );
        assert_eq!(scene.escape, Some(Action::Deny));
        assert_eq!(scene.close, Some(Action::Deny));
    }

    #[test]
    fn german_prompt_is_german() {
        let scene = prompt_scene(Lang::De, "Jürgen Weiß", Access::View);
        let texts = scene.texts();
        assert_eq!(texts[0], "Tether – Berechtigung angefragt");
        assert!(
            texts.contains(&"Jürgen Weiß (Techniker) möchte Ihren Bildschirm sehen.".to_owned())
        );
        assert!(texts.contains(&"Sie können das jederzeit beenden.".to_owned()));
        assert!(texts.contains(&"Erlauben".to_owned()) && texts.contains(&"Ablehnen".to_owned()));
    }

    #[test]
    fn very_long_names_are_shortened() {
        let long = "Maximilian Alexander Freiherr von und zu Oberschleißheim-Niederbayern";
        let scene = prompt_scene(Lang::En, long, Access::View);
        let name = &scene.paragraphs[1].spans[0];
        assert_eq!(name.weight, Weight::Bold);
        assert!(name.text.ends_with('…'), "{}", name.text);
    }

    #[test]
    fn only_allow_and_the_confirmation_are_guarded() {
        let prompt = prompt_scene(Lang::En, "A", Access::View);
        let guarded: Vec<Action> = prompt
            .buttons
            .iter()
            .filter(|b| b.guarded)
            .map(|b| b.action)
            .collect();
        assert_eq!(guarded, [Action::Allow]);
        let confirm = status_scene(Lang::En, &StatusView::Confirm);
        let guarded: Vec<Action> = confirm
            .buttons
            .iter()
            .filter(|b| b.guarded)
            .map(|b| b.action)
            .collect();
        assert_eq!(guarded, [Action::ConfirmEnd]);
    }

    #[test]
    fn end_session_is_on_every_session_view() {
        for lang in [Lang::En, Lang::De] {
            let end = strings(lang).end_session;
            for view in [
                StatusView::Connected {
                    technician: "A",
                    line: None,
                },
                StatusView::Sharing {
                    technician: "A",
                    access: Access::Control,
                    line: Some("Reconnecting…"),
                },
                StatusView::Confirm,
            ] {
                let scene = status_scene(lang, &view);
                assert!(scene.buttons.iter().any(|b| b.label == end), "{view:?}");
            }
        }
    }

    #[test]
    fn german_notice_is_german() {
        let scene = status_scene(
            Lang::De,
            &StatusView::Sharing {
                technician: "Zoë",
                access: Access::Control,
                line: None,
            },
        );
        let texts = scene.texts();
        assert!(texts.contains(&"Zoë kann Ihren Bildschirm sehen und steuern".to_owned()));
        assert!(texts.contains(&"Bildschirmfreigabe beenden".to_owned()));
        assert!(texts.contains(&"Sitzung beenden".to_owned()));
    }
}
