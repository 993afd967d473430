//! The e-mail with a one-time link to set an account's password: subject, plain text and HTML, in English and German.

use crate::Language;
use crate::text::{clean_name, escape, fill, html_action, html_page, paragraph};

/// Why the person gets a set-password link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkPurpose {
    /// An administrator created the account; it has no password yet.
    NewAccount,
    /// An administrator asked for a new password; the old one keeps
    /// working until the link is used.
    PasswordReset,
}

/// Everything a set-password e-mail says. Build one per message; the texts
/// are made by its methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLink {
    /// The account's display name as an administrator typed it: escaped in
    /// HTML and cleaned of control characters everywhere.
    pub name: String,
    /// The account's e-mail address, which is also what the person signs in with.
    pub email: String,
    /// The one-time link, e.g. `https://support.example.com/reset?token=…`.
    pub link: String,
    /// How long the link works. Hours rather than a clock time: the server
    /// does not know the person's time zone.
    pub valid_hours: u32,
    pub purpose: LinkPurpose,
    pub language: Language,
}

impl AccountLink {
    /// "Your Tether account: set your password".
    pub fn email_subject(&self) -> String {
        self.words().subject.to_owned()
    }

    /// The plain-text part of the e-mail.
    pub fn email_text(&self) -> String {
        let words = self.words();
        let paragraphs = [
            self.greeting(),
            fill(words.what, &[("email", &self.email())]),
            format!("{}\n{}", words.open_link, self.link.trim()),
            self.validity(),
            words.not_expected.to_owned(),
        ];
        paragraphs.join("\n\n") + "\n"
    }

    /// The HTML part of the e-mail, every inserted value escaped.
    pub fn email_html(&self) -> String {
        let words = self.words();
        let email = format!("<strong>{}</strong>", escape(&self.email()));
        let content = [
            paragraph(&escape(&self.greeting())),
            paragraph(&fill(words.what, &[("email", &email)])),
            html_action(
                &self.link,
                words.button,
                self.common().button_fallback,
                words.open_link,
            ),
            paragraph(&self.validity()),
        ]
        .concat();
        html_page(
            self.language,
            &self.email_subject(),
            &content,
            words.not_expected,
        )
    }

    /// "Hello Kim Schmidt," or, without a name, "Hello,".
    fn greeting(&self) -> String {
        let common = self.common();
        match clean_name(&self.name) {
            Some(name) => fill(common.greeting_name, &[("name", &name)]),
            None => common.greeting.to_owned(),
        }
    }

    /// The address on one line, like the name.
    fn email(&self) -> String {
        clean_name(&self.email).unwrap_or_default()
    }

    fn validity(&self) -> String {
        let common = self.common();
        let duration = if self.valid_hours == 1 {
            common.hour.to_owned()
        } else {
            fill(common.hours, &[("n", &self.valid_hours.to_string())])
        };
        let mut text = fill(common.validity, &[("duration", &duration)]);
        if self.purpose == LinkPurpose::PasswordReset {
            text.push(' ');
            text.push_str(common.old_password_works);
        }
        text
    }

    fn common(&self) -> &'static Common {
        match self.language {
            Language::En => &EN,
            Language::De => &DE,
        }
    }

    fn words(&self) -> &'static Words {
        let common = self.common();
        match self.purpose {
            LinkPurpose::NewAccount => &common.new_account,
            LinkPurpose::PasswordReset => &common.password_reset,
        }
    }
}

/// The phrases of one language that both purposes share, with
/// `{placeholders}` for [`fill`].
struct Common {
    greeting: &'static str,
    greeting_name: &'static str,
    button_fallback: &'static str,
    validity: &'static str,
    old_password_works: &'static str,
    hour: &'static str,
    hours: &'static str,
    new_account: Words,
    password_reset: Words,
}

/// The phrases of one language for one purpose.
struct Words {
    subject: &'static str,
    /// What happened; `{email}` is the account's address.
    what: &'static str,
    open_link: &'static str,
    button: &'static str,
    not_expected: &'static str,
}

const EN: Common = Common {
    greeting: "Hello,",
    greeting_name: "Hello {name},",
    button_fallback: "If the button does not work, open this link:",
    validity: "The link is valid for {duration} and can be used once.",
    old_password_works: "Until then, your current password keeps working.",
    hour: "1 hour",
    hours: "{n} hours",
    new_account: Words {
        subject: "Your Tether account: set your password",
        what: "An administrator created a Tether account for you. You sign in with your e-mail address {email}.",
        open_link: "Set your password:",
        button: "Set your password",
        not_expected: "If you were not expecting this e-mail, you can ignore it; without a password, nobody can sign in to the account.",
    },
    password_reset: Words {
        subject: "Your Tether account: set a new password",
        what: "An administrator asked for a new password for your Tether account {email}.",
        open_link: "Set your new password:",
        button: "Set a new password",
        not_expected: "If you were not expecting this e-mail, you can ignore it; your password stays as it is.",
    },
};

const DE: Common = Common {
    greeting: "Guten Tag,",
    greeting_name: "Guten Tag {name},",
    button_fallback: "Falls die Schaltfläche nicht funktioniert, öffnen Sie diesen Link:",
    validity: "Der Link ist {duration} gültig und kann einmal verwendet werden.",
    old_password_works: "Bis dahin gilt Ihr bisheriges Passwort weiter.",
    hour: "1 Stunde",
    hours: "{n} Stunden",
    new_account: Words {
        subject: "Ihr Tether-Konto: Passwort festlegen",
        what: "Ein Administrator hat ein Tether-Konto für Sie angelegt. Sie melden sich mit Ihrer E-Mail-Adresse {email} an.",
        open_link: "Legen Sie hier Ihr Passwort fest:",
        button: "Passwort festlegen",
        not_expected: "Falls Sie diese E-Mail nicht erwartet haben, können Sie sie ignorieren; ohne Passwort kann sich niemand bei dem Konto anmelden.",
    },
    password_reset: Words {
        subject: "Ihr Tether-Konto: neues Passwort festlegen",
        what: "Ein Administrator hat ein neues Passwort für Ihr Tether-Konto {email} angefordert.",
        open_link: "Legen Sie hier Ihr neues Passwort fest:",
        button: "Neues Passwort festlegen",
        not_expected: "Falls Sie diese E-Mail nicht erwartet haben, können Sie sie ignorieren; Ihr Passwort bleibt dann unverändert.",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://support.example.com/reset?token=4f2a9c";

    fn link(purpose: LinkPurpose, language: Language) -> AccountLink {
        AccountLink {
            name: "Kim Schmidt".into(),
            email: "kim@example.com".into(),
            link: LINK.into(),
            valid_hours: 72,
            purpose,
            language,
        }
    }

    #[test]
    fn english_new_account() {
        let mail = link(LinkPurpose::NewAccount, Language::En);
        assert_eq!(
            mail.email_subject(),
            "Your Tether account: set your password"
        );
        assert_eq!(
            mail.email_text(),
            "Hello Kim Schmidt,\n\n\
             An administrator created a Tether account for you. \
             You sign in with your e-mail address kim@example.com.\n\n\
             Set your password:\nhttps://support.example.com/reset?token=4f2a9c\n\n\
             The link is valid for 72 hours and can be used once.\n\n\
             If you were not expecting this e-mail, you can ignore it; \
             without a password, nobody can sign in to the account.\n"
        );
        let html = mail.email_html();
        assert!(html.contains("<html lang=\"en\">"), "{html}");
        assert!(
            html.contains("<title>Your Tether account: set your password</title>"),
            "{html}"
        );
        assert!(html.contains(&format!("href=\"{LINK}\"")), "{html}");
        assert!(html.contains(">Set your password</a>"), "{html}");
        assert!(html.contains("address <strong>kim@example.com</strong>."));
        assert!(html.contains("valid for 72 hours and can be used once."));
    }

    #[test]
    fn english_password_reset() {
        let mail = link(LinkPurpose::PasswordReset, Language::En);
        assert_eq!(
            mail.email_subject(),
            "Your Tether account: set a new password"
        );
        assert_eq!(
            mail.email_text(),
            "Hello Kim Schmidt,\n\n\
             An administrator asked for a new password for your Tether account kim@example.com.\n\n\
             Set your new password:\nhttps://support.example.com/reset?token=4f2a9c\n\n\
             The link is valid for 72 hours and can be used once. \
             Until then, your current password keeps working.\n\n\
             If you were not expecting this e-mail, you can ignore it; your password stays as it is.\n"
        );
        assert!(mail.email_html().contains(">Set a new password</a>"));
    }

    #[test]
    fn german_new_account() {
        let mail = link(LinkPurpose::NewAccount, Language::De);
        assert_eq!(mail.email_subject(), "Ihr Tether-Konto: Passwort festlegen");
        assert_eq!(
            mail.email_text(),
            "Guten Tag Kim Schmidt,\n\n\
             Ein Administrator hat ein Tether-Konto für Sie angelegt. \
             Sie melden sich mit Ihrer E-Mail-Adresse kim@example.com an.\n\n\
             Legen Sie hier Ihr Passwort fest:\nhttps://support.example.com/reset?token=4f2a9c\n\n\
             Der Link ist 72 Stunden gültig und kann einmal verwendet werden.\n\n\
             Falls Sie diese E-Mail nicht erwartet haben, können Sie sie ignorieren; \
             ohne Passwort kann sich niemand bei dem Konto anmelden.\n"
        );
        let html = mail.email_html();
        assert!(html.contains("<html lang=\"de\">"), "{html}");
        assert!(html.contains(">Passwort festlegen</a>"), "{html}");
        assert!(html.contains("Falls die Schaltfläche nicht funktioniert"));
    }

    #[test]
    fn german_password_reset() {
        let mail = link(LinkPurpose::PasswordReset, Language::De);
        assert_eq!(
            mail.email_subject(),
            "Ihr Tether-Konto: neues Passwort festlegen"
        );
        assert_eq!(
            mail.email_text(),
            "Guten Tag Kim Schmidt,\n\n\
             Ein Administrator hat ein neues Passwort für Ihr Tether-Konto kim@example.com angefordert.\n\n\
             Legen Sie hier Ihr neues Passwort fest:\nhttps://support.example.com/reset?token=4f2a9c\n\n\
             Der Link ist 72 Stunden gültig und kann einmal verwendet werden. \
             Bis dahin gilt Ihr bisheriges Passwort weiter.\n\n\
             Falls Sie diese E-Mail nicht erwartet haben, können Sie sie ignorieren; \
             Ihr Passwort bleibt dann unverändert.\n"
        );
        assert!(mail.email_html().contains(">Neues Passwort festlegen</a>"));
    }

    #[test]
    fn one_hour_and_no_name() {
        let mut mail = link(LinkPurpose::NewAccount, Language::En);
        mail.valid_hours = 1;
        mail.name = " \t ".into();
        let text = mail.email_text();
        assert!(text.starts_with("Hello,\n\n"), "{text}");
        assert!(text.contains("valid for 1 hour and"), "{text}");
        mail.language = Language::De;
        let text = mail.email_text();
        assert!(text.starts_with("Guten Tag,\n\n"), "{text}");
        assert!(text.contains("Der Link ist 1 Stunde gültig"), "{text}");
    }

    #[test]
    fn html_escapes_what_people_typed() {
        let mut mail = link(LinkPurpose::NewAccount, Language::En);
        mail.name = "<script>alert('x')</script> & \"Bob\"".into();
        mail.email = "bob+<b>@example.com".into();
        mail.link = "https://x.example/reset?token=1&next=\"2\"".into();
        let html = mail.email_html();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>@"), "{html}");
        assert!(html.contains(
            "Hello &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Bob&quot;,"
        ));
        assert!(html.contains("<strong>bob+&lt;b&gt;@example.com</strong>"));
        assert!(html.contains("href=\"https://x.example/reset?token=1&amp;next=&quot;2&quot;\""));
        // The plain text stays as typed.
        assert!(
            mail.email_text()
                .starts_with("Hello <script>alert('x')</script>")
        );
    }

    #[test]
    fn no_link_for_what_is_not_a_web_address() {
        let mut mail = link(LinkPurpose::PasswordReset, Language::En);
        mail.link = "javascript:alert(1)".into();
        let html = mail.email_html();
        assert!(!html.contains("<a href"), "{html}");
        assert!(html.contains("Set your new password:<br>javascript:alert(1)"));
    }

    #[test]
    fn names_cannot_break_lines() {
        let mut mail = link(LinkPurpose::NewAccount, Language::En);
        mail.name = "Eve\r\nBcc: victim@example.com".into();
        mail.email = "eve@example.com\r\nX: y".into();
        let text = mail.email_text();
        assert!(
            text.starts_with("Hello Eve Bcc: victim@example.com,\n\n"),
            "{text}"
        );
        assert!(text.contains("address eve@example.com X: y."), "{text}");
    }
}
