//! Screen access: the technician's requests, the customer's answers in the
//! support app, revocation, and the app's download tickets. Every change goes
//! through the session's write lock, is stored as a timeline event, and only
//! then takes effect in the hub (consent state, grant mirrors, the app's
//! commands).

use std::sync::Arc;

use protocol::{AccessKind, Actor, EventBody, RevokeReason, Role, ServerToAgent};
use session::{Access, Consent, ConsentError};
use store::SessionRow;

use crate::auth;
use crate::error::ApiError;
use crate::hub::{AgentLink, Hub, Ticket, Writer};
use crate::sessions::{self, system_actor};
use crate::state::AppState;

/// How long a download link for the support app stays valid.
pub const TICKET_LIFETIME_MS: i64 = 10 * 60 * 1000;

pub fn kind(access: Access) -> AccessKind {
    match access {
        Access::View => AccessKind::View,
        Access::Control => AccessKind::Control,
    }
}

pub fn from_kind(kind: AccessKind) -> Access {
    match kind {
        AccessKind::View => Access::View,
        AccessKind::Control => Access::Control,
    }
}

fn consent_error(e: ConsentError) -> ApiError {
    let code = match e {
        ConsentError::AlreadyGranted => "already_granted",
        ConsentError::AlreadyRequested => "already_requested",
        ConsentError::NoSuchRequest => "no_such_request",
        ConsentError::AppNotConnected => "app_not_connected",
    };
    ApiError::Conflict(code, e.to_string())
}

fn ended() -> ApiError {
    ApiError::Conflict("session_ended", "This session has already ended.".into())
}

/// What a change does to the download ticket of the pending request.
enum TicketChange {
    Keep,
    /// The request was answered or withdrawn: its download link stops working.
    Drop,
    /// A new request: a new ticket and its link for the customer.
    New(Ticket, String),
}

/// Stores `events`, then applies `consent` (and the ticket change) to the
/// hub, mirrors the grant, and publishes.
async fn commit(
    state: &AppState,
    writer: Writer<'_>,
    events: Vec<(Actor, EventBody)>,
    consent: Consent,
    ticket: TicketChange,
) -> Result<(), ApiError> {
    let rows = writer.events(state.now(), events);
    state.store.append_events(&rows).await?;
    let hub = writer.hub();
    {
        let mut live = hub.live();
        live.consent = consent;
        if !matches!(ticket, TicketChange::Keep) {
            if let Some(old) = live.ticket.take() {
                state.hubs.forget_ticket(&old.hash);
            }
            live.ticket_url = None;
        }
        if let TicketChange::New(t, url) = ticket {
            state.hubs.remember_ticket(&t.hash, &hub.session_id);
            live.ticket = Some(t);
            live.ticket_url = Some(url);
        }
        hub.sync_grant(&live);
    }
    writer.published_live(rows);
    Ok(())
}

/// Tells the support app, if connected. A full queue means the app is
/// stuck; the command is then lost with the app, which must reconnect.
async fn tell_agent(hub: &Hub, command: ServerToAgent) {
    if let Some(link) = hub.agent()
        && link.tx.send(command).await.is_err()
    {
        tracing::debug!(session = %hub.session_id, "support app went away before a command reached it");
    }
}

/// The technician asks for screen view or remote control.
pub async fn request(
    state: &AppState,
    row: &SessionRow,
    actor: Actor,
    access: Access,
) -> Result<(), ApiError> {
    let hub = sessions::hub(state, row).await?;
    let writer = hub.writer().await;
    writer
        .lifecycle()
        .ensure_open(state.now())
        .map_err(|_| ended())?;
    let mut consent = hub.live().consent.clone();
    let request = consent.request(access).map_err(consent_error)?;
    let technician = actor.name.clone();
    let token = format!("tk_{}", auth::random_secret());
    let ticket = Ticket {
        hash: auth::token_hash(&token),
        request_id: request.id,
        expires_at: state.now() + TICKET_LIFETIME_MS,
        downloaded: false,
        redeemed: false,
    };
    // Relative: the customer's browser fetches it from wherever it reached us.
    let url = format!("/api/v1/app/download?ticket={token}");
    let event = EventBody::AccessRequested {
        request_id: request.id,
        access: kind(access),
    };
    let app_connected = consent.app_connected();
    commit(
        state,
        writer,
        vec![(actor, event)],
        consent,
        TicketChange::New(ticket, url),
    )
    .await?;
    if app_connected {
        tell_agent(
            &hub,
            ServerToAgent::Request {
                request_id: request.id,
                access: kind(access),
                technician,
            },
        )
        .await;
    }
    tracing::info!(session = %row.id, access = access.as_str(), "screen access requested");
    Ok(())
}

/// The technician withdraws an unanswered request.
pub async fn cancel(state: &AppState, row: &SessionRow, actor: Actor) -> Result<(), ApiError> {
    let hub = sessions::hub(state, row).await?;
    let writer = hub.writer().await;
    let mut consent = hub.live().consent.clone();
    let Some(request) = consent.cancel() else {
        return Err(ApiError::Conflict(
            "no_such_request",
            "There is no request waiting for an answer.".into(),
        ));
    };
    commit(
        state,
        writer,
        vec![(
            actor,
            EventBody::AccessCancelled {
                request_id: request.id,
            },
        )],
        consent,
        TicketChange::Drop,
    )
    .await?;
    tell_agent(
        &hub,
        ServerToAgent::Cancel {
            request_id: request.id,
        },
    )
    .await;
    Ok(())
}

/// Ends the current grant (and any pending request): "Stop screen sharing".
pub async fn revoke(
    state: &AppState,
    row: &SessionRow,
    actor: Actor,
    reason: RevokeReason,
) -> Result<(), ApiError> {
    let hub = sessions::hub(state, row).await?;
    let writer = hub.writer().await;
    let mut consent = hub.live().consent.clone();
    let pending = consent.pending();
    let Some(grant) = consent.revoke() else {
        if pending.is_some() {
            drop(writer);
            return cancel(state, row, actor).await;
        }
        return Err(ApiError::Conflict(
            "not_shared",
            "The screen is not being shared.".into(),
        ));
    };
    // Stop relaying before anything else: frames and input end now.
    hub.stop_grant();
    let event = EventBody::AccessRevoked {
        epoch: grant.epoch,
        reason,
    };
    commit(
        state,
        writer,
        vec![(actor, event)],
        consent,
        TicketChange::Drop,
    )
    .await?;
    tell_agent(&hub, ServerToAgent::Revoke { epoch: grant.epoch }).await;
    tracing::info!(session = %row.id, ?reason, "screen access revoked");
    Ok(())
}

/// The customer fetched the support app with a ticket: advance the guided
/// flow once. Returns the session the ticket belongs to.
pub async fn download_started(state: &AppState, ticket_token: &str) -> Result<(), ApiError> {
    let (hub, row) = ticket_hub(state, ticket_token).await?;
    let writer = hub.writer().await;
    let (first, request_id) = {
        let live = hub.live();
        let t = live
            .ticket
            .as_ref()
            .filter(|t| t.hash == auth::token_hash(ticket_token))
            .ok_or_else(unknown_ticket)?;
        check_ticket(state, t)?;
        (!t.downloaded, t.request_id)
    };
    if first {
        let mut consent = hub.live().consent.clone();
        consent.download_started();
        let event = EventBody::AppDownloaded { request_id };
        let rows = writer.events(state.now(), vec![(system_actor(), event)]);
        state.store.append_events(&rows).await?;
        {
            let mut live = hub.live();
            live.consent = consent;
            if let Some(t) = live.ticket.as_mut() {
                t.downloaded = true;
            }
        }
        writer.published_live(rows);
    }
    tracing::info!(session = %row.id, "support app downloaded");
    Ok(())
}

/// Exchanges a ticket, once, for the support app's own token.
pub async fn redeem(
    state: &AppState,
    ticket_token: &str,
) -> Result<(SessionRow, String), ApiError> {
    let (hub, row) = ticket_hub(state, ticket_token).await?;
    let _writer = hub.writer().await;
    {
        let mut live = hub.live();
        let t = live
            .ticket
            .as_mut()
            .filter(|t| t.hash == auth::token_hash(ticket_token))
            .ok_or_else(unknown_ticket)?;
        check_ticket(state, t)?;
        t.redeemed = true;
    }
    let token = agent_participant(state, &row).await?;
    tracing::info!(session = %row.id, "support app ticket redeemed");
    Ok((row, token))
}

/// Stores a token for the support app in `row`'s session.
pub async fn agent_participant(state: &AppState, row: &SessionRow) -> Result<String, ApiError> {
    let token = auth::new_agent_token();
    state
        .store
        .add_participant(
            &store::ParticipantRow {
                token_hash: token.hash,
                session_id: row.id.clone(),
                role: "agent".into(),
                name: "Support app".into(),
            },
            state.now(),
        )
        .await?;
    Ok(token.token)
}

fn unknown_ticket() -> ApiError {
    ApiError::NotFound(
        "unknown_ticket",
        "This download link is not valid. Please use the DOWNLOAD APPLICATION button in your chat."
            .into(),
    )
}

fn check_ticket(state: &AppState, t: &Ticket) -> Result<(), ApiError> {
    if t.redeemed {
        return Err(ApiError::Gone("ticket_used", "This download was already used to connect. Please download the application again from your chat.".into()));
    }
    if state.now() >= t.expires_at {
        return Err(ApiError::Gone(
            "ticket_expired",
            "This download link has expired. Please ask your technician to request access again."
                .into(),
        ));
    }
    Ok(())
}

async fn ticket_hub(
    state: &AppState,
    ticket_token: &str,
) -> Result<(Arc<Hub>, SessionRow), ApiError> {
    let session_id = state
        .hubs
        .ticket_session(&auth::token_hash(ticket_token))
        .ok_or_else(unknown_ticket)?;
    let row = sessions::load(state, &session_id).await?;
    if row.state == "ended" {
        return Err(ended());
    }
    Ok((sessions::hub(state, &row).await?, row))
}

/// The support app connected and introduced itself.
pub async fn agent_connected(
    state: &AppState,
    hub: &Hub,
    link: AgentLink,
    platform: String,
    hostname: String,
    monitors: Vec<protocol::MonitorInfo>,
) -> Result<(), ApiError> {
    let writer = hub.writer().await;
    writer
        .lifecycle()
        .ensure_open(state.now())
        .map_err(|_| ended())?;
    let mut consent = hub.live().consent.clone();
    let previous = hub.live().agent.take();
    let mut events = Vec::new();
    if previous.is_some()
        && let Some(grant) = consent.app_disconnected()
    {
        events.push((
            system_actor(),
            EventBody::AccessRevoked {
                epoch: grant.epoch,
                reason: RevokeReason::AppLeft,
            },
        ));
    }
    consent.app_connected_now();
    events.push((
        system_actor(),
        EventBody::AppConnected { platform, hostname },
    ));
    let pending = consent.pending();
    {
        let mut live = hub.live();
        live.agent = Some(link);
        live.monitors = monitors;
    }
    commit(state, writer, events, consent, TicketChange::Keep).await?;
    let technician = hub_technician(state, hub).await?;
    let welcome = ServerToAgent::Welcome {
        session_id: hub.session_id.clone(),
        technician: technician.clone(),
    };
    tell_agent(hub, welcome).await;
    if let Some(p) = pending {
        let request = ServerToAgent::Request {
            request_id: p.id,
            access: kind(p.access),
            technician,
        };
        tell_agent(hub, request).await;
    }
    Ok(())
}

async fn hub_technician(state: &AppState, hub: &Hub) -> Result<String, ApiError> {
    Ok(sessions::load(state, &hub.session_id)
        .await?
        .technician_name)
}

/// The app shows the prompt: the guided flow moves to "waiting for consent".
/// Only live state changes (no event): the answer is what gets recorded.
pub async fn prompted(hub: &Hub, request_id: u64) {
    let changed = hub.live().consent.prompted(request_id).is_some();
    if changed {
        hub.publish_row().await;
        tracing::debug!(session = %hub.session_id, request_id, "consent prompt shown");
    }
}

/// The support app's connection ended.
pub async fn agent_disconnected(state: &AppState, hub: &Hub, link_id: u64) -> Result<(), ApiError> {
    let writer = hub.writer().await;
    let mut consent = hub.live().consent.clone();
    {
        let mut live = hub.live();
        if live.agent.as_ref().is_none_or(|a| a.id != link_id) {
            // A newer connection already took over.
            return Ok(());
        }
        live.agent = None;
        live.monitors.clear();
    }
    hub.stop_grant();
    let mut events = Vec::new();
    if let Some(grant) = consent.app_disconnected() {
        events.push((
            system_actor(),
            EventBody::AccessRevoked {
                epoch: grant.epoch,
                reason: RevokeReason::AppLeft,
            },
        ));
    }
    if writer.lifecycle().state == protocol::SessionState::Ended {
        // The end already recorded everything; just let go.
        hub.live().consent = consent;
        return Ok(());
    }
    events.push((system_actor(), EventBody::AppDisconnected {}));
    commit(state, writer, events, consent, TicketChange::Keep).await
}

/// The customer answered in the support app.
pub async fn answer(
    state: &AppState,
    hub: &Hub,
    request_id: u64,
    allow: bool,
    customer: Actor,
) -> Result<(), ApiError> {
    let writer = hub.writer().await;
    writer
        .lifecycle()
        .ensure_open(state.now())
        .map_err(|_| ended())?;
    let mut consent = hub.live().consent.clone();
    let access = consent
        .pending()
        .filter(|p| p.id == request_id)
        .map(|p| p.access)
        .ok_or_else(|| consent_error(ConsentError::NoSuchRequest))?;
    let grant = consent.answer(request_id, allow).map_err(consent_error)?;
    let event = match grant {
        Some(g) => EventBody::AccessGranted {
            request_id,
            access: kind(access),
            epoch: g.epoch,
        },
        None => EventBody::AccessDenied {
            request_id,
            access: kind(access),
        },
    };
    commit(
        state,
        writer,
        vec![(customer, event)],
        consent,
        TicketChange::Drop,
    )
    .await?;
    if let Some(g) = grant {
        tell_agent(
            hub,
            ServerToAgent::Grant {
                request_id,
                epoch: g.epoch,
                access: kind(g.access),
            },
        )
        .await;
        tracing::info!(session = %hub.session_id, epoch = g.epoch, "screen access granted");
    } else {
        tracing::info!(session = %hub.session_id, "screen access denied");
    }
    Ok(())
}

pub fn customer_actor(row: &SessionRow) -> Actor {
    Actor {
        role: Role::Customer,
        name: row
            .customer_name
            .clone()
            .unwrap_or_else(|| "Customer".into()),
    }
}
