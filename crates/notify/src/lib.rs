//! Invitations to a support session (R-2.1): their words in English and
//! German, and sending them by e-mail (SMTP) and by SMS (Twilio's Messages
//! API). The same mail server also sends an account its one-time
//! set-password link ([`AccountLink`], [`send_account_email`]).
//!
//! # Using it
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use notify::{Invitation, Language, PhoneNumber, Secret, SmtpConfig, Security, TwilioConfig};
//!
//! let invitation = Invitation {
//!     join_url: "https://support.example.com/join/123456789".into(),
//!     support_key: "123456789".into(),
//!     technician_name: "Anna Schmidt".into(),
//!     website: Some("support.example.com".into()),
//!     minutes_valid: 60,
//!     language: "de".parse().unwrap_or_default(),
//! };
//!
//! let smtp = SmtpConfig {
//!     host: "smtp.example.com".into(),
//!     port: Security::StartTls.default_port(),
//!     security: Security::StartTls,
//!     username: Some("tether".into()),
//!     password: Some(Secret::new("from the settings")),
//!     from: "Tether <support@example.com>".into(),
//!     timeout: Duration::from_secs(15),
//! };
//! notify::send_invitation_email(&smtp, "kunde@example.de", &invitation).await?;
//!
//! let twilio = TwilioConfig {
//!     base_url: TwilioConfig::DEFAULT_BASE_URL.into(),
//!     account_sid: "AC…".into(),
//!     auth_token: Secret::new("from the settings"),
//!     from: "+4915112345678".into(),
//!     timeout: Duration::from_secs(15),
//! };
//! // Parse at the edge, with the group's default country; show the
//! // technician `international()` in the confirmation.
//! let to = PhoneNumber::parse("0171 1234567", "DE")?;
//! let receipt = notify::send_invitation_sms(&twilio, &to, &invitation).await?;
//! println!("sent to {} as {}", to.international(), receipt.sid);
//! # Ok(()) }
//! ```
//!
//! Every [`NotifyError`] and [`PhoneError`] displays as a sentence that can
//! be shown to the technician; [`NotifyError::code`] is a stable code for the
//! HTTP API. Rate limits, settings storage and auditing are the caller's.
//! The texts alone ([`Invitation::email_subject`], [`Invitation::email_text`],
//! [`Invitation::email_html`], [`Invitation::sms_text`]) serve `mailto:` and
//! previews too.
//!
//! # Layout
//! - `text.rs` — [`Invitation`], [`Language`]: the words, the HTML page
//!   every e-mail shares, escaping.
//! - `account.rs` — [`AccountLink`]: the e-mail with a one-time
//!   set-password link for a new account or a password reset.
//! - `gsm7.rs` — the SMS alphabet: segment counting, folding names to it.
//! - `email.rs` — [`SmtpConfig`], [`send_invitation_email`],
//!   [`send_account_email`] (lettre).
//! - `sms.rs` — [`TwilioConfig`], [`send_invitation_sms`].
//! - `https.rs` — the one HTTP POST the SMS needs (hyper + rustls).
//! - `tls.rs` — rustls settings (ring, Mozilla's roots), TLS failures in words.
//! - `phone.rs` — [`PhoneNumber`], parsed into E.164.
//! - `secret.rs` — [`Secret`], which never prints.
//! - `error.rs` — [`NotifyError`].
//!
//! # Invariants
//! - **No credential is ever shown.** [`Secret`] prints `***`; the password
//!   and the auth token are read only where they are sent; what a server
//!   answers is redacted before it goes into an error; nothing here logs a
//!   request, and lettre is built without its `tracing` feature (which
//!   would log the SMTP dialogue, `AUTH` included).
//! - **No persistent state, no globals:** every call gets its config and
//!   opens its own connection.
//!
//! # Why these dependencies
//! - **lettre** (SMTP): the maintained Rust mail crate; MIME building,
//!   STARTTLS and implicit TLS, AUTH PLAIN/LOGIN. Default features off:
//!   no native-tls/OpenSSL, no connection pool; rustls with ring and
//!   Mozilla's roots (`webpki-roots`), like the rest of the workspace.
//! - **hyper + tokio-rustls** for the one HTTPS POST to Twilio, not
//!   reqwest: see `https.rs` (reqwest's ring-only TLS feature would make
//!   other crates' test clients panic once features unify). Same crates and
//!   versions as the support app's transport, so nothing new is built.
//! - **phonenumber** (Rust port of Google's libphonenumber, metadata kept
//!   current) rather than a hand-written table of calling codes and trunk
//!   prefixes. A table would cover ~20 countries and get the rules wrong
//!   at the edges (Italy keeps its leading 0, `+49 (0)171`, the US `011`);
//!   libphonenumber knows every country's prefixes and valid lengths, so a
//!   mistyped number is caught in the form instead of costing a gateway
//!   round trip. Cost: about 20 small crates and a build script that reads
//!   its XML once (~35 s on a clean 2-core build). One of its bugs (with a
//!   default country, `+49 171 …` lost a digit) is worked around in
//!   `phone.rs` and tested.
//!
//! # Trust roots
//! Both channels trust Mozilla's roots built into the binary, so a minimal
//! container needs no CA bundle. A mail server or gateway with a private
//! CA is not supported yet; that would be an extra PEM in each config.

mod account;
mod email;
mod error;
pub mod gsm7;
mod https;
mod phone;
mod secret;
mod sms;
mod text;
mod tls;

pub use account::{AccountLink, LinkPurpose};
pub use email::{Security, SmtpConfig, send_account_email, send_invitation_email};
pub use error::{NotifyError, Service};
pub use phone::{PhoneError, PhoneNumber};
pub use secret::Secret;
pub use sms::{SmsReceipt, TwilioConfig, send_invitation_sms};
pub use text::{Invitation, Language, UnknownLanguage};

/// Whether `host` is this machine, where plain text cannot be overheard.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_matches(['[', ']']);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_hosts() {
        assert!(super::is_loopback("localhost"));
        assert!(super::is_loopback("127.0.0.1"));
        assert!(super::is_loopback("127.8.9.1"));
        assert!(super::is_loopback("[::1]"));
        assert!(!super::is_loopback("10.0.0.1"));
        assert!(!super::is_loopback("smtp.example.com"));
        assert!(!super::is_loopback("localhost.example.com"));
    }
}
