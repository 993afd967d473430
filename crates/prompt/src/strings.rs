//! Every text the windows show, in English and German.

use crate::Lang;

/// The texts of one language. `{name}` stands for the technician's name.
#[derive(Debug)]
pub(crate) struct Strings {
    pub app_name: &'static str,
    pub prompt_title: &'static str,
    pub prompt_heading: &'static str,
    pub ask_view: &'static str,
    pub ask_control: &'static str,
    pub can_stop: &'static str,
    pub allow: &'static str,
    pub deny: &'static str,
    pub connected: &'static str,
    pub connected_badge: &'static str,
    pub sharing_view: &'static str,
    pub sharing_control: &'static str,
    pub sharing_view_badge: &'static str,
    pub sharing_control_badge: &'static str,
    pub stop_sharing: &'static str,
    pub end_session: &'static str,
    pub confirm_heading: &'static str,
    pub confirm_body: &'static str,
    pub cancel: &'static str,
    pub ending: &'static str,
    pub ended: &'static str,
    pub close: &'static str,
    pub technician_fallback: &'static str,
}

const EN: Strings = Strings {
    app_name: "Tether",
    prompt_title: "Tether – Permission requested",
    prompt_heading: "Permission requested",
    ask_view: "{name} (technician) asks to see your screen.",
    ask_control: "{name} (technician) asks to see and control your screen (mouse and keyboard).",
    can_stop: "You can stop this at any time.",
    allow: "Allow",
    deny: "Deny",
    connected: "Connected to the support session with {name}",
    connected_badge: "Connected",
    sharing_view: "{name} can see your screen",
    sharing_control: "{name} can see and control your screen",
    sharing_view_badge: "Screen shared",
    sharing_control_badge: "Remote control",
    stop_sharing: "Stop screen sharing",
    end_session: "End session",
    confirm_heading: "End the session for everyone?",
    confirm_body: "The technician will no longer see your screen or chat with you.",
    cancel: "Cancel",
    ending: "Ending the session…",
    ended: "The session has ended.",
    close: "Close",
    technician_fallback: "The technician",
};

const DE: Strings = Strings {
    app_name: "Tether",
    prompt_title: "Tether – Berechtigung angefragt",
    prompt_heading: "Berechtigung angefragt",
    ask_view: "{name} (Techniker) möchte Ihren Bildschirm sehen.",
    ask_control: "{name} (Techniker) möchte Ihren Bildschirm sehen und steuern (Maus und Tastatur).",
    can_stop: "Sie können das jederzeit beenden.",
    allow: "Erlauben",
    deny: "Ablehnen",
    connected: "Verbunden mit der Support-Sitzung von {name}",
    connected_badge: "Verbunden",
    sharing_view: "{name} kann Ihren Bildschirm sehen",
    sharing_control: "{name} kann Ihren Bildschirm sehen und steuern",
    sharing_view_badge: "Bildschirm freigegeben",
    sharing_control_badge: "Fernsteuerung",
    stop_sharing: "Bildschirmfreigabe beenden",
    end_session: "Sitzung beenden",
    confirm_heading: "Sitzung für alle beenden?",
    confirm_body: "Der Techniker sieht dann Ihren Bildschirm nicht mehr und kann nicht mehr mit Ihnen chatten.",
    cancel: "Abbrechen",
    ending: "Sitzung wird beendet …",
    ended: "Die Sitzung wurde beendet.",
    close: "Schließen",
    technician_fallback: "Der Techniker",
};

/// The texts for `lang`.
pub(crate) fn strings(lang: Lang) -> &'static Strings {
    match lang {
        Lang::En => &EN,
        Lang::De => &DE,
    }
}

/// Splits a `{name}` template around the placeholder: (before, after).
/// A template without it yields the whole text before an empty name slot.
pub(crate) fn split_name(template: &'static str) -> (&'static str, &'static str) {
    template.split_once("{name}").unwrap_or((template, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_templates_have_exactly_one_placeholder() {
        for lang in [Lang::En, Lang::De] {
            let s = strings(lang);
            for template in [
                s.ask_view,
                s.ask_control,
                s.connected,
                s.sharing_view,
                s.sharing_control,
            ] {
                assert_eq!(template.matches("{name}").count(), 1, "{template}");
            }
        }
    }

    #[test]
    fn split_name_keeps_both_sides() {
        assert_eq!(
            split_name("{name} (technician) asks"),
            ("", " (technician) asks")
        );
        assert_eq!(split_name("Connected with {name}"), ("Connected with ", ""));
    }
}
