//! Pointer and keyboard on one window's buttons: hover, press, focus, and the
//! input guard. Platform-neutral; a backend translates its events into these
//! calls and repaints when told.

use std::time::{Duration, Instant};

use crate::scene::{Action, Button, Scene};

/// The keys the windows react to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    /// Tab or Right: next button.
    Next,
    /// Shift+Tab or Left: previous button.
    Previous,
    /// Enter or Space: press the focused button.
    Activate,
    Escape,
}

/// What an input did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Outcome {
    /// The window must be painted again.
    pub repaint: bool,
    /// A button was activated.
    pub action: Option<Action>,
}

/// The state of one window's buttons.
#[derive(Debug, Clone)]
pub(crate) struct Interaction {
    pub hover: Option<usize>,
    pub pressed: Option<usize>,
    pub focus: Option<usize>,
    armed_at: Instant,
}

impl Interaction {
    /// Fresh state for a scene that appears at `now`; guarded buttons accept
    /// input from `now + delay` on.
    pub fn new(scene: &Scene, now: Instant, delay: Duration) -> Interaction {
        Interaction {
            hover: None,
            pressed: None,
            focus: scene.initial_focus,
            armed_at: now + delay,
        }
    }

    /// Whether `button` accepts input at `now`.
    pub fn armed(&self, button: &Button, now: Instant) -> bool {
        !button.guarded || now >= self.armed_at
    }

    /// When a guarded button of `scene` becomes armed, if that is still to
    /// come: the window is painted again then.
    pub fn arming_deadline(&self, scene: &Scene, now: Instant) -> Option<Instant> {
        let guarded = scene.buttons.iter().any(|b| b.guarded);
        (guarded && now < self.armed_at).then_some(self.armed_at)
    }

    pub fn pointer_moved(&mut self, scene: &Scene, x: i32, y: i32) -> Outcome {
        let hover = scene.button_at(x, y);
        let repaint = hover != self.hover;
        self.hover = hover;
        Outcome {
            repaint,
            action: None,
        }
    }

    pub fn pointer_left(&mut self) -> Outcome {
        let repaint = self.hover.is_some();
        self.hover = None;
        Outcome {
            repaint,
            action: None,
        }
    }

    /// The primary button went down at (`x`, `y`). A guarded button that is
    /// not armed yet does not even take the press, so holding the mouse
    /// down through the delay does not count either.
    pub fn pressed(&mut self, scene: &Scene, x: i32, y: i32, now: Instant) -> Outcome {
        let pressed = scene
            .button_at(x, y)
            .filter(|&i| self.armed(&scene.buttons[i], now));
        let repaint = pressed != self.pressed;
        self.pressed = pressed;
        Outcome {
            repaint,
            action: None,
        }
    }

    /// The primary button went up at (`x`, `y`): a click if it went down on
    /// the same button.
    pub fn released(&mut self, scene: &Scene, x: i32, y: i32, now: Instant) -> Outcome {
        let Some(pressed) = self.pressed.take() else {
            return Outcome::default();
        };
        let clicked =
            scene.button_at(x, y) == Some(pressed) && self.armed(&scene.buttons[pressed], now);
        Outcome {
            repaint: true,
            action: clicked.then(|| scene.buttons[pressed].action),
        }
    }

    pub fn key(&mut self, scene: &Scene, key: Key, now: Instant) -> Outcome {
        let count = scene.buttons.len();
        match key {
            Key::Escape => Outcome {
                repaint: false,
                action: scene.escape,
            },
            Key::Activate => {
                let action = self
                    .focus
                    .and_then(|i| scene.buttons.get(i))
                    .filter(|button| self.armed(button, now))
                    .map(|button| button.action);
                Outcome {
                    repaint: false,
                    action,
                }
            }
            Key::Next | Key::Previous if count > 0 => {
                let focus = match (self.focus, key) {
                    (None, Key::Next) => 0,
                    (None, _) => count - 1,
                    (Some(i), Key::Next) => (i + 1) % count,
                    (Some(i), _) => (i + count - 1) % count,
                };
                self.focus = Some(focus);
                Outcome {
                    repaint: true,
                    action: None,
                }
            }
            Key::Next | Key::Previous => Outcome::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{StatusView, prompt_scene, status_scene};
    use crate::{Access, Lang};

    const NO_DELAY: Duration = Duration::ZERO;

    fn click(i: &mut Interaction, scene: &Scene, index: usize, now: Instant) -> Option<Action> {
        let (x, y) = scene.buttons[index].rect.center();
        i.pressed(scene, x, y, now);
        i.released(scene, x, y, now).action
    }

    #[test]
    fn a_click_is_press_and_release_on_the_same_button() {
        let scene = prompt_scene(Lang::En, "A", Access::View);
        let now = Instant::now();
        let mut i = Interaction::new(&scene, now, NO_DELAY);
        assert_eq!(click(&mut i, &scene, 1, now), Some(Action::Allow));
        assert_eq!(click(&mut i, &scene, 0, now), Some(Action::Deny));
        // Pressed on Deny, released on Allow: nothing.
        let (dx, dy) = scene.buttons[0].rect.center();
        let (ax, ay) = scene.buttons[1].rect.center();
        i.pressed(&scene, dx, dy, now);
        assert_eq!(i.released(&scene, ax, ay, now).action, None);
        // Released outside any button: nothing.
        i.pressed(&scene, ax, ay, now);
        assert_eq!(i.released(&scene, 1, 1, now).action, None);
    }

    #[test]
    fn allow_ignores_input_until_armed() {
        let scene = prompt_scene(Lang::En, "A", Access::View);
        let shown = Instant::now();
        let delay = Duration::from_millis(600);
        let mut i = Interaction::new(&scene, shown, delay);
        assert_eq!(click(&mut i, &scene, 1, shown), None);
        assert_eq!(i.arming_deadline(&scene, shown), Some(shown + delay));
        // Deny is never guarded.
        assert_eq!(click(&mut i, &scene, 0, shown), Some(Action::Deny));
        // Pressed before arming, released after: still nothing.
        let (x, y) = scene.buttons[1].rect.center();
        i.pressed(&scene, x, y, shown);
        assert_eq!(i.released(&scene, x, y, shown + delay).action, None);
        assert_eq!(click(&mut i, &scene, 1, shown + delay), Some(Action::Allow));
        assert_eq!(i.arming_deadline(&scene, shown + delay), None);
    }

    #[test]
    fn keyboard_starts_on_deny_and_tabs_around() {
        let scene = prompt_scene(Lang::En, "A", Access::View);
        let now = Instant::now();
        let mut i = Interaction::new(&scene, now, NO_DELAY);
        assert_eq!(i.key(&scene, Key::Activate, now).action, Some(Action::Deny));
        i.key(&scene, Key::Next, now);
        assert_eq!(
            i.key(&scene, Key::Activate, now).action,
            Some(Action::Allow)
        );
        i.key(&scene, Key::Next, now);
        assert_eq!(i.focus, Some(0));
        i.key(&scene, Key::Previous, now);
        assert_eq!(i.focus, Some(1));
        assert_eq!(i.key(&scene, Key::Escape, now).action, Some(Action::Deny));
    }

    #[test]
    fn the_status_window_has_no_focus_until_tab() {
        let scene = status_scene(
            Lang::En,
            &StatusView::Connected {
                technician: "A",
                line: None,
            },
        );
        let now = Instant::now();
        let mut i = Interaction::new(&scene, now, NO_DELAY);
        assert_eq!(i.key(&scene, Key::Activate, now).action, None);
        assert_eq!(i.key(&scene, Key::Escape, now).action, None);
        i.key(&scene, Key::Next, now);
        assert_eq!(
            i.key(&scene, Key::Activate, now).action,
            Some(Action::AskEnd)
        );
    }

    #[test]
    fn hover_follows_the_pointer() {
        let scene = prompt_scene(Lang::En, "A", Access::View);
        let mut i = Interaction::new(&scene, Instant::now(), NO_DELAY);
        let (x, y) = scene.buttons[1].rect.center();
        assert!(i.pointer_moved(&scene, x, y).repaint);
        assert_eq!(i.hover, Some(1));
        assert!(!i.pointer_moved(&scene, x + 1, y).repaint);
        assert!(i.pointer_left().repaint);
        assert_eq!(i.hover, None);
    }
}
