//! Start, list, show and end sessions.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use protocol::{CreateSessionRequest, EndReason, SessionList, SessionView};
use serde::Deserialize;

use crate::auth::{Caller, Technician};
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::sessions;
use crate::state::AppState;
use crate::views::{Audience, session_view};

pub fn view_for(state: &AppState, row: &store::SessionRow, caller: &Caller) -> SessionView {
    let audience = match caller {
        Caller::Technician(_) => Audience::Technician,
        Caller::Customer(_) => Audience::Customer,
    };
    session_view(
        row,
        audience,
        state.hubs.lookup(&row.id).as_deref(),
        &state.public_url,
        state.now(),
    )
}

pub async fn create(
    State(state): State<AppState>,
    tech: Technician,
    JsonBody(req): JsonBody<CreateSessionRequest>,
) -> Result<(StatusCode, Json<SessionView>), ApiError> {
    let row = sessions::create(&state, &tech, req.request_remote_control).await?;
    tracing::info!(session = %row.id, technician = %tech.user.id, "session started");
    Ok((
        StatusCode::CREATED,
        Json(view_for(&state, &row, &Caller::Technician(tech))),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    state: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    tech: Technician,
    Query(q): Query<ListQuery>,
) -> Result<Json<SessionList>, ApiError> {
    let ended = match q.state.as_deref() {
        None | Some("live") => false,
        Some("ended") => true,
        Some(_) => {
            return Err(ApiError::BadRequest(
                "bad_request",
                "state must be live or ended.".into(),
            ));
        }
    };
    let rows = state.store.sessions_of(&tech.user.id, ended, 200).await?;
    let caller = Caller::Technician(tech);
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        // Sessions whose key ran out unused end here if the sweeper has not got to them.
        let row = if ended {
            row
        } else {
            sessions::load(&state, &row.id).await?
        };
        if ended || row.state != "ended" {
            out.push(view_for(&state, &row, &caller));
        }
    }
    Ok(Json(SessionList { sessions: out }))
}

/// Loads a session the caller takes part in.
pub async fn participant_session(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<store::SessionRow, ApiError> {
    let row = sessions::load(state, id).await?;
    caller.ensure_participant(&row)?;
    Ok(row)
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SessionView>, ApiError> {
    let row = participant_session(&state, &caller, &id).await?;
    Ok(Json(view_for(&state, &row, &caller)))
}

pub async fn end(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SessionView>, ApiError> {
    let row = participant_session(&state, &caller, &id).await?;
    let reason = match caller {
        Caller::Technician(_) => EndReason::Technician,
        Caller::Customer(_) => EndReason::Customer,
    };
    let row = sessions::end(&state, &row, reason, caller.actor()).await?;
    Ok(Json(view_for(&state, &row, &caller)))
}
