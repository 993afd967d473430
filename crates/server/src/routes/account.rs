//! Sign-in, sign-out, who am I, and first-administrator setup.

use axum::Json;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use protocol::{
    LoginRequest, LoginResponse, MeResponse, SecondFactorChallenge, SetupRequest, User,
};
use store::{NewUser, UserRow};

use crate::auth::{self, TECHNICIAN_COOKIE, Technician};
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::policy::GroupPolicy;
use crate::state::AppState;

pub fn user_view(u: &UserRow) -> User {
    User {
        id: u.id.clone(),
        email: u.email.clone(),
        name: u.name.clone(),
        role: u.role.clone(),
        group_id: u.group_id.clone(),
        group_name: None,
        totp_enabled: u.totp_secret.is_some(),
        disabled: u.disabled,
        last_login_at: u.last_login_at.map(crate::views::timestamp),
    }
}

/// How long the second step of a sign-in may take.
const TOTP_CHALLENGE_SECS: u64 = 300;
const ENROL_CHALLENGE_SECS: u64 = 600;

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
    // Verify against a dummy hash when the account is unknown (or has no
    // password yet), so that timing does not reveal which accounts exist.
    let (hash, user) = match user {
        Some(u) if !u.disabled && !u.password_hash.is_empty() => (u.password_hash.clone(), Some(u)),
        _ => (state.dummy_hash().to_owned(), None),
    };
    let ok = auth::verify_password(&req.password, &hash);
    let Some(user) = user.filter(|_| ok) else {
        tracing::info!(%email, %addr, "sign-in refused");
        record_sign_in_failure(&state, addr, &email, now);
        return Err(ApiError::InvalidCredentials);
    };
    // A second factor: the account's own, or one its group requires.
    let second = if user.totp_secret.is_some() {
        Some(("totp", TOTP_CHALLENGE_SECS))
    } else if GroupPolicy::load(&state, user.group_id.as_deref())
        .await?
        .policy
        .require_2fa
    {
        Some(("enrol", ENROL_CHALLENGE_SECS))
    } else {
        None
    };
    if let Some((purpose, secs)) = second {
        let challenge = format!("tl_{}", auth::random_secret());
        let expires = now + i64::try_from(secs * 1000).unwrap_or(i64::MAX);
        state
            .store
            .create_one_time_token(
                &auth::token_hash(&challenge),
                &user.id,
                purpose,
                now,
                expires,
            )
            .await?;
        return Ok(Json(SecondFactorChallenge {
            second_factor: purpose.to_owned(),
            challenge,
            expires_in_secs: secs,
        })
        .into_response());
    }
    sign_in(&state, &user, serde_json::json!({})).await
}

/// Issues a sign-in token (and its cookie) to `user`; `extra` fields join
/// the answer's `token` and `user`.
pub async fn sign_in(
    state: &AppState,
    user: &UserRow,
    extra: serde_json::Value,
) -> Result<Response, ApiError> {
    let now = state.now();
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
        secure_attr(state)
    );
    let mut body = serde_json::to_value(LoginResponse {
        token: token.token,
        user: user_view(user),
    })
    .map_err(ApiError::internal)?;
    if let (Some(body), serde_json::Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    let mut response = Json(body).into_response();
    set_cookie(response.headers_mut(), &cookie);
    Ok(response)
}

pub fn record_sign_in_failure(state: &AppState, addr: std::net::IpAddr, email: &str, now: i64) {
    lock(&state.login_by_address).record_failure(addr, now);
    lock(&state.login_by_account).record_key_failure(email.to_owned(), now);
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Refuses sign-in while this address or this account has too many recent
/// failures; the right password is refused too, so guessing learns nothing.
pub fn check_sign_in_throttle(
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
        code: "too_many_attempts",
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

pub async fn me(
    State(state): State<AppState>,
    tech: Technician,
) -> Result<Json<MeResponse>, ApiError> {
    Ok(Json(me_response(&state, &tech.user).await?))
}

/// Who the technician is and what their console obeys.
pub async fn me_response(state: &AppState, user: &UserRow) -> Result<MeResponse, ApiError> {
    let group = match &user.group_id {
        Some(id) => state.store.group(id).await?,
        None => None,
    };
    let policy = GroupPolicy::of_row(state, group.as_ref());
    let mut view = user_view(user);
    view.group_name = group.map(|g| g.name);
    Ok(MeResponse {
        user: view,
        settings: policy.settings(state).await?,
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
        // The first administrator manages every group.
        group_id: None,
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
