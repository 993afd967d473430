//! Sending the invitation SMS through Twilio's Messages API (or a gateway that speaks its shape).

use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize;

use crate::error::{NotifyError, Service};
use crate::{Invitation, PhoneNumber, Secret, https, is_loopback};

/// How Tether reaches the SMS gateway.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// [`TwilioConfig::DEFAULT_BASE_URL`], or a gateway with the same API.
    pub base_url: String,
    /// `AC…`; sent as the Basic-auth user name and in the path.
    pub account_sid: String,
    pub auth_token: Secret,
    /// The sender: an E.164 number, an alphanumeric sender ID, or a
    /// Messaging Service SID (`MG…`), which is sent as `MessagingServiceSid`.
    pub from: String,
    /// The longest the whole request may take.
    pub timeout: Duration,
}

impl TwilioConfig {
    pub const DEFAULT_BASE_URL: &'static str = "https://api.twilio.com";
}

/// The gateway took the message: its id, for the audit trail and support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsReceipt {
    /// Twilio's message SID (`SM…`).
    pub sid: String,
    /// Twilio's status at acceptance, usually `queued` or `accepted`.
    pub status: Option<String>,
}

/// Sends the invitation's [SMS text](Invitation::sms_text) to `to`.
///
/// Returns when the gateway has accepted the message; delivery to the phone
/// happens later and is not tracked here. A refusal comes back as
/// [`NotifyError::GatewayRefused`] with Twilio's message and code.
pub async fn send_invitation_sms(
    config: &TwilioConfig,
    to: &PhoneNumber,
    invitation: &Invitation,
) -> Result<SmsReceipt, NotifyError> {
    send(config, to, &invitation.sms_text()).await
}

async fn send(
    config: &TwilioConfig,
    to: &PhoneNumber,
    text: &str,
) -> Result<SmsReceipt, NotifyError> {
    let uri = messages_uri(config)?;
    let server = uri
        .authority()
        .map_or_else(String::new, ToString::to_string);
    let sid = config.account_sid.trim();
    let from = config.from.trim();
    if from.is_empty() {
        return Err(misconfigured(
            "no sender (From number or Messaging Service SID) is set.",
        ));
    }
    if config.auth_token.is_empty() {
        return Err(misconfigured("no auth token is set."));
    }
    let sender_field = if from.starts_with("MG") {
        "MessagingServiceSid"
    } else {
        "From"
    };
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("To", to.as_str())
        .append_pair(sender_field, from)
        .append_pair("Body", text)
        .finish();
    let credentials = base64::engine::general_purpose::STANDARD
        .encode(format!("{sid}:{}", config.auth_token.expose()));
    let authorization = format!("Basic {credentials}");

    tracing::debug!(%server, account = sid, "sending invitation SMS");
    let answer = tokio::time::timeout(config.timeout, https::post_form(&uri, &authorization, body))
        .await
        .map_err(|_elapsed| NotifyError::Timeout {
            service: Service::Sms,
            server: server.clone(),
            timeout: config.timeout,
        })?
        .map_err(|reason| NotifyError::ConnectionFailed {
            service: Service::Sms,
            server: server.clone(),
            reason: config.auth_token.redact(&reason),
        })?;

    if (200..300).contains(&answer.status) {
        let accepted: Accepted =
            serde_json::from_slice(&answer.body).map_err(|e| NotifyError::UnexpectedAnswer {
                service: Service::Sms,
                detail: format!("the message was accepted, but the answer is unreadable: {e}."),
            })?;
        tracing::debug!(%server, sid = %accepted.sid, status = ?accepted.status, "invitation SMS accepted");
        return Ok(SmsReceipt {
            sid: accepted.sid,
            status: accepted.status,
        });
    }
    let refusal = refusal(answer.status, &answer.body, &config.auth_token);
    tracing::debug!(%server, status = answer.status, code = ?refusal_code(&refusal), "invitation SMS refused");
    Err(refusal)
}

/// `{base}/2010-04-01/Accounts/{sid}/Messages.json`, after checking what
/// would make it wrong or unsafe.
fn messages_uri(config: &TwilioConfig) -> Result<http::Uri, NotifyError> {
    let sid = config.account_sid.trim();
    if sid.is_empty() || !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(misconfigured(
            "the account SID must be letters and digits only (it starts with AC).",
        ));
    }
    let base = config.base_url.trim().trim_end_matches('/');
    let base: http::Uri = base
        .parse()
        .map_err(|_| misconfigured(&format!("\"{base}\" is not a web address.")))?;
    let Some(authority) = base.authority() else {
        return Err(misconfigured("the gateway address has no host."));
    };
    if authority.as_str().contains('@') {
        // Not echoed: it may hold a password.
        return Err(misconfigured(
            "the gateway address must not contain a user name or password.",
        ));
    }
    match base.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback(authority.host()) => {}
        Some("http") => {
            return Err(misconfigured(
                "the gateway address must start with https:// (plain http would send the auth token unencrypted).",
            ));
        }
        _ => {
            return Err(misconfigured(
                "the gateway address must start with https://.",
            ));
        }
    }
    let path = base.path().trim_end_matches('/');
    format!(
        "{}://{authority}{path}/2010-04-01/Accounts/{sid}/Messages.json",
        base.scheme_str().unwrap_or("https")
    )
    .parse()
    .map_err(|_| misconfigured("the gateway address cannot be used."))
}

/// Twilio's success body (a Message resource); only what we keep.
#[derive(Deserialize)]
struct Accepted {
    sid: String,
    status: Option<String>,
}

/// Twilio's error body: `{"code": 21211, "message": "…", "more_info": "…", "status": 400}`.
#[derive(Deserialize)]
struct Refusal {
    code: Option<u32>,
    message: Option<String>,
    more_info: Option<String>,
}

fn refusal(status: u16, body: &[u8], token: &Secret) -> NotifyError {
    let parsed: Option<Refusal> = serde_json::from_slice(body).ok();
    let (code, message, more_info) = match parsed {
        Some(r) => (r.code, r.message, r.more_info),
        None => (None, None, None),
    };
    let message = match (status, message) {
        (401, message) => format!(
            "the account SID and auth token were not accepted ({})",
            message.as_deref().unwrap_or("HTTP 401")
        ),
        (_, Some(message)) if !message.trim().is_empty() => message,
        _ => {
            let text = String::from_utf8_lossy(body);
            let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let text: String = text.chars().take(200).collect();
            if text.is_empty() {
                format!("HTTP {status} without a reason")
            } else {
                format!("HTTP {status}: {text}")
            }
        }
    };
    NotifyError::GatewayRefused {
        status,
        code,
        message: token.redact(&message),
        more_info: more_info.map(|m| token.redact(&m)),
    }
}

fn refusal_code(e: &NotifyError) -> Option<u32> {
    match e {
        NotifyError::GatewayRefused { code, .. } => *code,
        _ => None,
    }
}

fn misconfigured(problem: &str) -> NotifyError {
    NotifyError::Misconfigured {
        service: Service::Sms,
        problem: problem.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base_url: &str) -> TwilioConfig {
        TwilioConfig {
            base_url: base_url.into(),
            account_sid: "AC0123456789abcdef0123456789abcdef".into(),
            auth_token: Secret::new("token-0123456789"),
            from: "+15005550006".into(),
            timeout: Duration::from_secs(10),
        }
    }

    #[test]
    fn builds_the_messages_address() {
        let uri = messages_uri(&config("https://api.twilio.com")).expect("valid");
        assert_eq!(
            uri.to_string(),
            "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
        );
        let uri = messages_uri(&config("https://gw.example.com/twilio/")).expect("valid");
        assert_eq!(
            uri.path(),
            "/twilio/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
        );
        assert!(messages_uri(&config("http://127.0.0.1:8080")).is_ok());
        assert!(messages_uri(&config("http://localhost:8080")).is_ok());
    }

    #[test]
    fn refuses_addresses_that_would_leak_or_break() {
        for base in [
            "http://api.twilio.com",
            "ftp://api.twilio.com",
            "api.twilio.com",
            "https://user:pw@api.twilio.com",
            "",
        ] {
            let e = messages_uri(&config(base)).expect_err(base);
            assert!(
                matches!(e, NotifyError::Misconfigured { .. }),
                "{base}: {e}"
            );
            assert!(!e.to_string().contains("pw@"), "{e}");
        }
        let mut c = config("https://api.twilio.com");
        c.account_sid = "AC12/../../x".into();
        assert!(matches!(
            messages_uri(&c),
            Err(NotifyError::Misconfigured { .. })
        ));
    }

    #[test]
    fn reads_twilio_refusals() {
        let token = Secret::new("token-0123456789");
        let body = br#"{"code": 21211, "message": "The 'To' number +4917 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}"#;
        let e = refusal(400, body, &token);
        assert_eq!(
            e.to_string(),
            "The SMS gateway refused the message: The 'To' number +4917 is not a valid phone number. (Twilio error 21211)"
        );
        let e = refusal(
            401,
            br#"{"code": 20003, "message": "Authenticate", "status": 401}"#,
            &token,
        );
        assert_eq!(
            e.to_string(),
            "The SMS gateway refused the message: the account SID and auth token were not accepted (Authenticate). (Twilio error 20003)"
        );
        let e = refusal(502, b"<html>Bad   gateway</html>", &token);
        assert_eq!(
            e.to_string(),
            "The SMS gateway refused the message: HTTP 502: <html>Bad gateway</html>."
        );
        let e = refusal(400, br#"{"message": "echo token-0123456789"}"#, &token);
        assert!(!format!("{e} {e:?}").contains("token-0123456789"), "{e:?}");
    }
}
