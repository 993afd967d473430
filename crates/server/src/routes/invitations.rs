//! `POST /sessions/{id}/invitations`: the server sends the customer the join
//! link by SMS (Twilio's Messages API) or e-mail (SMTP), in the customer's
//! language, within limits that stop SMS pumping and mail bombing.
//!
//! Limits are counted from the `invitations` table (every attempt, sent or
//! failed), so they hold across restarts. Check and record happen under one
//! lock, so parallel requests cannot slip past a limit together.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use notify::{Invitation, NotifyError, PhoneNumber, Secret};
use protocol::EventBody;
use serde::Deserialize;
use serde_json::{Value, json};
use store::{InvitationRow, SessionRow};

use crate::auth::{Caller, Technician};
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::messaging::Messaging;
use crate::policy::GroupPolicy;
use crate::routes::sessions::participant_session;
use crate::state::AppState;

const HOUR_MS: i64 = 3_600_000;
/// Per technician, per hour.
pub const PER_TECHNICIAN: usize = 20;
/// Per recipient (a number or an address), per hour.
pub const PER_RECIPIENT: usize = 3;
/// Per session, in all.
pub const PER_SESSION: usize = 5;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    channel: String,
    to: String,
    #[serde(default)]
    language: Option<String>,
}

/// Where the invitation goes, checked and normalised.
enum Recipient {
    Phone(PhoneNumber),
    Email(String),
}

impl Recipient {
    fn key(&self) -> String {
        match self {
            Recipient::Phone(p) => p.as_str().to_owned(),
            Recipient::Email(e) => e.clone(),
        }
    }

    /// What the timeline keeps: enough to recognise, not the whole address.
    fn masked(&self) -> String {
        match self {
            Recipient::Phone(p) => {
                let digits = p.as_str();
                let keep = digits.len().saturating_sub(3);
                format!(
                    "{}•••{}",
                    &digits[..digits.len().min(4)],
                    &digits[keep.max(4)..]
                )
            }
            Recipient::Email(e) => match e.split_once('@') {
                Some((local, domain)) => {
                    format!("{}•••@{domain}", local.chars().next().unwrap_or('•'))
                }
                None => "•••".into(),
            },
        }
    }
}

pub async fn invite(
    State(state): State<AppState>,
    tech: Technician,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<InviteRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let caller = Caller::Technician(tech.clone());
    let row = participant_session(&state, &caller, &id).await?;
    let now = state.now();
    if row.state != "waiting" || row.key_expires_at <= now {
        return Err(ApiError::Conflict(
            "session_not_waiting",
            "Invitations can only be sent while the support key waits for the customer.".into(),
        ));
    }
    let language = crate::messaging::language(req.language.as_deref())?;
    let policy = GroupPolicy::load(&state, row.group_id.as_deref()).await?;
    let messaging = Messaging::load(&state).await?;
    let recipient = match req.channel.as_str() {
        "sms" => Recipient::Phone(
            PhoneNumber::parse(&req.to, &policy.policy.sms_default_country)
                .map_err(|e| ApiError::BadRequest("bad_phone", e.to_string()))?,
        ),
        "email" => Recipient::Email(crate::accounts::validate_email(&req.to).map_err(|_| {
            ApiError::BadRequest("bad_email", "Please enter a valid e-mail address.".into())
        })?),
        _ => {
            return Err(ApiError::BadRequest(
                "bad_channel",
                "The channel must be sms or email.".into(),
            ));
        }
    };
    let route = route(&messaging, &recipient, state.config.send_timeout)?;
    let invitation_id = reserve(&state, &tech, &row, &req.channel, &recipient.key(), now).await?;

    let invitation = Invitation {
        join_url: format!("{}/join/{}", state.public_url, row.support_key),
        support_key: row.support_key.clone(),
        technician_name: tech.user.name.clone(),
        website: Some(policy.policy.support_website(&state)),
        minutes_valid: u32::try_from((row.key_expires_at - now + 59_999) / 60_000).unwrap_or(1),
        language,
    };
    let sent = send(&route, &invitation).await;
    let (status, error) = match &sent {
        Ok(()) => ("sent", None),
        Err(e) => ("failed", Some(e.to_string())),
    };
    state
        .store
        .finish_invitation(&invitation_id, status, error.as_deref())
        .await?;
    let actor = caller.actor();
    let body = match &sent {
        Ok(()) => EventBody::InvitationSent {
            channel: req.channel.clone(),
            to: recipient.masked(),
        },
        Err(e) => EventBody::InvitationFailed {
            channel: req.channel.clone(),
            to: recipient.masked(),
            reason: e.to_string(),
        },
    };
    crate::sessions::note(&state, &row, actor, body).await?;
    match sent {
        Ok(()) => {
            tracing::info!(session = %row.id, channel = %req.channel, "invitation sent");
            let to = match &recipient {
                Recipient::Phone(p) => p.international().to_owned(),
                Recipient::Email(e) => e.clone(),
            };
            Ok((
                StatusCode::CREATED,
                Json(
                    json!({ "channel": req.channel, "to": to, "sent_at": crate::views::timestamp(now) }),
                ),
            ))
        }
        Err(e) => {
            tracing::warn!(session = %row.id, channel = %req.channel, error = %e, "invitation not delivered");
            // The gateway's or mail server's own reason, as a sentence; the
            // console puts it after its own (translated) lead-in.
            Err(ApiError::BadGateway("delivery_failed", e.to_string()))
        }
    }
}

/// Checks the limits and records the attempt, under one lock.
async fn reserve(
    state: &AppState,
    tech: &Technician,
    row: &SessionRow,
    channel: &str,
    recipient: &str,
    now: i64,
) -> Result<String, ApiError> {
    let _guard = state.invitations_lock.lock().await;
    let times = state
        .store
        .invitation_times(&tech.user.id, recipient, &row.id, now - 24 * HOUR_MS)
        .await?;
    let hour_ago = now - HOUR_MS;
    let in_hour = |v: &[i64]| {
        v.iter()
            .copied()
            .filter(|t| *t > hour_ago)
            .collect::<Vec<_>>()
    };
    let limit = |message: &str, oldest: Option<i64>| {
        let secs = oldest
            .map(|t| u64::try_from((t + HOUR_MS - now) / 1000 + 1).unwrap_or(60))
            .unwrap_or(3600);
        ApiError::TooManyRequests {
            code: "invitation_limit",
            message: message.to_owned(),
            retry_after_secs: secs,
        }
    };
    if times.by_session.len() >= PER_SESSION {
        return Err(limit(
            "This session has had 5 invitations already. Give the customer the key by phone instead.",
            None,
        ));
    }
    let recent = in_hour(&times.by_recipient);
    if recent.len() >= PER_RECIPIENT {
        return Err(limit(
            "This recipient has had 3 invitations in the last hour. Please wait before sending another.",
            recent.first().copied(),
        ));
    }
    let recent = in_hour(&times.by_technician);
    if recent.len() >= PER_TECHNICIAN {
        return Err(limit(
            "You have sent 20 invitations in the last hour. Please wait before sending more.",
            recent.first().copied(),
        ));
    }
    let id = crate::new_id();
    state
        .store
        .add_invitation(&InvitationRow {
            id: id.clone(),
            session_id: row.id.clone(),
            technician_id: tech.user.id.clone(),
            channel: channel.to_owned(),
            recipient: recipient.to_owned(),
            status: "sending".into(),
            error: None,
            created_at: now,
        })
        .await?;
    Ok(id)
}

/// The configured way to a recipient.
enum Route {
    Sms(notify::TwilioConfig, PhoneNumber),
    Email(notify::SmtpConfig, String),
}

fn route(
    messaging: &Messaging,
    recipient: &Recipient,
    timeout: std::time::Duration,
) -> Result<Route, ApiError> {
    match recipient {
        Recipient::Phone(number) => {
            let gw = messaging.sms.as_ref().ok_or_else(|| {
                ApiError::Unavailable(
                    "sms_not_configured",
                    "Sending SMS is not set up. Ask an administrator to configure the SMS gateway."
                        .into(),
                )
            })?;
            Ok(Route::Sms(
                notify::TwilioConfig {
                    base_url: gw.base_url.clone(),
                    account_sid: gw.account_sid.clone(),
                    auth_token: Secret::new(gw.auth_token.clone()),
                    from: gw.from.clone(),
                    timeout,
                },
                number.clone(),
            ))
        }
        Recipient::Email(address) => {
            let smtp = messaging.smtp.as_ref().ok_or_else(|| {
                ApiError::Unavailable(
                    "email_not_configured",
                    "Sending e-mail is not set up. Ask an administrator to configure the mail server."
                        .into(),
                )
            })?;
            Ok(Route::Email(smtp.config(timeout), address.clone()))
        }
    }
}

async fn send(route: &Route, invitation: &Invitation) -> Result<(), NotifyError> {
    match route {
        Route::Sms(config, number) => notify::send_invitation_sms(config, number, invitation)
            .await
            .map(|_| ()),
        Route::Email(config, address) => {
            notify::send_invitation_email(config, address, invitation).await
        }
    }
}
