//! A customer joins with a support key: no account, no download.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use protocol::{JoinRequest, JoinResponse};

use crate::auth::CUSTOMER_COOKIE;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::routes::account::set_cookie;
use crate::sessions;
use crate::state::AppState;

pub async fn join(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    JsonBody(req): JsonBody<JoinRequest>,
) -> Result<Response, ApiError> {
    let (row, token) = sessions::join(
        &state,
        crate::client_ip::client_ip(peer.ip(), &headers, &state.config.trusted_proxies),
        &req.key,
        req.name.as_deref(),
    )
    .await?;
    tracing::info!(session = %row.id, "customer joined");
    // The cookie goes only to this session's URLs, so one browser can hold
    // several customer sessions and no other path ever sees it.
    let cookie = format!(
        "{CUSTOMER_COOKIE}={token}; Path=/api/v1/sessions/{}; HttpOnly; SameSite=Strict{}",
        row.id,
        if state.public_url.starts_with("https://") {
            "; Secure"
        } else {
            ""
        }
    );
    let mut response = Json(JoinResponse {
        session_id: row.id.clone(),
        customer_token: token,
        technician_name: row.technician_name.clone(),
    })
    .into_response();
    set_cookie(response.headers_mut(), &cookie);
    Ok(response)
}
