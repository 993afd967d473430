//! Sign-in, sign-out, who am I, and first-administrator setup.

use axum::Json;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use protocol::{LoginRequest, LoginResponse, MeResponse, SetupRequest, User};
use store::{NewUser, UserRow};

use crate::auth::{self, TECHNICIAN_COOKIE, Technician};
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::state::AppState;

pub fn user_view(u: &UserRow) -> User {
    User {
        id: u.id.clone(),
        email: u.email.clone(),
        name: u.name.clone(),
        role: u.role.clone(),
    }
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Response, ApiError> {
    let email = req.email.trim().to_lowercase();
    let addr = crate::client_ip::client_ip(peer.ip(), &headers, &state.config.trusted_proxies);
    let now = state.now();
    check_sign_in_throttle(&state, addr, &email, now)?;
    let user = state.store.user_by_email(&email).await?;
    // Verify against a dummy hash when the account is unknown, so that timing
    // does not reveal which e-mail addresses have accounts.
    let (hash, user) = match user {
        Some(u) if !u.disabled => (u.password_hash.clone(), Some(u)),
        _ => (state.dummy_hash().to_owned(), None),
    };
    let ok = auth::verify_password(&req.password, &hash);
    let Some(user) = user.filter(|_| ok) else {
        tracing::info!(%email, %addr, "sign-in refused");
        lock(&state.login_by_address).record_failure(addr, now);
        lock(&state.login_by_account).record_key_failure(email, now);
        return Err(ApiError::InvalidCredentials);
    };
    let token = auth::new_technician_token();
    let lifetime = state.config.login_lifetime;
    let expires = now + i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX / 2);
    state
        .store
        .record_login(&user.id, &token.hash, now, expires)
        .await?;
    tracing::info!(user = %user.id, "signed in");
    let cookie = format!(
        "{TECHNICIAN_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        token.token,
        lifetime.as_secs(),
        secure_attr(&state)
    );
    let mut response = Json(LoginResponse {
        token: token.token,
        user: user_view(&user),
    })
    .into_response();
    set_cookie(response.headers_mut(), &cookie);
    Ok(response)
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Refuses sign-in while this address or this account has too many recent
/// failures; the right password is refused too, so guessing learns nothing.
fn check_sign_in_throttle(
    state: &AppState,
    addr: std::net::IpAddr,
    email: &str,
    now: i64,
) -> Result<(), ApiError> {
    let by_address = lock(&state.login_by_address).check(addr, now);
    let by_account = lock(&state.login_by_account).check_key(&email.to_owned(), now);
    let (refusal, whose) = match (by_address, by_account) {
        (Err(r), _) => (r, "from your network"),
        (_, Err(r)) => (r, "for this account"),
        _ => return Ok(()),
    };
    let secs = refusal.retry_after_secs();
    tracing::warn!(%addr, %email, "sign-in throttled");
    Err(ApiError::TooManyRequests {
        message: format!(
            "Too many failed sign-ins {whose}. Please wait {secs} seconds and try again."
        ),
        retry_after_secs: secs,
    })
}

pub async fn logout(State(state): State<AppState>, tech: Technician) -> Result<Response, ApiError> {
    state.store.delete_token(&tech.token_hash).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    set_cookie(
        response.headers_mut(),
        &format!(
            "{TECHNICIAN_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
            secure_attr(&state)
        ),
    );
    Ok(response)
}

pub async fn me(State(state): State<AppState>, tech: Technician) -> Json<MeResponse> {
    Json(MeResponse {
        user: user_view(&tech.user),
        settings: state.settings(),
    })
}

pub async fn setup(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<SetupRequest>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let closed = || {
        ApiError::Forbidden(
            "setup_closed",
            "Setup is finished: an administrator already exists. Please sign in.".into(),
        )
    };
    let expected = state
        .setup_token
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let Some(expected) = expected else {
        return Err(closed());
    };
    if !auth::constant_time_eq(&expected, req.token.trim()) {
        return Err(ApiError::Forbidden(
            "bad_setup_token",
            "This setup link is not valid. Use the link that `tether serve` printed.".into(),
        ));
    }
    if state.store.count_admins().await? > 0 {
        return Err(closed());
    }
    let user = new_user(&state, &req.email, &req.name, &req.password, "admin").await?;
    *state.setup_token.lock().unwrap_or_else(|p| p.into_inner()) = None;
    tracing::info!(user = %user.id, "first administrator created");
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "user": user_view(&user) })),
    ))
}

/// Validates and stores a new account.
pub async fn new_user(
    state: &AppState,
    email: &str,
    name: &str,
    password: &str,
    role: &str,
) -> Result<UserRow, ApiError> {
    let user = crate::accounts::validate_new_user(email, name, password, role)
        .map_err(|e| ApiError::BadRequest(e.code(), e.to_string()))?;
    let hash = auth::hash_password(password)
        .map_err(|e| ApiError::internal(crate::accounts::HashError(e.to_string())))?;
    let new = NewUser {
        id: uuid::Uuid::now_v7().to_string(),
        email: user.email,
        name: user.name,
        password_hash: hash,
        role: role.to_owned(),
        created_at: state.now(),
    };
    state.store.create_user(&new).await.map_err(|e| match e {
        store::StoreError::EmailTaken(_) => ApiError::Conflict(
            "email_taken",
            "An account with this e-mail address already exists.".into(),
        ),
        e => e.into(),
    })?;
    state
        .store
        .user_by_email(&new.email)
        .await?
        .ok_or_else(|| ApiError::internal(store::StoreError::Corrupt("users")))
}

fn secure_attr(state: &AppState) -> &'static str {
    if state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

pub fn set_cookie(headers: &mut HeaderMap, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        headers.append(header::SET_COOKIE, v);
    }
}
