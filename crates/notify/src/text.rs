//! The invitation's words: e-mail subject, plain text, HTML and SMS, in English and German;
//! and the pieces every HTML e-mail shares (page, paragraph, button, escaping).

use std::str::FromStr;

use crate::gsm7;

/// The language of what the customer receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    En,
    De,
}

impl Language {
    /// The language tag: `en`, `de`.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
        }
    }
}

/// A language tag Tether has no texts for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a language Tether has invitations in (en, de).")]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;

    /// `en`, `de`, and regional tags such as `de-AT` or `en_US`, in any case.
    /// Callers that want the default for anything else use
    /// `tag.parse().unwrap_or_default()`.
    fn from_str(tag: &str) -> Result<Language, UnknownLanguage> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "en" => Ok(Language::En),
            "de" => Ok(Language::De),
            _ => Err(UnknownLanguage(tag.to_owned())),
        }
    }
}

/// Everything an invitation says. Build one per message; the texts are
/// made by its methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The join link with the key, e.g. `https://support.example.com/join/123456789`.
    pub join_url: String,
    /// The 9-digit support key; shown grouped (`123 456 789`).
    pub support_key: String,
    /// The technician's display name as entered by people: it is escaped in
    /// HTML and cleaned of control characters everywhere.
    pub technician_name: String,
    /// The support website customers can type the key into, if the
    /// technician's group shows one.
    pub website: Option<String>,
    /// How long the key stays valid. Minutes rather than a clock time: the
    /// server does not know the customer's time zone.
    pub minutes_valid: u32,
    pub language: Language,
}

impl Invitation {
    /// "Your remote support session with Anna Schmidt".
    pub fn email_subject(&self) -> String {
        match (self.language, self.name()) {
            (Language::En, Some(name)) => format!("Your remote support session with {name}"),
            (Language::En, None) => "Your remote support session".to_owned(),
            (Language::De, Some(name)) => format!("Ihre Fernsupport-Sitzung mit {name}"),
            (Language::De, None) => "Ihre Fernsupport-Sitzung".to_owned(),
        }
    }

    /// The plain-text part of the e-mail.
    pub fn email_text(&self) -> String {
        let words = self.words();
        let key = self.key();
        let key_line = match self.website() {
            Some(website) => words.website(website, &key),
            None => words.key_only(&key),
        };
        let paragraphs = [
            words.greeting.to_owned(),
            words.invites(&self.inviter()),
            format!("{}\n{}", words.open_link, self.join_url.trim()),
            key_line,
            words.validity(self.minutes_valid),
            words.not_expected.to_owned(),
        ];
        paragraphs.join("\n\n") + "\n"
    }

    /// The HTML part of the e-mail: one column, inline styles (mail clients
    /// ignore style sheets), every inserted value escaped.
    pub fn email_html(&self) -> String {
        let words = self.words();
        let key = escape(&self.key());
        let inviter = format!("<strong>{}</strong>", escape(&self.inviter()));
        let key_html = format!(
            "<strong style=\"font-size:18px;letter-spacing:1px;white-space:nowrap\">{key}</strong>"
        );
        let key_line = match self.website() {
            Some(website) => {
                words.website(&format!("<strong>{}</strong>", escape(website)), &key_html)
            }
            None => words.key_only(&key_html),
        };
        let content = [
            paragraph(words.greeting),
            paragraph(&words.invites(&inviter)),
            html_action(
                &self.join_url,
                words.button,
                words.button_fallback,
                words.open_link,
            ),
            paragraph(&key_line),
            paragraph(&words.validity(self.minutes_valid)),
        ]
        .concat();
        html_page(
            self.language,
            &self.email_subject(),
            &content,
            words.not_expected,
        )
    }

    /// The SMS: name, link, key and validity in one GSM-7 segment (160
    /// characters) for a usual name and link. The name is folded to GSM-7
    /// where it can be (see [`crate::gsm7`]).
    pub fn sms_text(&self) -> String {
        let words = self.words();
        fill(
            words.sms,
            &[
                ("name", &gsm7::fold(&self.inviter())),
                ("url", self.join_url.trim()),
                ("key", &self.key()),
                ("duration", &words.short_duration(self.minutes_valid)),
            ],
        )
    }

    /// The technician's name, safe for one line (see [`clean_name`]).
    fn name(&self) -> Option<String> {
        clean_name(&self.technician_name)
    }

    /// Who invites: the name, or "Your technician".
    fn inviter(&self) -> String {
        self.name().unwrap_or_else(|| {
            match self.language {
                Language::En => "Your technician",
                Language::De => "Ihr Techniker",
            }
            .to_owned()
        })
    }

    /// The key grouped in threes as the web pages show it.
    fn key(&self) -> String {
        let digits: String = self
            .support_key
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        if digits.len() == 9 {
            format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..])
        } else {
            self.support_key.trim().to_owned()
        }
    }

    fn website(&self) -> Option<&str> {
        self.website
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
    }

    fn words(&self) -> &'static Words {
        match self.language {
            Language::En => &EN,
            Language::De => &DE,
        }
    }
}

/// The fixed phrases of one language, with `{placeholders}` for [`fill`].
struct Words {
    greeting: &'static str,
    invites: &'static str,
    open_link: &'static str,
    button: &'static str,
    button_fallback: &'static str,
    website: &'static str,
    key_only: &'static str,
    validity: &'static str,
    not_expected: &'static str,
    sms: &'static str,
    minute: &'static str,
    minutes: &'static str,
    hours: &'static str,
    short_minutes: &'static str,
    short_hours: &'static str,
}

const EN: Words = Words {
    greeting: "Hello,",
    invites: "{name} invites you to a remote support session.",
    open_link: "Open this link to join:",
    button: "Join the session",
    button_fallback: "If the button does not work, open this link:",
    website: "Or go to {website} and enter the support key {key}.",
    key_only: "Your support key is {key}.",
    validity: "The key is valid for {duration}. To join, you do not need to install anything or create an account.",
    not_expected: "If you were not expecting this invitation, you can ignore this e-mail.",
    sms: "{name} invites you to a remote support session: {url} Key {key}, valid for {duration}.",
    minute: "1 minute",
    minutes: "{n} minutes",
    hours: "{n} hours",
    short_minutes: "{n} min",
    short_hours: "{n} h",
};

const DE: Words = Words {
    greeting: "Guten Tag,",
    invites: "{name} lädt Sie zu einer Fernsupport-Sitzung ein.",
    open_link: "Um teilzunehmen, öffnen Sie diesen Link:",
    button: "An der Sitzung teilnehmen",
    button_fallback: "Falls die Schaltfläche nicht funktioniert, öffnen Sie diesen Link:",
    website: "Oder öffnen Sie {website} und geben Sie den Supportschlüssel {key} ein.",
    key_only: "Ihr Supportschlüssel lautet {key}.",
    validity: "Der Schlüssel ist {duration} gültig. Zum Teilnehmen müssen Sie nichts installieren und kein Konto anlegen.",
    not_expected: "Falls Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.",
    sms: "{name} lädt Sie zu einer Fernsupport-Sitzung ein: {url} Schlüssel {key}, {duration} gültig.",
    minute: "1 Minute",
    minutes: "{n} Minuten",
    hours: "{n} Stunden",
    short_minutes: "{n} Min.",
    short_hours: "{n} Std.",
};

impl Words {
    fn invites(&self, name: &str) -> String {
        fill(self.invites, &[("name", name)])
    }

    fn website(&self, website: &str, key: &str) -> String {
        fill(self.website, &[("website", website), ("key", key)])
    }

    fn key_only(&self, key: &str) -> String {
        fill(self.key_only, &[("key", key)])
    }

    fn validity(&self, minutes: u32) -> String {
        let duration = if minutes == 1 {
            self.minute.to_owned()
        } else {
            duration(minutes, self.minutes, self.hours)
        };
        fill(self.validity, &[("duration", &duration)])
    }

    fn short_duration(&self, minutes: u32) -> String {
        duration(minutes, self.short_minutes, self.short_hours)
    }
}

/// "90 minutes", "2 hours": whole hours from two on, minutes below.
fn duration(minutes: u32, in_minutes: &str, in_hours: &str) -> String {
    if minutes >= 120 && minutes.is_multiple_of(60) {
        fill(in_hours, &[("n", &(minutes / 60).to_string())])
    } else {
        fill(in_minutes, &[("n", &minutes.to_string())])
    }
}

/// A name as people typed it, made safe for one line: control characters
/// (a line break in a subject would be a header injection) become spaces,
/// runs of white space one space, and very long names are cut.
pub(crate) fn clean_name(name: &str) -> Option<String> {
    let name = name
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let name: String = name.chars().take(80).collect();
    (!name.is_empty()).then_some(name)
}

/// One paragraph of an HTML e-mail; `html` is escaped already.
pub(crate) fn paragraph(html: &str) -> String {
    format!("<p style=\"margin:0 0 16px\">{html}</p>\n")
}

/// The call to action of an HTML e-mail: a button, then the link itself
/// after `fallback` for mail clients that hide the button. Only web
/// addresses become links; anything else is shown as text after
/// `no_button`, without a button.
pub(crate) fn html_action(url: &str, button: &str, fallback: &str, no_button: &str) -> String {
    let url = url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return paragraph(&format!("{no_button}<br>{}", escape(url)));
    }
    let url = escape(url);
    format!(
        "<p style=\"margin:24px 0\"><a href=\"{url}\" style=\"display:inline-block;\
         background:#1a56db;color:#ffffff;text-decoration:none;font-weight:bold;\
         padding:12px 24px;border-radius:6px\">{button}</a></p>\n{}",
        paragraph(&format!(
            "{fallback}<br><a href=\"{url}\" style=\"color:#1a56db;word-break:break-all\">{url}</a>"
        ))
    )
}

/// A whole HTML e-mail: one column, inline styles (mail clients ignore
/// style sheets). `title` is plain text; `content` and `footer` are HTML.
pub(crate) fn html_page(language: Language, title: &str, content: &str, footer: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n</head>\n\
         <body style=\"margin:0;padding:24px;background:#f3f4f6;\
         font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2937\">\n\
         <div style=\"max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px\">\n\
         {content}\
         <p style=\"margin:24px 0 0;font-size:13px;color:#6b7280\">{footer}</p>\n\
         </div>\n</body>\n</html>\n",
        lang = language.code(),
        title = escape(title),
    )
}

/// The template with each `{name}` replaced by its value, in one pass: a
/// value that itself contains `{key}` (people type anything) stays as it is.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation(language: Language) -> Invitation {
        Invitation {
            join_url: "https://support.example.com/join/123456789".into(),
            support_key: "123456789".into(),
            technician_name: "Anna Schmidt".into(),
            website: Some("support.example.com".into()),
            minutes_valid: 60,
            language,
        }
    }

    #[test]
    fn parses_language_tags() {
        assert_eq!("en".parse(), Ok(Language::En));
        assert_eq!("de".parse(), Ok(Language::De));
        assert_eq!("DE-at".parse(), Ok(Language::De));
        assert_eq!("en_US".parse(), Ok(Language::En));
        assert_eq!(
            "fr".parse::<Language>(),
            Err(UnknownLanguage("fr".to_owned()))
        );
        assert_eq!("fr".parse::<Language>().unwrap_or_default(), Language::En);
        assert_eq!(Language::default(), Language::En);
    }

    #[test]
    fn english_email() {
        let invitation = invitation(Language::En);
        assert_eq!(
            invitation.email_subject(),
            "Your remote support session with Anna Schmidt"
        );
        assert_eq!(
            invitation.email_text(),
            "Hello,\n\n\
             Anna Schmidt invites you to a remote support session.\n\n\
             Open this link to join:\nhttps://support.example.com/join/123456789\n\n\
             Or go to support.example.com and enter the support key 123 456 789.\n\n\
             The key is valid for 60 minutes. To join, you do not need to install anything or create an account.\n\n\
             If you were not expecting this invitation, you can ignore this e-mail.\n"
        );
        let html = invitation.email_html();
        assert!(html.contains("<html lang=\"en\">"), "{html}");
        assert!(html.contains("href=\"https://support.example.com/join/123456789\""));
        assert!(html.contains("<strong>Anna Schmidt</strong> invites you"));
        assert!(html.contains("123 456 789"));
        assert!(html.contains("Join the session"));
    }

    #[test]
    fn german_email() {
        let invitation = invitation(Language::De);
        assert_eq!(
            invitation.email_subject(),
            "Ihre Fernsupport-Sitzung mit Anna Schmidt"
        );
        let text = invitation.email_text();
        assert!(text.starts_with(
            "Guten Tag,\n\nAnna Schmidt lädt Sie zu einer Fernsupport-Sitzung ein.\n"
        ));
        assert!(text.contains(
            "Oder öffnen Sie support.example.com und geben Sie den Supportschlüssel 123 456 789 ein."
        ));
        assert!(text.contains("Der Schlüssel ist 60 Minuten gültig."));
        let html = invitation.email_html();
        assert!(html.contains("<html lang=\"de\">"));
        assert!(html.contains("An der Sitzung teilnehmen"));
    }

    #[test]
    fn without_website_or_name() {
        let mut invitation = invitation(Language::En);
        invitation.website = Some("  ".into());
        invitation.technician_name = " \n ".into();
        assert_eq!(invitation.email_subject(), "Your remote support session");
        let text = invitation.email_text();
        assert!(text.contains("Your technician invites you"));
        assert!(text.contains("Your support key is 123 456 789."));
        assert!(!text.contains("Or go to"));
        invitation.language = Language::De;
        assert!(invitation.email_text().contains("Ihr Techniker lädt Sie"));
        assert!(
            invitation
                .email_text()
                .contains("Ihr Supportschlüssel lautet 123 456 789.")
        );
    }

    #[test]
    fn durations() {
        let mut invitation = invitation(Language::En);
        invitation.minutes_valid = 1;
        assert!(invitation.email_text().contains("valid for 1 minute."));
        invitation.minutes_valid = 90;
        assert!(invitation.email_text().contains("valid for 90 minutes."));
        invitation.minutes_valid = 1440;
        assert!(invitation.email_text().contains("valid for 24 hours."));
        assert!(invitation.sms_text().contains("valid for 24 h."));
        invitation.language = Language::De;
        assert!(invitation.email_text().contains("24 Stunden gültig."));
        assert!(invitation.sms_text().contains("24 Std. gültig."));
    }

    #[test]
    fn html_escapes_what_people_typed() {
        let mut invitation = invitation(Language::En);
        invitation.technician_name = "<script>alert('x')</script> & \"Bob\"".into();
        invitation.website = Some("<b>evil</b>.example".into());
        invitation.join_url = "https://x.example/join/1?a=1&b=\"2\"".into();
        let html = invitation.email_html();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>evil"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Bob&quot;")
        );
        assert!(html.contains("&lt;b&gt;evil&lt;/b&gt;.example"));
        assert!(html.contains("href=\"https://x.example/join/1?a=1&amp;b=&quot;2&quot;\""));
        // The title carries the name too.
        assert!(html.contains("<title>Your remote support session with &lt;script&gt;"));
    }

    #[test]
    fn no_link_for_what_is_not_a_web_address() {
        let mut invitation = invitation(Language::En);
        invitation.join_url = "javascript:alert(1)".into();
        let html = invitation.email_html();
        assert!(!html.contains("<a href=\"javascript"), "{html}");
    }

    #[test]
    fn names_cannot_break_lines() {
        let mut invitation = invitation(Language::En);
        invitation.technician_name = "Eve\r\nBcc: victim@example.com".into();
        assert_eq!(
            invitation.email_subject(),
            "Your remote support session with Eve Bcc: victim@example.com"
        );
        assert!(!invitation.sms_text().contains('\n'));
    }

    #[test]
    fn sms_fits_one_gsm7_segment() {
        for language in [Language::En, Language::De] {
            let mut invitation = invitation(language);
            invitation.technician_name = "Maximilian Müller-Lüdenscheidt".into();
            let sms = invitation.sms_text();
            assert!(gsm7::is_gsm7(&sms), "{sms}");
            assert_eq!(gsm7::sms_segments(&sms), 1, "{} chars: {sms}", sms.len());
            assert!(sms.contains("https://support.example.com/join/123456789"));
            assert!(sms.contains("123 456 789"));
        }
        assert_eq!(
            invitation(Language::En).sms_text(),
            "Anna Schmidt invites you to a remote support session: \
             https://support.example.com/join/123456789 Key 123 456 789, valid for 60 min."
        );
        assert_eq!(
            invitation(Language::De).sms_text(),
            "Anna Schmidt lädt Sie zu einer Fernsupport-Sitzung ein: \
             https://support.example.com/join/123456789 Schlüssel 123 456 789, 60 Min. gültig."
        );
    }

    #[test]
    fn sms_folds_names_to_gsm7() {
        let mut invitation = invitation(Language::De);
        invitation.technician_name = "Łukasz Wiśniewski".into();
        let sms = invitation.sms_text();
        assert!(sms.starts_with("Lukasz Wisniewski lädt Sie"), "{sms}");
        assert!(gsm7::is_gsm7(&sms));
    }

    #[test]
    fn placeholders_are_filled_once() {
        assert_eq!(
            fill("{name} sends {key}.", &[("name", "{key}"), ("key", "1")]),
            "{key} sends 1."
        );
        assert_eq!(fill("{unknown} {", &[("name", "x")]), "{unknown} {");
    }

    #[test]
    fn fixed_wording_is_gsm7() {
        for words in [&EN, &DE] {
            for phrase in [words.sms, words.short_minutes, words.short_hours] {
                assert!(gsm7::is_gsm7(phrase), "{phrase}");
            }
        }
    }
}
