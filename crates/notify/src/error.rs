//! `NotifyError`: why an invitation could not be sent, in a sentence a technician understands.

use std::time::Duration;

/// What we were talking to when something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// The SMTP server that sends invitation e-mails.
    Mail,
    /// The SMS gateway (Twilio's Messages API).
    Sms,
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Service::Mail => "mail server",
            Service::Sms => "SMS gateway",
        })
    }
}

/// Why an invitation was not sent. Every `Display` is a full sentence that
/// can be shown to the technician as it is; none contains a credential
/// (what servers say is passed through [`crate::Secret`]'s redaction first).
/// [`NotifyError::code`] gives a stable code for the API and translations.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The e-mail address the technician typed is not one.
    #[error("\"{recipient}\" is not a valid e-mail address ({reason}). Please check it.")]
    InvalidRecipient { recipient: String, reason: String },

    /// The settings cannot work (missing sender, bad address, password
    /// without encryption, …); an administrator has to fix them.
    #[error("The {service} is not set up correctly: {problem}")]
    Misconfigured { service: Service, problem: String },

    /// No connection: wrong host or port, server down, firewall, TLS failed.
    #[error("Could not connect to the {service} at {server}: {reason}.")]
    ConnectionFailed {
        service: Service,
        server: String,
        reason: String,
    },

    /// The mail server did not accept the configured user name and password.
    #[error(
        "The mail server at {server} did not accept the configured user name and password: {reason}"
    )]
    AuthenticationFailed { server: String, reason: String },

    /// The mail server refused the message or its recipient, with its reason.
    #[error("The mail server refused the message: {}", with_code(reason, "SMTP", code.map(u32::from)))]
    Refused { code: Option<u16>, reason: String },

    /// The server did not answer in time.
    #[error("The {service} at {server} did not answer within {}.", seconds(*timeout))]
    Timeout {
        service: Service,
        server: String,
        timeout: Duration,
    },

    /// The SMS gateway answered with an error, e.g. Twilio's 21211 for a
    /// number it cannot send to.
    #[error("The SMS gateway refused the message: {}", with_code(message, "Twilio error", *code))]
    GatewayRefused {
        /// The HTTP status of the gateway's answer.
        status: u16,
        /// Twilio's own error code (see `more_info`).
        code: Option<u32>,
        message: String,
        /// Twilio's page about the error code.
        more_info: Option<String>,
    },

    /// The server answered something we cannot read.
    #[error("The {service} gave an answer Tether does not understand: {detail}")]
    UnexpectedAnswer { service: Service, detail: String },
}

impl NotifyError {
    /// A stable, machine-readable code for the HTTP API and the UI's
    /// translations.
    pub fn code(&self) -> &'static str {
        match self {
            NotifyError::InvalidRecipient { .. } => "invalid_recipient",
            NotifyError::Misconfigured { .. } => "misconfigured",
            NotifyError::ConnectionFailed { .. } => "connection_failed",
            NotifyError::AuthenticationFailed { .. } => "authentication_failed",
            NotifyError::Refused { .. } => "refused",
            NotifyError::Timeout { .. } => "timeout",
            NotifyError::GatewayRefused { .. } => "gateway_refused",
            NotifyError::UnexpectedAnswer { .. } => "unexpected_answer",
        }
    }
}

/// "reason. (label 123)": the reason as a sentence, the code in brackets.
fn with_code(reason: &str, label: &str, code: Option<u32>) -> String {
    let reason = reason.trim();
    let mut text = String::from(if reason.is_empty() {
        "no reason given"
    } else {
        reason
    });
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    if let Some(code) = code {
        text.push_str(&format!(" ({label} {code})"));
    }
    text
}

/// "10 seconds", "1 second", "0.3 seconds".
fn seconds(timeout: Duration) -> String {
    let millis = timeout.as_millis();
    if millis == 1000 {
        "1 second".to_owned()
    } else if millis.is_multiple_of(1000) {
        format!("{} seconds", millis / 1000)
    } else {
        format!("{:.1} seconds", timeout.as_secs_f64())
    }
}

/// "Connection refused (os error 111)" → "Connection refused".
pub(crate) fn without_os_code(text: &str) -> &str {
    match text.find(" (os error ") {
        Some(at) => &text[..at],
        None => text,
    }
}

/// "Connection refused" → "connection refused", for the middle of a
/// sentence; "TLS …" stays as it is.
pub(crate) fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => first
            .to_lowercase()
            .chain(text[first.len_utf8()..].chars())
            .collect(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences() {
        let e = NotifyError::GatewayRefused {
            status: 400,
            code: Some(21211),
            message: "The 'To' number +4917 is not a valid phone number".into(),
            more_info: Some("https://www.twilio.com/docs/errors/21211".into()),
        };
        assert_eq!(
            e.to_string(),
            "The SMS gateway refused the message: The 'To' number +4917 is not a valid phone number. (Twilio error 21211)"
        );
        let e = NotifyError::Refused {
            code: Some(550),
            reason: "5.1.1 User unknown".into(),
        };
        assert_eq!(
            e.to_string(),
            "The mail server refused the message: 5.1.1 User unknown. (SMTP 550)"
        );
        let e = NotifyError::Timeout {
            service: Service::Sms,
            server: "api.twilio.com".into(),
            timeout: Duration::from_millis(300),
        };
        assert_eq!(
            e.to_string(),
            "The SMS gateway at api.twilio.com did not answer within 0.3 seconds."
        );
        assert_eq!(e.code(), "timeout");
        assert_eq!(seconds(Duration::from_secs(10)), "10 seconds");
        assert_eq!(seconds(Duration::from_secs(1)), "1 second");
    }

    #[test]
    fn wording_helpers() {
        assert_eq!(
            without_os_code("Connection refused (os error 111)"),
            "Connection refused"
        );
        assert_eq!(without_os_code("timed out"), "timed out");
        assert_eq!(lowercase_first("Connection refused"), "connection refused");
        assert_eq!(lowercase_first("TLS failed"), "TLS failed");
        assert_eq!(lowercase_first(""), "");
    }
}
