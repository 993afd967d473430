//! The browser apps: the customer's support website and chat, the technician
//! console and first-run setup. Files come embedded in the binary, or from a
//! folder during development (`--web-dir`).

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(customer))
        .route("/join/{key}", get(customer))
        .route("/s/{id}", get(customer))
        .route("/console", get(console))
        .route("/setup", get(setup))
        .route("/admin", get(admin))
        .route("/reset", get(reset))
        .route("/assets/{file}", get(asset))
        .route("/healthz", get(|| async { "ok" }))
}

async fn customer(State(state): State<AppState>) -> Response {
    serve(&state, "customer.html").await
}

async fn console(State(state): State<AppState>) -> Response {
    serve(&state, "console.html").await
}

async fn setup(State(state): State<AppState>) -> Response {
    serve(&state, "setup.html").await
}

async fn admin(State(state): State<AppState>) -> Response {
    serve(&state, "admin.html").await
}

async fn reset(State(state): State<AppState>) -> Response {
    serve(&state, "reset.html").await
}

async fn asset(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    serve(&state, &file).await
}

async fn serve(state: &AppState, name: &str) -> Response {
    let bytes = match &state.config.web_dir {
        Some(dir) if is_plain_name(name) => {
            tokio::fs::read(dir.join(name)).await.ok().map(Body::from)
        }
        Some(_) => None,
        None => embedded::ASSETS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| Body::from(*b)),
    };
    let Some(bytes) = bytes else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(name)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}
