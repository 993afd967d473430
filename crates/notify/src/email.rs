//! Sending e-mails (invitations, set-password links) through the configured SMTP server (lettre, rustls with ring).

use std::error::Error as _;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::{NotifyError, Service};
use crate::error::{lowercase_first, without_os_code};
use crate::tls;
use crate::{AccountLink, Invitation, Secret, is_loopback};

/// How Tether reaches the administrator's mail server.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    /// Usually [`Security::default_port`].
    pub port: u16,
    pub security: Security,
    /// Set both or neither.
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The sender, with or without a name: `Tether <support@example.com>`.
    pub from: String,
    /// The longest the whole exchange with the server may take.
    pub timeout: Duration,
}

/// How the connection to the mail server is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// Plain text. Only for a relay on the same host or a trusted network;
    /// signing in is refused unless the server is on loopback.
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed
    /// (port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl Security {
    pub fn default_port(self) -> u16 {
        match self {
            Security::None => 25,
            Security::StartTls => 587,
            Security::Tls => 465,
        }
    }
}

/// Sends the invitation to `to` as one multipart/alternative message (plain
/// text and HTML) in the invitation's language.
///
/// `to` is checked first ([`NotifyError::InvalidRecipient`]); what the
/// server refuses comes back with its reason ([`NotifyError::Refused`],
/// [`NotifyError::AuthenticationFailed`]).
pub async fn send_invitation_email(
    config: &SmtpConfig,
    to: &str,
    invitation: &Invitation,
) -> Result<(), NotifyError> {
    let mail = Mail {
        subject: invitation.email_subject(),
        text: invitation.email_text(),
        html: invitation.email_html(),
        what: "invitation",
    };
    send(config, to, mail).await
}

/// Sends the one-time set-password link to `to`, like
/// [`send_invitation_email`]: one multipart/alternative message in the
/// link's language, with the same checks and errors.
pub async fn send_account_email(
    config: &SmtpConfig,
    to: &str,
    link: &AccountLink,
) -> Result<(), NotifyError> {
    let mail = Mail {
        subject: link.email_subject(),
        text: link.email_text(),
        html: link.email_html(),
        what: "set-password",
    };
    send(config, to, mail).await
}

/// One e-mail's words.
struct Mail {
    subject: String,
    text: String,
    html: String,
    /// What kind of e-mail it is, for the log.
    what: &'static str,
}

async fn send(config: &SmtpConfig, to: &str, mail: Mail) -> Result<(), NotifyError> {
    let to = to.trim();
    let recipient: Address = to.parse().map_err(|e| NotifyError::InvalidRecipient {
        recipient: to.chars().take(100).collect(),
        reason: address_problem(e),
    })?;
    check(config)?;
    let from: Mailbox = config.from.trim().parse().map_err(|_| {
        misconfigured(format!(
            "the sender address \"{}\" is not a valid e-mail address.",
            config.from.trim()
        ))
    })?;
    let message = Message::builder()
        .from(from)
        .to(Mailbox::new(None, recipient))
        .subject(mail.subject)
        .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
        .map_err(|e| misconfigured(format!("the message could not be built: {e}.")))?;

    let transport = transport(config)?;
    let server = format!("{}:{}", config.host.trim(), config.port);
    match tokio::time::timeout(config.timeout, transport.send(message)).await {
        Ok(Ok(response)) => {
            tracing::debug!(%server, code = %response.code(), what = mail.what, "e-mail sent");
            Ok(())
        }
        Ok(Err(e)) => Err(smtp_error(&e, config, server)),
        Err(_elapsed) => Err(NotifyError::Timeout {
            service: Service::Mail,
            server,
            timeout: config.timeout,
        }),
    }
}

/// Settings that cannot work, caught before connecting.
fn check(config: &SmtpConfig) -> Result<(), NotifyError> {
    let host = config.host.trim();
    if host.is_empty() {
        return Err(misconfigured("no SMTP server is set.".to_owned()));
    }
    if config.port == 0 {
        return Err(misconfigured("no SMTP port is set.".to_owned()));
    }
    match (&config.username, &config.password) {
        (Some(_), None) | (None, Some(_)) => {
            return Err(misconfigured(
                "a user name and a password must be set together.".to_owned(),
            ));
        }
        (Some(_), Some(_)) if config.security == Security::None && !is_loopback(host) => {
            return Err(misconfigured(
                "signing in without encryption would send the password in clear text; \
                 choose STARTTLS or TLS."
                    .to_owned(),
            ));
        }
        _ => {}
    }
    Ok(())
}

fn transport(config: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, NotifyError> {
    let host = config.host.trim();
    let tls = || {
        TlsParameters::new_rustls(host.to_owned()).map_err(|e| {
            misconfigured(format!(
                "TLS cannot be set up for \"{host}\": {}.",
                e.source()
                    .map_or_else(|| e.to_string(), ToString::to_string)
            ))
        })
    };
    let tls = match config.security {
        Security::None => Tls::None,
        Security::StartTls => Tls::Required(tls()?),
        Security::Tls => Tls::Wrapper(tls()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(config.port)
        .tls(tls)
        .timeout(Some(config.timeout));
    if let (Some(username), Some(password)) = (&config.username, &config.password) {
        builder = builder.credentials(Credentials::new(
            username.clone(),
            password.expose().to_owned(),
        ));
    }
    Ok(builder.build())
}

/// lettre's error as one of ours: what the server said (redacted), or what
/// went wrong on the way there.
fn smtp_error(
    e: &lettre::transport::smtp::Error,
    config: &SmtpConfig,
    server: String,
) -> NotifyError {
    let said = e.source().map(ToString::to_string).unwrap_or_default();
    let said = match &config.password {
        Some(password) => password.redact(&said),
        None => said,
    };
    if e.is_timeout() {
        return NotifyError::Timeout {
            service: Service::Mail,
            server,
            timeout: config.timeout,
        };
    }
    if let Some(code) = e.status() {
        let code = u16::from(code);
        let signed_in = config.username.is_some();
        return match code {
            534 | 535 | 538 if signed_in => NotifyError::AuthenticationFailed {
                server,
                reason: said,
            },
            530 if !signed_in => misconfigured(format!(
                "the mail server requires signing in, but no user name is set ({said})."
            )),
            _ => NotifyError::Refused {
                code: Some(code),
                reason: said,
            },
        };
    }
    // lettre reports a failed STARTTLS as a connection error, so look for
    // rustls in the chain rather than trusting `is_tls`.
    if let Some(reason) = tls::failure(e) {
        return NotifyError::ConnectionFailed {
            service: Service::Mail,
            server,
            reason,
        };
    }
    if e.is_response() {
        return NotifyError::UnexpectedAnswer {
            service: Service::Mail,
            detail: format!("{said}."),
        };
    }
    if e.is_client() {
        // E.g. credentials set but the server offers no AUTH mechanism we speak.
        return misconfigured(format!("{said}."));
    }
    NotifyError::ConnectionFailed {
        service: Service::Mail,
        server,
        reason: lowercase_first(without_os_code(&said)),
    }
}

fn address_problem(e: lettre::address::AddressError) -> String {
    use lettre::address::AddressError;
    match e {
        AddressError::MissingParts => "it needs a name, an @ and a domain",
        AddressError::InvalidUser => "the part before the @ is not valid",
        AddressError::InvalidDomain => "the part after the @ is not valid",
        _ => "it contains characters an address cannot have",
    }
    .to_owned()
}

fn misconfigured(problem: String) -> NotifyError {
    NotifyError::Misconfigured {
        service: Service::Mail,
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SmtpConfig {
        SmtpConfig {
            host: "smtp.example.com".into(),
            port: 587,
            security: Security::StartTls,
            username: Some("tether".into()),
            password: Some(Secret::new("correct horse battery staple")),
            from: "Tether <support@example.com>".into(),
            timeout: Duration::from_secs(10),
        }
    }

    #[test]
    fn default_ports() {
        assert_eq!(Security::None.default_port(), 25);
        assert_eq!(Security::StartTls.default_port(), 587);
        assert_eq!(Security::Tls.default_port(), 465);
    }

    #[test]
    fn refuses_settings_that_cannot_work() {
        assert!(check(&config()).is_ok());
        let mut c = config();
        c.host = " ".into();
        assert!(matches!(check(&c), Err(NotifyError::Misconfigured { .. })));
        let mut c = config();
        c.password = None;
        assert!(matches!(check(&c), Err(NotifyError::Misconfigured { .. })));
        let mut c = config();
        c.security = Security::None;
        let e = check(&c).expect_err("password in clear text");
        assert!(e.to_string().contains("choose STARTTLS or TLS"), "{e}");
        c.host = "127.0.0.1".into();
        assert!(check(&c).is_ok(), "a relay on this host may take it");
    }

    #[test]
    fn config_debug_hides_the_password() {
        let debug = format!("{:?}", config());
        assert!(!debug.contains("horse"), "{debug}");
    }
}
