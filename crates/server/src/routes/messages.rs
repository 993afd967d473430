//! The session timeline over HTTP: read it, or post a chat message.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use protocol::{ChatRequest, Event, EventList};
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::routes::sessions::participant_session;
use crate::sessions;
use crate::state::AppState;
use crate::views;

#[derive(Debug, Deserialize)]
pub struct After {
    #[serde(default)]
    after: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<After>,
) -> Result<Json<EventList>, ApiError> {
    let row = participant_session(&state, &caller, &id).await?;
    let rows = state
        .store
        .events_after(&row.id, q.after.unwrap_or(0).max(0))
        .await?;
    Ok(Json(EventList {
        events: rows.iter().map(views::event).collect(),
    }))
}

pub async fn post(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ChatRequest>,
) -> Result<(StatusCode, Json<Event>), ApiError> {
    let row = participant_session(&state, &caller, &id).await?;
    let hub = sessions::hub(&state, &row).await?;
    let event = sessions::chat(&state, &hub, &caller, req.text, req.client_id).await?;
    Ok((StatusCode::CREATED, Json(views::event(&event))))
}
