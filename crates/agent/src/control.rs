//! The input thread: injects the technician's input, event by event, and
//! only while the app's own grant is remote control under the event's epoch.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;

use input::{Button, Injector, Key};
use protocol::InputEvent;

use crate::screen::ShareControl;

/// The app's current control grant, mirrored for the input thread.
#[derive(Debug, Default)]
pub struct ControlGrant {
    epoch: AtomicU64,
    control: AtomicBool,
}

impl ControlGrant {
    pub fn set(&self, epoch: u64, control: bool) {
        self.control.store(control, Ordering::SeqCst);
        self.epoch.store(epoch, Ordering::SeqCst);
    }

    pub fn clear(&self) {
        self.epoch.store(0, Ordering::SeqCst);
        self.control.store(false, Ordering::SeqCst);
    }

    pub fn allows(&self, epoch: u64) -> bool {
        epoch != 0
            && self.epoch.load(Ordering::SeqCst) == epoch
            && self.control.load(Ordering::SeqCst)
    }
}

/// Runs until the sender side is dropped.
pub fn run(
    mut injector: Box<dyn Injector>,
    grant: Arc<ControlGrant>,
    share: Arc<ShareControl>,
    batches: mpsc::Receiver<(u64, Vec<InputEvent>)>,
) {
    for (epoch, events) in batches {
        for event in events {
            // Checked before every single event: a revocation in the middle
            // of a batch stops the rest of it.
            if !grant.allows(epoch) {
                tracing::warn!(epoch, "input without a current control grant dropped");
                break;
            }
            if let Err(e) = apply(injector.as_mut(), &share, event) {
                tracing::warn!(error = %e, "cannot inject input");
            }
        }
        share.input_injected();
    }
}

fn apply(
    injector: &mut dyn Injector,
    share: &ShareControl,
    event: InputEvent,
) -> Result<(), input::InputError> {
    match event {
        InputEvent::Move { x, y } => {
            let (ox, oy) = share.origin();
            injector.move_to(ox.saturating_add(x), oy.saturating_add(y))
        }
        InputEvent::Button { button, down } => match button.as_str() {
            "left" => injector.button(Button::Left, down),
            "middle" => injector.button(Button::Middle, down),
            "right" => injector.button(Button::Right, down),
            "back" => injector.button(Button::Back, down),
            "forward" => injector.button(Button::Forward, down),
            other => {
                tracing::warn!(button = other, "unknown mouse button ignored");
                Ok(())
            }
        },
        InputEvent::Wheel { dx, dy } => injector.wheel(dx, dy),
        InputEvent::Key { code, down } => match Key::parse(&code) {
            Ok(key) => injector.key(key, down),
            Err(e) => {
                tracing::warn!(code, error = %e, "unknown key ignored");
                Ok(())
            }
        },
        InputEvent::Text { text } => injector.text(&text),
        InputEvent::CtrlAltDel => injector.ctrl_alt_del(),
    }
}

#[cfg(test)]
mod tests {
    use super::ControlGrant;

    #[test]
    fn control_grant_matches_epoch_and_kind() {
        let g = ControlGrant::default();
        assert!(!g.allows(0));
        g.set(4, false);
        assert!(!g.allows(4), "view only");
        g.set(5, true);
        assert!(g.allows(5));
        assert!(!g.allows(4));
        g.clear();
        assert!(!g.allows(5));
    }
}
