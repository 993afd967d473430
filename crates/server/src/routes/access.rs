//! Screen access over HTTP: the technician requests or withdraws; either
//! side stops screen sharing.

use axum::Json;
use axum::extract::{Path, State};
use protocol::{AccessRequest, RevokeReason, SessionView};

use crate::access;
use crate::auth::{Caller, Technician};
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::routes::sessions::{participant_session, view_for};
use crate::state::AppState;

pub async fn request(
    State(state): State<AppState>,
    tech: Technician,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<AccessRequest>,
) -> Result<Json<SessionView>, ApiError> {
    let caller = Caller::Technician(tech);
    let row = participant_session(&state, &caller, &id).await?;
    access::request(&state, &row, caller.actor(), access::from_kind(req.access)).await?;
    Ok(Json(view_for(&state, &row, &caller)))
}

pub async fn cancel(
    State(state): State<AppState>,
    tech: Technician,
    Path(id): Path<String>,
) -> Result<Json<SessionView>, ApiError> {
    let caller = Caller::Technician(tech);
    let row = participant_session(&state, &caller, &id).await?;
    access::cancel(&state, &row, caller.actor()).await?;
    Ok(Json(view_for(&state, &row, &caller)))
}

/// "Stop screen sharing": the customer's right at any moment; the technician
/// may stop viewing too.
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SessionView>, ApiError> {
    let row = participant_session(&state, &caller, &id).await?;
    let reason = match caller {
        Caller::Technician(_) => RevokeReason::Technician,
        Caller::Customer(_) => RevokeReason::Customer,
    };
    access::revoke(&state, &row, caller.actor(), reason).await?;
    Ok(Json(view_for(&state, &row, &caller)))
}
