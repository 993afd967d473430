//! The HTTP surface: one router for the API, the WebSocket and the web apps.

mod access;
pub(crate) mod account;
pub(crate) mod admin;
mod agent;
mod files;
mod history;
mod invitations;
mod join;
mod me_events;
mod messages;
mod pages;
mod sessions;
mod twofactor;
mod ws;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, patch, post};

use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/auth/login", post(account::login))
        .route("/auth/logout", post(account::logout))
        .route("/auth/login/totp", post(twofactor::login_totp))
        .route("/auth/login/enrol", post(twofactor::login_enrol))
        .route(
            "/auth/login/enrol/confirm",
            post(twofactor::login_enrol_confirm),
        )
        .route("/auth/reset/inspect", post(twofactor::inspect_link))
        .route("/auth/reset", post(twofactor::reset_password))
        .route("/me", get(account::me))
        .route("/me/events", get(me_events::connect))
        .route("/me/2fa/setup", post(twofactor::setup))
        .route("/me/2fa/enable", post(twofactor::enable))
        .route("/me/2fa/disable", post(twofactor::disable))
        .route(
            "/me/2fa/recovery-codes",
            post(twofactor::new_recovery_codes),
        )
        .route(
            "/admin/users",
            get(admin::list_users).post(admin::create_user),
        )
        .route("/admin/users/{id}", patch(admin::update_user))
        .route(
            "/admin/users/{id}/password-reset",
            post(admin::reset_password),
        )
        .route("/admin/users/{id}/2fa-reset", post(admin::reset_2fa))
        .route(
            "/admin/groups",
            get(admin::list_groups).post(admin::create_group),
        )
        .route(
            "/admin/groups/{id}",
            patch(admin::update_group).delete(admin::delete_group),
        )
        .route(
            "/admin/messaging",
            get(admin::get_messaging).put(admin::put_messaging),
        )
        .route("/admin/audit", get(admin::list_audit))
        .route("/admin/sessions", get(history::list))
        .route("/admin/sessions/export", get(history::export))
        .route("/admin/sessions/{id}", get(history::detail))
        .route("/setup", post(account::setup))
        .route("/sessions", post(sessions::create).get(sessions::list))
        .route("/sessions/{id}", get(sessions::get))
        .route("/sessions/{id}/end", post(sessions::end))
        .route(
            "/sessions/{id}/messages",
            get(messages::list).post(messages::post),
        )
        .route("/sessions/{id}/files", post(files::upload))
        .route("/sessions/{id}/files/{file_id}", get(files::download))
        .route("/sessions/{id}/ws", get(ws::connect))
        .route("/sessions/{id}/invitations", post(invitations::invite))
        .route("/sessions/{id}/access/request", post(access::request))
        .route("/sessions/{id}/access/cancel", post(access::cancel))
        .route("/sessions/{id}/access/revoke", post(access::revoke))
        .route("/app/download", get(agent::download))
        .route("/agent/redeem", post(agent::redeem))
        .route("/agent/join", post(agent::join))
        .route("/agent/ws", get(agent::connect))
        .route("/join", post(join::join))
        .fallback(api_not_found);
    Router::new()
        .nest("/api/v1", api)
        .merge(pages::router())
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn api_not_found() -> crate::error::ApiError {
    crate::error::ApiError::NotFound("not_found", "There is no such API endpoint.".into())
}

/// Headers every answer carries: no framing, no sniffing, no referrer (join
/// links carry support keys), and a content policy that allows only our own
/// scripts.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; \
             style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; \
             base-uri 'none'; form-action 'self'",
        ),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
