//! The rules of a support session, applied to the store and the live hubs:
//! start, join with a key, chat, send a file, end, expire. Route handlers
//! call these; so does the WebSocket loop, so both paths obey the same rules.

use std::net::IpAddr;

use protocol::{Actor, EndReason, EventBody, FileInfo, RevokeReason, Role, ServerToAgent};
use session::{LifecycleError, Refusal, SupportKey};
use store::{EventRow, FileRow, NewSession, ParticipantRow, SessionRow, StoreError};

use crate::auth::{self, Caller, Technician};
use crate::error::ApiError;
use crate::hub::Hub;
use crate::state::AppState;

const MAX_NAME_CHARS: usize = 80;
const MAX_CLIENT_ID_CHARS: usize = 64;

pub fn system_actor() -> Actor {
    Actor {
        role: Role::System,
        name: "Tether".into(),
    }
}

pub async fn create(
    state: &AppState,
    tech: &Technician,
    request_remote_control: bool,
) -> Result<SessionRow, ApiError> {
    let now = state.now();
    // The key lifetime is the technician's group's.
    let group_id = tech.user.group_id.clone();
    let policy = crate::policy::GroupPolicy::load(state, group_id.as_deref()).await?;
    let lifetime = policy.key_lifetime_ms(state);
    let id = uuid::Uuid::now_v7().to_string();
    let actor = Actor {
        role: Role::Technician,
        name: tech.user.name.clone(),
    };
    // A clash with a live key is rare (live keys / 10⁹); draw again when it happens.
    for _ in 0..8 {
        let key = SupportKey::generate();
        let new = NewSession {
            id: id.clone(),
            technician_id: tech.user.id.clone(),
            support_key: key.digits(),
            key_expires_at: now.saturating_add(lifetime),
            request_remote_control,
            created_at: now,
            group_id: group_id.clone(),
        };
        // A new session has no hub yet: its first event is number 1.
        let body = EventBody::Created {
            request_remote_control,
        };
        let event = crate::hub::event_row(&id, 1, now, &actor, &body);
        match state.store.create_session(&new, &[event]).await {
            Ok(()) => return load(state, &id).await,
            Err(StoreError::KeyTaken) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal(StoreError::KeyTaken))
}

/// Loads a session, ending it first if its key ran out while nobody joined.
pub async fn load(state: &AppState, id: &str) -> Result<SessionRow, ApiError> {
    let row = state
        .store
        .session(id)
        .await?
        .ok_or_else(ApiError::session_not_found)?;
    if crate::hub::lifecycle_of(&row).expiry_due(state.now()) {
        return expire(state, row).await;
    }
    Ok(row)
}

async fn expire(state: &AppState, row: SessionRow) -> Result<SessionRow, ApiError> {
    match end(state, &row, EndReason::KeyExpired, system_actor()).await {
        Ok(row) => Ok(row),
        // Someone else ended or joined it meanwhile: show what is stored now.
        Err(ApiError::Conflict(..)) => state
            .store
            .session(&row.id)
            .await?
            .ok_or_else(ApiError::session_not_found),
        Err(e) => Err(e),
    }
}

pub async fn hub(state: &AppState, row: &SessionRow) -> Result<std::sync::Arc<Hub>, ApiError> {
    state.hubs.get(&state.store, row).await
}

/// The customer redeems a key. Throttled per address and globally.
pub async fn join(
    state: &AppState,
    addr: IpAddr,
    key: &str,
    name: Option<&str>,
) -> Result<(SessionRow, String), ApiError> {
    let key = SupportKey::parse(key).map_err(|e| {
        ApiError::BadRequest(
            "invalid_key",
            format!("{e} Please check the number your technician gave you."),
        )
    })?;
    let now = state.now();
    check_throttle(state, addr, now)?;
    let refuse = |e: ApiError| {
        state
            .throttle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .record_failure(addr, now);
        tracing::info!(%addr, code = e.code(), "support key refused");
        Err(e)
    };
    let Some(row) = state.store.session_by_key(&key.digits()).await? else {
        return refuse(ApiError::NotFound(
            "unknown_key",
            "There is no session with this support key. Please check the number your technician gave you.".into(),
        ));
    };
    let name = clean_name(name);
    let hub = hub(state, &row).await?;
    let writer = hub.writer().await;
    if let Err(e) = writer.lifecycle().redeem_key(now) {
        drop(writer);
        if matches!(e, LifecycleError::KeyExpired) {
            // Make the expiry visible to the technician too.
            if let Err(e) = load(state, &row.id).await {
                tracing::warn!(session = %row.id, error = %e, "expiring session failed");
            }
        }
        return refuse(key_error(e));
    }
    let token = auth::new_customer_token();
    let customer = ParticipantRow {
        token_hash: token.hash,
        session_id: row.id.clone(),
        role: Role::Customer.as_str().into(),
        name: name.clone(),
    };
    let events = writer.events(
        now,
        vec![
            (system_actor(), EventBody::KeyUsed {}),
            (
                Actor {
                    role: Role::Customer,
                    name: name.clone(),
                },
                EventBody::Joined { name },
            ),
        ],
    );
    if !state
        .store
        .redeem_key(&row.id, &customer, now, &events)
        .await?
    {
        drop(writer);
        return refuse(key_error(LifecycleError::KeyUsed));
    }
    let updated = state
        .store
        .session(&row.id)
        .await?
        .ok_or_else(ApiError::session_not_found)?;
    writer.published(events, Some(updated.clone()));
    if updated.request_remote_control {
        // "Request remote control when the customer arrives": ask right away.
        let technician = Actor {
            role: Role::Technician,
            name: updated.technician_name.clone(),
        };
        if let Err(e) =
            crate::access::request(state, &updated, technician, session::Access::Control).await
        {
            tracing::warn!(session = %updated.id, error = %e, "automatic remote-control request failed");
        }
    }
    Ok((updated, token.token))
}

fn check_throttle(state: &AppState, addr: IpAddr, now: i64) -> Result<(), ApiError> {
    let verdict = state
        .throttle
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .check(addr, now);
    verdict.map_err(|refusal| {
        let secs = refusal.retry_after_secs();
        let message = match refusal {
            Refusal::Address { .. } => format!(
                "Too many wrong support keys were entered from your network. Please wait {secs} seconds and try again."
            ),
            Refusal::Global { .. } => format!(
                "Too many wrong support keys were entered on this server. Please wait {secs} seconds and try again."
            ),
        };
        tracing::warn!(%addr, ?refusal, "support key attempt throttled");
        ApiError::TooManyRequests { code: "too_many_attempts", message, retry_after_secs: secs }
    })
}

fn key_error(e: LifecycleError) -> ApiError {
    match e {
        LifecycleError::KeyExpired => ApiError::Gone("key_expired", e.to_string()),
        LifecycleError::KeyUsed | LifecycleError::Ended => {
            ApiError::Gone("key_used", LifecycleError::KeyUsed.to_string())
        }
    }
}

fn clean_name(name: Option<&str>) -> String {
    let cleaned: String = name
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    // An empty name stays empty: each page shows its own word for "customer"
    // in the viewer's language.
    cleaned.trim().to_owned()
}

fn ended_error() -> ApiError {
    ApiError::Conflict("session_ended", LifecycleError::Ended.to_string())
}

/// Checks a chat message before it is stored.
pub fn validate_chat(
    state: &AppState,
    text: &str,
    client_id: Option<&str>,
) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::BadRequest(
            "empty_message",
            "The message is empty.".into(),
        ));
    }
    let max = state.config.max_message_chars;
    if text.chars().count() > max {
        return Err(ApiError::TooLarge(
            "message_too_long",
            format!("The message is too long. Please keep it under {max} characters."),
        ));
    }
    if client_id.is_some_and(|id| id.is_empty() || id.chars().count() > MAX_CLIENT_ID_CHARS) {
        return Err(ApiError::BadRequest(
            "bad_client_id",
            format!("client_id must have 1 to {MAX_CLIENT_ID_CHARS} characters."),
        ));
    }
    Ok(())
}

/// Stores and publishes a chat message; resending the same `client_id`
/// returns the message already stored.
///
/// Runs on the hub alone (no database read): the hub's life cycle says
/// whether the session is still open. This is the hot path of chat.
pub async fn chat(
    state: &AppState,
    hub: &Hub,
    caller: &Caller,
    text: String,
    client_id: Option<String>,
) -> Result<EventRow, ApiError> {
    validate_chat(state, &text, client_id.as_deref())?;
    let now = state.now();
    let writer = hub.writer().await;
    writer
        .lifecycle()
        .ensure_open(now)
        .map_err(|_| ended_error())?;
    let events = writer.events(
        now,
        vec![(
            caller.actor(),
            EventBody::Chat {
                text,
                client_id: client_id.clone(),
            },
        )],
    );
    match state.store.append_events(&events).await {
        Ok(()) => {
            let event = events[0].clone();
            writer.published(events, None);
            Ok(event)
        }
        Err(StoreError::EventConflict) => {
            drop(writer);
            let id = client_id.unwrap_or_default();
            state
                .store
                .event_by_client_id(&hub.session_id, &id)
                .await?
                .ok_or_else(|| ApiError::internal(StoreError::EventConflict))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn end(
    state: &AppState,
    row: &SessionRow,
    reason: EndReason,
    actor: Actor,
) -> Result<SessionRow, ApiError> {
    let hub = hub(state, row).await?;
    let now = state.now();
    let writer = hub.writer().await;
    writer.lifecycle().end().map_err(|_| ended_error())?;
    // Screen and input stop first; the grant's end is recorded with the end.
    hub.stop_grant();
    let mut consent = hub.live().consent.clone();
    let mut entries = Vec::new();
    if let Some(grant) = consent.revoke() {
        entries.push((
            system_actor(),
            EventBody::AccessRevoked {
                epoch: grant.epoch,
                reason: RevokeReason::SessionEnded,
            },
        ));
    }
    entries.push((actor, EventBody::Ended { reason }));
    let events = writer.events(now, entries);
    if !state
        .store
        .end_session(&row.id, reason.as_str(), now, &events)
        .await?
    {
        return Err(ended_error());
    }
    let updated = state
        .store
        .session(&row.id)
        .await?
        .ok_or_else(ApiError::session_not_found)?;
    let agent = {
        let mut live = hub.live();
        live.consent = consent;
        hub.sync_grant(&live);
        live.agent.clone()
    };
    writer.published(events, Some(updated.clone()));
    state.hubs.remove(&row.id);
    if let Some(agent) = agent
        && agent
            .tx
            .send(ServerToAgent::Ended { reason })
            .await
            .is_err()
    {
        tracing::debug!(session = %row.id, "support app was already gone at the end");
    }
    tracing::info!(session = %row.id, reason = reason.as_str(), "session ended");
    Ok(updated)
}

/// Records a file that is already on disk and tells the session.
pub async fn add_file(
    state: &AppState,
    row: &SessionRow,
    tech: &Technician,
    file: FileRow,
) -> Result<EventRow, ApiError> {
    let hub = hub(state, row).await?;
    let now = state.now();
    let writer = hub.writer().await;
    writer
        .lifecycle()
        .ensure_open(now)
        .map_err(|_| ended_error())?;
    let info = FileInfo {
        id: file.id.clone(),
        name: file.name.clone(),
        size: u64::try_from(file.size).unwrap_or(0),
    };
    let actor = Actor {
        role: Role::Technician,
        name: tech.user.name.clone(),
    };
    let events = writer.events(now, vec![(actor, EventBody::File { file: info })]);
    state.store.add_file(&file, &events).await?;
    let event = events[0].clone();
    writer.published(events, None);
    Ok(event)
}

/// Writes one event to a session's timeline and tells its connections: for
/// things that happen beside the session's own rules (an invitation sent).
pub async fn note(
    state: &AppState,
    row: &SessionRow,
    actor: Actor,
    body: EventBody,
) -> Result<(), ApiError> {
    let hub = hub(state, row).await?;
    let writer = hub.writer().await;
    let events = writer.events(state.now(), vec![(actor, body)]);
    state.store.append_events(&events).await?;
    writer.published(events, None);
    Ok(())
}

/// Ends sessions whose keys ran out unused and removes files of sessions that
/// ended longer ago than the retention time. Runs periodically.
pub async fn sweep(state: &AppState) -> Result<(), ApiError> {
    let now = state.now();
    for id in state.store.expired_waiting_sessions(now, 500).await? {
        load(state, &id).await?;
    }
    let retention = i64::try_from(state.config.file_retention.as_millis()).unwrap_or(i64::MAX);
    for file in state
        .store
        .files_due_for_removal(now.saturating_sub(retention), 500)
        .await?
    {
        let path = state.files_dir.join(&file.stored_name);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::error!(path = %path.display(), error = %e, "cannot remove expired file");
                continue;
            }
        }
        state.store.mark_file_removed(&file.id, now).await?;
        tracing::info!(file = %file.id, session = %file.session_id, "removed file after retention time");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn names_are_trimmed_cleaned_and_defaulted() {
        assert_eq!(clean_name(Some("  Alex \n")), "Alex");
        assert_eq!(clean_name(Some("A\u{0}B")), "AB");
        assert_eq!(clean_name(None), "");
        assert_eq!(clean_name(Some(&"x".repeat(200))).len(), 80);
    }
}
