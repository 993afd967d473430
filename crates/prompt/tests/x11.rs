//! The X11 UI on a real X server (Xvfb): windows found by title, real clicks
//! and keys through XTEST (xdotool), events checked as the app gets them.

mod support;

use std::sync::mpsc::Receiver;
use std::time::Duration;

use prompt::layout::{confirm_layout, ended_layout, notice_layout, prompt_layout, status_layout};
use prompt::{Access, Lang, Ui, UiCommand, UiEvent, UiOptions, X11Ui, spawn_x11};
use support::{Screen, TIMEOUT, Xvfb};

const PROMPT_EN: &str = "Tether – Permission requested";
const PROMPT_DE: &str = "Tether – Berechtigung angefragt";
const STATUS: &str = "Tether";
const ACCENT: u32 = 0x1f5fd6;
const ACCENT_HOVER: u32 = 0x1a52bc;
/// A neutral button's border.
const BORDER: u32 = 0xc4ccd4;
/// The band behind the buttons.
const FOOTER: u32 = 0xf6f8fa;

struct Harness {
    xvfb: Xvfb,
    screen: Screen,
    ui: X11Ui,
    events: Receiver<UiEvent>,
}

impl Harness {
    fn start(lang: Lang) -> Harness {
        Harness::with_delay(lang, Duration::ZERO)
    }

    fn with_delay(lang: Lang, input_delay: Duration) -> Harness {
        let xvfb = Xvfb::start();
        let screen = Screen::connect(&xvfb);
        let (ui, events) = spawn_x11(UiOptions {
            lang,
            display: Some(xvfb.display().to_owned()),
            input_delay,
        })
        .expect("start the UI");
        Harness {
            xvfb,
            screen,
            ui,
            events,
        }
    }

    fn send(&self, command: UiCommand) {
        self.ui.send(command).expect("send a command");
    }

    fn ask(&self, id: u64, access: Access) {
        self.send(UiCommand::Ask {
            id,
            technician: "Zoë Ørsted".into(),
            access,
        });
    }

    fn event(&self) -> UiEvent {
        self.events
            .recv_timeout(TIMEOUT)
            .expect("an event from the UI")
    }
}

#[test]
fn clicking_allow_answers_allow_and_closes_the_prompt() {
    let h = Harness::start(Lang::En);
    h.ask(1, Access::View);
    let window = h.screen.wait_for_window(PROMPT_EN);
    h.xvfb.click(window, prompt_layout(Lang::En).allow.center());
    assert_eq!(h.event(), UiEvent::Answered { id: 1, allow: true });
    h.screen.wait_until_gone(window);
}

#[test]
fn clicking_deny_answers_deny() {
    let h = Harness::start(Lang::En);
    h.ask(2, Access::Control);
    let window = h.screen.wait_for_window(PROMPT_EN);
    h.xvfb.click(window, prompt_layout(Lang::En).deny.center());
    assert_eq!(
        h.event(),
        UiEvent::Answered {
            id: 2,
            allow: false
        }
    );
}

#[test]
fn escape_denies() {
    let h = Harness::start(Lang::En);
    h.ask(3, Access::View);
    let window = h.screen.wait_for_window(PROMPT_EN);
    h.xvfb.keys(window, &["Escape"]);
    assert_eq!(
        h.event(),
        UiEvent::Answered {
            id: 3,
            allow: false
        }
    );
}

#[test]
fn enter_on_a_fresh_prompt_denies_and_tab_reaches_allow() {
    let h = Harness::start(Lang::En);
    h.ask(4, Access::View);
    let window = h.screen.wait_for_window(PROMPT_EN);
    h.xvfb.keys(window, &["Return"]);
    assert_eq!(
        h.event(),
        UiEvent::Answered {
            id: 4,
            allow: false
        }
    );
    h.screen.wait_until_gone(window);

    h.ask(5, Access::View);
    let window = h.screen.wait_for_window(PROMPT_EN);
    h.xvfb.keys(window, &["Tab", "space"]);
    assert_eq!(h.event(), UiEvent::Answered { id: 5, allow: true });
}

#[test]
fn allow_ignores_clicks_until_the_input_delay_passed() {
    let h = Harness::with_delay(Lang::En, Duration::from_secs(120));
    h.ask(6, Access::Control);
    let window = h.screen.wait_for_window(PROMPT_EN);
    let layout = prompt_layout(Lang::En);
    h.xvfb.click(window, layout.allow.center());
    h.xvfb.keys(window, &["Tab", "Return"]);
    // Deny is never guarded: the first answer is this one, not an Allow.
    h.xvfb.click(window, layout.deny.center());
    assert_eq!(
        h.event(),
        UiEvent::Answered {
            id: 6,
            allow: false
        }
    );
}

#[test]
fn closing_the_prompt_through_the_window_manager_denies() {
    let h = Harness::start(Lang::En);
    h.ask(7, Access::View);
    let window = h.screen.wait_for_window(PROMPT_EN);
    h.screen.close(window);
    assert_eq!(
        h.event(),
        UiEvent::Answered {
            id: 7,
            allow: false
        }
    );
    h.screen.wait_until_gone(window);
}

#[test]
fn a_new_ask_replaces_the_old_and_cancel_closes_without_an_answer() {
    let h = Harness::start(Lang::En);
    h.ask(8, Access::View);
    h.ask(9, Access::Control);
    let window = h.screen.wait_for_window(PROMPT_EN);
    h.xvfb.click(window, prompt_layout(Lang::En).allow.center());
    assert_eq!(h.event(), UiEvent::Answered { id: 9, allow: true });
    h.screen.wait_until_gone(window);

    h.ask(10, Access::View);
    let window = h.screen.wait_for_window(PROMPT_EN);
    h.send(UiCommand::CancelAsk { id: 10 });
    h.screen.wait_until_gone(window);
    // No answer for 10: the next event is the one for 11.
    h.ask(11, Access::View);
    let window = h.screen.wait_for_window(PROMPT_EN);
    h.screen.close(window);
    assert_eq!(
        h.event(),
        UiEvent::Answered {
            id: 11,
            allow: false
        }
    );
}

#[test]
fn windows_are_named_classed_on_top_and_placed() {
    let h = Harness::start(Lang::En);
    h.send(UiCommand::Connected {
        technician: "Zoë Ørsted".into(),
    });
    h.ask(12, Access::View);
    let prompt = h.screen.wait_for_window(PROMPT_EN);
    let status = h.screen.wait_for_window(STATUS);
    for window in [prompt, status] {
        assert_eq!(
            h.screen.property(window, "WM_CLASS"),
            b"tether-support\0tether-support\0"
        );
        assert!(
            h.screen
                .atom_list(window, "_NET_WM_STATE")
                .contains(&"_NET_WM_STATE_ABOVE".to_owned())
        );
        assert_eq!(
            h.screen.property(window, "WM_NAME"),
            h.screen.title(window).expect("title").as_bytes()
        );
        let protocols = h.screen.atom_list(window, "WM_PROTOCOLS");
        assert!(
            protocols.contains(&"WM_DELETE_WINDOW".to_owned()),
            "{protocols:?}"
        );
    }
    let (x, y, width, height) = h.screen.geometry(prompt);
    let size = prompt_layout(Lang::En).size;
    assert_eq!((width, height), (size.width, size.height));
    assert_eq!(
        (x + width / 2, y + height / 2),
        (640, 360),
        "the prompt is centred"
    );
    let (x, y, width, _) = h.screen.geometry(status);
    assert_eq!(width, status_layout(Lang::En).size.width);
    assert_eq!(
        (x + width, y),
        (1280 - 16, 16),
        "the status window is top right"
    );
}

#[test]
fn german_prompt_has_a_german_title() {
    let h = Harness::start(Lang::De);
    h.ask(13, Access::View);
    let window = h.screen.wait_for_window(PROMPT_DE);
    h.xvfb.click(window, prompt_layout(Lang::De).allow.center());
    assert_eq!(
        h.event(),
        UiEvent::Answered {
            id: 13,
            allow: true
        }
    );
}

#[test]
fn end_session_asks_for_confirmation_first() {
    let h = Harness::start(Lang::En);
    h.send(UiCommand::Connected {
        technician: "Zoë Ørsted".into(),
    });
    let window = h.screen.wait_for_window(STATUS);
    h.xvfb
        .click(window, status_layout(Lang::En).end_session.center());
    // Cancel goes back; nothing is reported.
    h.xvfb
        .click(window, confirm_layout(Lang::En).cancel.center());
    h.xvfb
        .click(window, status_layout(Lang::En).end_session.center());
    h.xvfb
        .click(window, confirm_layout(Lang::En).end_session.center());
    assert_eq!(h.event(), UiEvent::EndSession);
}

#[test]
fn a_double_click_on_end_session_does_not_end_it() {
    let h = Harness::with_delay(Lang::En, Duration::from_secs(120));
    h.send(UiCommand::Connected {
        technician: "Zoë Ørsted".into(),
    });
    let window = h.screen.wait_for_window(STATUS);
    let end = status_layout(Lang::En).end_session.center();
    assert_eq!(end, confirm_layout(Lang::En).end_session.center());
    let (w, x, y) = (window.to_string(), end.0.to_string(), end.1.to_string());
    h.xvfb.xdotool(&[
        "mousemove",
        "--window",
        &w,
        &x,
        &y,
        "click",
        "--repeat",
        "2",
        "1",
    ]);
    // The first click opened the question (its Cancel button is painted)...
    let cancel = confirm_layout(Lang::En).cancel;
    let cancel_edge = (cancel.x, cancel.y + cancel.height / 2);
    h.screen.wait_for_pixel(window, cancel_edge, BORDER);
    // ...and once closing the question (queued after both clicks) has
    // brought back the plain status window, nothing has been reported.
    h.screen.close(window);
    h.screen.wait_for_pixel(window, cancel_edge, FOOTER);
    assert_eq!(h.events.try_recv().ok(), None);
}

#[test]
fn stop_screen_sharing_and_end_session_on_the_notice() {
    let h = Harness::start(Lang::En);
    h.send(UiCommand::Connected {
        technician: "Zoë Ørsted".into(),
    });
    h.send(UiCommand::Sharing {
        access: Access::Control,
    });
    let window = h.screen.wait_for_window(STATUS);
    let notice = notice_layout(Lang::En);
    h.xvfb.click(window, notice.stop_sharing.center());
    assert_eq!(h.event(), UiEvent::StopSharing);

    h.send(UiCommand::Sharing {
        access: Access::View,
    });
    h.xvfb.click(window, notice.end_session.center());
    h.xvfb
        .click(window, confirm_layout(Lang::En).end_session.center());
    assert_eq!(h.event(), UiEvent::EndSession);
}

#[test]
fn closing_the_status_window_asks_to_end_the_session() {
    let h = Harness::start(Lang::En);
    h.send(UiCommand::Connected {
        technician: "Zoë Ørsted".into(),
    });
    h.ask(14, Access::View);
    let window = h.screen.wait_for_window(STATUS);
    h.screen.close(window);
    h.xvfb
        .click(window, confirm_layout(Lang::En).end_session.center());
    // The open request is denied before the session ends.
    assert_eq!(
        h.event(),
        UiEvent::Answered {
            id: 14,
            allow: false
        }
    );
    assert_eq!(h.event(), UiEvent::EndSession);
}

#[test]
fn after_the_session_close_reports_closed() {
    let h = Harness::start(Lang::De);
    h.send(UiCommand::Connected {
        technician: "Jürgen Weiß".into(),
    });
    h.send(UiCommand::Ended { text: None });
    let window = h.screen.wait_for_window(STATUS);
    h.xvfb.click(window, ended_layout(Lang::De).close.center());
    assert_eq!(h.event(), UiEvent::Closed);
    h.screen.wait_until_gone(window);
}

#[test]
fn quit_closes_every_window_and_stops_the_thread() {
    let h = Harness::start(Lang::En);
    h.send(UiCommand::Connected {
        technician: "Zoë".into(),
    });
    h.ask(15, Access::View);
    let prompt = h.screen.wait_for_window(PROMPT_EN);
    let status = h.screen.wait_for_window(STATUS);
    h.send(UiCommand::Quit);
    h.screen.wait_until_gone(prompt);
    h.screen.wait_until_gone(status);
    let Harness { ui, events, .. } = h;
    ui.shutdown().expect("a clean stop");
    assert!(
        events.recv_timeout(TIMEOUT).is_err(),
        "no event, channel closed"
    );
}

#[test]
fn losing_the_display_reports_lost() {
    let h = Harness::start(Lang::En);
    h.ask(16, Access::View);
    h.screen.wait_for_window(PROMPT_EN);
    let Harness {
        xvfb, ui, events, ..
    } = h;
    drop(xvfb);
    match events.recv_timeout(TIMEOUT) {
        Ok(UiEvent::Lost { .. }) => {}
        other => panic!("expected Lost, got {other:?}"),
    }
    assert!(ui.shutdown().is_err());
}

#[test]
fn screenshots_for_people_to_look_at() {
    for lang in [Lang::En, Lang::De] {
        let tag = match lang {
            Lang::En => "en",
            Lang::De => "de",
        };
        let h = Harness::start(lang);
        let (prompt_title, technician) = match lang {
            Lang::En => (PROMPT_EN, "Zoë Ørsted"),
            Lang::De => (PROMPT_DE, "Jürgen Weiß"),
        };
        h.send(UiCommand::Connected {
            technician: technician.into(),
        });
        h.send(UiCommand::Ask {
            id: 1,
            technician: technician.into(),
            access: Access::Control,
        });
        let prompt = h.screen.wait_for_window(prompt_title);
        let status = h.screen.wait_for_window(STATUS);
        h.screen.wait_for_pixel(prompt, (3, 3), ACCENT);
        h.screen.wait_for_pixel(status, (3, 3), ACCENT);
        println!(
            "{}",
            h.screen
                .screenshot(Some(prompt), &format!("prompt-control-{tag}"))
                .display()
        );
        println!(
            "{}",
            h.screen
                .screenshot(Some(status), &format!("status-{tag}"))
                .display()
        );
        println!(
            "{}",
            h.screen
                .screenshot(None, &format!("desktop-{tag}"))
                .display()
        );

        // Hovering Allow darkens it.
        let allow = prompt_layout(lang).allow;
        let (x, y) = allow.center();
        let (w, x, y) = (prompt.to_string(), x.to_string(), y.to_string());
        h.xvfb.xdotool(&["mousemove", "--window", &w, &x, &y]);
        h.screen.wait_for_pixel(
            prompt,
            (allow.x + 3, allow.y + allow.height / 2),
            ACCENT_HOVER,
        );
        println!(
            "{}",
            h.screen
                .screenshot(Some(prompt), &format!("prompt-hover-allow-{tag}"))
                .display()
        );
        h.xvfb.click(prompt, allow.center());
        assert_eq!(h.event(), UiEvent::Answered { id: 1, allow: true });
        h.send(UiCommand::Sharing {
            access: Access::Control,
        });
        // The notice is painted when Stop screen sharing's left border shows.
        let stop = notice_layout(lang).stop_sharing;
        h.screen
            .wait_for_pixel(status, (stop.x, stop.y + stop.height / 2), BORDER);
        println!(
            "{}",
            h.screen
                .screenshot(Some(status), &format!("notice-{tag}"))
                .display()
        );

        h.xvfb
            .click(status, notice_layout(lang).end_session.center());
        let cancel = confirm_layout(lang).cancel;
        h.screen
            .wait_for_pixel(status, (cancel.x, cancel.y + cancel.height / 2), BORDER);
        println!(
            "{}",
            h.screen
                .screenshot(Some(status), &format!("confirm-{tag}"))
                .display()
        );

        h.send(UiCommand::Ask {
            id: 2,
            technician: "Maximilian Alexander Freiherr von und zu Oberschleißheim-Niederbayern"
                .into(),
            access: Access::View,
        });
        let prompt = h.screen.wait_for_window(prompt_title);
        h.screen.wait_for_pixel(prompt, (3, 3), ACCENT);
        println!(
            "{}",
            h.screen
                .screenshot(Some(prompt), &format!("prompt-view-long-name-{tag}"))
                .display()
        );
    }
}
