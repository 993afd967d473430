//! Which windows exist and what they show, given the commands so far; and
//! what a button press means. The one place where the UI decides anything,
//! kept pure so every rule is unit-tested without a display.

use crate::scene::{Action, Scene, StatusView, prompt_scene, status_scene};
use crate::{Access, Lang, UiCommand, UiEvent};

/// The windows the UI can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum WindowKind {
    /// The consent prompt, centred.
    Prompt,
    /// The status window / notice, top right.
    Status,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Prompt {
    id: u64,
    technician: String,
    access: Access,
    generation: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Idle,
    Connected,
    Sharing(Access),
    Ending,
    Ended(Option<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Status {
    technician: Option<String>,
    phase: Phase,
    line: Option<String>,
    confirming: bool,
    generation: u64,
}

/// The UI's state.
#[derive(Debug)]
pub(crate) struct Model {
    lang: Lang,
    prompt: Option<Prompt>,
    status: Option<Status>,
    generations: u64,
}

impl Model {
    pub fn new(lang: Lang) -> Model {
        Model {
            lang,
            prompt: None,
            status: None,
            generations: 0,
        }
    }

    /// Applies a command from the app. [`UiCommand::Quit`] is the backend's
    /// business and changes nothing here.
    pub fn apply(&mut self, command: UiCommand) {
        match command {
            UiCommand::Connected { technician } => {
                let status = self.status_mut();
                status.technician = Some(technician);
                status.line = None;
                self.set_phase(Phase::Connected);
            }
            UiCommand::Ask {
                id,
                technician,
                access,
            } => {
                let generation = self.next_generation();
                self.prompt = Some(Prompt {
                    id,
                    technician,
                    access,
                    generation,
                });
            }
            UiCommand::CancelAsk { id } => {
                if self.prompt.as_ref().is_some_and(|p| p.id == id) {
                    self.prompt = None;
                }
            }
            UiCommand::Sharing { access } => {
                // Whatever state the window was in: if the screen is shared,
                // the notice with "Stop screen sharing" must be up.
                self.status_mut();
                self.set_phase(Phase::Sharing(access));
            }
            UiCommand::NotSharing => {
                if let Some(Phase::Sharing(_)) = self.status.as_ref().map(|s| &s.phase) {
                    self.set_phase(Phase::Connected);
                }
            }
            UiCommand::Status { text } => {
                let text = text.trim();
                self.status_mut().line = (!text.is_empty()).then(|| text.to_owned());
            }
            UiCommand::Ended { text } => {
                self.prompt = None;
                self.status_mut();
                self.set_phase(Phase::Ended(text));
            }
            UiCommand::Quit => {}
        }
    }

    /// The customer activated `action` in `window`; returns what to tell the
    /// app, in order.
    pub fn act(&mut self, window: WindowKind, action: Action) -> Vec<UiEvent> {
        match (window, action) {
            (WindowKind::Prompt, Action::Allow | Action::Deny) => {
                let Some(prompt) = self.prompt.take() else {
                    return Vec::new();
                };
                vec![UiEvent::Answered {
                    id: prompt.id,
                    allow: action == Action::Allow,
                }]
            }
            (WindowKind::Status, Action::StopSharing) => {
                if !matches!(
                    self.status.as_ref().map(|s| &s.phase),
                    Some(Phase::Sharing(_))
                ) {
                    return Vec::new();
                }
                // Shown at once; the app confirms with NotSharing.
                self.set_phase(Phase::Connected);
                vec![UiEvent::StopSharing]
            }
            (WindowKind::Status, Action::AskEnd) => {
                let in_session = matches!(
                    self.status.as_ref().map(|s| &s.phase),
                    Some(Phase::Connected | Phase::Sharing(_))
                );
                if in_session {
                    self.set_confirming(true);
                }
                Vec::new()
            }
            (WindowKind::Status, Action::CancelEnd) => {
                self.set_confirming(false);
                Vec::new()
            }
            (WindowKind::Status, Action::ConfirmEnd) => {
                if !self.status.as_ref().is_some_and(|s| s.confirming) {
                    return Vec::new();
                }
                let mut events = Vec::new();
                // No request may stay open once the customer ended it all.
                if let Some(prompt) = self.prompt.take() {
                    events.push(UiEvent::Answered {
                        id: prompt.id,
                        allow: false,
                    });
                }
                self.set_phase(Phase::Ending);
                events.push(UiEvent::EndSession);
                events
            }
            (WindowKind::Status, Action::Close) => {
                self.status = None;
                vec![UiEvent::Closed]
            }
            _ => Vec::new(),
        }
    }

    /// The window manager asked to close `window` (its close button).
    pub fn close_requested(&mut self, window: WindowKind) -> Vec<UiEvent> {
        match self.scene(window).and_then(|(scene, _)| scene.close) {
            Some(action) => self.act(window, action),
            None => Vec::new(),
        }
    }

    /// What `window` shows, with a generation that changes whenever its
    /// buttons' meaning changes (focus and hover then start afresh); `None`
    /// if the window is not shown.
    pub fn scene(&self, window: WindowKind) -> Option<(Scene, u64)> {
        match window {
            WindowKind::Prompt => self.prompt.as_ref().map(|p| {
                (
                    prompt_scene(self.lang, &p.technician, p.access),
                    p.generation,
                )
            }),
            WindowKind::Status => self.status.as_ref().map(|s| {
                let fallback = crate::strings::strings(self.lang).technician_fallback;
                let technician = s.technician.as_deref().unwrap_or(fallback);
                let line = s.line.as_deref();
                let view = match (&s.phase, s.confirming) {
                    (Phase::Connected | Phase::Sharing(_), true) => StatusView::Confirm,
                    (Phase::Idle, _) => StatusView::Idle { line },
                    (Phase::Connected, false) => StatusView::Connected { technician, line },
                    (Phase::Sharing(access), false) => StatusView::Sharing {
                        technician,
                        access: *access,
                        line,
                    },
                    (Phase::Ending, _) => StatusView::Ending,
                    (Phase::Ended(text), _) => StatusView::Ended {
                        text: text.as_deref(),
                    },
                };
                (status_scene(self.lang, &view), s.generation)
            }),
        }
    }

    fn next_generation(&mut self) -> u64 {
        self.generations += 1;
        self.generations
    }

    fn status_mut(&mut self) -> &mut Status {
        let generation = match self.status {
            Some(_) => 0,
            None => self.next_generation(),
        };
        self.status.get_or_insert(Status {
            technician: None,
            phase: Phase::Idle,
            line: None,
            confirming: false,
            generation,
        })
    }

    /// Changes the status window's state; a new view gets a new generation.
    fn update_status(&mut self, change: impl FnOnce(&mut Status)) {
        let generation = self.next_generation();
        let status = self.status_mut();
        let before = status.view_key();
        change(status);
        if status.view_key() != before {
            status.generation = generation;
        }
    }

    fn set_phase(&mut self, phase: Phase) {
        self.update_status(|status| {
            let in_session = |phase: &Phase| matches!(phase, Phase::Connected | Phase::Sharing(_));
            // An open "End session?" question stays open while sharing
            // starts or stops underneath it.
            status.confirming &= in_session(&status.phase) && in_session(&phase);
            status.phase = phase;
        });
    }

    fn set_confirming(&mut self, confirming: bool) {
        if self.status.is_some() {
            self.update_status(|status| status.confirming = confirming);
        }
    }
}

impl Status {
    /// Which view the window shows, ignoring its texts.
    fn view_key(&self) -> u8 {
        match (&self.phase, self.confirming) {
            (Phase::Connected | Phase::Sharing(_), true) => 0,
            (Phase::Idle, _) => 1,
            (Phase::Connected, false) => 2,
            (Phase::Sharing(_), false) => 3,
            (Phase::Ending, _) => 4,
            (Phase::Ended(_), _) => 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(model: &Model, window: WindowKind) -> Vec<&'static str> {
        model
            .scene(window)
            .map(|(scene, _)| scene.buttons.iter().map(|b| b.label).collect())
            .unwrap_or_default()
    }

    fn connected() -> Model {
        let mut model = Model::new(Lang::En);
        model.apply(UiCommand::Connected {
            technician: "Zoë".into(),
        });
        model
    }

    #[test]
    fn answering_closes_the_prompt_and_reports_its_id() {
        let mut model = connected();
        model.apply(UiCommand::Ask {
            id: 7,
            technician: "Zoë".into(),
            access: Access::View,
        });
        assert_eq!(labels(&model, WindowKind::Prompt), ["Deny", "Allow"]);
        assert_eq!(
            model.act(WindowKind::Prompt, Action::Allow),
            [UiEvent::Answered { id: 7, allow: true }]
        );
        assert!(model.scene(WindowKind::Prompt).is_none());
        // A second click on a closed prompt answers nothing.
        assert_eq!(model.act(WindowKind::Prompt, Action::Deny), []);
    }

    #[test]
    fn a_new_ask_replaces_the_old_one_and_cancel_needs_the_right_id() {
        let mut model = connected();
        let ask = |id| UiCommand::Ask {
            id,
            technician: "Zoë".into(),
            access: Access::Control,
        };
        model.apply(ask(1));
        let first = model.scene(WindowKind::Prompt).map(|(_, g)| g);
        model.apply(ask(2));
        let second = model.scene(WindowKind::Prompt).map(|(_, g)| g);
        assert_ne!(
            first, second,
            "a new request starts with fresh focus and guard"
        );
        model.apply(UiCommand::CancelAsk { id: 1 });
        assert!(model.scene(WindowKind::Prompt).is_some());
        model.apply(UiCommand::CancelAsk { id: 2 });
        assert!(model.scene(WindowKind::Prompt).is_none());
    }

    #[test]
    fn closing_the_prompt_denies() {
        let mut model = connected();
        model.apply(UiCommand::Ask {
            id: 3,
            technician: "Zoë".into(),
            access: Access::View,
        });
        assert_eq!(
            model.close_requested(WindowKind::Prompt),
            [UiEvent::Answered {
                id: 3,
                allow: false
            }]
        );
    }

    #[test]
    fn end_session_needs_confirmation() {
        let mut model = connected();
        assert_eq!(labels(&model, WindowKind::Status), ["End session"]);
        assert_eq!(model.act(WindowKind::Status, Action::AskEnd), []);
        assert_eq!(
            labels(&model, WindowKind::Status),
            ["Cancel", "End session"]
        );
        assert_eq!(model.act(WindowKind::Status, Action::CancelEnd), []);
        assert_eq!(labels(&model, WindowKind::Status), ["End session"]);
        // ConfirmEnd without the question showing does nothing.
        assert_eq!(model.act(WindowKind::Status, Action::ConfirmEnd), []);
        model.act(WindowKind::Status, Action::AskEnd);
        assert_eq!(
            model.act(WindowKind::Status, Action::ConfirmEnd),
            [UiEvent::EndSession]
        );
        assert_eq!(labels(&model, WindowKind::Status), Vec::<&str>::new());
    }

    #[test]
    fn ending_the_session_denies_an_open_prompt_first() {
        let mut model = connected();
        model.apply(UiCommand::Ask {
            id: 9,
            technician: "Zoë".into(),
            access: Access::View,
        });
        model.act(WindowKind::Status, Action::AskEnd);
        assert_eq!(
            model.act(WindowKind::Status, Action::ConfirmEnd),
            [
                UiEvent::Answered {
                    id: 9,
                    allow: false
                },
                UiEvent::EndSession
            ]
        );
        assert!(model.scene(WindowKind::Prompt).is_none());
    }

    #[test]
    fn closing_the_status_window_in_a_session_asks_to_end_it() {
        let mut model = connected();
        assert_eq!(model.close_requested(WindowKind::Status), []);
        assert_eq!(
            labels(&model, WindowKind::Status),
            ["Cancel", "End session"]
        );
        // Closing the question cancels it.
        assert_eq!(model.close_requested(WindowKind::Status), []);
        assert_eq!(labels(&model, WindowKind::Status), ["End session"]);
    }

    #[test]
    fn sharing_shows_stop_and_end_and_stop_reports_at_once() {
        let mut model = connected();
        model.apply(UiCommand::Sharing {
            access: Access::View,
        });
        assert_eq!(
            labels(&model, WindowKind::Status),
            ["Stop screen sharing", "End session"]
        );
        assert_eq!(
            model.act(WindowKind::Status, Action::StopSharing),
            [UiEvent::StopSharing]
        );
        assert_eq!(labels(&model, WindowKind::Status), ["End session"]);
        // The app's confirmation changes nothing more.
        model.apply(UiCommand::NotSharing);
        assert_eq!(labels(&model, WindowKind::Status), ["End session"]);
    }

    #[test]
    fn sharing_while_the_question_is_open_keeps_the_question() {
        let mut model = connected();
        model.act(WindowKind::Status, Action::AskEnd);
        let (_, before) = model.scene(WindowKind::Status).expect("status window");
        model.apply(UiCommand::Sharing {
            access: Access::Control,
        });
        let (_, after) = model.scene(WindowKind::Status).expect("status window");
        assert_eq!(
            labels(&model, WindowKind::Status),
            ["Cancel", "End session"]
        );
        assert_eq!(before, after, "the question's focus and guard are kept");
        model.act(WindowKind::Status, Action::CancelEnd);
        assert_eq!(
            labels(&model, WindowKind::Status),
            ["Stop screen sharing", "End session"]
        );
    }

    #[test]
    fn sharing_without_connected_still_shows_the_notice() {
        let mut model = Model::new(Lang::De);
        model.apply(UiCommand::Sharing {
            access: Access::Control,
        });
        let (scene, _) = model.scene(WindowKind::Status).expect("status window");
        assert!(
            scene
                .texts()
                .contains(&"Der Techniker kann Ihren Bildschirm sehen und steuern".to_owned())
        );
    }

    #[test]
    fn ended_offers_close_and_close_reports_closed() {
        let mut model = connected();
        model.apply(UiCommand::Ask {
            id: 1,
            technician: "Zoë".into(),
            access: Access::View,
        });
        model.apply(UiCommand::Ended { text: None });
        assert!(model.scene(WindowKind::Prompt).is_none());
        let (scene, _) = model.scene(WindowKind::Status).expect("status window");
        assert!(scene.texts().contains(&"The session has ended.".to_owned()));
        assert_eq!(model.close_requested(WindowKind::Status), [UiEvent::Closed]);
        assert!(model.scene(WindowKind::Status).is_none());
    }

    #[test]
    fn status_lines_show_and_clear() {
        let mut model = connected();
        model.apply(UiCommand::Status {
            text: "Reconnecting…".into(),
        });
        let (scene, _) = model.scene(WindowKind::Status).expect("status window");
        assert!(scene.texts().contains(&"Reconnecting…".to_owned()));
        model.apply(UiCommand::Status { text: " ".into() });
        let (scene, _) = model.scene(WindowKind::Status).expect("status window");
        assert!(!scene.texts().contains(&"Reconnecting…".to_owned()));
    }

    #[test]
    fn a_status_before_connecting_opens_a_window_without_end_session() {
        let mut model = Model::new(Lang::En);
        model.apply(UiCommand::Status {
            text: "Connecting…".into(),
        });
        assert_eq!(labels(&model, WindowKind::Status), Vec::<&str>::new());
        assert_eq!(model.close_requested(WindowKind::Status), [UiEvent::Closed]);
    }
}
