//! E-mail invitations and set-password links through a real SMTP server (aiosmtpd) on loopback.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use notify::{
    AccountLink, Language, LinkPurpose, NotifyError, Secret, Security, SmtpConfig,
    send_account_email, send_invitation_email,
};
use serde_json::Value;

use crate::logs::Logs;
use crate::{invitation, self_signed};

/// `smtp_server.py` running as a child process; killed when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
    out: tempfile::TempDir,
}

impl SmtpServer {
    fn start(args: &[&str]) -> SmtpServer {
        let out = tempfile::tempdir().expect("temporary directory");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/send/smtp_server.py");
        let mut child = Command::new(python_with_aiosmtpd())
            .arg(script)
            .arg(out.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start smtp_server.py");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the SMTP server's port");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("smtp_server.py said {line:?} instead of its port"));
        SmtpServer { child, port, out }
    }

    fn config(&self) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            security: Security::None,
            username: None,
            password: None,
            from: "Tether <support@example.com>".into(),
            timeout: Duration::from_secs(10),
        }
    }

    /// What the server accepted, oldest first, as decoded by Python's
    /// e-mail parser.
    fn messages(&self) -> Vec<Value> {
        let mut paths: Vec<_> = std::fs::read_dir(self.out.path())
            .expect("read the output directory")
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).expect("read a message");
                serde_json::from_str(&text).expect("message summary is JSON")
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Err(e) = self.child.kill() {
            eprintln!("could not stop smtp_server.py: {e}");
        }
        if let Err(e) = self.child.wait() {
            eprintln!("could not wait for smtp_server.py: {e}");
        }
    }
}

/// Debian's python3-aiosmtpd is installed for Debian's python3, which may
/// not be the first python3 on PATH.
fn python_with_aiosmtpd() -> &'static str {
    for python in ["/usr/bin/python3", "python3"] {
        let works = Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if works {
            return python;
        }
    }
    panic!(
        "these tests need a real SMTP server: python3-aiosmtpd is missing. \
         Install it with scripts/install-test-deps.sh (or apt-get install python3-aiosmtpd)."
    );
}

/// The text of the part with this content type.
fn part<'a>(message: &'a Value, content_type: &str) -> &'a str {
    message["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .find(|p| p["content_type"] == content_type)
        .and_then(|p| p["text"].as_str())
        .unwrap_or_else(|| panic!("no {content_type} part in {message}"))
}

#[tokio::test]
async fn english_invitation_arrives_as_text_and_html() {
    let server = SmtpServer::start(&[]);
    send_invitation_email(
        &server.config(),
        " kunde@example.com ",
        &invitation(Language::En),
    )
    .await
    .expect("sent");

    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(
        message["rcpt_tos"],
        serde_json::json!(["kunde@example.com"])
    );
    assert_eq!(message["mail_from"], "support@example.com");
    assert_eq!(message["from"], "Tether <support@example.com>");
    assert_eq!(message["to"], "kunde@example.com");
    assert_eq!(
        message["subject"],
        "Your remote support session with Anna Schmidt"
    );
    assert_eq!(message["content_type"], "multipart/alternative");
    let parts = message["parts"].as_array().expect("parts");
    assert_eq!(parts.len(), 2, "{message}");

    let text = part(message, "text/plain");
    assert!(
        text.contains("Anna Schmidt invites you to a remote support session."),
        "{text}"
    );
    assert!(
        text.contains("https://support.example.com/join/123456789"),
        "{text}"
    );
    assert!(text.contains("enter the support key 123 456 789"), "{text}");
    let html = part(message, "text/html");
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(
        html.contains("href=\"https://support.example.com/join/123456789\""),
        "{html}"
    );
    assert!(html.contains("Join the session"), "{html}");
}

#[tokio::test]
async fn german_invitation_arrives_in_german_with_the_name_escaped() {
    let server = SmtpServer::start(&[]);
    let mut invitation = invitation(Language::De);
    invitation.technician_name = "Jörg <b>Groß</b>".into();
    send_invitation_email(&server.config(), "kunde@example.de", &invitation)
        .await
        .expect("sent");

    let message = &server.messages()[0];
    assert_eq!(
        message["subject"],
        "Ihre Fernsupport-Sitzung mit Jörg <b>Groß</b>"
    );
    let text = part(message, "text/plain");
    assert!(text.starts_with("Guten Tag,"), "{text}");
    assert!(
        text.contains("Jörg <b>Groß</b> lädt Sie zu einer Fernsupport-Sitzung ein."),
        "{text}"
    );
    assert!(
        text.contains("https://support.example.com/join/123456789"),
        "{text}"
    );
    assert!(
        text.contains("Oder öffnen Sie support.example.com und geben Sie den Supportschlüssel 123 456 789 ein."),
        "{text}"
    );
    assert!(
        text.contains("Der Schlüssel ist 60 Minuten gültig."),
        "{text}"
    );
    let html = part(message, "text/html");
    assert!(html.contains("<html lang=\"de\">"), "{html}");
    assert!(
        html.contains("<strong>Jörg &lt;b&gt;Groß&lt;/b&gt;</strong> lädt Sie"),
        "{html}"
    );
    assert!(!html.contains("<b>Groß"), "{html}");
    assert!(html.contains("An der Sitzung teilnehmen"), "{html}");
}

#[tokio::test]
async fn set_password_links_arrive_in_their_language() {
    let server = SmtpServer::start(&[]);
    let link = "https://support.example.com/reset?token=9f86d081884c7d65";
    let mut account = AccountLink {
        name: "Jörg <b>Groß</b>".into(),
        email: "joerg@example.de".into(),
        link: link.into(),
        valid_hours: 72,
        purpose: LinkPurpose::NewAccount,
        language: Language::De,
    };
    send_account_email(&server.config(), "joerg@example.de", &account)
        .await
        .expect("sent");
    account.purpose = LinkPurpose::PasswordReset;
    account.language = Language::En;
    send_account_email(&server.config(), "joerg@example.de", &account)
        .await
        .expect("sent");

    let messages = server.messages();
    assert_eq!(messages.len(), 2);
    let created = &messages[0];
    assert_eq!(created["rcpt_tos"], serde_json::json!(["joerg@example.de"]));
    assert_eq!(created["from"], "Tether <support@example.com>");
    assert_eq!(created["subject"], "Ihr Tether-Konto: Passwort festlegen");
    assert_eq!(created["content_type"], "multipart/alternative");
    // lettre sends the lines with CRLF, as SMTP wants.
    let text = part(created, "text/plain").replace("\r\n", "\n");
    assert!(text.starts_with("Guten Tag Jörg <b>Groß</b>,"), "{text}");
    assert!(
        text.contains(&format!("Legen Sie hier Ihr Passwort fest:\n{link}\n")),
        "{text}"
    );
    assert!(
        text.contains("Der Link ist 72 Stunden gültig und kann einmal verwendet werden."),
        "{text}"
    );
    let html = part(created, "text/html");
    assert!(html.contains("<html lang=\"de\">"), "{html}");
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    assert!(
        html.contains("Guten Tag Jörg &lt;b&gt;Groß&lt;/b&gt;,"),
        "{html}"
    );
    assert!(!html.contains("<b>Groß"), "{html}");

    let reset = &messages[1];
    assert_eq!(reset["subject"], "Your Tether account: set a new password");
    let text = part(reset, "text/plain");
    assert!(
        text.contains("asked for a new password for your Tether account joerg@example.de."),
        "{text}"
    );
    assert!(text.contains(link), "{text}");
    assert!(
        text.contains("Until then, your current password keeps working."),
        "{text}"
    );
    assert!(part(reset, "text/html").contains(">Set a new password</a>"));
}

#[tokio::test]
async fn a_set_password_link_to_a_refused_recipient_is_an_error() {
    let server = SmtpServer::start(&["--refuse", "nobody@example.com"]);
    let account = AccountLink {
        name: "Nobody".into(),
        email: "nobody@example.com".into(),
        link: "https://support.example.com/reset?token=1".into(),
        valid_hours: 72,
        purpose: LinkPurpose::NewAccount,
        language: Language::En,
    };
    let e = send_account_email(&server.config(), "nobody@example.com", &account)
        .await
        .expect_err("the server refuses this recipient");
    assert!(
        matches!(
            e,
            NotifyError::Refused {
                code: Some(550),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn a_refused_recipient_comes_back_with_the_servers_reason() {
    let server = SmtpServer::start(&["--refuse", "nobody@example.com"]);
    let e = send_invitation_email(
        &server.config(),
        "nobody@example.com",
        &invitation(Language::En),
    )
    .await
    .expect_err("the server refuses this recipient");
    let NotifyError::Refused { code, reason } = &e else {
        panic!("expected a refusal, got {e:?}");
    };
    assert_eq!(*code, Some(550));
    assert!(
        reason.contains("Recipient address rejected: User unknown"),
        "{reason}"
    );
    assert!(
        e.to_string()
            .starts_with("The mail server refused the message: ")
            && e.to_string().contains("Recipient address rejected")
            && e.to_string().ends_with("(SMTP 550)"),
        "{e}"
    );
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn signs_in_and_never_shows_the_password() {
    let server = SmtpServer::start(&["--auth", "tether:right-password-4711"]);
    let mut config = server.config();
    config.username = Some("tether".into());
    config.password = Some(Secret::new("right-password-4711"));
    send_invitation_email(&config, "kunde@example.com", &invitation(Language::En))
        .await
        .expect("sent after signing in");
    assert_eq!(server.messages()[0]["authenticated"], true);

    let logs = Logs::default();
    let _capture = logs.capture();
    config.password = Some(Secret::new("wrong-password-0815"));
    let e = send_invitation_email(&config, "kunde@example.com", &invitation(Language::En))
        .await
        .expect_err("wrong password");
    assert!(
        matches!(e, NotifyError::AuthenticationFailed { .. }),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("did not accept the configured user name and password"),
        "{e}"
    );
    let shown = format!("{e} {e:?} {config:?} {}", logs.text());
    assert!(!shown.contains("wrong-password-0815"), "{shown}");
    assert!(!shown.contains("right-password-4711"), "{shown}");
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn a_server_that_needs_a_sign_in_says_so() {
    let server = SmtpServer::start(&["--auth", "tether:pw-1234"]);
    let e = send_invitation_email(
        &server.config(),
        "kunde@example.com",
        &invitation(Language::En),
    )
    .await
    .expect_err("not signed in");
    assert!(matches!(e, NotifyError::Misconfigured { .. }), "{e:?}");
    assert!(e.to_string().contains("requires signing in"), "{e}");
}

#[tokio::test]
async fn an_invalid_address_is_refused_before_connecting() {
    let config = SmtpConfig {
        host: "127.0.0.1".into(),
        port: 9, // Nothing is contacted.
        security: Security::None,
        username: None,
        password: None,
        from: "support@example.com".into(),
        timeout: Duration::from_secs(1),
    };
    for (to, reason) in [
        ("kunde.example.com", "it needs a name, an @ and a domain"),
        ("kunde@", "the part after the @ is not valid"),
        ("kun de@example.com", "the part before the @ is not valid"),
        ("kunde@exa mple.com", "the part after the @ is not valid"),
    ] {
        let e = send_invitation_email(&config, to, &invitation(Language::En))
            .await
            .expect_err(to);
        assert_eq!(
            e.to_string(),
            format!("\"{to}\" is not a valid e-mail address ({reason}). Please check it."),
        );
        assert_eq!(e.code(), "invalid_recipient");
    }
}

#[tokio::test]
async fn no_server_listening_is_a_connection_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let config = SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        username: None,
        password: None,
        from: "support@example.com".into(),
        timeout: Duration::from_secs(5),
    };
    let e = send_invitation_email(&config, "kunde@example.com", &invitation(Language::En))
        .await
        .expect_err("nothing listens");
    assert!(matches!(e, NotifyError::ConnectionFailed { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("Could not connect to the mail server at 127.0.0.1:{port}: connection refused.")
    );
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    // Accepts and never greets.
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let config = SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        username: None,
        password: None,
        from: "support@example.com".into(),
        timeout: Duration::from_millis(300),
    };
    let e = send_invitation_email(&config, "kunde@example.com", &invitation(Language::En))
        .await
        .expect_err("no greeting");
    assert!(matches!(e, NotifyError::Timeout { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("The mail server at 127.0.0.1:{port} did not answer within 0.3 seconds.")
    );
    silent.abort();
}

#[tokio::test]
async fn an_untrusted_certificate_stops_starttls_and_tls() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (cert, key) = self_signed(dir.path());
    for (mode, security) in [
        ("starttls", Security::StartTls),
        ("implicit", Security::Tls),
    ] {
        let server = SmtpServer::start(&["--tls", mode, &cert, &key]);
        let mut config = server.config();
        config.host = "localhost".into();
        config.security = security;
        let e = send_invitation_email(&config, "kunde@example.com", &invitation(Language::En))
            .await
            .expect_err("the certificate is not trusted");
        assert!(
            matches!(e, NotifyError::ConnectionFailed { .. }),
            "{mode}: {e:?}"
        );
        let text = e.to_string();
        assert!(
            text.contains("the secure connection (TLS) failed: the server's certificate"),
            "{mode}: {text}"
        );
        assert!(server.messages().is_empty());
    }
}
