//! The SMS gateway and the mail server that invitations and set-password
//! links go through, as the admin center configures them. Stored as one
//! JSON document in `server_settings`; the secrets in it (the gateway's
//! auth token, the SMTP password) are write-only: no answer, log line or
//! audit entry ever contains them.

use std::time::Duration;

use notify::{Language, Secret, Security};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::AppState;

const SETTING: &str = "messaging";
pub const TWILIO_BASE_URL: &str = "https://api.twilio.com";

#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Messaging {
    pub sms: Option<SmsGateway>,
    pub smtp: Option<SmtpServer>,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct SmsGateway {
    pub base_url: String,
    pub account_sid: String,
    pub from: String,
    pub auth_token: String,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    pub security: String,
    pub username: String,
    pub from: String,
    pub password: String,
}

// Hand-written so that a `{:?}` anywhere can never print a secret.
impl std::fmt::Debug for Messaging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messaging")
            .field("sms", &self.sms.as_ref().map(|s| &s.base_url))
            .field("smtp", &self.smtp.as_ref().map(|s| &s.host))
            .finish()
    }
}

/// What the admin center shows: everything but the secrets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MessagingView {
    pub sms: Option<SmsView>,
    pub smtp: Option<SmtpView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SmsView {
    pub provider: String,
    pub base_url: String,
    pub account_sid: String,
    pub from: String,
    pub auth_token_set: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SmtpView {
    pub host: String,
    pub port: u16,
    pub security: String,
    pub username: String,
    pub from: String,
    pub password_set: bool,
}

/// A change from the admin center. `sms: null` removes the gateway; an
/// absent or null secret keeps the stored one, `""` clears it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagingChange {
    #[serde(default, deserialize_with = "crate::json::present")]
    pub sms: Option<Option<SmsChange>>,
    #[serde(default, deserialize_with = "crate::json::present")]
    pub smtp: Option<Option<SmtpChange>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsChange {
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub base_url: Option<String>,
    pub account_sid: String,
    pub from: String,
    #[serde(default)]
    pub auth_token: Option<String>,
    /// The admin center may send its view back; this flag is ignored.
    #[serde(default, rename = "auth_token_set")]
    _auth_token_set: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpChange {
    pub host: String,
    pub port: u16,
    pub security: String,
    #[serde(default)]
    pub username: String,
    pub from: String,
    #[serde(default)]
    pub password: Option<String>,
    /// The admin center may send its view back; this flag is ignored.
    #[serde(default, rename = "password_set")]
    _password_set: Option<bool>,
}

impl SmtpServer {
    /// How `notify` reaches this mail server; `timeout` bounds one message.
    pub fn config(&self, timeout: Duration) -> notify::SmtpConfig {
        notify::SmtpConfig {
            host: self.host.clone(),
            port: self.port,
            security: match self.security.as_str() {
                "none" => Security::None,
                "tls" => Security::Tls,
                _ => Security::StartTls,
            },
            username: Some(self.username.clone()).filter(|u| !u.is_empty()),
            password: Some(self.password.clone())
                .filter(|p| !p.is_empty())
                .map(Secret::new),
            from: self.from.clone(),
            timeout,
        }
    }
}

/// The language a request asks a message to be written in: `en` (also
/// when absent or empty) or `de`.
pub fn language(tag: Option<&str>) -> Result<Language, ApiError> {
    match tag.map(str::trim) {
        None | Some("") => Ok(Language::En),
        Some(tag) => tag.parse().map_err(|_| {
            ApiError::BadRequest("bad_language", "The language must be en or de.".into())
        }),
    }
}

impl Messaging {
    pub async fn load(state: &AppState) -> Result<Messaging, ApiError> {
        let Some(json) = state.store.server_setting(SETTING).await? else {
            return Ok(Messaging::default());
        };
        Ok(serde_json::from_str(&json).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the stored messaging settings are unreadable");
            Messaging::default()
        }))
    }

    pub async fn save(&self, state: &AppState) -> Result<(), ApiError> {
        let json = serde_json::to_string(self).map_err(ApiError::internal)?;
        state
            .store
            .set_server_setting(SETTING, &json, state.now())
            .await?;
        Ok(())
    }

    pub fn view(&self) -> MessagingView {
        MessagingView {
            sms: self.sms.as_ref().map(|s| SmsView {
                provider: "twilio".into(),
                base_url: s.base_url.clone(),
                account_sid: s.account_sid.clone(),
                from: s.from.clone(),
                auth_token_set: !s.auth_token.is_empty(),
            }),
            smtp: self.smtp.as_ref().map(|s| SmtpView {
                host: s.host.clone(),
                port: s.port,
                security: s.security.clone(),
                username: s.username.clone(),
                from: s.from.clone(),
                password_set: !s.password.is_empty(),
            }),
        }
    }

    /// Applies a change, checking every field; secrets not sent are kept.
    pub fn apply(&self, change: MessagingChange) -> Result<Messaging, ApiError> {
        let bad = |m: &str| ApiError::BadRequest("bad_setting", m.to_owned());
        let sms = match change.sms {
            None => self.sms.clone(),
            Some(None) => None,
            Some(Some(c)) => {
                if c.provider.as_deref().is_some_and(|p| p != "twilio") {
                    return Err(bad("Only the Twilio SMS gateway is supported."));
                }
                let base_url = c
                    .base_url
                    .map(|u| u.trim().trim_end_matches('/').to_owned())
                    .filter(|u| !u.is_empty())
                    .unwrap_or_else(|| TWILIO_BASE_URL.to_owned());
                if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
                    return Err(bad("The gateway address must start with https://."));
                }
                let account_sid = c.account_sid.trim().to_owned();
                if account_sid.is_empty()
                    || account_sid.len() > 64
                    || !account_sid.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    return Err(bad(
                        "Please enter the gateway's account SID (letters and digits).",
                    ));
                }
                let from = c.from.trim().to_owned();
                if from.is_empty() || from.len() > 34 {
                    return Err(bad(
                        "Please enter the sender: a phone number such as +4930123456, or a messaging service SID.",
                    ));
                }
                let old = self.sms.as_ref().map(|s| s.auth_token.clone());
                let auth_token = match c.auth_token {
                    Some(t) => t.trim().to_owned(),
                    None => old.unwrap_or_default(),
                };
                Some(SmsGateway {
                    base_url,
                    account_sid,
                    from,
                    auth_token,
                })
            }
        };
        let smtp = match change.smtp {
            None => self.smtp.clone(),
            Some(None) => None,
            Some(Some(c)) => {
                let host = c.host.trim().to_owned();
                if host.is_empty()
                    || host.len() > 253
                    || host.chars().any(|c| c.is_whitespace() || c == '/')
                {
                    return Err(bad("Please enter the mail server's host name."));
                }
                if c.port == 0 {
                    return Err(bad("Please enter the mail server's port, such as 587."));
                }
                if !matches!(c.security.as_str(), "none" | "starttls" | "tls") {
                    return Err(bad(
                        "The connection security must be none, starttls or tls.",
                    ));
                }
                let from = c.from.trim().to_owned();
                if !from.contains('@') || from.len() > 254 {
                    return Err(bad(
                        "Please enter the sender address, such as Support <support@example.com>.",
                    ));
                }
                let old = self.smtp.as_ref().map(|s| s.password.clone());
                let password = match c.password {
                    Some(p) => p,
                    None => old.unwrap_or_default(),
                };
                Some(SmtpServer {
                    host,
                    port: c.port,
                    security: c.security,
                    username: c.username.trim().to_owned(),
                    from,
                    password,
                })
            }
        };
        Ok(Messaging { sms, smtp })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(json: &str) -> MessagingChange {
        serde_json::from_str(json).expect("parses")
    }

    #[test]
    fn secrets_are_write_only() {
        let m = Messaging::default()
            .apply(change(
                r#"{"sms":{"account_sid":"AC1","from":"+4930123","auth_token":"s3cret"}}"#,
            ))
            .expect("valid");
        let view = serde_json::to_string(&m.view()).expect("serialises");
        assert!(!view.contains("s3cret"), "{view}");
        assert!(!format!("{m:?}").contains("s3cret"));
        // Sent again without the token: the token stays.
        let m = m
            .apply(change(r#"{"sms":{"account_sid":"AC2","from":"+4930123"}}"#))
            .expect("valid");
        assert_eq!(
            m.sms.as_ref().map(|s| s.auth_token.as_str()),
            Some("s3cret")
        );
        assert_eq!(
            m.sms.as_ref().map(|s| s.base_url.as_str()),
            Some(TWILIO_BASE_URL)
        );
        // null removes the gateway; absent keeps it.
        assert!(m.apply(change(r#"{}"#)).expect("valid").sms.is_some());
        assert!(
            m.apply(change(r#"{"sms":null}"#))
                .expect("valid")
                .sms
                .is_none()
        );
    }

    #[test]
    fn bad_fields_are_refused() {
        for json in [
            r#"{"sms":{"account_sid":"","from":"+49"}}"#,
            r#"{"sms":{"account_sid":"AC1","from":"+49","base_url":"ftp://x"}}"#,
            r#"{"smtp":{"host":"mail","port":0,"security":"none","from":"a@b.c"}}"#,
            r#"{"smtp":{"host":"mail","port":25,"security":"ssl","from":"a@b.c"}}"#,
            r#"{"smtp":{"host":"mail","port":25,"security":"none","from":"nobody"}}"#,
        ] {
            assert!(Messaging::default().apply(change(json)).is_err(), "{json}");
        }
    }
}
